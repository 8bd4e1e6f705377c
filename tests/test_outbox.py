"""The outbox: webhooks recorded in the order of the fake clock, and POSTed to local receivers with retries."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from fakeroute.app import FakerouteApp
from fakeroute.outbox import Outbox
from fakeroute.server import FakerouteServer
from fakeroute.world import Clock, World
from tests.support.receiver import HOLD_LIMIT, Receiver, free_port, free_port_url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(clock: Clock) -> Outbox:
    box = Outbox(clock, retry_delays=(0.02, 0.02, 0.02, 0.02), timeout=1.0)
    yield box
    box.stop_delivery()


def test_webhooks_are_recorded_in_clock_order_and_show_when_their_time_comes(outbox: Outbox, clock: Clock):
    later = outbox.record("flowroute", "default", "dlr", "http://127.0.0.1/dlr", {"n": 2},
                          at=clock.peek().replace(second=5))
    now = outbox.record("flowroute", "default", "dlr", "http://127.0.0.1/dlr", {"n": 1})
    assert [w.id for w in outbox] == [now.id]  # the other one has not happened yet
    assert [w.state_at(clock.peek()) for w in outbox.webhooks(scheduled=True)] == ["recorded", "scheduled"]
    clock.advance(5)
    assert [w.payload for w in outbox] == [{"n": 1}, {"n": 2}]
    assert later.to_dict(clock.peek())["state"] == "recorded" and later.attempts == []


def test_filters_and_clear(outbox: Outbox):
    outbox.record("flowroute", "default", "dlr", "http://127.0.0.1/a", {})
    outbox.record("flowroute", "other", "inbound_sms", "http://127.0.0.1/b", {})
    assert [w.account for w in outbox.webhooks(kind="inbound_sms")] == ["other"]
    assert [w.url for w in outbox.webhooks(account="default")] == ["http://127.0.0.1/a"]
    outbox.clear()
    assert len(outbox) == 0
    assert outbox.record("flowroute", "default", "dlr", "http://127.0.0.1/a", {}).id == "wh-1"


def test_each_world_has_its_own_outbox_and_reset_empties_it():
    first, second = World(), World()
    assert first.outbox is not second.outbox
    first.outbox.record("flowroute", "default", "dlr", "http://127.0.0.1/a", {})
    assert len(first.outbox) == 1 and len(second.outbox) == 0
    first.reset()
    assert len(first.outbox) == 0


def test_delivery_posts_json_to_a_local_receiver(outbox: Outbox):
    outbox.start_delivery()
    with Receiver() as receiver:
        webhook = outbox.record("flowroute", "default", "dlr", receiver.url + "/dlr?token=t", {"data": {"id": "x"}})
        (got,) = receiver.wait_for(1)
        assert outbox.drain()
    assert got["path"] == "/dlr?token=t" and got["json"] == {"data": {"id": "x"}}
    assert got["headers"]["Content-Type"] == "application/json"
    assert webhook.state == "delivered"
    assert [(a.number, a.status, a.error) for a in webhook.attempts] == [(1, 200, None)]


def test_a_failing_receiver_is_retried_until_it_answers_2xx(outbox: Outbox):
    outbox.start_delivery()
    with Receiver(statuses=(500, 503)) as receiver:
        webhook = outbox.record("flowroute", "default", "dlr", receiver.url, {"n": 1})
        receiver.wait_for(3)
        assert outbox.drain()
    assert webhook.state == "delivered"
    assert [(a.status, a.error) for a in webhook.attempts] == [(500, "HTTP 500"), (503, "HTTP 503"), (200, None)]


def test_recording_never_waits_for_the_network(clock: Clock):
    outbox = Outbox(clock, timeout=2 * HOLD_LIMIT)  # it waits for a held answer for as long as the test holds it
    outbox.start_delivery()
    try:
        with Receiver(hold=True) as receiver:
            webhook = outbox.record("flowroute", "default", "dlr", receiver.url, {"n": 1})
            # Back already, while the receiver holds the POST unanswered until released: had record() waited for
            # the answer, it would have come back only when the receiver gave up holding, with the attempt made.
            assert receiver.wait_for_arrival(1)
            assert webhook.attempts == [] and webhook.state == "pending"
            receiver.release()
            receiver.wait_for(1)
            assert outbox.drain()
        assert webhook.state == "delivered" and [a.status for a in webhook.attempts] == [200]
    finally:
        outbox.stop_delivery()


def test_a_receiver_that_is_down_fails_after_every_retry_and_nothing_is_lost(outbox: Outbox):
    outbox.start_delivery()
    webhook = outbox.record("flowroute", "default", "dlr", free_port_url(), {"keep": "me"})
    assert outbox.drain()
    assert webhook.state == "failed" and webhook.payload == {"keep": "me"}
    assert len(webhook.attempts) == 5  # the first try and four retries, as Flowroute does
    assert all(a.status is None and "Connection" in a.error for a in webhook.attempts)


def test_a_receiver_that_comes_back_gets_the_webhook_on_a_retry(clock: Clock):
    outbox = Outbox(clock, retry_delays=(0.3, 0.3, 0.3, 0.3))
    outbox.start_delivery()
    port = free_port()
    try:
        webhook = outbox.record("flowroute", "default", "dlr", f"http://127.0.0.1:{port}/dlr", {"n": 1})
        while not webhook.attempts:  # the first try finds the receiver down
            time.sleep(0.01)
        with Receiver(port=port) as receiver:  # up again before the retry
            receiver.wait_for(1)
            assert outbox.drain()
        assert webhook.state == "delivered"
        assert [a.status for a in webhook.attempts] == [None, 200]
    finally:
        outbox.stop_delivery()


def test_a_hanging_receiver_times_out_and_does_not_hold_up_the_caller(clock: Clock):
    outbox = Outbox(clock, timeout=0.1, retry_delays=(0.01,))
    outbox.start_delivery()
    try:
        with Receiver(hold=True) as receiver:  # it never answers while the outbox waits
            webhook = outbox.record("flowroute", "default", "dlr", receiver.url, {})
            assert outbox.drain(timeout=3)
        assert webhook.state == "failed"
        assert [a.error.split(":")[0] for a in webhook.attempts] == ["TimeoutError", "TimeoutError"]
    finally:
        outbox.stop_delivery()


def test_only_loopback_hosts_are_contacted_unless_allowed(outbox: Outbox):
    outbox.start_delivery()
    blocked = outbox.record("flowroute", "default", "dlr", "https://customer.example/dlr", {})
    assert blocked.state == "blocked" and blocked.attempts == []
    assert "customer.example is not an allowed webhook host" in blocked.error
    assert outbox.refusal("ftp://127.0.0.1/x") == "'ftp://127.0.0.1/x' is not an http(s) URL"
    for url in ("http://localhost:1/x", "http://127.0.0.2:1/x", "http://[::1]:1/x"):
        assert outbox.refusal(url) is None
    outbox.allowed_hosts.add("customer.example")
    assert outbox.refusal("https://customer.example/dlr") is None


def test_without_delivery_webhooks_are_only_recorded(outbox: Outbox):
    with Receiver() as receiver:
        webhook = outbox.record("flowroute", "default", "dlr", receiver.url, {})
        assert outbox.drain(timeout=0.2)
        time.sleep(0.05)
        assert receiver.received == [] and webhook.state == "recorded"


def test_clearing_drops_retries_under_way(outbox: Outbox):
    outbox.start_delivery()
    webhook = outbox.record("flowroute", "default", "dlr", free_port_url(), {})
    outbox.clear()
    assert outbox.drain()
    assert len(outbox) == 0 and len(webhook.attempts) <= 1


def test_the_server_delivers_while_it_serves_and_the_admin_api_lists_the_outbox():
    world = World()
    with Receiver() as receiver:
        with FakerouteServer(FakerouteApp(world)) as server:
            assert world.outbox.delivering
            world.outbox.record("flowroute", "default", "dlr", receiver.url + "/hook", {"via": "server"})
            receiver.wait_for(1)
            assert world.outbox.drain()
            listed = requests.get(f"{server.url}/_fakeroute/outbox", timeout=5).json()["webhooks"]
            assert [(w["kind"], w["state"], w["attempts"][0]["status"]) for w in listed] == [("dlr", "delivered", 200)]
            assert requests.delete(f"{server.url}/_fakeroute/outbox", timeout=5).json() == {"cleared": 1}
            assert requests.get(f"{server.url}/_fakeroute/outbox", timeout=5).json() == {"webhooks": []}
        assert not world.outbox.delivering
    assert receiver.received[0]["json"] == {"via": "server"}


def test_delivery_can_be_switched_off_and_on_again(outbox: Outbox):
    outbox.start_delivery()
    outbox.stop_delivery()
    assert not outbox.delivering
    assert outbox.record("flowroute", "default", "dlr", "http://127.0.0.1:1/x", {}).state == "recorded"
    outbox.start_delivery()
    with Receiver() as receiver:
        webhook = outbox.record("flowroute", "default", "dlr", receiver.url, {})
        receiver.wait_for(1)
        assert outbox.drain()
    assert webhook.state == "delivered" and len(webhook.attempts) == 1
    assert [t.name for t in threading.enumerate()].count(f"fakeroute-outbox@{id(outbox):x}") == 1
