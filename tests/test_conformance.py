"""The response schemas, used three times: every operation has one, each is a sound schema, and every answer
the fake gives (successes of every operation, errors of every kind) conforms to them (fakeroute.conformance)."""

from __future__ import annotations

import doctest
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.test import Client

import fakeroute.conformance
from fakeroute.app import FakerouteApp
from fakeroute.conformance import (
    ERROR_SCHEMA,
    is_bodiless,
    response_schema_name,
    response_violations,
)
from fakeroute.providers import PROVIDERS
from fakeroute.providers.base import Provider
from fakeroute.validation import SchemaStore
from fakeroute.world import World
from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    ADMIN_KEY,
    AGREEMENT,
    OTHER_CAMPAIGN,
    PENDING_CAMPAIGN,
    PLAIN_ID,
    READONLY_KEY,
    REJECTED_CAMPAIGN,
    SUPPORT_ID,
    SUPPORT_NUMBER,
    UNKNOWN_ID,
    UNVERIFIED_BRAND,
    VERIFIED_BRAND,
    VETTED_CAMPAIGN,
)
from tests.support.agentmessage import MOBILE as AM_MOBILE
from tests.support.harness import basic

BY_NAME = {p.name: p for p in PROVIDERS}
HOSTS = {"flowroute": "https://api.flowroute.com", "twilio": "https://routes.twilio.com",
         "agentmessage": "https://api.agentmsg.io"}
CREDENTIALS = {
    "flowroute": basic("fakeroute", "fakeroute-secret"),
    "twilio": basic("ACfa4e7000000000000000000000000001", "fakeroute-auth-token"),
    "agentmessage": {"Authorization": "Bearer am_test_fakeroute_default"},
}
SHARED_FILES = {"response_common", ERROR_SCHEMA}  # response files that belong to no single operation
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BODY_LIMIT = 1 << 20  # bodies over 1 MiB get a 413 (docs/*.md)

# The default scenario's resources (fakeroute/fixtures/default.json) not named in tests/support/agentmessage.py.
FR_NUMBER, FR_PLAIN, FR_OTHERS = "12065550100", "16465550123", "13125550199"  # Flowroute: default's two, other's
FR_OUTBOUND_MDR = "mdr2-39cadeace66e11e7aff806cd7f24ba2d"
FR_INBOUND_MDR = "mdr2-ca82be46e6ba11e79d08862d092cf73d"
MOBILE = "12065551234"  # a valid number nobody owns
TW_NUMBER, TW_UNCONFIGURED = "+12065550100", "+16465550123"
TW_SIP_DOMAIN, TW_TRUNK = "fakeroute.sip.twilio.com", "fakeroute.pstn.twilio.com"


def test_provider_hosts_and_credentials_cover_every_provider():
    assert set(HOSTS) == set(CREDENTIALS) == set(BY_NAME)


# -- calling the fake ------------------------------------------------------------------------------


class UnexpectedAnswer(Exception):
    """A step before the answer under test went wrong: never an AssertionError, so no xfail hides it."""


@dataclass
class Exchange:
    provider: Provider
    operation: str | None  # the routed operation, found from the provider's own rules
    method: str
    path: str
    status: int
    body: bytes
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    def violations(self) -> list[str]:
        return response_violations(self.provider, self.operation, self.status, self.body, self.content_type)

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.operation}) -> {self.status} {self.body[:400]!r}"


def _operation_map(provider: Provider) -> Map:
    """The provider's operations as werkzeug rules built from ``Operation.path``/``method`` alone."""
    rules = [Rule(op.path, methods=[op.method], endpoint=op.name) for op in provider.operations]
    return Map(rules, strict_slashes=False, merge_slashes=False)


class Caller:
    """Requests to one provider on its real host as the default account, in a fresh World(seed=0)."""

    def __init__(self, provider_name: str):
        self.world = World(seed=0)
        self.client = Client(FakerouteApp(self.world))
        self.provider = BY_NAME[provider_name]
        self.headers = CREDENTIALS[provider_name]
        self._routes = _operation_map(self.provider).bind(urlsplit(HOSTS[provider_name]).netloc)

    def operation(self, method: str, path: str) -> str | None:
        try:
            name, _ = self._routes.match(path, method)
        except (NotFound, MethodNotAllowed):
            return None
        return name

    def __call__(self, method: str, path: str, expect: int, *, auth: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None, **kwargs: Any) -> Exchange:
        """The answer, which must have status ``expect`` (else UnexpectedAnswer)."""
        response = self.client.open(path, method=method, base_url=HOSTS[self.provider.name],
                                    headers={**(self.headers if auth is None else auth), **(headers or {})},
                                    **kwargs)
        exchange = Exchange(self.provider, self.operation(method, path), method, path, response.status_code,
                            response.get_data(), response.content_type, dict(response.headers))
        if exchange.status != expect:
            raise UnexpectedAnswer(f"expected {expect}: {exchange}")
        return exchange

    def setup(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        """A step preparing the one under test: its answer must conform too. Returns its JSON, if any."""
        exchange = self(method, path, expect, **kwargs)
        problems = exchange.violations()
        if problems:
            raise UnexpectedAnswer(f"{exchange}: {problems}")
        return exchange.json() if exchange.body else None


# -- every operation's success ---------------------------------------------------------------------

Case = Callable[[Caller], list[Exchange]]
SUCCESSES: dict[tuple[str, str], Case] = {}


def success(provider: str, operation: str) -> Callable[[Case], Case]:
    def register(case: Case) -> Case:
        SUCCESSES[provider, operation] = case
        return case
    return register


OPERATIONS = [(p.name, op.name) for p in PROVIDERS for op in p.operations]


@pytest.mark.parametrize(("provider", "operation"), OPERATIONS, ids=[f"{p}/{o}" for p, o in OPERATIONS])
def test_the_success_answers_of_every_operation_conform(provider, operation):
    case = SUCCESSES.get((provider, operation))
    assert case is not None, f"no success case for {provider} {operation}: add one with @success"
    exchanges = case(Caller(provider))
    assert exchanges
    for exchange in exchanges:
        assert exchange.operation == operation, exchange
        assert 200 <= exchange.status < 300, exchange
        assert exchange.violations() == [], str(exchange)


def test_every_success_case_is_an_operation_of_its_provider():
    assert set(SUCCESSES) <= set(OPERATIONS)


# Flowroute ----------------------------------------------------------------------------------------

def _sms(**extra: Any) -> dict[str, Any]:
    attributes = {"to": MOBILE, "from": FR_NUMBER, "body": "Hello there", **extra}
    return {"data": {"type": "message", "attributes": attributes}}


def _available(call: Caller, starts_with: str) -> str:
    found = call.setup("GET", "/v2/numbers/available", 200, query_string={"starts_with": starts_with, "limit": 1})
    return found["data"][0]["id"]


@success("flowroute", "search_available_numbers")
def _(call: Caller) -> list[Exchange]:
    path = "/v2/numbers/available"
    return [
        call("GET", path, 200, query_string={"starts_with": "1206", "limit": 2}),  # with links.next
        call("GET", path, 200, query_string={"starts_with": "1888", "limit": 3}),  # toll-free: no state
        call("GET", path, 200, query_string={"rate_center": "seattle", "state": "WA", "limit": 1}),
        call("GET", path, 200, query_string={"starts_with": "19995"}),  # nothing found
    ]


@success("flowroute", "list_available_area_codes")
def _(call: Caller) -> list[Exchange]:
    path = "/v2/numbers/available/areacodes"
    return [call("GET", path, 200, query_string={"limit": 3}),
            call("GET", path, 200, query_string={"limit": 400, "max_setup_cost": 3.25})]


@success("flowroute", "list_available_exchange_codes")
def _(call: Caller) -> list[Exchange]:
    path = "/v2/numbers/available/exchanges"
    return [call("GET", path, 200, query_string={"areacode": "206", "limit": 2}),
            call("GET", path, 200, query_string={"limit": 1, "offset": 5})]


@success("flowroute", "list_account_phone_numbers")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", "/v2/numbers", 200), call("GET", "/v2/numbers", 200, query_string={"limit": 1}),
            call("GET", "/v2/numbers", 200, query_string={"starts_with": "1206", "contains": "555"})]


