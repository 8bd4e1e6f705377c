"""Webhooks handed in-process to the app under test (``deliver_to``): in order and on the fake clock, the same
method, headers and body as the HTTP POST, attempts and retries recorded as over HTTP; the Outbox's pluggable
sender underneath."""

from __future__ import annotations

import pytest

from fakeroute.clock import Clock
from fakeroute.outbox import Outbox, Webhook
from tests.support.receiver import Receiver

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(clock: Clock) -> Outbox:
    return Outbox(clock, retry_delays=(1.0, 1.0, 1.0, 1.0))  # in-process retries never wait: these never run


class Statuses:
    """A sender answering ``statuses`` in turn, then 200; it keeps the webhooks it was handed."""

    def __init__(self, *statuses: int):
        self.statuses = list(statuses)
        self.sent: list[str] = []

    def __call__(self, webhook: Webhook) -> tuple[int | None, str | None]:
        self.sent.append(webhook.id)
        status = self.statuses.pop(0) if self.statuses else 200
        return status, None if status == 200 else f"HTTP {status}"


def test_deliver_due_hands_over_what_is_due_earliest_first(outbox: Outbox, clock: Clock):
    start = clock.peek()
    late = outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {"n": 3},
                         at=start.replace(second=30))
    first = outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {"n": 1},
                          at=start.replace(second=5))
    second = outbox.record("flowroute", "default", "inbound_sms", "https://app.example/in", {"n": 2},
                           at=start.replace(second=5))
    send = Statuses()
    assert outbox.deliver_due(send) == []  # nothing is due yet
    clock.advance(10)
    assert outbox.deliver_due(send) == [first, second]  # equal times: in the order they were recorded
    assert late.state_at(clock.peek()) == "scheduled" and late.state == "recorded"
    clock.advance(60)
    assert outbox.deliver_due(send) == [late]
    assert send.sent == ["wh-2", "wh-3", "wh-1"]
    assert [w.state for w in (first, second, late)] == ["delivered"] * 3
    assert outbox.deliver_due(send) == []  # each is handed over once


def test_failures_are_retried_at_once_as_often_as_over_http(outbox: Outbox):
    flaky = outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {})
    outbox.deliver_due(Statuses(500, 503))
    assert flaky.state == "delivered"
    assert [(a.number, a.status, a.error) for a in flaky.attempts] == [(1, 500, "HTTP 500"), (2, 503, "HTTP 503"),
                                                                       (3, 200, None)]
    down = outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {})
    outbox.deliver_due(Statuses(*[500] * 10))
    assert down.state == "failed" and len(down.attempts) == 1 + len(outbox.retry_delays)


def test_webhooks_no_app_takes_stay_recorded_and_bad_urls_are_blocked(outbox: Outbox):
    mine = outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {})
    theirs = outbox.record("flowroute", "default", "dlr", "https://elsewhere.example/dlr", {})
    broken = outbox.record("flowroute", "default", "dlr", "ftp://app.example/dlr", {})
    assert outbox.deliver_due(Statuses(), lambda url: "elsewhere" not in url) == [mine]
    assert theirs.state == "recorded" and not theirs.attempts
    assert broken.state == "blocked" and "not an http(s) URL" in broken.error


def test_a_delivery_started_from_the_app_it_delivers_to_returns_at_once(outbox: Outbox):
    nested: list[list[Webhook]] = []

    def send(webhook: Webhook) -> tuple[int, None]:
        if webhook.payload["n"] == 1:  # the app, answering the first, makes the fake emit another
            outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {"n": 2})
            nested.append(outbox.deliver_due(send))
        return 200, None

    outbox.record("flowroute", "default", "dlr", "https://app.example/dlr", {"n": 1})
    assert [w.payload["n"] for w in outbox.deliver_due(send)] == [1, 2]  # the outer one delivers the new one too
    assert nested == [[]]


def test_deliver_due_is_refused_while_the_delivery_thread_runs(outbox: Outbox):
    outbox.start_delivery()
    try:
        with pytest.raises(RuntimeError, match="delivers over HTTP from its thread"):
            outbox.deliver_due(Statuses())
    finally:
        outbox.stop_delivery()


