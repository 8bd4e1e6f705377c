"""Bounded memory: the journal by entries and bytes (large bodies kept truncated with their size and hash), the
validation verdicts per app and by bytes, the outbox by count — measured with tracemalloc where it matters."""

from __future__ import annotations

import gc
import hashlib
import json
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
import requests
from werkzeug.test import Client, EnvironBuilder

from fakeroute.app import FakerouteApp
from fakeroute.clock import Clock
from fakeroute.journal import DEFAULT_MAX_BODY, Journal, Recorded
from fakeroute.outbox import Outbox
from fakeroute.providers import PROVIDERS
from fakeroute.validation import Verdicts
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH, sms

FLOWROUTE = next(p for p in PROVIDERS if p.name == "flowroute")
MIB = 1 << 20
BODY_LIMIT = MIB  # fakeroute.app.MAX_BODY_SIZE: a body of exactly this size is still read


def big_message(serial: int, size: int = BODY_LIMIT) -> bytes:
    """A distinct JSON body of ``size`` bytes: a send whose text is too long (422 after full validation)."""
    head = json.dumps(sms(body=""))[:-4].encode()  # ...,"body": ""}}} without the closing quote and braces
    filler = size - len(head) - len(b'"}}}') - 8
    return head + f"{serial:08d}".encode() + b"x" * filler + b'"}}}'


