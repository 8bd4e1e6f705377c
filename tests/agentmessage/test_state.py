"""AgentMessage state as scenario data: the default fixture, GET /_fakeroute/state round trips, scenario errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakeroute.app import FakerouteApp
from fakeroute.messaging import delivery_delays
from fakeroute.providers.agentmessage import (
    SCHEMAS,
    add_delivery_rule,
    record_lookup,
    rendering,
    submit_hosted_consent,
)
from fakeroute.world import ScenarioError, World
from tests.support.agentmessage import (
    SUPPORT_ID,
    agentmessage,
    consent,
    order,
    search,
    send,
    walk,
)
from tests.support.errors import error_of
from tests.support.harness import Target


def test_the_scenario_schema_knows_every_brand_and_campaign_field():
    items = SCHEMAS["scenario"].document["properties"]
    brand_fields = set(items["brands"]["items"]["properties"])
    campaign_fields = set(items["campaigns"]["items"]["properties"])
    assert set(rendering.BRAND_FIELDS) <= brand_fields
    assert set(rendering.CAMPAIGN_FIELDS) <= campaign_fields


def test_state_round_trips_through_a_scenario_document(api, client, world):
    bought = order(api, search(api, quantity=2), label="new")
    api.delete(f"/v1/phone-numbers/{SUPPORT_ID}")
    pending = api.post("/v1/phone-numbers/bulk", json={"quantity": 1, "area_code": "999"},
                       headers={"Idempotency-Key": "abc"}).data
    state = client.get("/_fakeroute/state").json
    section = next(a for a in state["accounts"] if a["id"] == "default")["agentmessage"]
    assert [r["id"] for r in section["released"]] == [SUPPORT_ID]
    assert section["released"][0]["available_at"] is not None and not section["released"][0]["returned"]

    reloaded = World(seed=0, scenario=state)
    copy = agentmessage(Target.wsgi(FakerouteApp(reloaded)))
    assert walk(copy) == walk(api)
    assert {n["id"] for n in walk(copy)} >= {n["id"] for n in bought}
    assert copy.get(f"/v1/phone-numbers/bulk/{pending['order_id']}").data == pending
    # The reloaded world remembers the quarantine and the idempotency key.
    assert search(copy, pattern="+14155550123") == []
    retry = copy.post("/v1/phone-numbers/bulk", json={"quantity": 1, "area_code": "999"},
                      headers={"Idempotency-Key": "abc"})
    assert retry.status_code == 202 and retry.data["order_id"] == pending["order_id"]
    reloaded.clock.advance(timedelta(days=31).total_seconds())
    assert search(copy, pattern="+14155550123") == ["+14155550123"]


def test_reset_brings_back_the_scenario(api, world):
    api.patch(f"/v1/phone-numbers/{SUPPORT_ID}", json={"label": "changed"})
    api.delete(f"/v1/phone-numbers/{SUPPORT_ID}")
    world.reset()
    assert api.get(f"/v1/phone-numbers/{SUPPORT_ID}").data["label"] == "support-line"
    assert len(walk(api)) == 3


def _scenario(**section):
    return {"accounts": [{"id": "a", "agentmessage": {"api_keys": [{"key": "am_test_aaaa", "scopes": []}],
                                                       **section}}]}


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ({"campaigns": [{"id": "b5d3c4e2-7f7e-44a1-8c12-2bcd9e3f0a01", "brand_id": SUPPORT_ID, "status": "ACTIVE"}]},
         "no brand with id"),
        ({"numbers": [{"id": SUPPORT_ID, "number": "+14155550123", "campaign_id": SUPPORT_ID}]},
         "no campaign with id"),
        ({"numbers": [{"id": SUPPORT_ID, "number": "4155550123"}]}, "E.164"),
        ({"api_keys": [{"key": "sk_live_x", "scopes": []}]}, "am_live_"),
        ({"api_keys": [{"key": "am_test_aaaa", "scopes": ["messages:write"]}]}, "must be one of"),
        ({"brands": [{"id": SUPPORT_ID, "status": "ACTIVE", "colour": "red"}]}, "colour"),
    ],
)
def test_scenario_mistakes_are_named(section, words):
    with pytest.raises(ScenarioError, match=words):
        World(seed=0, scenario=_scenario(**section), inventory_size=100)


_MESSAGE = {"id": "0190a1b2-0000-7000-8000-000000000001", "phone_number_id": SUPPORT_ID, "from": "+14155550123",
            "to": "+12065551234", "created_at": "2026-01-01T00:00:00Z"}


@pytest.mark.parametrize("message", [{**_MESSAGE, "outcome": "failed", "delays": [0.5]},
                                     {**_MESSAGE, "delays": [3, 1, 2]}])
def test_a_scenario_messages_delays_must_cover_its_statuses_and_rise(message):
    with pytest.raises(ScenarioError, match=r"messages\[0\]\.delays: .* rising delays"):
        World(seed=0, scenario=_scenario(messages=[message]), inventory_size=100)


def test_a_scenario_message_without_delays_gets_the_seeds_and_with_them_keeps_its_own():
    scenario = World(seed=0).scenario
    section = next(a for a in scenario["accounts"] if a["id"] == "default")["agentmessage"]
    section["messages"] = [_MESSAGE, {**_MESSAGE, "id": "0190a1b2-0000-7000-8000-000000000002",
                                      "outcome": "undelivered", "delays": [1, 2, 3.25]}]
    world = World(seed=7, scenario=scenario)
    world.clock.advance(3600)
    api = agentmessage(Target.wsgi(FakerouteApp(world)))
    drawn = api.get(f"/v1/messages/{_MESSAGE['id']}").data
    start = world.clock.start
    assert drawn["delivered_at"] == rendering.iso(start + timedelta(seconds=delivery_delays(7, _MESSAGE["id"])[2]))
    given = api.get("/v1/messages/0190a1b2-0000-7000-8000-000000000002").data
    assert (given["status"], given["sent_at"], given["delivered_at"]) == ("undelivered", "2026-01-01T00:00:02Z", None)


def test_an_account_without_an_agentmessage_section_has_no_keys():
    world = World(seed=0, scenario={"accounts": [{"id": "only-flowroute"}]}, inventory_size=100)
    api = agentmessage(Target.wsgi(FakerouteApp(world)))
    assert api.get("/v1/phone-numbers").status_code == 401


def _busy_day(api, world):
    """Every kind of state the messaging endpoints make, in one org."""
    add_delivery_rule(world, "+1206555999?", "failed")
    record_lookup(world, "+12065550000", "fixed")
    endpoint = api.post("/v1/webhooks", json={"url": "https://hooks.example/x", "events": ["api_key.created"]}).data
    key = api.post("/v1/api-keys", json={"label": "ci", "scopes": ["messages:read"]}).data
    consent(api, **{"Idempotency-Key": "c-1"})
    message = send(api).data
    world.clock.advance(1)
    challenge = api.post("/v1/consent/double-opt-in", json={
        "phone_number_id": SUPPORT_ID, "contact_number": "+12065559999", "confirmation_text": "Reply YES",
        "agreement_text": "texts"}).data
    hosted = api.post("/v1/consent/hosted", json={"phone_number_id": SUPPORT_ID, "contact_number": "+12065550001",
                                                  "agreement_text": "texts"}).data
    inbound = api.post("/_fakeroute/inbound", json={"provider": "agentmessage", "to": "+14155550123",
                                                    "from": "+12065551234", "body": "STOP"}).json()["message"]
    campaign = api.post("/v1/campaigns", json={
        "brand_id": "6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "usecase": "MARKETING", "description": "Offers.",
        "message_flow": "Customers opt in at checkout on https://acme.example",
        "sample1": "Sale! Reply STOP to end."}).data
    return {"endpoint": endpoint, "key": key, "message": message, "challenge": challenge, "hosted": hosted,
            "inbound": inbound, "campaign": campaign}


def test_messaging_state_round_trips_through_a_scenario_document(api, client, world):
    made = _busy_day(api, world)
    state = client.get("/_fakeroute/state").json
    reloaded = World(seed=0, scenario=state)
    reloaded.clock.set(world.clock.peek())
    copy = agentmessage(Target.wsgi(FakerouteApp(reloaded)))
    for path in ("/v1/messages", "/v1/inbound-messages", "/v1/api-keys", "/v1/webhooks", "/v1/campaigns",
                 f"/v1/messages/{made['message']['id']}", f"/v1/inbound-messages/{made['inbound']['id']}"):
        assert copy.get(path).json()["data"] == api.get(path).json()["data"], path
    assert copy.get("/v1/webhooks/deliveries").data[0]["event_id"] == api.get("/v1/webhooks/deliveries").data[0][
        "event_id"]
    assert copy.as_key(made["key"]["plaintext"]).get("/v1/messages").status_code == 200  # a minted key works
    error_of(send(copy), 453, "CONSENT_REQUIRED")  # the STOP is remembered
    replay = consent(copy, **{"Idempotency-Key": "c-1"})
    assert replay.status_code == 201  # and so is the idempotency key
    assert submit_hosted_consent(reloaded, made["hosted"]["token"]).method == "hosted_form"  # the token is kept
    reloaded.clock.advance(3600)  # the pending campaign review is still due
    assert copy.get(f"/v1/campaigns/{made['campaign']['id']}").data["status"] == "ACTIVE"


def test_reset_forgets_everything_the_messaging_endpoints_made(api, client, world):
    pristine = client.get("/_fakeroute/state").json
    made = _busy_day(api, world)
    world.reset()
    assert client.get("/_fakeroute/state").json == pristine
    error_of(api.as_key(made["key"]["plaintext"]).get("/v1/messages"), 401, "UNAUTHORIZED")
    assert api.get("/v1/messages").data == [] and api.get("/v1/webhooks").data == []
    assert world.outbox.webhooks(scheduled=True) == []


def test_the_same_calls_with_the_same_seed_make_the_same_state(client, world, api):
    _busy_day(api, world)
    first = client.get("/_fakeroute/state").json
    world.reset()
    _busy_day(api, world)
    assert client.get("/_fakeroute/state").json == first
    other_seed = World(seed=1)
    other = agentmessage(Target.wsgi(FakerouteApp(other_seed)))
    _busy_day(other, other_seed)
    assert other.get("/v1/messages").data[0]["id"] != api.get("/v1/messages").data[0]["id"]