@success("flowroute", "list_phone_number_details")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", f"/v2/numbers/{FR_NUMBER}", 200),  # primary and failover routes, both included
            call("GET", f"/v2/numbers/{FR_PLAIN}", 200)]  # route "0" only, no failover


@success("flowroute", "purchase_a_phone_number")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", f"/v2/numbers/{_available(call, '1206')}", 201),
            call("POST", f"/v2/numbers/{_available(call, '1888')}", 201)]  # toll-free


@success("flowroute", "release_a_did")
def _(call: Caller) -> list[Exchange]:
    return [call("DELETE", f"/v2/numbers/{FR_PLAIN}", 204)]


@success("flowroute", "set_did_alias")
def _(call: Caller) -> list[Exchange]:
    path = f"/v2/numbers/{FR_PLAIN}"
    return [call("PATCH", path, 200, data=json.dumps({"type": "number", "alias": "New Test"})),  # the SDK's form
            call("PATCH", path, 200, json={"data": {"type": "number", "attributes": {"alias": None}}})]


@success("flowroute", "update_primary_voice_route")
def _(call: Caller) -> list[Exchange]:
    body = json.dumps({"data": {"type": "route", "id": "98398"}})  # no Content-Type, as the SDK sends it
    return [call("PATCH", f"/v2/numbers/{FR_PLAIN}/relationships/primary_route", 204, data=body)]


@success("flowroute", "update_failover_voice_route")
def _(call: Caller) -> list[Exchange]:
    body = {"data": {"type": "route", "id": "0"}}
    return [call("PATCH", f"/v2/numbers/{FR_PLAIN}/relationships/failover_route", 204, json=body)]


@success("flowroute", "list_inbound_routes")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", "/v2/routes", 200), call("GET", "/v2/routes", 200, query_string={"limit": 2}),
            call("GET", "/v2/routes", 200, query_string={"route_type": "sip-reg"})]


@success("flowroute", "create_an_inbound_route")
def _(call: Caller) -> list[Exchange]:
    def route(route_type: str, value: str | None, alias: str) -> dict[str, Any]:
        return {"data": {"type": "route", "attributes": {"route_type": route_type, "value": value, "alias": alias,
                                                         "edge_strategy": "1"}}}
    return [call("POST", "/v2/routes", 201, json=route("host", "www.getouttahere.com", "new_route_1")),
            call("POST", "/v2/routes", 201, json=route("sip-reg", None, "registered"))]


@success("flowroute", "set_did_level_dlr_callback")
def _(call: Caller) -> list[Exchange]:
    body = {"data": {"attributes": {"callback_url": "https://customer.example/dlr"}}}
    return [call("POST", f"/v2/numbers/{FR_NUMBER}/relationships/dlr_callback", 204, json=body)]


@success("flowroute", "send_a_message")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v2.1/messages", 202, json=_sms(is_mms="false")),
            call("POST", "/v2.1/messages", 202, json=_sms(media_urls=["https://customer.example/a.png"],
                                                          dlr_callback="https://customer.example/dlr"))]


@success("flowroute", "look_up_a_set_of_messages")
def _(call: Caller) -> list[Exchange]:
    call.setup("POST", "/v2.1/messages", 202, json=_sms(body="Grüße 👋"))  # UCS-2
    call.setup("POST", "/v2.1/messages", 202, json=_sms(body="", media_urls=["https://customer.example/a.png"]))
    call.world.clock.advance(60)  # every receipt shows
    path = "/v2.1/messages"
    return [call("GET", path, 200, query_string={"start_date": "2025-12-01"}),  # history and new, MMS included
            call("GET", path, 200, query_string={"start_date": "2025-12-01", "limit": 1}),  # with links.next
            call("GET", path, 200, query_string={"start_date": "2030-01-01T00:00:00Z"})]  # nothing: links {}


@success("flowroute", "look_up_a_message_detail_record")
def _(call: Caller) -> list[Exchange]:
    sent = call.setup("POST", "/v2.1/messages", 202, json=_sms(is_mms="true"))["data"]["id"]  # text-only MMS
    return [call("GET", f"/v2.1/messages/{FR_OUTBOUND_MDR}", 200), call("GET", f"/v2.1/messages/{FR_INBOUND_MDR}", 200),
            call("GET", f"/v2.1/messages/{sent}", 200)]


@success("flowroute", "set_account_level_callback")
def _(call: Caller) -> list[Exchange]:
    def body(url: str | None) -> dict[str, Any]:
        return {"data": {"attributes": {"callback_url": url}}}
    return [call("PUT", "/v2.1/messages/sms_callback", 204, json=body("https://customer.example/sms")),
            call("PUT", "/v2.1/messages/dlr_callback", 204, json=body(None))]


# AgentMessage -------------------------------------------------------------------------------------

def _numbers(call: Caller, **criteria: Any) -> list[str]:
    found = call.setup("POST", "/v1/phone-numbers/search", 200, json=criteria)
    return [item["number"] for item in found["data"]]


