"""AgentMessage's opt-out state machine on the messaging engine (one OptOuts per organization): inbound keywords
in every case and punctuation, then a send, with the state read back from GET /_fakeroute/state."""

from __future__ import annotations

import pytest

from fakeroute.app import FakerouteApp
from fakeroute.providers.agentmessage import receive_message
from fakeroute.world import World
from tests.support.agentmessage import (
    MOBILE,
    OTHER_MOBILE,
    SUPPORT_ID,
    SUPPORT_NUMBER,
    agentmessage,
    consent,
    send,
)
from tests.support.errors import error_of
from tests.support.harness import Target


def inbound(api, body, sender=MOBILE):
    answer = api.post("/_fakeroute/inbound", json={"provider": "agentmessage", "to": SUPPORT_NUMBER, "from": sender,
                                                   "body": body})
    assert answer.status_code == 201, answer
    return answer.json()["message"]


def section(client):
    state = client.get("/_fakeroute/state").json
    return next(a for a in state["accounts"] if a["id"] == "default")["agentmessage"]


def opt_outs(client):
    return section(client)["opt_outs"]


def may_send(api, to=MOBILE):
    """Whether a send to ``to`` gets through now (202) or is refused as opted out / without consent (453)."""
    api.world.clock.advance(1)  # a fresh second: the tier-1 limit never answers first
    answer = send(api, to=to)
    if answer.status_code == 202:
        return True
    error_of(answer, 453, "CONSENT_REQUIRED")
    return False


@pytest.mark.parametrize("word", ["STOP", "stop", "Stop.", " STOP! ", "¡Stop!", "'quit'", "UnSubscribe", "cancel",
                                  "END", "stopall", "Quit?!", "\tEnd\n", "(STOP)"])
def test_every_opt_out_keyword_in_any_case_and_punctuation_blocks_the_pair(api, client, word):
    consent(api)
    stop = inbound(api, word)
    assert stop["opt_out"]["detected"] is True
    assert stop["opt_out"]["keyword"] == word.strip(" \t\n.!?¡'()").upper()
    assert opt_outs(client) == [{"number": SUPPORT_NUMBER, "contact_number": MOBILE}]
    assert not may_send(api)


@pytest.mark.parametrize("text", ["STOP please", "please stop", "S T O P", "ST.OP", "STOP 🛑", "stopp", "HELP",
                                  "help?", "Info", "What?"])
def test_anything_else_leaves_the_pair_alone(api, client, text):
    consent(api)
    assert inbound(api, text)["opt_out"] == {"detected": False, "keyword": None}
    assert opt_outs(client) == []
    assert may_send(api)


@pytest.mark.parametrize("word", ["START", "start", "Yes!", "unstop", " UNSTOP. "])
def test_start_yes_and_unstop_lift_an_opt_out(api, client, word):
    consent(api)
    inbound(api, "STOP")
    assert not may_send(api)
    lifted = inbound(api, word)
    assert lifted["opt_out"] == {"detected": False, "keyword": None}
    assert opt_outs(client) == []
    assert may_send(api)


def test_the_state_machine_through_a_conversation(api, client):
    consent(api)
    steps = [("STOP", False), ("stop", False), ("HELP", False), ("Start", True), ("START", True), ("Quit.", False),
             ("Yes", True), ("help", True), ("END", False), ("UNSTOP", True)]
    seen = []
    for body, _ in steps:
        inbound(api, body)
        seen.append((body, may_send(api), len(opt_outs(client))))
    assert seen == [(body, allowed, 0 if allowed else 1) for body, allowed in steps]


def test_an_opt_out_is_per_number_and_contact_and_one_way(api, client):
    consent(api)
    consent(api, contact=OTHER_MOBILE)
    inbound(api, "STOP")
    assert not may_send(api)
    assert may_send(api, OTHER_MOBILE)  # another contact of the same number
    assert opt_outs(client) == [{"number": SUPPORT_NUMBER, "contact_number": MOBILE}]


