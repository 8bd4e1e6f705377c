"""AgentMessage and the magic inputs (fakeroute/magic.py): each 555-01XX recipient, inbound answerer and purchase
number through the public API, its outcome going through the same code as real state (status lifecycle and
webhooks to a local receiver, inbound messages and opt-outs, the provider's errors), and state left consistent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from fakeroute.magic import REGISTRY
from fakeroute.messaging import DELAYED_DELIVERY, delivery_delays
from fakeroute.providers.agentmessage import add_delivery_rule, rendering
from fakeroute.world import World
from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    DEFAULT_KEY,
    SUPPORT_ID,
    SUPPORT_NUMBER,
    consent,
    order,
    search,
    send,
    webhooks_of,
)
from tests.support.errors import error_of
from tests.support.receiver import Receiver

TWO_HOURS = 2 * 3600 + 12  # past the longest delayed receipt (30 to 120 minutes after the carrier took it)
REPLY_WINDOW = 12 + 30  # past the longest delivery (12 s) and the longest answer after it (30 s)


def magic(outcome: str, area_code: str = "206") -> str:
    """The magic number forcing ``outcome``, E.164."""
    (entry,) = [e for e in REGISTRY if e.outcome == outcome]
    return "+" + entry.number(area_code)


def state(client) -> dict:
    return client.get("/_fakeroute/state").json


# -- send outcomes over real HTTP, with status webhooks at a local receiver -----------------------------


class Http:
    """The default org's API over real HTTP, shaped as a client calls it: bearer key, JSON bodies."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {DEFAULT_KEY}"

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=5, **kwargs)

    def advance(self, seconds: float) -> None:
        assert requests.post(f"{self.base}/_fakeroute/clock", json={"advance": seconds}, timeout=5).ok

    def consent(self, contact: str) -> None:
        answer = self("POST", "/v1/consent", json={
            "phone_number_id": SUPPORT_ID, "contact_number": contact, "opted_in": True,
            "evidence": {"captured_at": "2026-01-01T00:00:00Z", "agreement_text": "Yes, text me."}})
        assert answer.status_code == 201, answer.text


@pytest.mark.parametrize(("outcome", "statuses"), [
    ("delivered", ["sending", "sent", "delivered"]),
    ("undelivered", ["sending", "sent", "undelivered"]),
    ("carrier_rejected", ["sending", "failed"]),
    ("delayed_receipts", ["sending", "sent", "delivered"]),
    ("no_receipt", ["sending", "sent"]),
])
def test_a_magic_recipient_forces_its_outcome_and_its_status_webhooks(server_url, live_world, outcome, statuses):
    am = Http(server_url)
    to = magic(outcome, "415")
    # Magic beats delivery rules: every message to 415 numbers is to fail, but not to this one.
    add_delivery_rule(live_world, "+1415*", "failed")
    with Receiver() as receiver:
        patched = am("PATCH", f"/v1/phone-numbers/{SUPPORT_ID}", json={"status_url": receiver.url + "/status"})
        assert patched.status_code == 200
        am.consent(to)
        sent = am("POST", "/v1/messages", json={"from": SUPPORT_NUMBER, "to": to, "text": "Your code is 4721"})
        assert sent.status_code == 202 and sent.json()["data"]["status"] == "queued"
        message = sent.json()["data"]
        am.advance(TWO_HOURS)
        got = receiver.wait_for(len(statuses))
        assert live_world.outbox.drain()
    assert [g["json"]["status"] for g in receiver.received] == statuses  # no more than these, in order
    assert all(g["path"] == "/status" and g["json"]["id"] == message["id"] for g in got)
    final = am("GET", f"/v1/messages/{message['id']}").json()["data"]
    assert final == got[-1]["json"]  # the last webhook is the message as it now stands
    assert final["status"] == statuses[-1]
    assert (final["sent_at"] is not None) == ("sent" in statuses)
    assert (final["delivered_at"] is not None) == (statuses[-1] == "delivered")
    listed = am("GET", "/v1/messages", params={"status": statuses[-1]}).json()["data"]
    assert [m["id"] for m in listed] == [message["id"]]