@success("agentmessage", "search_phone_numbers")
def _(call: Caller) -> list[Exchange]:
    path = "/v1/phone-numbers/search"
    return [call("POST", path, 200, json={}), call("POST", path, 200, json={"area_code": "415", "quantity": 2}),
            call("POST", path, 200, json={"number_type": "toll_free", "pattern": "888", "quantity": 1}),
            call("POST", path, 200, json={"number_type": "short_code"})]  # data []


@success("agentmessage", "order_phone_numbers")
def _(call: Caller) -> list[Exchange]:
    routed = {"inbound_url": "https://customer.example/in", "status_url": "https://customer.example/status",
              "label": "sales", "campaign_id": ACTIVE_CAMPAIGN}
    return [call("POST", "/v1/phone-numbers/orders", 200,
                 json={"numbers": _numbers(call, area_code="415", quantity=2), **routed}),
            call("POST", "/v1/phone-numbers/orders", 200, json={"numbers": _numbers(call, quantity=1)})]


@success("agentmessage", "list_phone_numbers")
def _(call: Caller) -> list[Exchange]:
    path = "/v1/phone-numbers"
    first = call("GET", path, 200, query_string={"limit": 1})  # meta.next_cursor set
    cursor = first.json()["meta"]["next_cursor"]
    return [call("GET", path, 200), first, call("GET", path, 200, query_string={"limit": 5, "cursor": cursor}),
            call("GET", path, 200, query_string={"number_type": "toll_free", "search": "toll"})]


@success("agentmessage", "bulk_order_phone_numbers")
def _(call: Caller) -> list[Exchange]:
    path = "/v1/phone-numbers/bulk"
    key = {"Idempotency-Key": "order-1"}
    body = {"quantity": 2, "area_code": "415", "label": "bulk"}
    filled = call("POST", path, 200, json=body, headers=key)
    return [filled, call("POST", path, 200, json=body, headers=key),  # a replay
            call("POST", path, 202, json={"quantity": 3, "area_code": "999", "mode": "atomic"})]  # to poll


@success("agentmessage", "bulk_release_phone_numbers")
def _(call: Caller) -> list[Exchange]:
    path = "/v1/phone-numbers/bulk/release"
    call.setup("DELETE", f"/v1/phone-numbers/{PLAIN_ID}", 200)
    return [call("POST", path, 200, json={"ids": [SUPPORT_ID.upper(), PLAIN_ID, UNKNOWN_ID, SUPPORT_ID]}),
            call("POST", path, 200, json={"ids": [UNKNOWN_ID]})]  # two empty buckets


@success("agentmessage", "get_bulk_order")
def _(call: Caller) -> list[Exchange]:
    never = call.setup("POST", "/v1/phone-numbers/bulk", 202, json={"quantity": 2, "area_code": "999"})
    relaxed = call.setup("POST", "/v1/phone-numbers/bulk", 202,
                         json={"quantity": 1, "area_code": "415", "pattern": "+14159999999"})
    pending = call("GET", f"/v1/phone-numbers/bulk/{never['data']['order_id']}", 200)
    call.world.clock.advance(15 * 60 + 1)
    return [pending, call("GET", f"/v1/phone-numbers/bulk/{never['data']['order_id']}", 200),  # failed
            call("GET", f"/v1/phone-numbers/bulk/{relaxed['data']['order_id']}", 200)]  # complete


@success("agentmessage", "get_phone_number")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", f"/v1/phone-numbers/{SUPPORT_ID}", 200), call("GET", f"/v1/phone-numbers/{PLAIN_ID}", 200)]


@success("agentmessage", "update_phone_number")
def _(call: Caller) -> list[Exchange]:
    path = f"/v1/phone-numbers/{PLAIN_ID}"
    return [call("PATCH", path, 200, json={"campaign_id": VETTED_CAMPAIGN, "label": "new"}),  # carrier: pending
            call("PATCH", path, 200, json={"inbound_url": "https://customer.example/v2/inbound"}),
            call("PATCH", f"/v1/phone-numbers/{SUPPORT_ID}", 200, json={"inbound_url": "", "label": ""}),
            call("PATCH", path, 200, json={})]


@success("agentmessage", "release_phone_number")
def _(call: Caller) -> list[Exchange]:
    admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
    return [call("DELETE", f"/v1/phone-numbers/{PLAIN_ID}", 200),
            call("DELETE", f"/v1/phone-numbers/{SUPPORT_ID}", 200, auth=admin,
                 query_string={"return_to_carrier": "true"})]


@success("agentmessage", "list_campaigns")
def _(call: Caller) -> list[Exchange]:
    path = "/v1/campaigns"
    return [call("GET", path, 200), call("GET", path, 200, query_string={"limit": 1}),  # X-Next-Cursor
            call("GET", path, 200, query_string={"status": "REJECTED", "brand_id": VERIFIED_BRAND})]


@success("agentmessage", "get_campaign")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", f"/v1/campaigns/{campaign}", 200)
            for campaign in (ACTIVE_CAMPAIGN, REJECTED_CAMPAIGN, PENDING_CAMPAIGN)]


@success("agentmessage", "list_brands")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", "/v1/brands", 200), call("GET", "/v1/brands", 200, query_string={"limit": 1}),
            call("GET", "/v1/brands", 200, query_string={"identity_status": "VERIFIED", "status": "ACTIVE"})]


@success("agentmessage", "get_brand")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", f"/v1/brands/{VERIFIED_BRAND}", 200), call("GET", f"/v1/brands/{UNVERIFIED_BRAND}", 200)]


def _am_consent(call: Caller, contact: str = AM_MOBILE) -> Any:
    return call.setup("POST", "/v1/consent", 201, json={
        "phone_number_id": SUPPORT_ID, "contact_number": contact, "opted_in": True,
        "evidence": {"captured_at": "2025-12-31T12:00:00Z", "agreement_text": AGREEMENT}})


def _am_sent(call: Caller, **fields: Any) -> Any:
    return call.setup("POST", "/v1/messages", 202,
                      json={"from": SUPPORT_NUMBER, "to": AM_MOBILE, "text": "hi", **fields})


_AM_BRAND = {"entity_type": "PRIVATE_PROFIT", "brand_relationship": "BASIC_ACCOUNT", "display_name": "Acme Care",
             "country": "US", "website": "https://acme.example", "email": "ops@acme.example"}
_AM_CAMPAIGN = {"brand_id": VERIFIED_BRAND, "usecase": "CUSTOMER_CARE", "description": "Support replies.",
                "message_flow": "Patients opt in on the booking form at https://acme-health.example/book",
                "sample1": "Acme Health: your appointment is confirmed. Reply STOP to opt out."}