def traced_growth(work: Callable[[], None]) -> int:
    """Bytes still allocated after ``work`` that were not before it (Python's allocations, as tracemalloc sees them)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        work()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


@pytest.fixture
def quiet_app() -> Iterator[tuple[World, Client]]:
    world = World(rate_limits=False)  # bursts of sends: what is measured is memory, not Flowroute's throughput
    yield world, Client(FakerouteApp(world))


# -- the journal ------------------------------------------------------------------------------------


def test_a_body_over_the_threshold_is_kept_truncated_with_its_size_and_hash(server_url, live_world):
    body = big_message(1)
    answer = requests.post(f"{server_url}/v2.1/messages", data=body, headers=FLOWROUTE_AUTH, timeout=10)
    assert answer.status_code == 422
    entry = live_world.journal.last
    assert len(entry.raw_body) == DEFAULT_MAX_BODY and body.startswith(entry.raw_body)
    (shown,) = requests.get(f"{server_url}/_fakeroute/requests", timeout=10).json()["requests"]
    assert shown["truncated"] == {"body": {"size": len(body), "sha256": hashlib.sha256(body).hexdigest()}}
    assert shown["response"] == answer.json()  # a small answer is kept whole


def test_the_journal_keeps_at_most_its_bytes_and_counts_what_it_dropped():
    journal = Journal(max_bytes=100_000, max_body=10_000)
    for _ in range(100):
        journal.record(Recorded("flowroute", "POST", "/v2/routes", "", b"x" * 20_000, 422, b"{}"))
        assert journal.bytes <= 100_000 and journal.bytes == sum(e.cost for e in journal.all())
    assert len(journal) == 100_000 // journal.all()[0].cost and journal.dropped == 100 - len(journal)
    assert journal.all()[-1].body_truncated == (20_000, hashlib.sha256(b"x" * 20_000).hexdigest())
    journal.clear()
    assert (len(journal), journal.bytes, journal.dropped) == (0, 0, 0)


def test_the_journal_keeps_at_most_its_entries():
    journal = Journal(limit=3)
    for status in range(200, 205):
        journal.record(Recorded("twilio", "GET", "/v2/Trunks/x", "", b"", status, b"{}"))
    assert [e.status for e in journal] == [202, 203, 204] and journal.dropped == 2


# -- requests ------------------------------------------------------------------------------------------


def test_a_request_and_its_body_go_when_answered_without_waiting_for_the_garbage_collector():
    """werkzeug's Request puts itself in the environ it wraps: a cycle that kept each body (1 MiB at most) alive
    until a full collection, which a busy server runs rarely. Served, RSS grew by hundreds of MiB."""
    app = FakerouteApp(World())

    def answer_many() -> None:
        gc.disable()  # what a collection would free does not count: only what goes at once
        try:
            for i in range(40):
                environ = EnvironBuilder("/v2.1/messages", method="POST", data=big_message(i),
                                         headers=FLOWROUTE_AUTH, base_url="https://api.flowroute.com").get_environ()
                b"".join(app(environ, lambda status, headers, exc_info=None: None))
        finally:
            gc.enable()

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        answer_many()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert growth < 40 * DEFAULT_MAX_BODY + 4 * MIB, growth  # the journal's truncated copies, not 40 MiB of bodies


# -- the validation verdicts --------------------------------------------------------------------------


def test_bodies_of_a_mebibyte_leave_little_behind(quiet_app):
    world, client = quiet_app

    def post_many() -> None:
        for i in range(120):
            answer = client.post("/v2.1/messages", data=big_message(i), headers=FLOWROUTE_AUTH,
                                 base_url="https://api.flowroute.com")
            assert answer.status_code == 422

    growth = traced_growth(post_many)
    # 120 MiB went through; what stays is the journal's truncated copies (120 x 64 KiB) and little else.
    assert growth < 120 * DEFAULT_MAX_BODY + 4 * MIB, growth
    assert world.journal.bytes < 120 * (DEFAULT_MAX_BODY + 4096)


def test_verdicts_are_per_app_and_spare_the_second_validation():
    first, second = FakerouteApp(World()), FakerouteApp(World())
    body = json.dumps(sms(to="1206")).encode()
    for _ in range(2):
        Client(first).post("/v2.1/messages", data=body, headers=FLOWROUTE_AUTH, base_url="https://api.flowroute.com")
    assert len(first.verdicts) == 1  # the second send was answered from memory
    assert len(second.verdicts) == 0  # nothing is shared between apps (Worlds)


def test_verdicts_stay_within_their_bytes_and_large_inputs_are_not_kept():
    verdicts = Verdicts(max_bytes=50_000, max_key=1_000)
    app = FakerouteApp(World(), verdicts=verdicts)
    client = Client(app)
    for i in range(300):
        client.get(f"/v2/routes?limit={i}&x={'y' * 200}", headers=FLOWROUTE_AUTH, base_url="https://api.flowroute.com")
        assert verdicts.bytes <= 50_000
    assert 0 < len(verdicts) < 300
    query = f"x={'y' * 2000}"
    client.get(f"/v2/routes?{query}", headers=FLOWROUTE_AUTH, base_url="https://api.flowroute.com")
    assert verdicts.get(FLOWROUTE.schemas["query_routes"], query) is None


def test_distinct_large_bodies_are_not_remembered_beyond_their_app():
    world = World()

    def post_through_fresh_apps() -> None:
        for i in range(12):  # an app per World, as the plugin has; each app's verdicts go with it
            client = Client(FakerouteApp(world))
            client.post("/v2.1/messages", data=big_message(i), headers=FLOWROUTE_AUTH,
                        base_url="https://api.flowroute.com")
            world.reset()

    assert traced_growth(post_through_fresh_apps) < 4 * MIB  # a process-wide cache of raw bodies kept all 12 MiB


# -- the outbox ------------------------------------------------------------------------------------------


def test_the_outbox_keeps_at_most_its_webhooks_dropping_the_oldest_settled_first():
    outbox = Outbox(Clock(), max_webhooks=3)
    outbox.start_delivery()
    try:
        waiting = outbox.record("flowroute", "default", "dlr", "http://127.0.0.1:9/dlr", {"n": 0},
                                at=Clock().peek().replace(year=2027))  # pending until the clock gets there
        blocked = [outbox.record("flowroute", "default", "dlr", "https://elsewhere.example/dlr", {"n": n})
                   for n in range(1, 5)]
    finally:
        outbox.stop_delivery()
    kept = outbox.webhooks(scheduled=True)  # in clock order: the waiting one is in 2027
    assert [w.payload["n"] for w in kept] == [3, 4, 0] and outbox.dropped == 2
    assert waiting.state == "pending" and [w.state for w in blocked] == ["blocked"] * 4
    outbox.clear()
    assert outbox.dropped == 0


# -- stored messages ------------------------------------------------------------------------------------


def test_an_account_keeps_at_most_its_messages_the_oldest_forgotten_first():
    world = World(max_messages_per_account=3)
    client = Client(FakerouteApp(world))
    base = "https://api.flowroute.com"
    sent = [client.post("/v2.1/messages", json=sms(body=f"hello {i}"), headers=FLOWROUTE_AUTH, base_url=base)
            .json["data"]["id"] for i in range(5)]
    listed = client.get("/v2.1/messages", query_string={"start_date": "2025-01-01", "limit": 10},
                        headers=FLOWROUTE_AUTH, base_url=base).json["data"]
    assert [m["id"] for m in listed] == sent[:1:-1]  # the newest three, newest first; the history went too
    assert client.get(f"/v2.1/messages/{sent[0]}", headers=FLOWROUTE_AUTH, base_url=base).status_code == 404
    assert client.get(f"/v2.1/messages/{sent[4]}", headers=FLOWROUTE_AUTH, base_url=base).status_code == 200
    with pytest.raises(ValueError, match="max_messages_per_account must be at least 1"):
        World(max_messages_per_account=0)
