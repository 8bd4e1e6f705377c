"""Flowroute's opt-outs through the public API: inbound STOP (and the other opt-out words) blocks that number →
recipient pair, UNSTOP (START, YES) lifts it, HELP and sentences change nothing; a send to a blocked pair is
Flowroute's 400 with error code 1110, charged nothing; the block is state (dumped, imported, reset)."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.world import ScenarioError, World
from tests.support.errors import error_of
from tests.support.flowroute import MOBILE, OTHER_TENANTS, OWNED, OWNED_PLAIN, sms

SMS_URL = "https://customer.example/flowroute/sms"


def inbound(flowroute, body: str, *, sender: str = MOBILE, to: str = OWNED) -> dict:
    response = flowroute.post("/_fakeroute/inbound", json={"provider": "flowroute", "to": to, "from": sender,
                                                           "body": body})
    assert response.status_code == 201, response
    return response.json()


def send_status(flowroute, sender: str = OWNED, to: str = MOBILE) -> int:
    flowroute.post("/_fakeroute/clock", json={"advance": 1})  # one send a second: never the rate limit
    return flowroute.post("/v2.1/messages", json=sms(to=to, sender=sender)).status_code


def opt_outs(flowroute) -> list[dict]:
    return flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"].get("opt_outs", [])


def test_the_opt_out_state_machine(flowroute):
    assert send_status(flowroute) == 202
    for body, blocked in [
        ("STOP", True),
        ("hello?", True),  # an ordinary message changes nothing
        ("START", False),
        ("stop.", True),  # any case, punctuation around it
        ("HELP", True),  # HELP changes nothing
        ("Unstop", False),
        ("STOP please", False),  # only a single word is a keyword
        ("quit", True),
        ("yes", False),
        ("  Unsubscribe!  ", True),
        ("STOP", True),  # again: still blocked, no error
        ("UNSTOP", False),
        ("UNSTOP", False),
    ]:
        inbound(flowroute, body)
        assert opt_outs(flowroute) == ([{"from": OWNED, "to": MOBILE}] if blocked else []), body
        assert send_status(flowroute) == (400 if blocked else 202), body


def test_a_send_to_an_opted_out_recipient_is_refused_and_charges_nothing(flowroute):
    inbound(flowroute, "STOP")
    before = flowroute.get("/_fakeroute/state").json()
    refused = flowroute.post("/v2.1/messages", json=sms())
    error = error_of(refused, 400)
    assert error["detail"] == ("Error 1110 (Message accepted by the SMSC but the phone rejected the message): "
                               f"{MOBILE} has opted out of messages from {OWNED} (replied STOP); a message to it is "
                               "refused until it replies UNSTOP")
    assert error["source"] == {"pointer": "/data/attributes/to"}
    assert flowroute.get("/_fakeroute/state").json() == before
    assert [w["kind"] for w in flowroute.get("/_fakeroute/outbox", params={"scheduled": "true"}).json()["webhooks"]
            if w["kind"] == "dlr"] == []


def test_the_block_is_of_one_number_to_one_recipient(flowroute):
    inbound(flowroute, "STOP")
    assert send_status(flowroute, sender=OWNED_PLAIN) == 202  # another of your numbers may still write
    assert send_status(flowroute, to="12065559876") == 202  # and this number to anyone else
    assert send_status(flowroute) == 400


def test_the_keyword_still_reaches_the_account_and_its_callback(flowroute):
    response = flowroute.request("PUT", "/v2.1/messages/sms_callback",
                                 json={"data": {"attributes": {"callback_url": SMS_URL}}})
    assert response.status_code == 204
    for body in ("STOP", "HELP", "UNSTOP"):
        inbound(flowroute, body)
    hooks = flowroute.get("/_fakeroute/outbox", params={"kind": "inbound_sms"}).json()["webhooks"]
    assert [h["payload"]["data"]["attributes"]["body"] for h in hooks] == ["STOP", "HELP", "UNSTOP"]
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()["data"]
    assert sorted(m["attributes"]["body"] for m in listed) == ["HELP", "STOP", "UNSTOP"]


def test_opt_outs_survive_export_import_and_reset_restores_the_scenarios():
    scenario = {"accounts": [{"id": "default", "flowroute": {
        "access_key": "k", "secret_key": "s", "numbers": [{"value": OWNED}],
        "opt_outs": [{"from": "+" + OWNED, "to": "12065559876"}]}}]}
    world = World(scenario=scenario, inventory_size=10)
    client = Client(FakerouteApp(world))
    auth = {"base_url": "https://api.flowroute.com", "headers": {"Authorization": "Basic azpz"}}  # k:s
    assert client.post("/v2.1/messages", json=sms(to="12065559876"), **auth).status_code == 400
    assert client.post("/_fakeroute/inbound", json={"provider": "flowroute", "to": OWNED, "from": MOBILE,
                                                    "body": "STOP"}).status_code == 201
    dumped = client.get("/_fakeroute/state").json
    assert dumped["accounts"][0]["flowroute"]["opt_outs"] == [{"from": OWNED, "to": MOBILE},
                                                              {"from": OWNED, "to": "12065559876"}]
    imported = World(scenario=dumped, inventory_size=10)
    assert len(imported.accounts["default"].state("flowroute").opt_outs) == 2
    world.reset()
    assert list(world.accounts["default"].state("flowroute").opt_outs) == [(OWNED, "12065559876")]
    assert client.post("/v2.1/messages", json=sms(to=MOBILE), **auth).status_code == 202


@pytest.mark.parametrize("entry, message", [
    ({"from": OWNED}, "opt_outs[0].to: is required"),
    ({"from": OWNED, "to": "2065551234"}, "opt_outs[0].to: must be an 11-digit North American number"),
    ({"from": OWNED, "to": MOBILE, "why": "x"}, "opt_outs[0]: unknown field(s): why"),
])
def test_a_bad_opt_out_entry_is_a_scenario_error_naming_it(entry, message):
    section = {"access_key": "k", "secret_key": "s", "opt_outs": [entry]}
    with pytest.raises(ScenarioError, match=re.escape("accounts[0].flowroute." + message)):
        World(scenario={"accounts": [{"id": "default", "flowroute": section}]}, inventory_size=10)


def test_a_stop_to_another_accounts_number_blocks_only_that_account(flowroute):
    inbound(flowroute, "STOP", to=OTHER_TENANTS)
    assert send_status(flowroute) == 202
    accounts = {a["id"]: (a.get("flowroute") or {}).get("opt_outs") for a in
                flowroute.get("/_fakeroute/state").json()["accounts"]}
    assert accounts == {"default": None, "other": [{"from": OTHER_TENANTS, "to": MOBILE}]}