@success("agentmessage", "send_message")
def _(call: Caller) -> list[Exchange]:
    _am_consent(call)
    sms = call("POST", "/v1/messages", 202, json={"from": SUPPORT_NUMBER, "to": AM_MOBILE, "text": "hi", "tag": "t-1"})
    call.world.clock.advance(1)
    mms = call("POST", "/v1/messages", 202, json={"from": SUPPORT_NUMBER, "to": AM_MOBILE, "priority": "high",
                                                  "media_urls": ["https://cdn.example/cat.png"]})
    return [sms, mms]


@success("agentmessage", "list_messages")
def _(call: Caller) -> list[Exchange]:
    _am_consent(call)
    _am_sent(call)
    call.world.clock.advance(2)
    _am_sent(call, media_urls=["https://cdn.example/a.png"])
    call.world.clock.advance(10)
    return [call("GET", "/v1/messages", 200), call("GET", "/v1/messages", 200, query_string={"limit": 1}),
            call("GET", "/v1/messages", 200, query_string={"status": "delivered", "to": AM_MOBILE})]


@success("agentmessage", "get_message")
def _(call: Caller) -> list[Exchange]:
    _am_consent(call)
    sent = _am_sent(call)["data"]["id"]
    exchanges = [call("GET", f"/v1/messages/{sent}", 200)]  # queued
    for seconds in (1, 1, 3):  # sending, sent, delivered
        call.world.clock.advance(seconds)
        exchanges.append(call("GET", f"/v1/messages/{sent}", 200))
    return exchanges


def _am_inbound(call: Caller, **message: Any) -> Any:
    response = call.client.post("/_fakeroute/inbound", json={"provider": "agentmessage", "to": SUPPORT_NUMBER,
                                                              "from": AM_MOBILE, **message})
    if response.status_code != 201:
        raise UnexpectedAnswer(f"inbound: {response.status_code} {response.get_data()!r}")
    return response.json["message"]


@success("agentmessage", "list_inbound_messages")
def _(call: Caller) -> list[Exchange]:
    _am_inbound(call, body="hello")
    _am_inbound(call, body="STOP")
    _am_inbound(call, media_urls=["https://cdn.example/photo.jpg"])
    path = "/v1/inbound-messages"
    return [call("GET", path, 200), call("GET", path, 200, query_string={"limit": 1}),
            call("GET", path, 200, query_string={"opt_out": "true", "phone_number_id": SUPPORT_ID})]


@success("agentmessage", "get_inbound_message")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", f"/v1/inbound-messages/{_am_inbound(call, body=body)['id']}", 200) for body in ("hi", "stop")]


@success("agentmessage", "create_brand")
def _(call: Caller) -> list[Exchange]:
    fresh = call.world.create_account("fresh")
    (key,) = fresh.state("agentmessage").api_keys
    return [call("POST", "/v1/brands", 202, json=_AM_BRAND, auth={"Authorization": f"Bearer {key}"})]


@success("agentmessage", "create_campaign")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v1/campaigns", 202, json=_AM_CAMPAIGN),
            call("POST", "/v1/campaigns", 202, json={**_AM_CAMPAIGN, "sample2": "Reply HELP for help.",
                                                     "subscriber_optout": True, "optout_keywords": "STOP,END"})]


@success("agentmessage", "review_campaign_draft")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v1/campaigns/review", 200, json=_AM_CAMPAIGN),
            call("POST", "/v1/campaigns/review", 200, json={"sample1": "See www.acme.example"})]


@success("agentmessage", "create_api_key")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v1/api-keys", 201, json={"label": "reports", "scopes": ["messages:read"]})]


@success("agentmessage", "list_api_keys")
def _(call: Caller) -> list[Exchange]:
    made = call.setup("POST", "/v1/api-keys", 201, json={"label": "gone", "scopes": ["messages:read"]})
    call.setup("DELETE", f"/v1/api-keys/{made['data']['id']}", 200)
    return [call("GET", "/v1/api-keys", 200), call("GET", "/v1/api-keys", 200, query_string={"limit": 1}),
            call("GET", "/v1/api-keys", 200, query_string={"include_revoked": "false"})]


@success("agentmessage", "revoke_api_key")
def _(call: Caller) -> list[Exchange]:
    made = call.setup("POST", "/v1/api-keys", 201, json={"label": "gone", "scopes": ["messages:read"]})
    return [call("DELETE", f"/v1/api-keys/{made['data']['id']}", 200)] * 2


@success("agentmessage", "rotate_api_key")
def _(call: Caller) -> list[Exchange]:
    made = call.setup("POST", "/v1/api-keys", 201, json={"label": "old", "scopes": ["messages:read"]})
    return [call("POST", f"/v1/api-keys/{made['data']['id']}/rotate", 200)]


def _am_endpoint(call: Caller, *events: str) -> Any:
    return call.setup("POST", "/v1/webhooks", 201, json={"url": "https://hooks.example/am",
                                                          "events": list(events or ["api_key.created"])})["data"]


@success("agentmessage", "create_webhook_endpoint")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v1/webhooks", 201, json={"url": "https://hooks.example/am", "events": ["campaign.approved"],
                                                     "description": "10DLC", "api_version": "2026-04-01"}),
            call("POST", "/v1/webhooks", 201, json={"url": "http://127.0.0.1:9/hooks", "events": ["brand.vetted"]})]


@success("agentmessage", "list_webhook_endpoints")
def _(call: Caller) -> list[Exchange]:
    _am_endpoint(call)
    _am_endpoint(call, "brand.vetted")
    return [call("GET", "/v1/webhooks", 200), call("GET", "/v1/webhooks", 200, query_string={"limit": 1})]


@success("agentmessage", "delete_webhook_endpoint")
def _(call: Caller) -> list[Exchange]:
    return [call("DELETE", f"/v1/webhooks/{_am_endpoint(call)['id']}", 200)]


@success("agentmessage", "list_webhook_deliveries")
def _(call: Caller) -> list[Exchange]:
    endpoint = _am_endpoint(call)
    for label in ("a", "b"):
        call.setup("POST", "/v1/api-keys", 201, json={"label": label, "scopes": ["messages:read"]})
    path = "/v1/webhooks/deliveries"
    return [call("GET", path, 200), call("GET", path, 200, query_string={"limit": 1}),
            call("GET", path, 200, query_string={"endpoint_id": endpoint["id"], "event_type": "api_key.created",
                                                  "since": "2025-01-01T00:00:00Z"})]


@success("agentmessage", "replay_webhook_delivery")
def _(call: Caller) -> list[Exchange]:
    _am_endpoint(call)
    call.setup("POST", "/v1/api-keys", 201, json={"label": "a", "scopes": ["messages:read"]})
    (delivery,) = call.setup("GET", "/v1/webhooks/deliveries", 200)["data"]
    path = f"/v1/webhooks/deliveries/{delivery['id']}/replay"
    return [call("POST", path, 202), call("POST", path, 202, json={"reason": "receiver was down"})]