def test_delayed_receipts_arrive_half_an_hour_to_two_hours_late(api):
    to = magic("delayed_receipts")
    consent(api, contact=to)
    message = send(api, to=to).data
    created = rendering.parse_time(message["created_at"])
    sending, sent, delivered = delivery_delays(api.world.seed, message["id"], DELAYED_DELIVERY)
    assert 1800 <= delivered - sent <= 7200
    api.world.clock.set(created + timedelta(seconds=delivered - 1))
    held = api.get(f"/v1/messages/{message['id']}").data
    assert (held["status"], held["sent_at"], held["delivered_at"]) == (
        "sent", rendering.iso(created + timedelta(seconds=sent)), None)
    api.world.clock.set(created + timedelta(seconds=delivered))
    assert api.get(f"/v1/messages/{message['id']}").data["delivered_at"] == rendering.iso(
        created + timedelta(seconds=delivered))


def test_no_receipt_stays_sent_for_good(api):
    to = magic("no_receipt")
    consent(api, contact=to)
    message = send(api, to=to).data
    api.world.clock.advance(timedelta(days=30).total_seconds())
    assert api.get(f"/v1/messages/{message['id']}").data["status"] == "sent"
    assert [w.payload["status"] for w in webhooks_of(api, "message_status")] == ["sending", "sent"]
    assert api.world.outbox.webhooks(provider="agentmessage", scheduled=True) == webhooks_of(api)


def test_any_area_code_is_magic_and_an_ordinary_555_number_is_not(api):
    for to in (magic("carrier_rejected", "907"), "+12065550100"):
        consent(api, contact=to)
        send(api, to=to)
        api.world.clock.advance(1)
    api.world.clock.advance(12)
    assert [m["status"] for m in api.get("/v1/messages").data] == ["delivered", "failed"]


# -- refused recipients ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("outcome", "status", "code"), [("landline", 422, "LINE_TYPE_BLOCKED"),
                                                         ("opted_out", 453, "CONSENT_REQUIRED")])
def test_a_magic_landline_or_opted_out_recipient_is_refused_and_nothing_changes(api, client, outcome, status, code):
    to = magic(outcome)
    before = state(client)
    double = api.post("/v1/consent/double-opt-in", json={
        "phone_number_id": SUPPORT_ID, "contact_number": to, "confirmation_text": "Reply YES", "agreement_text": "ok"})
    error_of(double, status, code)  # no challenge SMS to it
    assert state(client) == before
    assert consent(api, contact=to).status_code == 201  # and with consent recorded, no text either
    before = state(client)
    assert "details" not in error_of(send(api, to=to), status, code)
    assert state(client) == before  # no message, no charge: the org's wallet and spend as they were
    assert api.get("/v1/messages").data == [] and webhooks_of(api) == []


def test_a_magic_opted_out_recipient_keeps_its_consent_record_but_never_gets_a_text(api, client):
    to = magic("opted_out")
    assert consent(api, contact=to).status_code == 201
    assert consent(api, contact=to).data["already_opted_in"] is True  # recorded once, like any consent
    error_of(send(api, to=to), 453, "CONSENT_REQUIRED")
    section = next(a for a in state(client)["accounts"] if a["id"] == "default")["agentmessage"]
    assert [c["contact_number"] for c in section["consents"]] == [to]
    assert section["opt_outs"] == []  # refused as opted out, without an entry among the real opt-outs


# -- inbound answerers: 555-0131 texts STOP, 555-0132 HELP --------------------------------------------------


def test_a_magic_stop_answerer_opts_out_through_the_normal_inbound_path(am):
    to = magic("STOP")
    consent(am, contact=to)
    message = send(am, to=to).data
    assert am.get("/v1/inbound-messages").data == []
    am.world.clock.advance(REPLY_WINDOW)
    (stop,) = am.get("/v1/inbound-messages").data
    assert (stop["from"], stop["to"], stop["body"], stop["phone_number_id"]) == (to, SUPPORT_NUMBER, "STOP",
                                                                                 SUPPORT_ID)
    assert stop["opt_out"] == {"detected": True, "keyword": "STOP"}
    delivered = rendering.parse_time(am.get(f"/v1/messages/{message['id']}").data["delivered_at"])
    assert rendering.parse_time(stop["received_at"]) > delivered  # the answer comes after the message arrived
    (hook,) = webhooks_of(am, "inbound_message")
    assert (hook.url, hook.payload) == ("https://customer.example/inbound", stop)
    error_of(send(am, to=to), 453, "CONSENT_REQUIRED")  # the opt-out applies
    assert am.get("/v1/inbound-messages", params={"opt_out": "true"}).data == [stop]


