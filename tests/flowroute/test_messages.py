"""Flowroute Messages v2.1 in-process and over HTTP: send, look up, list by date, DLRs, callbacks, inbound."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers.flowroute import add_delivery_rule, receive_message
from fakeroute.world import ScenarioError, World
from tests.support.errors import error_of
from tests.support.flowroute import (
    MEDIA_TYPE,
    MOBILE,
    OTHER_TENANTS,
    OWNED,
    OWNED_PLAIN,
    receipt_delays,
    receipt_time,
    sms,
)
from tests.support.harness import basic

DLR_URL = "https://customer.example/flowroute/dlr"
T0 = datetime(2026, 1, 1, tzinfo=UTC)  # the World's clock at the start
HISTORY_IDS = ["mdr2-ca82be46e6ba11e79d08862d092cf73d", "mdr2-39cadeace66e11e7aff806cd7f24ba2d"]  # default scenario


def send(flowroute, **attributes) -> str:
    response = flowroute.post("/v2.1/messages", json=sms(**attributes))
    assert response.status_code == 202, response
    return response.json()["data"]["id"]


def set_callback(flowroute, kind: str, url: str | None) -> None:
    response = flowroute.request("PUT", f"/v2.1/messages/{kind}", json={"data": {"attributes": {"callback_url": url}}})
    assert response.status_code == 204, response


def mdr(flowroute, message_id: str) -> dict:
    response = flowroute.get(f"/v2.1/messages/{message_id}")
    assert response.status_code == 200, response
    return response.json()["data"]


def advance(flowroute, seconds: float) -> None:
    assert flowroute.post("/_fakeroute/clock", json={"advance": seconds}).status_code == 200


def webhooks(flowroute, **filters) -> list[dict]:
    return flowroute.get("/_fakeroute/outbox", params=filters).json()["webhooks"]


# -- send and look up -----------------------------------------------------------------------------


def test_send_an_sms_look_it_up_and_find_it_in_its_date_range(flowroute):
    response = flowroute.post("/v2.1/messages", json=sms(is_mms="false"))
    assert response.status_code == 202 and response.headers["Content-Type"].startswith(MEDIA_TYPE)
    accepted = response.json()["data"]
    assert accepted["type"] == "message" and accepted["id"].startswith("mdr2-") and len(accepted["id"]) == 37
    assert accepted["links"]["self"] == f"{flowroute.base}/v2.1/messages/{accepted['id']}"

    record = mdr(flowroute, accepted["id"])
    assert record["type"] == "message" and record["id"] == accepted["id"] and "relationships" not in record
    attributes = record["attributes"]
    assert {k: attributes[k] for k in ("direction", "from", "to", "body", "is_mms", "message_type")} == {
        "direction": "outbound", "from": OWNED, "to": MOBILE, "body": "Hello there how are you?",
        "is_mms": False, "message_type": "longcode"}
    assert attributes["timestamp"] == "2026-01-01T00:00:00.00Z"  # the World's clock: UTC, 2 fraction digits, Z
    assert (attributes["amount_nanodollars"], attributes["amount_display"], attributes["message_encoding"]) == (
        4_000_000, "$0.0040", 0)

    listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01", "end_date": "2026-01-02"}).json()
    assert [m["id"] for m in listed["data"]] == [accepted["id"]] and listed["links"] == {}
    assert flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01T00:00:01Z"}).json()["data"] == []
    december = flowroute.get("/v2.1/messages", params={"start_date": "2025-12-01", "end_date": "2025-12-31"}).json()
    assert [m["id"] for m in december["data"]] == HISTORY_IDS  # the default scenario's, not the new one


def test_the_default_account_starts_with_two_messages_of_history(flowroute):
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2025-12-01"}).json()["data"]
    assert [(m["id"], m["attributes"]["direction"], m["attributes"]["status"], m["attributes"]["timestamp"])
            for m in listed] == [
        (HISTORY_IDS[0], "inbound", "delivered", "2025-12-22T01:52:39.39Z"),
        (HISTORY_IDS[1], "outbound", "delivered", "2025-12-21T16:44:34.93Z"),
    ]
    assert [r["status"] for r in listed[1]["attributes"]["delivery_receipts"]] == [
        "delivered", "message buffered", "smsc submit"]
    assert webhooks(flowroute, scheduled="true") == []  # history emits no webhooks


def test_the_status_follows_the_clock_and_each_change_sends_a_dlr(flowroute):
    set_callback(flowroute, "dlr_callback", DLR_URL)
    message_id = send(flowroute)
    smsc, carrier, handset = receipt_delays(message_id)
    assert 0.2 <= smsc < carrier < handset <= 12  # the DELIVERY profile's bounds
    record = mdr(flowroute, message_id)["attributes"]
    assert (record["status"], record["delivery_receipts"], webhooks(flowroute)) == ("message buffered", [], [])

    advance(flowroute, carrier)  # the carrier's receipt is due, the handset's not yet
    record = mdr(flowroute, message_id)["attributes"]
    assert record["status"] == "message buffered"
    assert [(r["level"], r["status"], r["status_code"], r["status_code_description"], r["timestamp"])
            for r in record["delivery_receipts"]] == [  # newest first, as Flowroute's README shows them
        (2, "message buffered", 1003, "Message accepted by Carrier", receipt_time(T0, carrier)),
        (1, "smsc submit", None, "Message has been sent", receipt_time(T0, smsc)),
    ]
    assert [w["payload"]["data"]["attributes"]["status"] for w in webhooks(flowroute)] == [
        "smsc submit", "message buffered"]

    advance(flowroute, 10)
    assert mdr(flowroute, message_id)["attributes"]["status"] == "delivered"
    dlrs = webhooks(flowroute, kind="dlr")
    assert [w["payload"]["data"]["attributes"]["status"] for w in dlrs] == [
        "smsc submit", "message buffered", "delivered"]
    final = dlrs[-1]
    assert (final["url"], final["account"], final["provider"]) == (DLR_URL, "default", "flowroute")
    assert final["payload"] == {"data": {
        "attributes": {"body": "Hello there how are you?", "level": 2, "status": "delivered", "status_code": "1000",
                       "status_code_description": "Message delivered to handset",
                       "timestamp": receipt_time(T0, handset)},
        "id": message_id,
        "links": {"related": f"{flowroute.base}/v2.1/messages/{message_id}"},
        "type": "delivery_receipt"}}


def test_no_callback_no_dlr_webhooks(flowroute):
    send(flowroute)
    advance(flowroute, 10)
    assert webhooks(flowroute) == []


def test_an_mms_with_media_as_the_sdk_readme_sends_it(flowroute):
    set_callback(flowroute, "mms_dlr_callback", DLR_URL)
    gif = "http://s3.amazonaws.com/barkpost-assets/50+GIFs/37.gif"
    message_id = send(flowroute, body="hello there", is_mms="true", media_urls=[gif, "https://example.com/b.png"])
    record = mdr(flowroute, message_id)
    assert record["attributes"]["is_mms"] is True
    assert record["attributes"]["amount_display"] == "$0.0200"
    media = record["relationships"]["media"]["data"]
    assert [m["type"] for m in media] == ["media", "media"] and len({m["id"] for m in media}) == 2
    advance(flowroute, 1)  # the SMSC's receipt comes within a second
    (first, *_) = webhooks(flowroute, kind="dlr")
    assert first["url"] == DLR_URL and first["payload"]["data"]["attributes"]["body"] == ""  # empty for MMS


@pytest.mark.parametrize("extra, is_mms", [
    ({"is_mms": True}, True),
    ({"is_mms": "true"}, True),
    ({"is_mms": False}, False),
    ({"is_mms": "false"}, False),
    ({}, False),
    ({"is_mms": "false", "media_urls": ["https://example.com/a.jpg"]}, True),  # media makes it an MMS
])
def test_is_mms_as_boolean_or_string(flowroute, extra, is_mms):
    message_id = send(flowroute, **extra)
    assert mdr(flowroute, message_id)["attributes"]["is_mms"] is is_mms


def test_an_mms_may_have_media_and_no_body(flowroute):
    response = flowroute.post("/v2.1/messages", json={"data": {"type": "message", "attributes": {
        "to": MOBILE, "from": OWNED, "media_urls": ["https://example.com/cat.jpg"]}}})
    assert response.status_code == 202
    assert mdr(flowroute, response.json()["data"]["id"])["attributes"]["body"] == ""


def test_the_flat_form_of_the_openapi_message_schema_and_plus_prefixed_numbers(flowroute):
    response = flowroute.post("/v2.1/messages", json={"to": "+" + MOBILE, "from": "+" + OWNED, "body": "flat"})
    assert response.status_code == 202
    attributes = mdr(flowroute, response.json()["data"]["id"])["attributes"]
    assert (attributes["to"], attributes["from"]) == (MOBILE, OWNED)


@pytest.mark.parametrize("body, segments, encoding", [
    ("x" * 160, 1, 0),  # GSM-7: 160 septets in one message
    ("x" * 161, 2, 0),  # past 160, parts of 153
    ("x" * 306, 2, 0),
    ("x" * 307, 3, 0),
    ("é" * 160, 1, 0),  # é is in the GSM basic table: one septet
    ("€" * 80, 1, 0),  # an extension character takes two septets: 160
    ("x" * 159 + "€", 2, 0),  # 161 septets
    ("x" * 151 + "€" + "x" * 153, 2, 0),  # 306 septets: two full parts of 153
    ("x" * 152 + "€" + "x" * 152, 3, 0),  # 306 too, but the escape pair never straddles a part: 152 + 153 + 1
    ("ж" * 70, 1, 8),  # outside the GSM tables: UCS-2, 70 units in one message
    ("ж" * 71, 2, 8),  # past 70, parts of 67
    ("ж" * 134, 2, 8),
    ("ж" * 135, 3, 8),
    ("🙂" * 35, 1, 8),  # an emoji takes two UCS-2 units
    ("🙂" * 36, 2, 8),
    ("x" * 159 + "’", 3, 8),  # one curly quote makes the whole body UCS-2: 160 units, 67 per part
])
def test_bodies_are_encoded_and_billed_per_segment(flowroute, body, segments, encoding):
    attributes = mdr(flowroute, send(flowroute, body=body))["attributes"]
    assert attributes["message_encoding"] == encoding
    assert attributes["amount_nanodollars"] == 4_000_000 * segments
    assert attributes["amount_display"] == f"${0.004 * segments:.4f}"


def test_a_toll_free_sender_makes_a_toll_free_message():
    scenario = {"accounts": [{"id": "tf", "flowroute": {"access_key": "k", "secret_key": "s",
                                                        "numbers": [{"value": "18885550100"}]}}]}
    client = Client(FakerouteApp(World(scenario=scenario)))
    auth = {"base_url": "https://api.flowroute.com", "headers": basic("k", "s")}
    message_id = client.post("/v2.1/messages", json=sms(sender="18885550100"), **auth).json["data"]["id"]
    assert client.get(f"/v2.1/messages/{message_id}", **auth).json["data"]["attributes"]["message_type"] == "toll-free"


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, status, field, words", [
    (sms(to="2065551234"), 422, "data.attributes.to", "11-digit North American number"),
    (sms(to="19995551234"), 422, "data.attributes.to", "not a valid North American phone number"),
    (sms(to="442071838750"), 422, "data.attributes.to", "11-digit North American"),
    (sms(sender="12065550199"), 403, "data.attributes.from", "not a number on your account"),
    (sms(sender=OTHER_TENANTS), 403, "data.attributes.from", "not a number on your account"),
    (sms(sender="abc"), 422, "data.attributes.from", "11-digit North American"),
    (sms(body=""), 422, "data.attributes.body", "required for an SMS"),
    (sms(body="x" * 1601), 422, "data.attributes.body", "at most 1600 characters"),
    (sms(body=7), 422, "data.attributes.body", "must be a string"),
    (sms(body="", is_mms=True), 422, "data.attributes.body", "needs a body or media_urls"),
    (sms(media_urls=["https://example.com/a.gif"] * 11), 422, "data.attributes.media_urls", "at most 10"),
    (sms(media_urls=["ftp://example.com/a.gif"]), 422, "data.attributes.media_urls[0]", "http or https URL"),
    (sms(media_urls="https://example.com/a.gif"), 422, "data.attributes.media_urls", "must be an array"),
    (sms(is_mms="yes"), 422, "data.attributes.is_mms", "true or false"),
    (sms(dlr_callback="not a url"), 422, "data.attributes.dlr_callback", "http or https URL"),
    ({"data": {"type": "route", "attributes": sms()["data"]["attributes"]}}, 422, "data.type", "'message'"),
    ({"data": {"type": "message"}}, 422, "data.attributes", "is required"),
    ({"data": {"type": "message", "attributes": {"from": OWNED, "body": "hi"}}}, 422, "data.attributes.to",
     "is required"),
    ({"body": "flat, without a from", "to": MOBILE}, 422, "from", "is required"),
    ([], 422, None, "must be an object"),
])
def test_refused_messages_change_nothing(flowroute, body, status, field, words):
    set_callback(flowroute, "dlr_callback", DLR_URL)
    before = flowroute.get("/_fakeroute/state").json()
    error = error_of(flowroute.post("/v2.1/messages", json=body), status)
    assert words in error["detail"]
    if field:
        assert field in error["detail"] and error["source"]["pointer"] == "/" + field.replace(".", "/")
    assert flowroute.get("/_fakeroute/state").json() == before
    assert webhooks(flowroute, scheduled="true") == []


def test_malformed_json_and_wrong_credentials(flowroute):
    error = error_of(flowroute.post("/v2.1/messages", data=b'{"data": ', headers={"Content-Type": MEDIA_TYPE}), 400)
    assert "not valid JSON" in error["detail"]
    error_of(flowroute.post("/v2.1/messages", json=sms(), headers=basic("fakeroute", "wrong")), 401)
    error_of(flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}, headers=basic("x", "y")), 401)


def test_a_number_not_enabled_for_messaging_cannot_send():
    scenario = {"accounts": [{"id": "porting", "flowroute": {"access_key": "k", "secret_key": "s", "numbers": [
        {"value": "12065550177", "messaging_enabled": False}]}}]}
    client = Client(FakerouteApp(World(scenario=scenario)))
    response = client.post("/v2.1/messages", json=sms(sender="12065550177"), base_url="https://api.flowroute.com",
                           headers=basic("k", "s"))
    assert response.status_code == 403
    assert response.json["errors"][0]["detail"] == "data.attributes.from 12065550177 is not enabled for messaging"


# -- isolation ------------------------------------------------------------------------------------


def test_another_account_sees_none_of_your_messages(flowroute):
    message_id = send(flowroute)
    other = basic("fakeroute-other", "fakeroute-other-secret")
    error = error_of(flowroute.get(f"/v2.1/messages/{message_id}", headers=other), 404)
    assert message_id in error["detail"]
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2020-01-01"}, headers=other).json()
    assert listed == {"data": [], "links": {}}
    theirs = flowroute.post("/v2.1/messages", json=sms(sender=OTHER_TENANTS), headers=other)
    assert theirs.status_code == 202
    mine = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()["data"]
    assert [m["id"] for m in mine] == [message_id]


def test_unknown_message_ids_are_404(flowroute):
    for message_id in ("mdr2-" + "0" * 32, "mdr2-nope", "12345"):
        error_of(flowroute.get(f"/v2.1/messages/{message_id}"), 404)


# -- listing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("start_date", [
    "2026-01-01",
    "2026-01-01T00:00:00",  # what the SDK sends for "2026-01-01": naive, taken as UTC
    "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00+00:00",  # what the SDK sends for "...Z"
    "2026-01-01T00:00:00.000Z",
    "2026-01-01 00:00",
    "2025-12-31T16:00:00-08:00",  # the same moment with an offset
])
def test_start_date_forms(flowroute, start_date):
    message_id = send(flowroute)
    listed = flowroute.get("/v2.1/messages", params={"start_date": start_date}).json()
    assert [m["id"] for m in listed["data"]] == [message_id]


def test_end_date_is_inclusive_and_compared_in_utc(flowroute):
    first = send(flowroute, body="1")
    advance(flowroute, 1)
    second = send(flowroute, body="2")
    advance(flowroute, 1)
    third = send(flowroute, body="3")
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01T00:00:01Z",
                                                     "end_date": "2026-01-01T00:00:02+00:00"}).json()
    assert [m["id"] for m in listed["data"]] == [third, second]  # sent at 00:00:02 and 00:00:01
    assert first not in [m["id"] for m in listed["data"]]


def test_pages_come_newest_first_with_a_next_link_only_while_more_follow(flowroute):
    sent = [send(flowroute, body=str(i)) for i in range(5)]
    query = {"start_date": "2026-01-01", "end_date": "2026-01-02", "limit": 2}
    page = flowroute.get("/v2.1/messages", params=query).json()
    assert [m["id"] for m in page["data"]] == [sent[4], sent[3]]
    assert page["links"] == {"next": f"{flowroute.base}/v2.1/messages?limit=2&start_date=2026-01-01T00%3A00%3A00"
                                     f"%2B00%3A00&end_date=2026-01-02T00%3A00%3A00%2B00%3A00&offset=2"}
    seen = []
    url = "/v2.1/messages?limit=2&start_date=2026-01-01&end_date=2026-01-02"
    while url:
        page = flowroute.get(url).json()
        seen += [m["id"] for m in page["data"]]
        url = page["links"].get("next", "").removeprefix(flowroute.base)
    assert seen == sent[::-1]
    assert len(flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()["data"]) == 5
    big = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01", "limit": 100000}).json()
    assert len(big["data"]) == 5 and big["links"] == {}  # limit has no documented maximum


@pytest.mark.parametrize("params, field, words", [
    ({}, "start_date", "is required"),
    ({"start_date": "yesterday"}, "start_date", "UTC date (YYYY-MM-DD)"),
    ({"start_date": "2026-13-01"}, "start_date", "not a real date"),
    ({"start_date": "2026-01-01", "end_date": "01/02/2026"}, "end_date", "UTC date"),
    ({"start_date": "2026-01-02", "end_date": "2026-01-01"}, "end_date", "before start_date"),
    ({"start_date": "2026-01-01", "limit": 0}, "limit", "at least 1"),
    ({"start_date": "2026-01-01", "limit": "ten"}, "limit", "integer"),
    ({"start_date": "2026-01-01", "offset": -1}, "offset", "at least 0"),
])
def test_bad_list_queries_are_400_naming_the_parameter(flowroute, params, field, words):
    error = error_of(flowroute.get("/v2.1/messages", params=params), 400)
    assert field in error["detail"] and words in error["detail"]
    assert error["source"] == {"parameter": field}


# -- delivery outcomes ----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome, statuses", [
    ("undeliverable", ["smsc submit", "message buffered", "undeliverable"]),
    ("expired", ["smsc submit", "message buffered", "expired"]),
    ("rejected", ["smsc submit", "rejected"]),
    ("smsc reject", ["smsc reject"]),
    ("buffered", ["smsc submit", "message buffered"]),
])
def test_delivery_rules_make_messages_to_matching_numbers_fail(flowroute, outcome, statuses):
    add_delivery_rule(flowroute.world, "1206555123?", outcome)
    set_callback(flowroute, "sms_dlr_callback", DLR_URL)
    failing, fine = send(flowroute, to=MOBILE), send(flowroute, to="12065559876")
    advance(flowroute, 60)
    assert mdr(flowroute, failing)["attributes"]["status"] == statuses[-1]
    assert mdr(flowroute, fine)["attributes"]["status"] == "delivered"
    receipts = [w["payload"]["data"]["attributes"]["status"] for w in webhooks(flowroute)
                if w["payload"]["data"]["id"] == failing]
    assert receipts == statuses


def test_a_dlr_goes_to_the_message_then_the_number_then_the_account_callback(flowroute):
    set_callback(flowroute, "dlr_callback", "https://customer.example/account")
    did = flowroute.post(f"/v2/numbers/{OWNED}/relationships/dlr_callback",
                         json={"data": {"attributes": {"callback_url": "https://customer.example/did"}}})
    assert did.status_code == 204 and did.content == b""
    sent = [send(flowroute, dlr_callback="https://customer.example/message"), send(flowroute),
            send(flowroute, sender=OWNED_PLAIN)]
    advance(flowroute, 1)  # every SMSC receipt is due
    urls = {w["payload"]["data"]["id"]: w["url"].rsplit("/", 1)[-1] for w in webhooks(flowroute)
            if w["payload"]["data"]["attributes"]["level"] == 1}
    assert urls == dict(zip(sent, ["message", "did", "account"], strict=True))


def test_callback_endpoints(flowroute):
    for kind in ("sms_callback", "mms_callback", "dlr_callback", "sms_dlr_callback", "mms_dlr_callback"):
        set_callback(flowroute, kind, f"https://customer.example/{kind}")
    state = flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]
    assert state["callbacks"] == {  # dlr_callback is Flowroute's older name for sms_dlr_callback
        "sms_callback": "https://customer.example/sms_callback",
        "mms_callback": "https://customer.example/mms_callback",
        "sms_dlr_callback": "https://customer.example/sms_dlr_callback",
        "mms_dlr_callback": "https://customer.example/mms_dlr_callback"}
    set_callback(flowroute, "sms_callback", None)
    assert "sms_callback" not in flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]["callbacks"]

    bad = flowroute.request("PUT", "/v2.1/messages/sms_callback", json={"data": {"attributes": {"callback_url": "x"}}})
    assert "data.attributes.callback_url" in error_of(bad, 422)["detail"]
    error_of(flowroute.request("PUT", "/v2.1/messages/sms_callback", json={"callback_url": DLR_URL}), 422)
    error_of(flowroute.request("PUT", "/v2.1/messages/fax_callback", json={"data": {"attributes": {
        "callback_url": DLR_URL}}}), 405)
    not_mine = flowroute.post(f"/v2/numbers/{OTHER_TENANTS}/relationships/dlr_callback",
                              json={"data": {"attributes": {"callback_url": DLR_URL}}})
    assert OTHER_TENANTS in error_of(not_mine, 404)["detail"]


# -- inbound --------------------------------------------------------------------------------------


def test_an_inbound_sms_reaches_the_sms_callback_and_the_look_ups(flowroute):
    set_callback(flowroute, "sms_callback", "https://customer.example/sms")
    response = flowroute.post("/_fakeroute/inbound", json={"provider": "flowroute", "to": OWNED, "from": MOBILE,
                                                              "body": "Hi from a phone"})
    assert response.status_code == 201
    created = response.json()
    message_id = created["message"]["id"]
    assert (created["provider"], created["account"]) == ("flowroute", "default") and created["webhook"]

    record = mdr(flowroute, message_id)["attributes"]
    assert (record["direction"], record["status"], record["from"], record["to"], record["delivery_receipts"]) == (
        "inbound", "delivered", MOBILE, OWNED, [])
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()["data"]
    assert [m["id"] for m in listed] == [message_id]

    (webhook,) = webhooks(flowroute, kind="inbound_sms")
    assert webhook["url"] == "https://customer.example/sms" and webhook["id"] == created["webhook"]
    assert webhook["payload"] == {"data": {"type": "message", "id": message_id, "attributes": {
        "amount_display": "$0.0040", "amount_nanodollars": 4000000, "body": "Hi from a phone",
        "delivery_receipts": [], "direction": "inbound", "from": MOBILE, "is_mms": False,
        "message_callback_url": "https://customer.example/sms", "message_encoding": 0, "message_type": "longcode",
        "status": "delivered", "timestamp": "2026-01-01T00:00:00.00Z", "to": OWNED}}}


def test_an_inbound_mms_reaches_the_mms_callback_with_its_media(flowroute):
    set_callback(flowroute, "sms_callback", "https://customer.example/sms")
    set_callback(flowroute, "mms_callback", "https://customer.example/mms")
    message = receive_message(flowroute.world, to=OWNED_PLAIN, from_="+" + MOBILE, body="look",
                              media_urls=["https://example.com/photos/cat.jpg"])
    assert message.is_mms and message.to == OWNED_PLAIN and message.sender == MOBILE
    (webhook,) = webhooks(flowroute)
    assert (webhook["kind"], webhook["url"]) == ("inbound_mms", "https://customer.example/mms")
    payload = webhook["payload"]
    (media,) = payload["data"]["relationships"]["media"]["data"]
    assert payload["included"] == [{"type": "media", "id": media["id"], "attributes": {
        "file_name": "cat.jpg", "mime_type": "image/jpeg", "url": "https://example.com/photos/cat.jpg"}}]
    assert mdr(flowroute, message.id)["relationships"]["media"]["data"] == [media]


def test_inbound_to_another_accounts_number_belongs_to_that_account(flowroute):
    created = flowroute.post("/_fakeroute/inbound", json={"provider": "flowroute", "to": OTHER_TENANTS, "from": MOBILE,
                                                             "body": "hi"}).json()
    assert created["account"] == "other"
    error_of(flowroute.get(f"/v2.1/messages/{created['message']['id']}"), 404)


@pytest.mark.parametrize("body, status, words", [
    ({"provider": "flowroute", "to": "12065550199", "from": MOBILE, "body": "hi"}, 404, "not on any account"),
    ({"provider": "flowroute", "to": OWNED, "from": "19995551234", "body": "hi"}, 422,
     "not a valid North American phone number"),
    ({"provider": "flowroute", "to": OWNED, "from": MOBILE}, 422, "required for an SMS"),
    ({"provider": "flowroute", "to": OWNED, "from": "123", "body": "hi"}, 422, "from: must be an 11-digit"),
    ({"provider": "flowroute", "to": OWNED, "from": MOBILE, "body": "hi", "colour": "red"}, 422,
     "unknown field(s): colour"),
    ({"to": OWNED, "from": MOBILE, "body": "hi"}, 400, "name the provider"),  # two providers simulate inbound
    ({"provider": "twilio", "to": OWNED, "from": MOBILE}, 400, "no inbound messages"),
    ([1], 400, "must be an object"),
])
def test_bad_inbound_simulations_are_refused(flowroute, body, status, words):
    before = flowroute.get("/_fakeroute/state").json()
    response = flowroute.post("/_fakeroute/inbound", json=body)
    assert response.status_code == status and words in response.json()["error"]
    assert flowroute.get("/_fakeroute/state").json() == before


# -- scenarios and resets -------------------------------------------------------------------------


HISTORY = {"accounts": [{"id": "shop", "flowroute": {
    "access_key": "shop-key", "secret_key": "shop-secret",
    "numbers": [{"value": "12065550100", "dlr_callback": "https://shop.example/did-dlr"}],
    "callbacks": {"sms_callback": "https://shop.example/sms", "sms_dlr_callback": "https://shop.example/dlr"},
    "delivery_rules": [{"to": "1206555000?", "outcome": "rejected"}],
    "messages": [
        {"id": "mdr2-39cadeace66e11e7aff806cd7f24ba2d", "direction": "outbound", "from": "12065550100",
         "to": "12061232634", "body": "test sms on v2", "timestamp": "2025-12-21T16:44:34.93Z",
         "status": "message buffered", "delivery_receipts": [
             {"level": 2, "status": "message buffered", "status_code": 1003,
              "status_code_description": "Message accepted by Carrier", "timestamp": "2025-12-21T16:44:35Z"},
             {"level": 1, "status": "smsc submit", "status_code": None,
              "status_code_description": "Message has been sent", "timestamp": "2025-12-21T16:44:35Z"}]},
        {"id": "mdr2-ca82be46e6ba11e79d08862d092cf73d", "direction": "inbound", "from": "12061232634",
         "to": "12065550100", "body": "Hello are you there? ", "timestamp": "2025-12-22T01:52:39.39Z"},
    ]}}]}


def test_a_scenario_brings_history_callbacks_and_delivery_rules():
    world = World(scenario=HISTORY)
    client = Client(FakerouteApp(world))
    auth = {"base_url": "https://api.flowroute.com", "headers": basic("shop-key", "shop-secret")}
    listed = client.get("/v2.1/messages", query_string={"start_date": "2025-12-01"}, **auth).json
    assert [(m["attributes"]["direction"], m["attributes"]["timestamp"]) for m in listed["data"]] == [
        ("inbound", "2025-12-22T01:52:39.39Z"), ("outbound", "2025-12-21T16:44:34.93Z")]
    outbound = listed["data"][1]["attributes"]
    assert outbound["status"] == "message buffered"
    assert [r["status"] for r in outbound["delivery_receipts"]] == ["message buffered", "smsc submit"]
    assert world.outbox.webhooks(scheduled=True) == []  # history emits no webhooks

    rejected = client.post("/v2.1/messages", json=sms(to="12065550001"), **auth).json["data"]["id"]
    world.clock.advance(10)
    assert client.get(f"/v2.1/messages/{rejected}", **auth).json["data"]["attributes"]["status"] == "rejected"
    assert {w.url for w in world.outbox} == {"https://shop.example/did-dlr"}

    dumped = client.get("/_fakeroute/state").json
    reloaded = World(scenario=dumped)
    assert Client(FakerouteApp(reloaded)).get("/_fakeroute/state").json == dumped


@pytest.mark.parametrize("change, words", [
    (lambda s: s["messages"].append(dict(s["messages"][0])), "duplicate message id"),
    (lambda s: s["messages"][0].update(timestamp="2025-13-21T16:44:34Z"), "messages[0]"),
    (lambda s: s["messages"][0].update(id="mdr1-x"), "messages[0].id"),
    (lambda s: s["delivery_rules"].append({"to": "1206*", "outcome": "lost"}), "delivery_rules[1].outcome"),
    (lambda s: s["callbacks"].update(sms_callback="ftp://x"), "callbacks.sms_callback"),
    (lambda s: s["callbacks"].update(fax_callback="https://x.example"), "fax_callback"),
])
def test_bad_messaging_scenarios_name_the_entry(change, words):
    scenario = copy.deepcopy(HISTORY)
    change(scenario["accounts"][0]["flowroute"])
    with pytest.raises(ScenarioError) as refused:
        World(scenario=scenario)
    assert words in str(refused.value)


def test_reset_forgets_messages_callbacks_rules_and_webhooks(flowroute):
    add_delivery_rule(flowroute.world, "1206*", "undeliverable")
    set_callback(flowroute, "dlr_callback", DLR_URL)
    message_id = send(flowroute)
    assert flowroute.post("/_fakeroute/reset").status_code == 200
    error_of(flowroute.get(f"/v2.1/messages/{message_id}"), 404)
    assert webhooks(flowroute, scheduled="true") == []
    state = flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]
    assert not {"callbacks", "delivery_rules"} & set(state)
    assert sorted(m["id"] for m in state["messages"]) == sorted(HISTORY_IDS)
    assert mdr(flowroute, send(flowroute))["attributes"]["status"] == "message buffered"


def test_the_admin_clock(flowroute):
    assert flowroute.get("/_fakeroute/clock").json() == {"now": "2026-01-01T00:00:00+00:00"}
    assert flowroute.post("/_fakeroute/clock", json={"advance": 90}).json() == {"now": "2026-01-01T00:01:30+00:00"}
    moved = flowroute.post("/_fakeroute/clock", json={"set": "2026-02-01T12:00:00Z"}).json()
    assert moved == {"now": "2026-02-01T12:00:00+00:00"}
    for bad in ({"advance": -1}, {"advance": "soon"}, {"set": "tomorrow"}, {"advance": 1, "set": "x"}, [], None):
        assert flowroute.post("/_fakeroute/clock", json=bad).status_code == 400