def test_a_pluggable_sender_for_the_delivery_thread_and_the_headers_on_the_wire(clock: Clock):
    seen: list[Webhook] = []
    box = Outbox(clock, sender=lambda w: (seen.append(w), (204, None))[1])
    box.start_delivery()
    try:
        hook = box.record("flowroute", "default", "dlr", "http://127.0.0.1:9/dlr", {"a": 1})
        assert box.drain() and seen == [hook] and hook.state == "delivered"
    finally:
        box.stop_delivery()
    assert hook.wire_headers() == {"Host": "127.0.0.1:9", "Accept-Encoding": "identity",
                                   "Content-Type": "application/json", "User-Agent": "fakeroute-webhooks",
                                   "Content-Length": str(len(hook.body()))}
    http = Outbox(clock)
    http.start_delivery()
    try:
        with Receiver() as receiver:
            posted = http.record("flowroute", "default", "dlr", receiver.url + "/dlr", {"a": 1})
            (got,) = receiver.wait_for(1)
            assert http.drain()
    finally:
        http.stop_delivery()
    assert got["headers"] == posted.wire_headers()  # exactly these, nothing http.client adds of its own


# -- the fixture ------------------------------------------------------------------------------------


RECORDING_APPS = '''
    import asyncio, json

    def recording_wsgi(seen):
        def app(environ, start_response):
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
            headers["Content-Type"], headers["Content-Length"] = environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]
            seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"], headers,
                         json.loads(body)))
            status = "500 Oops" if environ["PATH_INFO"] == "/broken" else "204 No Content"
            start_response(status, [])
            return [b""]
        return app

    def recording_asgi(seen):
        async def app(scope, receive, send):
            assert scope["type"] == "http"
            message = await receive()
            headers = {k.decode().title(): v.decode() for k, v in scope["headers"]}
            seen.append((scope["method"], scope["path"], scope["query_string"].decode(), headers,
                         json.loads(message["body"]), asyncio.get_running_loop()))
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        return app
'''


def test_dlrs_and_inbound_messages_reach_a_wsgi_app_in_order_and_on_the_clock(pytester: pytest.Pytester):
    pytester.makeconftest(RECORDING_APPS)
    pytester.makepyfile("""
        import pytest
        from conftest import recording_wsgi

        BASE = "https://api.flowroute.com"

        def send_sms(client, to="12065551234"):
            sent = client.post(f"{BASE}/v2.1/messages", json={"data": {"type": "message", "attributes": {
                "from": "12065550100", "to": to, "body": "hi", "dlr_callback": "https://app.example/dlr?k=1"}}})
            assert sent.status_code == 202
            return sent.json()["data"]["id"]

        def test_receipts_and_inbound(fakeroute, fakeroute_flowroute):
            seen = []
            fakeroute.deliver_to(recording_wsgi(seen))
            message_id = send_sms(fakeroute_flowroute)
            assert seen == []  # the receipts happen after the answer, on the fake clock
            fakeroute.clock.advance(seconds=10)
            assert [(m, p, q) for m, p, q, _, _ in seen] == [("POST", "/dlr", "k=1")] * 3
            statuses = [b["data"]["attributes"]["status"] for *_, b in seen]
            assert statuses == ["smsc submit", "message buffered", "delivered"]
            assert [b["data"]["id"] for *_, b in seen] == [message_id] * 3
            times = [b["data"]["attributes"]["timestamp"] for *_, b in seen]
            assert times == sorted(times)
            headers = seen[0][3]
            hook = fakeroute.outbox.webhooks()[0]
            assert headers == hook.wire_headers() and headers["Host"] == "app.example"
            assert all(w.state == "delivered" and w.attempts[0].status == 204 for w in fakeroute.outbox)

            fakeroute_flowroute.put(f"{BASE}/v2.1/messages/sms_callback",
                                    json={"data": {"attributes": {"callback_url": "https://app.example/in"}}})
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="ping")
            assert seen[-1][1] == "/in" and seen[-1][4]["data"]["attributes"]["body"] == "ping"

        def test_due_webhooks_arrive_before_the_next_call_is_answered(fakeroute, fakeroute_flowroute):
            seen = []
            fakeroute.deliver_to(recording_wsgi(seen))
            send_sms(fakeroute_flowroute)
            fakeroute.world.clock.advance(10)  # moved behind the fixture's back: nothing handed over yet
            assert seen == []
            fakeroute_flowroute.get(f"{BASE}/v2/routes")
            assert len(seen) == 3

        def test_an_app_that_answers_500_gets_every_retry(fakeroute, fakeroute_flowroute):
            seen = []
            fakeroute.deliver_to(recording_wsgi(seen))
            fakeroute_flowroute.put(f"{BASE}/v2.1/messages/sms_callback",
                                    json={"data": {"attributes": {"callback_url": "https://app.example/broken"}}})
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="ping")
            (hook,) = fakeroute.outbox.webhooks()
            assert hook.state == "failed" and [a.status for a in hook.attempts] == [500] * 5 and len(seen) == 5

        def test_url_prefixes_split_webhooks_between_apps(fakeroute, fakeroute_flowroute):
            mine, theirs = [], []
            fakeroute.deliver_to(recording_wsgi(mine), url="https://app.example/dlr")
            send_sms(fakeroute_flowroute)
            fakeroute_flowroute.put(f"{BASE}/v2.1/messages/sms_callback",
                                    json={"data": {"attributes": {"callback_url": "https://other.example/in"}}})
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="ping")
            fakeroute.clock.advance(10)
            assert len(mine) == 3 and theirs == []
            assert fakeroute.outbox.webhooks(kind="inbound_sms")[0].state == "recorded"
            fakeroute.deliver_to(recording_wsgi(theirs), url="https://other.example")
            assert [p for _, p, *_ in theirs] == ["/in"]

        def test_the_server_fixture_posts_over_http_instead(fakeroute_server):
            with pytest.raises(RuntimeError, match="serve your app on 127.0.0.1"):
                fakeroute_server.deliver_to(recording_wsgi([]))
    """)
    pytester.runpytest().assert_outcomes(passed=5)