def test_a_magic_help_answerer_answers_the_first_message_only(api):
    to = magic("HELP")
    consent(api, contact=to)
    for _ in range(2):
        send(api, to=to)
        api.world.clock.advance(REPLY_WINDOW)
    (help_,) = api.get("/v1/inbound-messages").data
    assert (help_["from"], help_["body"], help_["opt_out"]) == (to, "HELP", {"detected": False, "keyword": None})
    api.world.clock.advance(1)
    assert send(api, to=to).status_code == 202  # HELP changes nothing


def test_a_magic_answer_survives_export_and_is_forgotten_on_reset(api, client, world):
    to = magic("STOP")
    consent(api, contact=to)
    send(api, to=to)
    exported = state(client)
    section = next(a for a in exported["accounts"] if a["id"] == "default")["agentmessage"]
    (pending,) = section["magic_replies"]
    assert (pending["from"], pending["body"], pending["phone_number_id"]) == (to, "STOP", SUPPORT_ID)
    reloaded = World(seed=0, scenario=exported)
    reloaded.clock.set(world.clock.peek())
    reloaded.clock.advance(REPLY_WINDOW)
    reloaded.catch_up()
    (opted,) = reloaded.accounts["default"].state("agentmessage").opt_outs
    assert opted == (SUPPORT_NUMBER, to)
    world.reset()
    world.clock.advance(REPLY_WINDOW)
    assert api.get("/v1/inbound-messages").data == []


def test_no_answer_reaches_a_number_released_in_the_meantime(api):
    to = magic("STOP")
    consent(api, contact=to)
    send(api, to=to)
    assert api.delete(f"/v1/phone-numbers/{SUPPORT_ID}").status_code == 200
    api.world.clock.advance(REPLY_WINDOW)
    assert api.get("/v1/inbound-messages").data == [] and webhooks_of(api, "inbound_message") == []


def test_an_undelivered_message_gets_no_answer(api):
    to = magic("STOP")
    add_delivery_rule(api.world, to, "undelivered")
    consent(api, contact=to)
    send(api, to=to)
    api.world.clock.advance(REPLY_WINDOW)
    assert api.get("/v1/inbound-messages").data == []


# -- purchase magic -------------------------------------------------------------------------------------


def test_a_just_taken_number_is_409_and_nothing_is_bought(api, client):
    good = search(api, quantity=1)
    before = state(client)
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": [*good, magic("just_taken")]})
    error_of(answer, 409, "INSUFFICIENT_INVENTORY")
    assert answer.json()["data"] == {"available_count": 1, "unavailable": [magic("just_taken")]}
    assert state(client) == before
    assert search(api, quantity=1) == good  # still there to buy
    assert order(api, good)[0]["number"] == good[0]


def test_a_carrier_error_is_a_502_with_the_generic_body_and_nothing_is_bought(api, client):
    good = search(api, quantity=1)
    before = state(client)
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": [*good, magic("carrier_error", "312")],
                                                        "campaign_id": ACTIVE_CAMPAIGN})
    error = error_of(answer, 502, "INTERNAL")
    assert error["message"] == "internal error" and "details" not in error  # 5xx collapse to a generic message
    assert "data" not in answer.json()
    assert state(client) == before
    assert search(api, quantity=1) == good


def test_an_order_with_both_magic_numbers_is_refused_for_the_missing_one_first(api):
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": [magic("carrier_error"), magic("just_taken")]})
    error_of(answer, 409, "INSUFFICIENT_INVENTORY")
    assert answer.json()["data"] == {"available_count": 1, "unavailable": [magic("just_taken")]}


def test_magic_numbers_are_never_offered(api):
    assert all(not n.startswith("+1206555015") for n in search(api, area_code="206", quantity=100))
    assert api.post("/v1/phone-numbers/search", json={"pattern": "5550151"}).data == []

