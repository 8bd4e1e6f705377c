"""POST /_fakeroute/delivery-rules over real HTTP: a served fake's messages to matching numbers end as told, for
each provider that sends messages; a bad rule is a 400 (404 for an unknown account) naming what is wrong and
adds nothing; a tenant's credentials may not add one; a reset forgets the rules."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from fakeroute.app import FakerouteApp
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.support.agentmessage import MOBILE as AM_MOBILE
from tests.support.agentmessage import agentmessage, consent, send
from tests.support.flowroute import FLOWROUTE_AUTH, MOBILE, sms
from tests.support.harness import Target

RULES = "/_fakeroute/delivery-rules"


@pytest.fixture
def served() -> Iterator[tuple[str, World]]:
    world = World(seed=0)
    with FakerouteServer(FakerouteApp(world)) as server:
        yield server.url, world


def advance(url: str, seconds: int) -> None:
    assert requests.post(f"{url}/_fakeroute/clock", json={"advance": seconds}, timeout=10).status_code == 200


def state(url: str) -> bytes:
    return requests.get(f"{url}/_fakeroute/state", timeout=10).content


def flowroute_rules(url: str) -> list[dict[str, str]]:
    (default,) = [a for a in json.loads(state(url))["accounts"] if a["id"] == "default"]
    return default["flowroute"].get("delivery_rules", [])


def test_a_flowroute_rule_makes_matching_messages_rejected_and_leaves_the_others(served):
    url, _ = served
    added = requests.post(f"{url}{RULES}", json={"provider": "flowroute", "to": "+1206555123?",
                                                 "outcome": "rejected"}, timeout=10)
    assert added.status_code == 201, added.text
    assert added.json() == {"provider": "flowroute", "account": "default", "to": "1206555123?", "outcome": "rejected"}
    sent = {}
    for to in (MOBILE, "12065559876"):
        answer = requests.post(f"{url}/v2.1/messages", json=sms(to=to), headers=FLOWROUTE_AUTH, timeout=10)
        assert answer.status_code == 202, answer.text
        sent[to] = answer.json()["data"]["id"]
    advance(url, 60)
    final = {to: requests.get(f"{url}/v2.1/messages/{mdr}", headers=FLOWROUTE_AUTH, timeout=10).json()[
        "data"]["attributes"]["status"] for to, mdr in sent.items()}
    assert final == {MOBILE: "rejected", "12065559876": "delivered"}
    assert flowroute_rules(url) == [{"to": "1206555123?", "outcome": "rejected"}]

    assert requests.post(f"{url}/_fakeroute/reset", timeout=10).status_code == 200
    assert flowroute_rules(url) == []  # the default scenario has none: the rule is gone


def test_an_agentmessage_rule_without_its_plus_still_matches_e164(served):
    url, world = served
    added = requests.post(f"{url}{RULES}", json={"provider": "agentmessage", "to": AM_MOBILE.lstrip("+"),
                                                 "outcome": "undelivered"}, timeout=10)
    assert added.status_code == 201, added.text
    assert added.json()["to"] == AM_MOBILE
    api = agentmessage(Target.http(url, world))
    assert consent(api).status_code in (200, 201)
    message = send(api).data
    advance(url, 12)  # messaging.DELIVERY's three steps at their longest
    assert api.get(f"/v1/messages/{message['id']}").data["status"] == "undelivered"


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"provider": "twilio", "to": "1206*", "outcome": "rejected"}, 400, "one of agentmessage, flowroute"),
    ({"to": "1206*", "outcome": "rejected"}, 400, "provider must be"),
    ({"provider": "flowroute", "to": "1206*", "outcome": "lost"}, 400, "outcome must be one of delivered"),
    ({"provider": "agentmessage", "to": "1206*", "outcome": "rejected"}, 400, "undelivered, failed, no_receipt"),
    ({"provider": "flowroute", "to": "", "outcome": "rejected"}, 400, "to must be"),
    ({"provider": "flowroute", "to": "1206-555", "outcome": "rejected"}, 400, "to must be"),
    ({"provider": "flowroute", "to": "1" * 21, "outcome": "rejected"}, 400, "1 to 20 characters"),
    ({"provider": "flowroute", "to": 1206, "outcome": "rejected"}, 400, "to must be"),
    ({"provider": "flowroute", "to": "1206*", "outcome": "rejected", "when": "now"}, 400, "unknown field 'when'"),
    ({"provider": "flowroute", "to": "1206*", "outcome": "rejected", "account": "nobody"}, 404, "no account"),
    ([1], 400, "body must be"),
])
def test_a_bad_rule_is_refused_naming_what_is_wrong_and_adds_nothing(served, body, status, words):
    url, _ = served
    before = state(url)
    answer = requests.post(f"{url}{RULES}", json=body, timeout=10)
    assert answer.status_code == status and words in answer.json()["error"], answer.text
    assert state(url) == before


def test_a_tenant_may_not_add_rules():
    with FakerouteServer(FakerouteApp(World(seed=0), admin_token="t0ken")) as server:
        answer = requests.post(f"{server.url}{RULES}", headers=FLOWROUTE_AUTH, timeout=10,
                               json={"provider": "flowroute", "to": "1206*", "outcome": "rejected"})
        assert answer.status_code == 403
        admin = {"Authorization": "Bearer t0ken"}
        assert requests.post(f"{server.url}{RULES}", headers=admin, timeout=10, json={
            "provider": "flowroute", "to": "1206*", "outcome": "rejected"}).status_code == 201