def test_an_asgi_app_runs_on_a_loop_of_its_own_and_app_errors_fail_the_test(pytester: pytest.Pytester):
    pytester.makeconftest(RECORDING_APPS + '''
    import pytest

    @pytest.fixture
    def seen():
        return []

    @pytest.fixture
    def asgi_app(seen):
        return recording_asgi(seen)
''')
    pytester.makepyfile("""
        import asyncio, pytest

        BASE = "https://api.flowroute.com"

        @pytest.mark.fakeroute(deliver_to="asgi_app")
        def test_marker_names_the_fixture(fakeroute, fakeroute_flowroute, seen):
            fakeroute_flowroute.put(f"{BASE}/v2.1/messages/mms_callback",
                                    json={"data": {"attributes": {"callback_url": "https://app.example/mms"}}})
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="",
                              media_urls=["https://cdn.example/a.gif"])
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="",
                              media_urls=["https://cdn.example/b.gif"])
            assert [p for _, p, *_ in seen] == ["/mms", "/mms"]
            assert seen[0][3]["Content-Type"] == "application/json"
            assert seen[0][5] is seen[1][5]  # one loop for the test

        @pytest.mark.asyncio
        async def test_from_an_async_test(fakeroute, fakeroute_flowroute, seen, asgi_app):
            fakeroute.deliver_to(asgi_app)
            fakeroute_flowroute.put(f"{BASE}/v2.1/messages/sms_callback",
                                    json={"data": {"attributes": {"callback_url": "https://app.example/in"}}})
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="hi")
            assert len(seen) == 1 and seen[0][5] is not asyncio.get_running_loop()

        def test_app_raises(fakeroute, fakeroute_flowroute):
            def crashing(environ, start_response):
                raise ZeroDivisionError("the app under test has a bug")

            fakeroute.deliver_to(crashing)
            fakeroute_flowroute.put(f"{BASE}/v2.1/messages/sms_callback",
                                    json={"data": {"attributes": {"callback_url": "https://app.example/in"}}})
            fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="hi")
            (hook,) = fakeroute.outbox.webhooks()
            assert hook.state == "failed"
            assert hook.attempts[0].error == "ZeroDivisionError: the app under test has a bug"
    """)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_app_raises*",
                                 "*WebhookDeliveryError: the app under test raised on 5 webhook attempt(s)*",
                                 "*- fakeroute -*",
                                 "last 1 webhook(s):",
                                 "  wh-1 inbound_sms POST https://app.example/in -> failed [ZeroDivisionError: *"])
