"""Replies are byte-identical for the same seed and calls: a recorded sequence of calls against a golden file.

The sequence (every provider: reads, writes, errors, pagination; no message sends, whose pricing and encoding
change on purpose) runs in-process on a World of seed 0 with its fake clock, and every reply's status, headers
and body bytes must equal tests/data/replies_golden.json. Speed work must not move a byte. After a deliberate
behaviour change, re-record and review the diff:

    FAKEROUTE_RECORD_GOLDEN=1 PYTHONPATH=$PWD .venv/bin/python -m pytest tests/test_replies_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.world import World
from tests.flowroute.conformance_cases import e911
from tests.support.agentmessage import ACTIVE_CAMPAIGN, DEFAULT_KEY, READONLY_KEY, VERIFIED_BRAND
from tests.support.harness import basic, bearer
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, CONFIGURED_NUMBER, SIP_DOMAIN

GOLDEN = Path(__file__).parent / "data" / "replies_golden.json"
RECORD = os.environ.get("FAKEROUTE_RECORD_GOLDEN") == "1"

FLOWROUTE = ("api.flowroute.com", basic("fakeroute", "fakeroute-secret"))
TWILIO = ("routes.twilio.com", basic(ACCOUNT_SID, AUTH_TOKEN))
AM = ("api.agentmsg.io", bearer(DEFAULT_KEY))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ROUTE = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "golden.example.com",
                                                  "alias": "golden"}}}
BRAND = {"entity_type": "PRIVATE_PROFIT", "brand_relationship": "BASIC_ACCOUNT", "display_name": "Golden Care",
         "country": "US", "website": "https://golden.example", "email": "ops@golden.example"}
CAMPAIGN = {"brand_id": VERIFIED_BRAND, "usecase": "CUSTOMER_CARE", "description": "Support replies.",
            "message_flow": "Patients opt in on the booking form at https://golden.example/book",
            "sample1": "Golden: your appointment is confirmed. Reply STOP to opt out."}

# (provider (host, auth), method, path with query, extra headers, body: a dict sent as JSON, a str as is)
Step = tuple[tuple[str, dict[str, str]], str, str, dict[str, str], Any]
SEQUENCE: list[Step] = [
    # Flowroute numbers: search, pagination, detail, purchase, alias, routes, release, errors
    (FLOWROUTE, "GET", "/v2/numbers/available?starts_with=1206&limit=3", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/available?starts_with=1206&limit=3&offset=3", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/available?contains=42&limit=2", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/available/areacodes?limit=5", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/available/exchanges?limit=3&max_setup_cost=5", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/available?limit=abc", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers?limit=1", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers?limit=1&offset=1", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/12065550100", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers/19999999999", {}, None),
    (FLOWROUTE, "POST", "/v2/numbers/12065710004", {}, None),
    (FLOWROUTE, "POST", "/v2/numbers/12065710004", {}, None),
    (FLOWROUTE, "GET", "/v2/numbers?limit=10", {}, None),
    (FLOWROUTE, "DELETE", "/v2/numbers/12065710004", {}, None),
    (FLOWROUTE, "PATCH", "/v2/numbers/12065550100", {}, {"alias": "golden alias"}),
    (FLOWROUTE, "PATCH", "/v2/numbers/12065550100", {}, {"alias": 7}),
    (FLOWROUTE, "GET", "/v2/routes?limit=2", {}, None),
    (FLOWROUTE, "GET", "/v2/routes/edge_strategies", {}, None),
    (FLOWROUTE, "POST", "/v2/routes", {}, ROUTE),
    (FLOWROUTE, "POST", "/v2/routes", {}, {"data": {"type": "route", "attributes": {"route_type": "host"}}}),
    (FLOWROUTE, "POST", "/v2/routes", {}, "{not json"),
    (FLOWROUTE, "PATCH", "/v2/numbers/12065550100/relationships/primary_route", {},
     {"data": {"type": "route", "id": "98397"}}),
    (FLOWROUTE, "PATCH", "/v2/numbers/12065550100/relationships/failover_route", {},
     {"data": {"type": "route", "id": "424242"}}),
    (("api.flowroute.com", {}), "GET", "/v2/numbers", {}, None),
    (("api.flowroute.com", basic("fakeroute", "wrong")), "GET", "/v2/routes", {}, None),
    (FLOWROUTE, "DELETE", "/v2/routes", {}, None),
    (FLOWROUTE, "GET", "/v2/nothing/here", {}, None),
    # E911 and CNAM
    (FLOWROUTE, "GET", "/v2/e911s?limit=2", {}, None),
    (FLOWROUTE, "POST", "/v2/e911s/validate", {}, e911()),
    (FLOWROUTE, "POST", "/v2/e911s", {}, e911()),
    (FLOWROUTE, "POST", "/v2/e911s", {}, e911(zip="nope")),
    (FLOWROUTE, "GET", "/v2/e911s/424242", {}, None),
    (FLOWROUTE, "GET", "/v2/cnams?limit=2", {}, None),
    (FLOWROUTE, "POST", "/v2/cnams", {}, {"value": "Golden Co"}),
    (FLOWROUTE, "POST", "/v2/cnams", {}, {"value": ""}),
    (FLOWROUTE, "GET", "/v2/cnams/424242", {}, None),
    # Twilio Routes v2: fetch, form updates, errors
    (TWILIO, "GET", f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", {}, None),
    (TWILIO, "POST", f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", FORM, "FriendlyName=Golden+Num&VoiceRegion=ie1"),
    (TWILIO, "POST", f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", FORM, "VoiceRegion=mars1"),
    (TWILIO, "GET", "/v2/PhoneNumbers/+15550000000", {}, None),
    (TWILIO, "GET", f"/v2/SipDomains/{SIP_DOMAIN}", {}, None),
    (TWILIO, "POST", f"/v2/SipDomains/{SIP_DOMAIN}", FORM, "FriendlyName=Golden+Domain"),
    (TWILIO, "GET", "/v2/Trunks/golden.pstn.twilio.com", {}, None),
    (("routes.twilio.com", basic(ACCOUNT_SID, "wrong")), "GET", f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", {}, None),
    # AgentMessage: numbers, brands, campaigns, api keys
    (AM, "POST", "/v1/phone-numbers/search", {}, {"area_code": "206", "limit": 2}),
    (AM, "GET", "/v1/phone-numbers?limit=2", {}, None),
    (AM, "POST", "/v1/phone-numbers/search", {}, {"area_code": "20", "limit": 2}),
    (AM, "GET", "/v1/phone-numbers/00000000-0000-4000-8000-000000000000", {}, None),
    (AM, "GET", "/v1/brands", {}, None),
    (AM, "POST", "/v1/brands", {}, BRAND),
    (AM, "POST", "/v1/brands", {}, {**BRAND, "entity_type": "ROBOT"}),
    (AM, "GET", f"/v1/brands/{VERIFIED_BRAND}", {}, None),
    (AM, "GET", "/v1/campaigns?limit=2", {}, None),
    (AM, "GET", f"/v1/campaigns/{ACTIVE_CAMPAIGN}", {}, None),
    (AM, "POST", "/v1/campaigns", {}, CAMPAIGN),
    (AM, "GET", "/v1/api-keys", {}, None),
    (AM, "POST", "/v1/api-keys", {}, {"label": "golden", "scopes": ["numbers:read"]}),
    (("api.agentmsg.io", bearer(READONLY_KEY)), "POST", "/v1/brands", {}, BRAND),
    (("api.agentmsg.io", bearer("am_test_nobody")), "GET", "/v1/brands", {}, None),
    # Last, as it books timed work: a body's NaN (json.loads reads it) echoed back as json writes it.
    (FLOWROUTE, "POST", "/v2/cdrs/exports", {}, '{"data": {"type": "cdrexport", "attributes": {"filter_parameters": '
     '{"start_call_start_time": "2025-12-01", "start_call_end_time": "2025-12-02", "duration_greater_than": NaN}}}}'),
]


def _play(client: Client, world: World, step: Step) -> dict[str, Any]:
    (host, auth), method, path, headers, body = step
    data = json.dumps(body) if isinstance(body, dict) else body
    sent = {**auth, **({"Content-Type": "application/json"} if isinstance(body, dict) else {}), **headers}
    response = client.open(path, method=method, base_url=f"https://{host}", headers=sent, data=data)
    world.clock.advance(1)  # each call at its own fake time: timestamps in replies move, deterministically
    return {
        "call": f"{method} https://{host}{path}",
        "status": response.status_code,
        "headers": [[name, value] for name, value in response.headers.items()],
        "body": response.get_data().decode("utf-8"),
    }


def _replies() -> list[dict[str, Any]]:
    world = World(seed=0)
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    return [_play(client, world, step) for step in SEQUENCE]


def test_every_reply_of_the_recorded_sequence_is_byte_identical() -> None:
    replies = _replies()
    if RECORD:
        GOLDEN.write_text(json.dumps(replies, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"recorded {len(replies)} replies to {GOLDEN.name}")
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [r["call"] for r in replies] == [r["call"] for r in recorded], "the sequence changed: re-record it"
    for got, want in zip(replies, recorded, strict=True):
        assert got == want, got["call"]


def test_the_sequence_covers_successes_and_errors_of_every_provider() -> None:
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for host in ("api.flowroute.com", "routes.twilio.com", "api.agentmsg.io"):
        statuses = {r["status"] for r in recorded if f"//{host}/" in r["call"]}
        assert any(s < 300 for s in statuses) and any(s >= 400 for s in statuses), (host, statuses)
    assert len({r["status"] for r in recorded}) >= 6
