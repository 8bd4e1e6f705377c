"""Scenario presets chosen by name (empty, default, busy, near-limits, suspended), each checked for the
invariants it promises, and the scenario fields behind them: generate, suspended, limits, limits_used, inventory."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from twilio.base.exceptions import TwilioRestException
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.clock import DEFAULT_START, parse_utc
from fakeroute.limits import Limit
from fakeroute.magic import reserved_line
from fakeroute.messaging import keyword
from fakeroute.phone import is_valid
from fakeroute.presets import CAMPAIGN_STATES
from fakeroute.providers import PROVIDERS
from fakeroute.scenario import ScenarioError, envelope_schema, load_scenario, read_scenario
from fakeroute.world import World
from tests.support.errors import error_of

PRESETS = ("default", "empty", "busy", "near-limits", "suspended")
FLOWROUTE = "https://api.flowroute.com"
AGENTMESSAGE = "https://api.agentmsg.io"
AM_NUMBER_ID = "7c1f0a2d-9e8b-4c3a-9d2e-1f0a2b3c4d5e"  # +14155550123, in near-limits and suspended too


def credentials(world: World) -> dict[str, object]:
    return {p.name: p.public_credentials(world.accounts["default"].state(p.name)) for p in world.providers}


@pytest.fixture(scope="module")
def busy() -> World:
    return World(scenario="busy")


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loads_by_name_with_the_default_credentials(name):
    world = World(scenario=name, inventory_size=2000)
    assert world.scenario_name == f"{name} (built-in)"
    assert credentials(world) == credentials(World(inventory_size=10))  # a test's clients work in every preset


def test_empty_holds_credentials_only():
    world = World(scenario="empty")
    assert list(world.accounts) == ["default"]
    state = world.accounts["default"].states
    assert list(state["flowroute"].routes) == ["0"] and not state["flowroute"].numbers
    assert not state["flowroute"].messages and not state["flowroute"].callbacks
    assert not state["agentmessage"].numbers and not state["agentmessage"].brands
    assert not state["agentmessage"].campaigns
    assert not state["twilio"].phone_numbers and not state["twilio"].sip_domains and not state["twilio"].trunks


# -- busy -------------------------------------------------------------------------------------------

def test_busy_has_hundreds_of_numbers_and_routes_and_thousands_of_mdrs_over_months(busy):
    flowroute = busy.accounts["default"].state("flowroute")
    assert len(flowroute.numbers) == 300 and len(flowroute.routes) == 201  # and the built-in route "0"
    assert len(flowroute.messages) == 2500
    times = [m.timestamp for m in flowroute.messages.values()]
    assert times == sorted(times)  # in the order they happened
    assert DEFAULT_START - timedelta(days=120) <= times[0] and times[-1] < DEFAULT_START
    assert times[-1] - times[0] > timedelta(days=100)
    directions = {m.direction for m in flowroute.messages.values()}
    assert directions == {"inbound", "outbound"}
    outbound = [m for m in flowroute.messages.values() if m.direction == "outbound"]
    assert all(m.receipts and m.receipts[0].status == "smsc submit" for m in outbound)
    finals = {m.receipts[-1].status for m in outbound}
    assert finals == {"smsc submit", "delivered", "undeliverable", "rejected", "expired"}
    assert {m.message_encoding for m in flowroute.messages.values()} == {0, 8}
    assert any(m.is_mms for m in flowroute.messages.values())
    for number in flowroute.numbers.values():
        assert number.primary_route in flowroute.routes
        assert number.failover_route is None or number.failover_route in flowroute.routes


def test_busy_has_campaigns_and_brands_in_every_state(busy):
    org = busy.accounts["default"].state("agentmessage")
    assert {c.status for c in org.campaigns.values()} == set(CAMPAIGN_STATES)
    assert {(b.status, b.identity_status) for b in org.brands.values()} >= {
        ("ACTIVE", "VERIFIED"), ("ACTIVE", "VETTED_VERIFIED"), ("ACTIVE", "UNVERIFIED"), ("PENDING", None),
        ("DELETED", "VERIFIED")}
    assert len(org.numbers) == 200
    for number in org.numbers.values():
        if number.campaign_id is not None:  # only ever an active campaign of a verified, active brand
            campaign = org.campaigns[number.campaign_id]
            assert campaign.status == "ACTIVE" and org.brands[campaign.brand_id].verified
    twilio = busy.accounts["default"].state("twilio")
    assert (len(twilio.phone_numbers), len(twilio.sip_domains), len(twilio.trunks)) == (100, 8, 8)
    assert {a.voice_region for a in twilio.phone_numbers.values()} == {"us1", "ie1", "au1"}


def test_busy_numbers_are_valid_distinct_and_never_magic(busy):
    state = busy.accounts["default"].states
    owned = [*state["flowroute"].numbers, *(n.digits for n in state["agentmessage"].numbers.values()),
             *(key[1:] for key in state["twilio"].phone_numbers)]
    assert len(owned) == len(set(owned)) == 600
    assert all(is_valid(n) and reserved_line(n) is None for n in owned)
    assert not any(busy.inventory.is_available(n) for n in owned[:500])  # owned numbers left the inventory


def test_busy_inbound_history_holds_no_keyword(busy):
    inbound = [m for m in busy.accounts["default"].state("flowroute").messages.values() if m.direction == "inbound"]
    assert inbound and all(keyword(m.body) is None for m in inbound)


def test_busy_is_the_same_for_a_seed_and_differs_between_seeds():
    def dump(world: World) -> str:
        state = Client(FakerouteApp(world)).get("/_fakeroute/state").json
        return json.dumps(state, sort_keys=True)

    first = dump(World(scenario="busy"))
    assert dump(World(scenario="busy")) == first
    assert dump(World(scenario="busy", seed=1)) != first


@pytest.mark.parametrize("seed", [0, 3])
def test_what_the_generators_make_is_valid_scenario_data(seed):
    """A World trusts the expansion (validating thousands of records would take seconds): this checks it."""
    _, document = load_scenario("busy", seed=seed, start=DEFAULT_START, providers=PROVIDERS)
    assert "generate" not in document["accounts"][0]
    assert envelope_schema(PROVIDERS).violations(document) == []


@pytest.mark.parametrize("seed", range(6))
def test_small_generated_worlds_are_valid_for_many_seeds(seed):
    document = {"accounts": [{
        "id": "a", "generate": {"history_days": 3, "flowroute": {"routes": 4, "numbers": 5, "messages": 40},
                                "agentmessage": {"brands": 6, "campaigns": 8, "numbers": 5},
                                "twilio": {"phone_numbers": 3, "sip_domains": 3, "trunks": 3}},
        "flowroute": {"access_key": "a", "secret_key": "b", "numbers": [{"value": "12065550100"}]},
        "agentmessage": {"api_keys": [{"key": "am_test_aaaa", "scopes": ["numbers:read"]}]},
        "twilio": {"account_sid": "AC" + "0" * 32, "auth_token": "t"},
    }]}
    _, expanded = load_scenario(copy.deepcopy(document), seed=seed, start=DEFAULT_START, providers=PROVIDERS)
    assert envelope_schema(PROVIDERS).violations(expanded) == []
    section = expanded["accounts"][0]["flowroute"]
    assert section["numbers"][0] == {"value": "12065550100"}  # written records stay, generated ones follow
    assert len(section["numbers"]) == 6 and len(section["messages"]) == 40
    assert all(DEFAULT_START - timedelta(days=3) <= parse_utc(m["timestamp"]) < DEFAULT_START
               for m in section["messages"])
    World(scenario=document, seed=seed, inventory_size=100)  # and the providers load it


@pytest.mark.fakeroute(scenario="busy")
def test_the_marker_picks_a_preset_and_its_api_pages_through_it(fakeroute):
    client = fakeroute.client("flowroute")
    page = client.get(f"{FLOWROUTE}/v2/numbers", params={"limit": 200, "offset": 200}).json()
    assert len(page["data"]) == 100
    messages = client.get(f"{FLOWROUTE}/v2.1/messages",
                          params={"start_date": "2025-09-01", "end_date": "2026-01-01", "limit": 50}).json()
    assert len(messages["data"]) == 50
    campaigns = fakeroute.client("agentmessage").get(f"{AGENTMESSAGE}/v1/campaigns",
                                                     params={"status": "EXPIRED"}).json()
    assert campaigns["data"] and {c["status"] for c in campaigns["data"]} == {"EXPIRED"}


# -- generate, limits, inventory: the scenario fields and their errors --------------------------------

def scenario(**account) -> dict:
    return {"accounts": [{"id": "a", "flowroute": {"access_key": "k", "secret_key": "s"}, **account}]}


@pytest.mark.parametrize(("document", "message"), [
    (scenario(generate={"agentmessage": {"numbers": 2}}),
     "accounts[0].generate.agentmessage: the account has no agentmessage section (credentials) to add to"),
    (scenario(generate={"flowroute": {"messages": 5}}),
     "accounts[0].generate.flowroute.messages: the account has no number to exchange messages on"),
    (scenario(generate={"flowroute": {"numbers": -1}}), "accounts[0].generate.flowroute.numbers: must be at least 0"),
    (scenario(generate={"flowroute": {"lines": 1}}), "accounts[0].generate.flowroute: unknown field(s): lines"),
    (scenario(limits_used={"sms": 4}), "accounts[0].limits_used: must be a provider's limit name such as "
                                       "flowroute.sms"),
    (scenario(limits_used={"plivo.sms": 4}), "accounts[0].limits_used.plivo.sms: names no provider this world "
                                             "serves (agentmessage, flowroute, twilio)"),
    ({**scenario(), "limits": {"acme.sms": {"count": 1}}}, "limits.acme.sms: names no provider"),
    ({**scenario(), "limits": {"flowroute.sms": {"count": 0}}}, "limits.flowroute.sms.count: must be at least 1"),
    ({**scenario(), "inventory": {"remaining_in_area_code": {"999": 1}}},
     "inventory.remaining_in_area_code.999: area code 999 is not one fakeroute knows"),
    ({**scenario(), "inventory": {"remaining_in_area_code": {"2065": 1}}},
     "inventory.remaining_in_area_code: must be a three-digit area code such as 206"),
    (scenario(suspended="yes"), "accounts[0].suspended: must be a boolean"),
])
def test_a_bad_scenario_field_is_named(document, message):
    with pytest.raises(ScenarioError) as raised:
        World(scenario=document, inventory_size=100)
    assert message in str(raised.value)


def test_a_scenario_changes_a_named_limit_and_says_what_was_used():
    world = World(scenario={**scenario(limits_used={"flowroute.sms": 3}),
                            "limits": {"flowroute.mms": {"count": 2, "window": 60}}}, inventory_size=10)
    limits = world.limits
    assert limits.limit("flowroute.mms", Limit(1)) == Limit(2, 60)
    assert limits.limit("flowroute.sms", Limit(5)) == Limit(5)  # not named: the provider's default
    t0 = world.clock.start
    assert [limits.hit_named("a", "flowroute.sms", Limit(5), t0) for _ in range(3)] == [None, None, 1]
    assert limits.hit_named("b", "flowroute.sms", Limit(5), t0) is None  # another account starts from zero
    assert limits.hit_named("a", "flowroute.sms", Limit(5), t0 + timedelta(seconds=1)) is None  # next window
    world.reset()  # the used counts apply again
    assert [limits.hit_named("a", "flowroute.sms", Limit(5), t0) for _ in range(3)] == [None, None, 1]


# -- near-limits ------------------------------------------------------------------------------------

def test_near_limits_is_one_send_from_each_limit():
    world = World(scenario="near-limits")
    t0, limits = world.clock.start, world.limits
    assert limits.hit_named("default", "flowroute.sms", Limit(5), t0, per="fakeroute") is None
    assert limits.hit_named("default", "flowroute.sms", Limit(5), t0, per="fakeroute") == 1
    minute = Limit(60, window=60)
    assert limits.hit_named("default", "agentmessage.messages.per_minute", minute, t0 + timedelta(seconds=5)) is None
    assert limits.hit_named("default", "agentmessage.messages.per_minute", minute, t0 + timedelta(seconds=6)) == 54
    assert limits.hit_named("default", "agentmessage.messages.per_minute", minute, t0 + timedelta(seconds=60)) is None


@pytest.mark.fakeroute(scenario="near-limits")
def test_near_limits_has_one_number_left_in_area_code_206(fakeroute):
    flowroute = fakeroute.client("flowroute")
    available = flowroute.get(f"{FLOWROUTE}/v2/numbers/available", params={"starts_with": "1206"}).json()["data"]
    assert len(available) == 1
    searched = fakeroute.client("agentmessage").post(f"{AGENTMESSAGE}/v1/phone-numbers/search",
                                                     json={"area_code": "206"}).json()
    assert [n["number"] for n in searched["data"]] == ["+" + available[0]["id"]]
    assert flowroute.post(f"{FLOWROUTE}/v2/numbers/{available[0]['id']}").status_code == 201
    assert flowroute.get(f"{FLOWROUTE}/v2/numbers/available", params={"starts_with": "1206"}).json()["data"] == []
    assert flowroute.get(f"{FLOWROUTE}/v2/numbers/available", params={"starts_with": "1415"}).json()["data"]
    fakeroute.reset()  # back to one left
    assert len(flowroute.get(f"{FLOWROUTE}/v2/numbers/available", params={"starts_with": "1206"}).json()["data"]) == 1


# -- suspended --------------------------------------------------------------------------------------

@pytest.mark.fakeroute(scenario="suspended")
def test_suspended_flowroute_reads_but_every_write_is_forbidden(fakeroute):
    client = fakeroute.client("flowroute")
    assert client.get(f"{FLOWROUTE}/v2/numbers/12065550100").json()["data"]["attributes"]["alias"] == \
        "Seattle office"
    writes = [
        client.post(f"{FLOWROUTE}/v2/routes", json={"data": {"type": "route", "attributes": {
            "route_type": "host", "value": "pbx.example.com", "alias": "pbx"}}}),
        client.patch(f"{FLOWROUTE}/v2/numbers/12065550100", json={"data": {"type": "number", "attributes": {
            "alias": "changed"}}}),
        client.delete(f"{FLOWROUTE}/v2/numbers/12065550100"),
        client.post(f"{FLOWROUTE}/v2.1/messages", json={"data": {"type": "message", "attributes": {
            "to": "12065551234", "from": "12065550100", "body": "hi"}}}),
        client.post(f"{FLOWROUTE}/v2/routes", data="{not json"),  # refused before the body is even read
    ]
    for response in writes:
        error = error_of(response, 403, provider="flowroute")
        assert error["title"] == "Forbidden" and "suspended" in error["detail"]
    state = fakeroute.state["default"].flowroute
    assert state.numbers["12065550100"].alias == "Seattle office" and not state.messages
    assert set(state.routes) == {"0", "98396"}


@pytest.mark.fakeroute(scenario="suspended")
def test_suspended_agentmessage_reads_but_every_write_is_forbidden(fakeroute):
    client = fakeroute.client("agentmessage")
    assert client.get(f"{AGENTMESSAGE}/v1/phone-numbers/{AM_NUMBER_ID}").json()["data"]["label"] == "support-line"
    for response in (
        client.patch(f"{AGENTMESSAGE}/v1/phone-numbers/{AM_NUMBER_ID}", json={"label": "changed"}),
        client.delete(f"{AGENTMESSAGE}/v1/phone-numbers/{AM_NUMBER_ID}"),
        client.post(f"{AGENTMESSAGE}/v1/phone-numbers/orders", json={"numbers": ["+12065550142"]}),
    ):
        assert "suspended" in error_of(response, 403, "FORBIDDEN", provider="agentmessage")["message"]
    assert fakeroute.state["default"].agentmessage.numbers[AM_NUMBER_ID].label == "support-line"


@pytest.mark.fakeroute(scenario="suspended")
def test_suspended_twilio_fetches_but_updates_are_forbidden_through_the_sdk(fakeroute):
    client = fakeroute.client("twilio")
    assert client.routes.v2.phone_numbers("+12065550100").fetch().friendly_name == "Seattle office"
    with pytest.raises(TwilioRestException) as raised:
        client.routes.v2.phone_numbers("+12065550100").update(voice_region="ie1")
    assert raised.value.status == 403 and "suspended" in raised.value.msg
    assert raised.value.code == 20005  # Twilio's "Account not active"
    assert fakeroute.state["default"].twilio.phone_numbers["+12065550100"].voice_region == "us1"


def test_suspension_survives_a_reset_and_an_export_and_import():
    world = World(scenario="suspended")
    world.reset()
    assert world.accounts["default"].suspended
    dumped = Client(FakerouteApp(world)).get("/_fakeroute/state").json
    assert dumped["accounts"][0]["suspended"] is True
    assert World(scenario=dumped).accounts["default"].suspended
    assert not World(inventory_size=10).accounts["default"].suspended
    assert not world.create_account().suspended


def test_the_preset_files_are_small_data_the_schema_checks():
    for name in PRESETS:
        _, document = read_scenario(name)
        assert envelope_schema(PROVIDERS).violations(document) == [], name
        assert len(json.dumps(document)) < 15_000, name  # large presets are generated, never stored expanded


def test_selling_out_an_area_code_keeps_its_lowest_numbers_until_reset():
    world = World(inventory_size=2000)
    inventory = world.inventory
    before, _ = inventory.search(starts_with="1212", limit=100)
    assert len(before) > 3
    assert inventory.sell_out("212", 2) == len(before) - 2
    assert inventory.search(starts_with="1212", limit=100)[0] == before[:2]
    assert inventory.sell_out("212", 5) == 0  # fewer left than asked for: nothing more to take
    assert inventory.sell_out("212", 0) == 2 and "212" not in inventory.area_codes()
    world.reset()  # not checkpointed: a reset brings them back
    assert inventory.search(starts_with="1212", limit=100)[0] == before