@success("agentmessage", "capture_attested_consent")
def _(call: Caller) -> list[Exchange]:
    body = {"phone_number_id": SUPPORT_ID, "contact_number": AM_MOBILE, "opted_in": True,
            "evidence": {"captured_at": "2025-12-31T12:00:00Z", "agreement_text": AGREEMENT, "method": "web_form"}}
    return [call("POST", "/v1/consent", 201, json=body, headers={"Idempotency-Key": "consent-1"}),
            call("POST", "/v1/consent", 201, json=body, headers={"Idempotency-Key": "consent-1"}),  # a replay
            call("POST", "/v1/consent", 200, json=body)]  # already opted in


@success("agentmessage", "initiate_double_opt_in")
def _(call: Caller) -> list[Exchange]:
    body = {"phone_number_id": SUPPORT_ID, "contact_number": AM_MOBILE, "agreement_text": AGREEMENT,
            "confirmation_text": "Reply YES to get appointment texts from Acme Health."}
    first = call("POST", "/v1/consent/double-opt-in", 202, json=body)
    reused = call("POST", "/v1/consent/double-opt-in", 200, json=body)
    _am_consent(call, "+12065551299")
    already = call("POST", "/v1/consent/double-opt-in", 200, json={**body, "contact_number": "+12065551299"})
    return [first, reused, already]


@success("agentmessage", "mint_hosted_consent_token")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v1/consent/hosted", 201, json={"phone_number_id": SUPPORT_ID, "contact_number": AM_MOBILE,
                                                           "agreement_text": AGREEMENT})]


# Twilio -------------------------------------------------------------------------------------------

def _twilio_fetch(resource: str, *keys: str) -> Case:
    def case(call: Caller) -> list[Exchange]:
        return [call("GET", f"/v2/{resource}/{key}", 200) for key in keys]
    return case


def _twilio_update(resource: str, key: str) -> Case:
    def case(call: Caller) -> list[Exchange]:
        path = f"/v2/{resource}/{key}"
        return [call("POST", path, 200, data="VoiceRegion=au1&FriendlyName=My+Num", headers=FORM),
                call("POST", path, 200, data="FriendlyName=", headers=FORM),
                call("POST", path, 200)]  # an empty POST changes nothing
    return case


for _resource, _kind, _keys in (("PhoneNumbers", "phone_number", (TW_NUMBER, TW_UNCONFIGURED)),
                                ("SipDomains", "sip_domain", (TW_SIP_DOMAIN, "FAKEROUTE-EU.sip.twilio.com")),
                                ("Trunks", "trunks", (TW_TRUNK, "fakeroute-au.pstn.twilio.com"))):
    success("twilio", f"fetch_{_kind}")(_twilio_fetch(_resource, *_keys))
    success("twilio", f"update_{_kind}")(_twilio_update(_resource, _keys[0]))


# -- error answers ---------------------------------------------------------------------------------

ErrorCase = Callable[[Caller], Exchange]

def _too_big(method: str, path: str, expect: int = 413) -> ErrorCase:
    return lambda call: call(method, path, expect, data=b"x" * (BODY_LIMIT + 1),
                             headers={"Content-Type": "application/json"})


def _fault(provider: str, method: str, path: str, status: int, **kwargs: Any) -> ErrorCase:
    def case(call: Caller) -> Exchange:
        call.world.faults.add(provider=provider, status=status, times=1)
        return call(method, path, status, **kwargs)
    return case


def _am_order_taken(call: Caller) -> Exchange:
    numbers = _numbers(call, quantity=2)
    call.setup("POST", "/v1/phone-numbers/orders", 200, json={"numbers": numbers[:1]})
    return call("POST", "/v1/phone-numbers/orders", 409, json={"numbers": numbers})


def _am_fresh(call: Caller, **org: Any) -> dict[str, str]:
    """The credentials of a new organization, its state (reseller, wallet_cents, plan...) set as given."""
    account = call.world.create_account("fresh")
    state = account.state("agentmessage")
    for name, value in org.items():
        setattr(state, name, value)
    (key,) = state.api_keys
    return {"Authorization": f"Bearer {key}"}


def _am_rate_limited(call: Caller) -> Exchange:
    _am_consent(call)
    _am_sent(call)
    return call("POST", "/v1/messages", 429, json={"from": SUPPORT_NUMBER, "to": AM_MOBILE, "text": "again"})


def _am_line_type_blocked(call: Caller) -> Exchange:
    from fakeroute.providers.agentmessage import record_lookup

    record_lookup(call.world, AM_MOBILE, "fixed")
    return call("POST", "/v1/messages", 422, json={"from": SUPPORT_NUMBER, "to": AM_MOBILE, "text": "hi"})


def _am_endpoints_full(call: Caller) -> Exchange:
    for _ in range(50):
        _am_endpoint(call)
    return call("POST", "/v1/webhooks", 409, json={"url": "https://hooks.example/am", "events": ["brand.vetted"]})


def _am_event_expired(call: Caller) -> Exchange:
    _am_endpoint(call)
    call.setup("POST", "/v1/api-keys", 201, json={"label": "a", "scopes": ["messages:read"]})
    (delivery,) = call.setup("GET", "/v1/webhooks/deliveries", 200)["data"]
    call.world.clock.advance(31 * 86400)
    return call("POST", f"/v1/webhooks/deliveries/{delivery['id']}/replay", 410)


def _am_second_brand(call: Caller) -> Exchange:
    auth = _am_fresh(call)
    call.setup("POST", "/v1/brands", 202, json=_AM_BRAND, auth=auth)
    return call("POST", "/v1/brands", 422, json=_AM_BRAND, auth=auth)


def _am_key_reused(call: Caller) -> Exchange:
    key = {"Idempotency-Key": "k-1"}
    call.setup("POST", "/v1/phone-numbers/bulk", 200, json={"quantity": 1}, headers=key)
    return call("POST", "/v1/phone-numbers/bulk", 422, json={"quantity": 2}, headers=key)