def test_yes_alone_is_no_consent_but_start_is(api, client):
    inbound(api, "YES")
    assert not may_send(api)  # "yes" in a conversation is not an agreement to texts
    inbound(api, "START")
    assert may_send(api)
    (granted,) = section(client)["consents"]
    assert (granted["contact_number"], granted["method"], granted["evidence"]) == (MOBILE, "keyword",
                                                                                  {"keyword": "START"})


def test_stop_keeps_the_consent_record_and_yes_restores_it(api, client):
    first = consent(api).data["consent_id"]
    inbound(api, "STOP")
    assert [c["id"] for c in section(client)["consents"]] == [first]  # the evidence stays on file
    inbound(api, "yes")
    assert may_send(api)
    assert [c["id"] for c in section(client)["consents"]] == [first]


def test_new_attested_consent_after_a_stop_opts_the_contact_back_in(api, client):
    first = consent(api).data["consent_id"]
    inbound(api, "STOP")
    again = consent(api)
    assert again.status_code == 201 and again.data["already_opted_in"] is False
    assert again.data["consent_id"] != first
    assert opt_outs(client) == []
    assert may_send(api)


def test_a_double_opt_in_challenge_is_not_sent_to_an_opted_out_contact(api, client):
    consent(api)
    inbound(api, "STOP")
    before = client.get("/_fakeroute/state").json
    challenge = api.post("/v1/consent/double-opt-in", json={
        "phone_number_id": SUPPORT_ID, "contact_number": MOBILE, "confirmation_text": "Reply YES",
        "agreement_text": "texts"})
    error_of(challenge, 453, "CONSENT_REQUIRED")
    assert client.get("/_fakeroute/state").json == before


def test_a_refused_send_changes_nothing(api, client):
    consent(api)
    inbound(api, "STOP")
    api.world.clock.advance(1)
    before = client.get("/_fakeroute/state").json
    error_of(send(api), 453, "CONSENT_REQUIRED")
    assert client.get("/_fakeroute/state").json == before


def test_a_campaigns_own_keyword_blocks_like_stop_and_start_lifts_it(api, client):
    body = {"brand_id": "6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "usecase": "CUSTOMER_CARE",
            "description": "Support.", "message_flow": "Customers opt in on the signup form at https://acme.example",
            "sample1": "Acme: reply STOP or ALTO to opt out.", "optout_keywords": "STOP,ALTO"}
    campaign = api.post("/v1/campaigns", json=body).data
    api.world.clock.advance(3600)  # the carrier review approves it
    assert api.patch(f"/v1/phone-numbers/{SUPPORT_ID}", json={"campaign_id": campaign["id"]}).status_code == 200
    consent(api)
    assert inbound(api, "Alto!")["opt_out"] == {"detected": True, "keyword": "ALTO"}
    assert not may_send(api)
    inbound(api, "start")
    assert may_send(api)


def test_opt_outs_survive_export_and_import_and_reset_restores_the_scenarios(api, client, world):
    consent(api)
    inbound(api, "STOP")
    inbound(api, "STOP", sender=OTHER_MOBILE)
    exported = client.get("/_fakeroute/state").json
    reloaded = agentmessage(Target.wsgi(FakerouteApp(World(seed=0, scenario=exported))))
    reloaded.world.clock.set(world.clock.peek())
    assert not may_send(reloaded)
    world.reset()
    assert opt_outs(client) == []
    consent(api)
    assert may_send(api)
    assert not may_send(reloaded)  # the copy kept its own


def test_a_scenario_may_start_with_opt_outs():
    scenario = World(seed=0).scenario
    for account in scenario["accounts"]:
        if account["id"] == "default":
            account["agentmessage"]["consents"] = [{"id": "5e1c2d3b-4a59-4687-9a0b-1c2d3e4f5a6b",
                                                    "phone_number_id": SUPPORT_ID, "contact_number": MOBILE}]
            account["agentmessage"]["opt_outs"] = [{"number": SUPPORT_NUMBER, "contact_number": MOBILE}]
    world = World(seed=0, scenario=scenario)
    api = agentmessage(Target.wsgi(FakerouteApp(world)))
    assert not may_send(api)
    receive_message(world, to=SUPPORT_NUMBER, from_=MOBILE, body="unstop")
    assert may_send(api)
