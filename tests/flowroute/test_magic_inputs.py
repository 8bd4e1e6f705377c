"""Flowroute and the magic inputs (fakeroute/magic.py) through the public API: each 555-01XX recipient forces its
outcome through the same status lifecycle, receipts, DLR webhooks and charges as real state; the inbound ones answer
through the inbound path; the purchase ones refuse as Flowroute refuses an order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.messaging import DELAYED_DELIVERY
from fakeroute.providers.flowroute import add_delivery_rule
from fakeroute.world import World
from tests.support.errors import error_of
from tests.support.flowroute import (
    FLOWROUTE_AUTH,
    FLOWROUTE_KEY,
    FLOWROUTE_SECRET,
    OWNED,
    receipt_delays,
    receipt_time,
    sms,
)
from tests.support.receiver import Receiver

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DLR_URL = "https://customer.example/flowroute/dlr"
SMS_URL = "https://customer.example/flowroute/sms"
DAY = 86_400


def magic(line: str, area_code: str = "206") -> str:
    return f"1{area_code}555{line}"


def set_callback(flowroute, kind: str, url: str) -> None:
    response = flowroute.request("PUT", f"/v2.1/messages/{kind}", json={"data": {"attributes": {"callback_url": url}}})
    assert response.status_code == 204, response


def send(flowroute, to: str, **extra) -> str:
    response = flowroute.post("/v2.1/messages", json=sms(to=to, **extra))
    assert response.status_code == 202, response
    return response.json()["data"]["id"]


def mdr(flowroute, message_id: str) -> dict:
    response = flowroute.get(f"/v2.1/messages/{message_id}")
    assert response.status_code == 200, response
    return response.json()["data"]["attributes"]


def advance(flowroute, seconds: float) -> None:
    assert flowroute.post("/_fakeroute/clock", json={"advance": seconds}).status_code == 200


def dlrs(flowroute, message_id: str) -> list[tuple[int, str]]:
    hooks = flowroute.get("/_fakeroute/outbox", params={"kind": "dlr"}).json()["webhooks"]
    return [(h["payload"]["data"]["attributes"]["level"], h["payload"]["data"]["attributes"]["status"])
            for h in hooks if h["payload"]["data"]["id"] == message_id]


def state(flowroute) -> dict:
    return flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]


@pytest.mark.parametrize("line, status, receipts", [
    ("0101", "delivered", [(1, "smsc submit"), (2, "message buffered"), (2, "delivered")]),
    ("0102", "undeliverable", [(1, "smsc submit"), (2, "message buffered"), (2, "undeliverable")]),
    ("0103", "rejected", [(1, "smsc submit"), (2, "rejected")]),
    ("0104", "undeliverable", [(1, "smsc submit"), (2, "undeliverable")]),  # a landline: the carrier says so
    ("0106", "delivered", [(1, "smsc submit"), (2, "message buffered"), (2, "delivered")]),
    ("0107", "message buffered", [(1, "smsc submit"), (2, "message buffered")]),  # no final receipt, ever
])
def test_each_magic_recipient_ends_its_way_with_its_receipts_and_dlrs(flowroute, line, status, receipts):
    set_callback(flowroute, "sms_dlr_callback", DLR_URL)
    message_id = send(flowroute, magic(line))
    advance(flowroute, DAY)
    record = mdr(flowroute, message_id)
    assert record["status"] == status
    assert [(r["level"], r["status"]) for r in reversed(record["delivery_receipts"])] == receipts
    assert dlrs(flowroute, message_id) == receipts
    assert (record["amount_nanodollars"], record["amount_display"]) == (4_000_000, "$0.0040")  # accepted: charged


def test_a_landline_and_a_carrier_rejection_say_why(flowroute):
    landline, rejected = send(flowroute, magic("0104")), send(flowroute, magic("0103", "415"))
    advance(flowroute, 60)
    assert mdr(flowroute, landline)["delivery_receipts"][0]["status_code_description"] == (
        "Message undeliverable: the destination is a landline, which cannot receive SMS")
    final = mdr(flowroute, rejected)["delivery_receipts"][0]
    assert (final["status_code"], final["status_code_description"]) == (1008, "Message rejected by Carrier")


def test_delayed_receipts_reach_the_handset_half_an_hour_to_two_hours_late(flowroute):
    message_id = send(flowroute, magic("0106"))
    smsc, carrier, handset = receipt_delays(message_id, profile=DELAYED_DELIVERY)
    assert 1800 < handset < 7205
    advance(flowroute, handset - 1)
    assert mdr(flowroute, message_id)["status"] == "message buffered"
    advance(flowroute, 1)
    record = mdr(flowroute, message_id)
    assert record["status"] == "delivered" and record["delivery_receipts"][0]["timestamp"] == receipt_time(T0, handset)


def test_magic_delivery_beats_the_delivery_rules(flowroute):
    add_delivery_rule(flowroute.world, "1206*", "rejected")
    delivered, ordinary = send(flowroute, magic("0101")), send(flowroute, "12065551234")
    advance(flowroute, 60)
    assert (mdr(flowroute, delivered)["status"], mdr(flowroute, ordinary)["status"]) == ("delivered", "rejected")


def test_toll_free_and_unlisted_lines_of_the_range_are_ordinary(flowroute):
    add_delivery_rule(flowroute.world, "*", "expired")
    ordinary = [send(flowroute, number) for number in ("18885550102", magic("0111"), magic("0199"))]
    advance(flowroute, 60)
    assert [mdr(flowroute, m)["status"] for m in ordinary] == ["expired"] * 3


def test_an_opted_out_magic_recipient_is_refused_as_an_opted_out_one_is_and_nothing_is_charged(flowroute):
    set_callback(flowroute, "sms_dlr_callback", DLR_URL)
    before = state(flowroute)
    refused = flowroute.post("/v2.1/messages", json=sms(to="+" + magic("0105", "415")))
    error = error_of(refused, 400)
    assert error["title"] == "Client Error" and error["source"] == {"pointer": "/data/attributes/to"}
    assert error["detail"].startswith("Error 1110 (Message accepted by the SMSC but the phone rejected the message): "
                                      f"{magic('0105', '415')} has opted out of messages from {OWNED}")
    advance(flowroute, 60)
    assert state(flowroute) == before
    assert flowroute.get("/_fakeroute/outbox", params={"scheduled": "true"}).json()["webhooks"] == []


def test_0131_answers_its_first_message_with_stop_through_the_inbound_path(flowroute):
    set_callback(flowroute, "sms_callback", SMS_URL)
    number = magic("0131")
    outbound = send(flowroute, number)
    inbound = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()["data"]
    stop = next(m for m in inbound if m["attributes"]["direction"] == "inbound")
    assert {k: stop["attributes"][k] for k in ("from", "to", "body", "status")} == {
        "from": number, "to": OWNED, "body": "STOP", "status": "delivered"}
    assert outbound != stop["id"]
    hooks = flowroute.get("/_fakeroute/outbox", params={"kind": "inbound_sms"}).json()["webhooks"]
    assert [(h["url"], h["payload"]["data"]["attributes"]["body"]) for h in hooks] == [(SMS_URL, "STOP")]
    assert state(flowroute)["opt_outs"] == [{"from": OWNED, "to": number}]
    assert "Error 1110" in error_of(flowroute.post("/v2.1/messages", json=sms(to=number)), 400)["detail"]
    assert send(flowroute, number, sender="16465550123")  # the opt-out is of that one number only


def test_0132_answers_its_first_message_with_help_and_nothing_else_changes(flowroute):
    number = magic("0132", "312")
    first, second = send(flowroute, number), send(flowroute, number)
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()["data"]
    assert sorted((m["attributes"]["direction"], m["attributes"]["body"]) for m in listed) == [
        ("inbound", "HELP"), ("outbound", "Hello there how are you?"), ("outbound", "Hello there how are you?")]
    assert first != second and "opt_outs" not in state(flowroute)


def test_an_inbound_magic_number_that_has_written_before_stays_quiet(flowroute):
    number = magic("0131")
    inbound = flowroute.post("/_fakeroute/inbound", json={"provider": "flowroute", "to": OWNED, "from": number,
                                                          "body": "hi"})
    assert inbound.status_code == 201
    send(flowroute, number)
    assert "opt_outs" not in state(flowroute)


@pytest.mark.parametrize("line, status, detail", [
    ("0151", 404, "Number {} is not available for purchase"),
    ("0152", 503, "Number {} could not be purchased: the carrier failed the order. Nothing was purchased or charged; "
                  "try again later"),
])
def test_purchasing_a_magic_number_refuses_and_buys_nothing(flowroute, line, status, detail):
    number = magic(line, "646")
    before = state(flowroute)
    error = error_of(flowroute.post(f"/v2/numbers/{number}"), status)
    assert error["detail"] == detail.format(number)
    assert error["title"] == {404: "Not Found", 503: "Service Unavailable"}[status]
    assert state(flowroute) == before
    error_of(flowroute.get(f"/v2/numbers/{number}"), 404)


def test_a_two_part_sms_gets_one_set_of_receipts_per_part(flowroute):
    set_callback(flowroute, "sms_dlr_callback", DLR_URL)
    message_id = send(flowroute, magic("0101"), body="x" * 161)
    advance(flowroute, 60)
    record = mdr(flowroute, message_id)
    assert (record["amount_nanodollars"], record["message_encoding"]) == (8_000_000, 0)
    assert sorted(r["status"] for r in record["delivery_receipts"]) == sorted(
        ["smsc submit", "message buffered", "delivered"] * 2)
    second_part = receipt_delays(f"{message_id}/2")
    assert receipt_time(T0, second_part[2]) in {r["timestamp"] for r in record["delivery_receipts"]}
    assert len(dlrs(flowroute, message_id)) == 6 and record["status"] == "delivered"


def test_receipt_times_are_fixed_by_the_seed():
    def times(seed: int) -> list[str]:
        world = World(seed=seed, inventory_size=10)
        client = Client(FakerouteApp(world))
        auth = {"base_url": "https://api.flowroute.com", "headers": FLOWROUTE_AUTH}
        sent = client.post("/v2.1/messages", json=sms(), **auth)
        world.clock.advance(60)
        found = client.get(f"/v2.1/messages/{sent.json['data']['id']}", **auth)
        return [r["timestamp"] for r in found.json["data"]["attributes"]["delivery_receipts"]]

    assert times(0) == times(0) != times(1)


@pytest.mark.parametrize("line, receipts", [
    ("0101", [(1, "smsc submit", None), (2, "message buffered", "1003"), (2, "delivered", "1000")]),
    ("0102", [(1, "smsc submit", None), (2, "message buffered", "1003"), (2, "undeliverable", "1005")]),
    ("0103", [(1, "smsc submit", None), (2, "rejected", "1008")]),
    ("0104", [(1, "smsc submit", None), (2, "undeliverable", "1005")]),
    ("0106", [(1, "smsc submit", None), (2, "message buffered", "1003"), (2, "delivered", "1000")]),
    ("0107", [(1, "smsc submit", None), (2, "message buffered", "1003")]),
])
def test_dlrs_of_each_magic_recipient_reach_a_receiver_over_http(server_url: str, live_world: World, line, receipts):
    session = requests.Session()
    session.auth = (FLOWROUTE_KEY, FLOWROUTE_SECRET)
    with Receiver() as receiver:
        response = session.put(f"{server_url}/v2.1/messages/dlr_callback",
                               json={"data": {"attributes": {"callback_url": receiver.url + "/dlr"}}}, timeout=5)
        assert response.status_code == 204
        sent = session.post(f"{server_url}/v2.1/messages", json=sms(to=magic(line)), timeout=5)
        assert sent.status_code == 202
        assert requests.post(f"{server_url}/_fakeroute/clock", json={"advance": DAY}, timeout=5).ok
        got = receiver.wait_for(len(receipts))
        assert live_world.outbox.drain()  # every due webhook has settled: no further receipt comes
    assert [(g["json"]["data"]["attributes"]["level"], g["json"]["data"]["attributes"]["status"],
             g["json"]["data"]["attributes"]["status_code"]) for g in receiver.received] == receipts
    assert {g["json"]["data"]["id"] for g in got} == {sent.json()["data"]["id"]}