NO_AUTH: dict[str, str] = {}
ERRORS: list[tuple[Any, ...]] = [  # (provider, "status what", case[, marks])
    # Flowroute
    ("flowroute", "401 no credentials", lambda c: c("GET", "/v2/numbers", 401, auth=NO_AUTH)),
    ("flowroute", "401 wrong secret",
     lambda c: c("POST", "/v2.1/messages", 401, auth=basic("fakeroute", "nope"), json={})),
    ("flowroute", "404 unknown path", lambda c: c("GET", "/v2/nothing/here", 404)),
    ("flowroute", "405 unknown method", lambda c: c("PUT", "/v2/numbers", 405)),
    ("flowroute", "404 not on the account", lambda c: c("GET", f"/v2/numbers/{FR_OTHERS}", 404)),
    ("flowroute", "404 not for sale", lambda c: c("POST", f"/v2/numbers/{FR_NUMBER}", 404)),
    ("flowroute", "404 unknown route",
     lambda c: c("PATCH", f"/v2/numbers/{FR_PLAIN}/relationships/primary_route", 404,
                 json={"data": {"type": "route", "id": "12345"}})),
    ("flowroute", "404 unknown MDR", lambda c: c("GET", "/v2.1/messages/mdr2-" + "0" * 32, 404)),
    ("flowroute", "400 bad query", lambda c: c("GET", "/v2/numbers/available", 400, query_string={"limit": 0})),
    ("flowroute", "400 missing start_date", lambda c: c("GET", "/v2.1/messages", 400)),
    ("flowroute", "400 malformed JSON", lambda c: c("POST", "/v2/routes", 400, data=b"{not json")),
    ("flowroute", "422 bad route_type",
     lambda c: c("POST", "/v2/routes", 422,
                 json={"data": {"type": "route", "attributes": {"route_type": "fax", "value": "x", "alias": "a"}}})),
    ("flowroute", "422 duplicate alias",
     lambda c: c("POST", "/v2/routes", 422, json={"data": {"type": "route", "attributes": {
         "route_type": "host", "value": "example.com", "alias": "new_route_5000"}}})),
    ("flowroute", "422 SMS too long", lambda c: c("POST", "/v2.1/messages", 422, json=_sms(body="x" * 1601))),
    ("flowroute", "403 not your number", lambda c: c("POST", "/v2.1/messages", 403, json=_sms(**{"from": FR_OTHERS}))),
    ("flowroute", "413 body too large", _too_big("POST", "/v2/routes")),
    ("flowroute", "429 injected", _fault("flowroute", "GET", "/v2/numbers", 429)),
    ("flowroute", "500 injected", _fault("flowroute", "POST", "/v2.1/messages", 500, json=_sms())),
    ("flowroute", "503 injected on an unknown path", _fault("flowroute", "GET", "/v2/nothing", 503)),
    # AgentMessage
    ("agentmessage", "401 no key", lambda c: c("GET", "/v1/phone-numbers", 401, auth=NO_AUTH)),
    ("agentmessage", "401 unknown key",
     lambda c: c("GET", "/v1/brands", 401, auth={"Authorization": "Bearer am_test_nobody"})),
    ("agentmessage", "403 missing scope",
     lambda c: c("POST", "/v1/phone-numbers/search", 403, auth={"Authorization": f"Bearer {READONLY_KEY}"}, json={})),
    ("agentmessage", "403 return_to_carrier",
     lambda c: c("DELETE", f"/v1/phone-numbers/{PLAIN_ID}", 403, query_string={"return_to_carrier": "true"})),
    ("agentmessage", "404 unknown id", lambda c: c("GET", f"/v1/phone-numbers/{UNKNOWN_ID}", 404)),
    ("agentmessage", "404 unknown path", lambda c: c("GET", "/v1/nothing-here", 404)),
    ("agentmessage", "405 unknown method", lambda c: c("PUT", "/v1/brands", 405)),
    ("agentmessage", "400 unknown PATCH field",
     lambda c: c("PATCH", f"/v1/phone-numbers/{PLAIN_ID}", 400, json={"number": "+14155550000"})),
    ("agentmessage", "400 body not JSON", lambda c: c("POST", "/v1/phone-numbers/orders", 400, data=b"[1,")),
    ("agentmessage", "422 malformed uuid", lambda c: c("GET", "/v1/campaigns/not-a-uuid", 422)),
    ("agentmessage", "422 bad limit", lambda c: c("GET", "/v1/phone-numbers", 422, query_string={"limit": 0})),
    ("agentmessage", "422 several bad fields",
     lambda c: c("POST", "/v1/phone-numbers/search", 422, json={"area_code": "4", "quantity": 0})),
    ("agentmessage", "422 campaign not ACTIVE",
     lambda c: c("PATCH", f"/v1/phone-numbers/{PLAIN_ID}", 422, json={"campaign_id": PENDING_CAMPAIGN})),
    ("agentmessage", "422 bad Idempotency-Key",
     lambda c: c("POST", "/v1/phone-numbers/bulk", 422, json={"quantity": 1}, headers={"Idempotency-Key": "k" * 256})),
    ("agentmessage", "409 insufficient inventory", _am_order_taken),
    ("agentmessage", "413 body too large", _too_big("POST", "/v1/phone-numbers/orders")),
    ("agentmessage", "429 injected", _fault("agentmessage", "GET", "/v1/brands", 429)),
    ("agentmessage", "500 injected", _fault("agentmessage", "POST", "/v1/phone-numbers/search", 500, json={})),
    ("agentmessage", "404 another org's campaign on PATCH",
     lambda c: c("PATCH", f"/v1/phone-numbers/{PLAIN_ID}", 404, json={"campaign_id": OTHER_CAMPAIGN})),
    ("agentmessage", "404 unknown campaign on an order",
     lambda c: c("POST", "/v1/phone-numbers/orders", 404,
                 json={"numbers": _numbers(c, quantity=1), "campaign_id": UNKNOWN_ID})),
    ("agentmessage", "453 consent required",
     lambda c: c("POST", "/v1/messages", 453, json={"from": SUPPORT_NUMBER, "to": AM_MOBILE, "text": "hi"})),
    ("agentmessage", "422 line type blocked", _am_line_type_blocked),
    ("agentmessage", "429 rate limited", _am_rate_limited),
    ("agentmessage", "422 sending number without a campaign",
     lambda c: c("POST", "/v1/messages", 422, json={"from": "+14155550124", "to": AM_MOBILE, "text": "hi"})),
    ("agentmessage", "422 bad message fields",
     lambda c: c("POST", "/v1/messages", 422, json={"from": "4155550123", "to": "+1", "text": "x" * 1601})),
    ("agentmessage", "409 brand not verified",
     lambda c: c("POST", "/v1/campaigns", 409, json={**_AM_CAMPAIGN, "brand_id": UNVERIFIED_BRAND})),
    ("agentmessage", "422 reseller required", _am_second_brand),
    ("agentmessage", "402 insufficient credit",
     lambda c: c("POST", "/v1/brands", 402, json=_AM_BRAND, auth=_am_fresh(c, wallet_cents=499))),
    ("agentmessage", "403 plan required",
     lambda c: c("POST", "/v1/consent", 403, auth=_am_fresh(c, plan="starter"), json={
         "phone_number_id": SUPPORT_ID, "contact_number": AM_MOBILE, "opted_in": True,
         "evidence": {"captured_at": "2025-12-31T12:00:00Z", "agreement_text": AGREEMENT}})),
    ("agentmessage", "409 limit exceeded", _am_endpoints_full),
    ("agentmessage", "410 event expired", _am_event_expired),
    ("agentmessage", "400 unknown scope",
     lambda c: c("POST", "/v1/api-keys", 400, json={"label": "x", "scopes": ["messages:write"]})),
    ("agentmessage", "403 scope the caller lacks",
     lambda c: c("POST", "/v1/api-keys", 403, json={"label": "x", "scopes": ["platform:inventory:write"]})),
    ("agentmessage", "422 Idempotency-Key with another body", _am_key_reused),
    # Twilio
    ("twilio", "401 no credentials", lambda c: c("GET", f"/v2/PhoneNumbers/{TW_NUMBER}", 401, auth=NO_AUTH)),
    ("twilio", "401 wrong token",
     lambda c: c("POST", f"/v2/Trunks/{TW_TRUNK}", 401, auth=basic("ACfa4e7000000000000000000000000001", "x"))),
    ("twilio", "404 not the account's", lambda c: c("GET", "/v2/PhoneNumbers/+13125550199", 404)),
    ("twilio", "404 unknown domain", lambda c: c("POST", "/v2/SipDomains/nobody.sip.twilio.com", 404)),
    ("twilio", "404 unknown path", lambda c: c("GET", "/v2/Nothing", 404)),
    ("twilio", "405 unknown method", lambda c: c("DELETE", f"/v2/PhoneNumbers/{TW_NUMBER}", 405)),
    ("twilio", "400 unknown region",
     lambda c: c("POST", f"/v2/Trunks/{TW_TRUNK}", 400, data="VoiceRegion=sydney", headers=FORM)),
    ("twilio", "400 friendly name too long",
     lambda c: c("POST", f"/v2/SipDomains/{TW_SIP_DOMAIN}", 400, data="FriendlyName=" + "x" * 65, headers=FORM)),
    ("twilio", "400 JSON body",
     lambda c: c("POST", f"/v2/PhoneNumbers/{TW_NUMBER}", 400, json={"VoiceRegion": "ie1"})),
    ("twilio", "413 body too large", _too_big("POST", f"/v2/PhoneNumbers/{TW_NUMBER}")),
    ("twilio", "429 injected", _fault("twilio", "GET", f"/v2/Trunks/{TW_TRUNK}", 429)),
    ("twilio", "503 injected", _fault("twilio", "POST", f"/v2/PhoneNumbers/{TW_NUMBER}", 503)),
]


