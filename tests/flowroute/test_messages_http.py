"""Flowroute webhooks over real HTTP: the server POSTs DLRs and inbound messages to a receiver the test starts."""

from __future__ import annotations

import pytest
import requests

from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_KEY, FLOWROUTE_SECRET, MOBILE, OWNED, receipt_delays, sms
from tests.support.receiver import HOLD_LIMIT, Receiver


def api(server_url: str) -> requests.Session:
    session = requests.Session()
    session.auth = (FLOWROUTE_KEY, FLOWROUTE_SECRET)
    return session


def set_callback(session: requests.Session, server_url: str, kind: str, url: str) -> None:
    response = session.put(f"{server_url}/v2.1/messages/{kind}", json={"data": {"attributes": {"callback_url": url}}},
                           timeout=5)
    assert response.status_code == 204


def outbox(server_url: str, **filters) -> list[dict]:
    return requests.get(f"{server_url}/_fakeroute/outbox", params=filters, timeout=5).json()["webhooks"]


@pytest.fixture
def patient(live_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server waits for a held receiver's answer for as long as the test holds it (not its 2 s): a call that
    waited for a delivery would then outlast the client's timeout, however slow the machine."""
    monkeypatch.setattr(live_world.outbox, "timeout", 2 * HOLD_LIMIT)


def test_dlrs_reach_a_local_receiver_as_the_clock_moves(server_url: str, live_world: World):
    session = api(server_url)
    with Receiver() as receiver:
        set_callback(session, server_url, "dlr_callback", receiver.url + "/flowroute/dlr")
        message_id = session.post(f"{server_url}/v2.1/messages", json=sms(), timeout=5).json()["data"]["id"]
        # The SMSC's and the carrier's receipts are due, the handset's not yet.
        requests.post(f"{server_url}/_fakeroute/clock", json={"advance": receipt_delays(message_id)[1]}, timeout=5)
        got = receiver.wait_for(2)
        assert [g["json"]["data"]["attributes"]["status"] for g in got] == ["smsc submit", "message buffered"]

        requests.post(f"{server_url}/_fakeroute/clock", json={"advance": 10}, timeout=5)
        got = receiver.wait_for(3)
        assert live_world.outbox.drain()
    final = got[2]
    assert final["path"] == "/flowroute/dlr" and final["headers"]["Content-Type"] == "application/json"
    assert final["json"]["data"]["attributes"]["status"] == "delivered"
    assert final["json"]["data"]["links"]["related"] == f"{server_url}/v2.1/messages/{message_id}"
    listed = outbox(server_url)
    assert [(w["state"], [a["status"] for a in w["attempts"]]) for w in listed] == [("delivered", [200])] * 3
    assert [w["payload"] for w in listed] == [g["json"] for g in got]


@pytest.mark.usefixtures("patient")
def test_a_receiver_that_never_answers_costs_the_caller_nothing_and_loses_nothing(server_url: str,
                                                                                   live_world: World):
    session = api(server_url)
    with Receiver(hold=True, hang_up=True) as receiver:
        set_callback(session, server_url, "dlr_callback", receiver.url)
        # Answered while the receiver holds the first receipt's POST: the caller never waits for a delivery, nor
        # for its retries (had it waited, this call would have timed out first).
        response = session.post(f"{server_url}/v2.1/messages", json=sms(), timeout=5)
        assert response.status_code == 202
        carrier = receipt_delays(response.json()["data"]["id"])[1]
        assert requests.post(f"{server_url}/_fakeroute/clock", json={"advance": carrier}, timeout=5).ok
        assert receiver.wait_for_arrival(1) and receiver.received == []
        receiver.release()  # from now on it hangs up on every POST at once, without an answer
        assert live_world.outbox.drain(timeout=10)
    listed = outbox(server_url)
    assert [w["payload"]["data"]["attributes"]["status"] for w in listed] == ["smsc submit", "message buffered"]
    for webhook in listed:
        assert webhook["state"] == "failed"
        assert [a["number"] for a in webhook["attempts"]] == [1, 2, 3, 4, 5]
        assert all(a["status"] is None and a["error"] for a in webhook["attempts"])


@pytest.mark.usefixtures("patient")
def test_a_slow_receiver_does_not_slow_the_api(server_url: str, live_world: World):
    session = api(server_url)
    with Receiver(hold=True) as receiver:
        set_callback(session, server_url, "dlr_callback", receiver.url)
        # Every call is answered while the receiver holds the first receipt's POST unanswered.
        assert session.post(f"{server_url}/v2.1/messages", json=sms(), timeout=5).status_code == 202
        assert requests.post(f"{server_url}/_fakeroute/clock", json={"advance": 1}, timeout=5).ok  # the SMSC's
        assert receiver.wait_for_arrival(1)
        for _ in range(3):
            assert session.post(f"{server_url}/v2.1/messages", json=sms(), timeout=5).status_code == 202
        assert receiver.received == []
        receiver.release()
        assert receiver.wait_for(1)


def test_inbound_messages_reach_the_sms_and_mms_callbacks(server_url: str, live_world: World):
    session = api(server_url)
    with Receiver() as receiver:
        set_callback(session, server_url, "sms_callback", receiver.url + "/sms")
        set_callback(session, server_url, "mms_callback", receiver.url + "/mms")
        for body in ({"provider": "flowroute", "to": OWNED, "from": MOBILE, "body": "hi"},
                     {"provider": "flowroute", "to": OWNED, "from": MOBILE,
                      "media_urls": ["https://example.com/cat.png"]}):
            assert requests.post(f"{server_url}/_fakeroute/inbound", json=body, timeout=5).status_code == 201
        sms_hook, mms_hook = sorted(receiver.wait_for(2), key=lambda g: g["path"])[::-1]
    assert sms_hook["path"] == "/sms" and sms_hook["json"]["data"]["attributes"]["body"] == "hi"
    assert mms_hook["path"] == "/mms" and mms_hook["json"]["included"][0]["attributes"]["mime_type"] == "image/png"
    ids = [m["id"] for m in session.get(f"{server_url}/v2.1/messages", params={"start_date": "2026-01-01"},
                                        timeout=5).json()["data"]]
    assert sorted(ids) == sorted([sms_hook["json"]["data"]["id"], mms_hook["json"]["data"]["id"]])


def test_callbacks_to_other_hosts_are_recorded_but_never_sent(server_url: str, live_world: World):
    session = api(server_url)
    set_callback(session, server_url, "dlr_callback", "https://customer.example/dlr")
    session.post(f"{server_url}/v2.1/messages", json=sms(), timeout=5)
    assert requests.post(f"{server_url}/_fakeroute/clock", json={"advance": 60}, timeout=5).ok
    assert live_world.outbox.drain()
    listed = outbox(server_url)
    assert {(w["state"], len(w["attempts"])) for w in listed} == {("blocked", 0)}
    assert "customer.example is not an allowed webhook host" in listed[0]["error"]
