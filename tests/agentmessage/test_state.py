"""AgentMessage state as scenario data: the default fixture, GET /_fakeroute/state round trips, scenario errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakeroute.app import FakerouteApp
from fakeroute.providers.agentmessage import SCHEMAS, rendering
from fakeroute.world import ScenarioError, World
from tests.support.agentmessage import (
    SUPPORT_ID,
    agentmessage,
    order,
    search,
    walk,
)
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


def test_an_account_without_an_agentmessage_section_has_no_keys():
    world = World(seed=0, scenario={"accounts": [{"id": "only-flowroute"}]}, inventory_size=100)
    api = agentmessage(Target.wsgi(FakerouteApp(world)))
    assert api.get("/v1/phone-numbers").status_code == 401