ERROR_PARAMS = [pytest.param(provider, case, id=f"{provider}/{name}", marks=marks)
                for provider, name, case, *marks in ERRORS]


@pytest.mark.parametrize(("provider", "case"), ERROR_PARAMS)
def test_error_answers_conform(provider, case):
    exchange = case(Caller(provider))
    assert exchange.status >= 400
    assert exchange.violations() == [], str(exchange)


def test_the_error_cases_cover_every_provider_and_the_common_statuses():
    for provider in BY_NAME:
        statuses = {name[:3] for p, name, *_ in ERRORS if p == provider}
        assert statuses >= {"400", "401", "404", "405", "413", "429"}, provider


# -- the schemas themselves ------------------------------------------------------------------------

RESPONSE_SCHEMAS = [(p.name, n) for p in PROVIDERS for n in p.schemas.names() if n.startswith("response_")]


@pytest.mark.parametrize("provider", BY_NAME)
def test_every_provider_has_an_error_schema(provider):
    assert ERROR_SCHEMA in BY_NAME[provider].schemas


@pytest.mark.parametrize(("provider", "name"), RESPONSE_SCHEMAS, ids=[f"{p}/{n}" for p, n in RESPONSE_SCHEMAS])
def test_each_response_schema_is_a_valid_2020_12_schema_whose_refs_resolve(provider, name):
    store = BY_NAME[provider].schemas
    document = store[name].document
    Draft202012Validator.check_schema(document)
    assert document.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    for ref in _refs(document):
        file, _, pointer = ref.partition("#")
        target = store[file.removesuffix(".json")].document if file else document
        assert _resolve(target, pointer) is not None, f"{name}: {ref} resolves to nothing"


def test_every_response_file_belongs_to_an_operation_or_is_shared():
    for provider in PROVIDERS:
        operations = {response_schema_name(op.name) for op in provider.operations}
        names = [n for n in provider.schemas.names() if n.startswith("response_")]
        referenced = {ref.partition("#")[0].removesuffix(".json")
                      for n in names for ref in _refs(provider.schemas[n].document)}
        strays = [n for n in names if n not in operations | SHARED_FILES | referenced]
        assert strays == [], f"{provider.name}: response schemas of no operation: {strays}"


def test_the_conformance_module_examples_hold():
    assert doctest.testmod(fakeroute.conformance).failed == 0


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document: Any, pointer: str) -> Any:
    node = document
    for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# -- the checker catches what is wrong -------------------------------------------------------------


def _mutated(exchange: Exchange, change: Callable[[Any], None]) -> list[str]:
    document = exchange.json()
    change(document)
    return response_violations(exchange.provider, exchange.operation, exchange.status,
                               json.dumps(document).encode(), exchange.content_type)


def test_flowroute_wrong_bodies_are_caught():
    call = Caller("flowroute")
    detail = call("GET", f"/v2/numbers/{FR_NUMBER}", 200)
    assert detail.violations() == []
    assert _mutated(detail, lambda d: d["data"]["attributes"].pop("alias")) == [
        "response_list_phone_number_details: data.attributes.alias: is required"]
    assert _mutated(detail, lambda d: d["data"]["attributes"].update(value=int(FR_NUMBER))) == [
        f"response_list_phone_number_details: data.attributes.value: must be a string, got {FR_NUMBER}"]
    assert _mutated(detail, lambda d: d["included"][0]["attributes"].update(route_type="fax")) == [
        "response_list_phone_number_details: included[0].attributes.route_type: must be one of "
        "'host', 'number', 'uri', 'sip-reg', got 'fax'"]
    mdr = call("GET", f"/v2.1/messages/{FR_OUTBOUND_MDR}", 200)
    assert _mutated(mdr, lambda d: d["data"]["attributes"].update(amount_display=0.004)) == [
        "response_look_up_a_message_detail_record: data.attributes.amount_display: must be a string, got 0.004"]
    assert _mutated(mdr, lambda d: d["data"]["attributes"].update(is_mms=True)) == [
        "response_look_up_a_message_detail_record: data.relationships: is required"]
    assert _mutated(mdr, lambda d: d["data"]["attributes"].update(timestamp="2025-12-21T16:44:34Z")) == [
        "response_look_up_a_message_detail_record: data.attributes.timestamp: has an invalid format "
        "('2025-12-21T16:44:34Z')"]
    error = call("GET", "/v2/numbers/19995550000", 404)
    assert _mutated(error, lambda d: d["errors"][0].update(status="404")) == [
        "response_error: errors[0].status: must be an integer, got '404'"]
    assert _mutated(error, lambda d: d["errors"][0].update(status=400)) == [
        "errors[0].status: 400 in the body, but the answer's status is 404"]
    assert _mutated(error, lambda d: d["errors"][0].pop("id")) == ["response_error: errors[0].id: is required"]


def test_agentmessage_wrong_bodies_are_caught():
    call = Caller("agentmessage")
    number = call("GET", f"/v1/phone-numbers/{SUPPORT_ID}", 200)
    assert _mutated(number, lambda d: d["data"].pop("carrier_line_option_status")) == [
        "response_get_phone_number: data.carrier_line_option_status: is required"]
    assert _mutated(number, lambda d: d["data"].update(inbound_url="http://customer.example/in")) == [
        "response_get_phone_number: data.inbound_url: must be an https:// URL"]
    assert _mutated(number, lambda d: d["data"].update(created_at="2025-12-01 10:30:00")) == [
        "response_get_phone_number: data.created_at: must be an RFC 3339 UTC time such as 2026-01-01T00:00:00Z"]
    assert _mutated(number, lambda d: d.update(meta={})) == ["response_get_phone_number: unknown field(s): meta"]
    listed = call("GET", "/v1/phone-numbers", 200)
    assert _mutated(listed, lambda d: d.pop("meta")) == ["response_list_phone_numbers: meta: is required"]
    bulk = call("POST", "/v1/phone-numbers/bulk", 202, json={"quantity": 2, "area_code": "999"})
    assert _mutated(bulk, lambda d: d["data"].update(status="partial")) == [
        "response_bulk_order_phone_numbers: data.failed_count: is required"]
    denied = call("GET", "/v1/brands", 401, auth=NO_AUTH)
    assert _mutated(denied, lambda d: d.update(success=True)) == ["response_error: success: must be false, got true"]
    assert _mutated(denied, lambda d: d["error"].update(details={"key": "bad"})) == [
        "response_error: error: details is only for validation errors (INVALID_INPUT, VALIDATION_FAILED)"]
    assert _mutated(denied, lambda d: d.update(data={"available_count": 0, "unavailable": ["+14155550123"]})) == [
        "response_error: data is only for an error with a typed payload (409 INSUFFICIENT_INVENTORY)"]
    taken = _am_order_taken(call)
    assert _mutated(taken, lambda d: d.pop("data")) == ["response_error: data: is required"]


def test_twilio_wrong_bodies_are_caught():
    call = Caller("twilio")
    fetched = call("GET", f"/v2/Trunks/{TW_TRUNK}", 200)
    assert _mutated(fetched, lambda d: d.pop("voice_region")) == ["response_fetch_trunks: voice_region: is required"]
    assert _mutated(fetched, lambda d: d.update(sid="QQ" + "g" * 32)) == [
        f"response_fetch_trunks: sid: has an invalid format ('QQ{'g' * 32}')"]
    assert _mutated(fetched, lambda d: d.update(phone_number=TW_NUMBER)) == [
        "response_fetch_trunks: unknown field(s): phone_number"]
    missing = call("GET", "/v2/PhoneNumbers/+19995550000", 404)
    assert _mutated(missing, lambda d: d.update(code="20404")) == [
        "response_error: code: must be an integer, got '20404'"]
    assert _mutated(missing, lambda d: d.update(status=400)) == [
        "status: 400 in the body, but the answer's status is 404"]


def test_the_checker_reads_status_body_and_media_type():
    flowroute, twilio = BY_NAME["flowroute"], BY_NAME["twilio"]
    fetched = Caller("twilio")("GET", f"/v2/PhoneNumbers/{TW_NUMBER}", 200)
    assert response_violations(twilio, "fetch_phone_number", 200, b"", "application/json") == [
        "fetch_phone_number answered 200 with an empty body: response_fetch_phone_number expects a document"]
    assert response_violations(twilio, "fetch_phone_number", 200, fetched.body, "text/html") == [
        "Content-Type 'text/html' is not JSON"]
    assert response_violations(twilio, "fetch_phone_number", 200, b"<html>", "application/json")[0].startswith(
        "body is not JSON")
    assert response_violations(twilio, "fetch_phone_number", 200, b"{}", None)[0] == "Content-Type None is not JSON"
    assert response_violations(twilio, "fetch_number", 200, fetched.body, "application/json") == [
        "twilio has no operation 'fetch_number'"]
    assert response_violations(twilio, None, 200, fetched.body, "application/json") == [
        "200 answers a request no twilio operation matched: only an error status can"]
    assert response_violations(twilio, None, 404, b"", "application/json") == [
        "error 404 with an empty body: response_error expects a document"]
    # A bodiless operation: an empty 204 (or 200) is right, a body is not; an operation with a schema may be 204.
    assert response_violations(flowroute, "release_a_did", 204, b"", None) == []
    assert response_violations(flowroute, "release_a_did", 200, b"", None) == []
    assert response_violations(flowroute, "release_a_did", 200, b"{}", "application/vnd.api+json") == [
        "release_a_did answers without a body (204: flowroute has no response_release_a_did), "
        "but 2 bytes came"]
    assert response_violations(flowroute, "list_inbound_routes", 204, b"", None) == []
    assert "204 No Content with a body of 2 bytes" in response_violations(
        flowroute, "list_inbound_routes", 204, b"{}", "application/vnd.api+json")


def test_an_operation_without_a_response_schema_may_not_answer_with_a_body(tmp_path: Path):
    flowroute = BY_NAME["flowroute"]
    for name in ("response_error", "response_send_a_message", "response_common"):
        (tmp_path / f"{name}.json").write_text(json.dumps(flowroute.schemas[name].document), encoding="utf-8")
    partial = SimpleNamespace(name="flowroute", operations=flowroute.operations, schemas=SchemaStore(tmp_path))
    assert is_bodiless(partial, "list_inbound_routes") and not is_bodiless(partial, "send_a_message")
    assert response_violations(partial, "list_inbound_routes", 200, b"{}", "application/vnd.api+json") == [
        "list_inbound_routes answers without a body (204: flowroute has no response_list_inbound_routes), "
        "but 2 bytes came"]
    assert re.fullmatch(r"response_\w+", response_schema_name("list_inbound_routes"))


# Flowroute's E911, CNAM, CDR export, porting and edge strategy cases live with Flowroute's tests.
from tests.flowroute import conformance_cases  # noqa: E402, F401
