"""The bad-input matrix over real HTTP, sent byte for byte on a socket: deep nesting, invalid UTF-8 in bodies and
headers, oversized bodies, URIs and headers, path tricks, type confusion, duplicate keys, null everywhere, numbers
out of range. Each gets its precise error in the right format (the provider's, the admin API's, or for HTTP that
cannot be parsed at all the server's plain 400), is journalled, and leaves ``GET /_fakeroute/state`` byte-identical."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
import requests

from tests.support import rawhttp
from tests.support.agentmessage import DEFAULT_KEY, SUPPORT_ID
from tests.support.errors import error_of
from tests.support.flowroute import FLOWROUTE_AUTH, OWNED
from tests.support.harness import bearer
from tests.support.twilio import AUTH as TWILIO_AUTH
from tests.support.twilio import CONFIGURED_NUMBER

AM_AUTH = bearer(DEFAULT_KEY)
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TWILIO_NUMBER = f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}"
MIB = 1 << 20


@dataclass(frozen=True)
class Case:
    """One bad request and the answer it must get. ``provider`` is whose error format the answer is in: a provider,
    ``admin`` (``{"error": ...}``) or ``server`` (HTTP too malformed to reach the app: waitress's own text)."""

    provider: str
    method: str
    target: str
    headers: dict[str, str | bytes] | list[tuple[str, str | bytes]] = field(default_factory=dict)
    body: bytes = b""
    status: int = 400
    code: int | str | None = None
    says: str = ""


def nested(depth: int, inside: bytes = b"") -> bytes:
    return b"[" * depth + inside + b"]" * depth


CASES = {
    # -- deep nesting: refused before any code that recurses per level sees it
    "flowroute: 1000 levels": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON}, nested(1000),
                                   says="more than 32 levels deep"),
    "flowroute: 100 levels, parseable": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON},
                                             b'{"data": ' + nested(100) + b"}", says="more than 32 levels deep"),
    "agentmessage: 1000 levels": Case("agentmessage", "POST", "/v1/phone-numbers/search", {**AM_AUTH, **JSON},
                                      nested(1000), code="INVALID_INPUT", says="more than 32 levels deep"),
    "agentmessage: 100 levels, parseable": Case("agentmessage", "POST", "/v1/phone-numbers/search",
                                                {**AM_AUTH, **JSON}, b'{"area_code": ' + nested(100) + b"}",
                                                code="INVALID_INPUT", says="more than 32 levels deep"),
    "twilio: brackets in a form are text": Case("twilio", "POST", TWILIO_NUMBER, {**TWILIO_AUTH, **FORM},
                                                b"FriendlyName=" + b"[" * 1000, code=20002,
                                                says="FriendlyName: must be at most 64 characters long"),
    "admin accounts: 1000 levels": Case("admin", "POST", "/_fakeroute/accounts", JSON, nested(1000),
                                        says="more than 32 levels deep"),
    "admin faults: 100 levels": Case("admin", "POST", "/_fakeroute/faults", JSON,
                                     b'{"status": ' + nested(100) + b"}", says="more than 32 levels deep"),
    # -- invalid UTF-8 in bodies
    "flowroute: invalid UTF-8 body": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON},
                                          b'{"data": "\xff"}', says="Request body is not valid UTF-8"),
    "agentmessage: invalid UTF-8 body": Case("agentmessage", "POST", "/v1/phone-numbers/search", {**AM_AUTH, **JSON},
                                             b'{"area_code": "\xff"}', code="INVALID_INPUT",
                                             says="must be valid JSON"),
    "twilio: invalid UTF-8 form": Case("twilio", "POST", TWILIO_NUMBER, {**TWILIO_AUTH, **FORM},
                                       b"FriendlyName=\xff", code=20001, says="Request body is not valid UTF-8"),
    "admin: invalid UTF-8 body": Case("admin", "POST", "/_fakeroute/faults", JSON, b'{"path": "\xff"}',
                                      says="request body is not valid JSON"),
    # -- invalid UTF-8 and other bad bytes in headers
    "flowroute: invalid UTF-8 credentials": Case("flowroute", "GET", "/v2/routes",
                                                 {"Authorization": b"Basic \xe9\xff\xfe"}, status=401,
                                                 says="issue with your API credentials"),
    "twilio: invalid UTF-8 credentials": Case("twilio", "GET", TWILIO_NUMBER, {"Authorization": b"Basic \xe9\xff\xfe"},
                                              status=401, code=20003, says="Authenticate"),
    "agentmessage: invalid UTF-8 key": Case("agentmessage", "GET", "/v1/phone-numbers",
                                            {"Authorization": b"Bearer \xe9\xff\xfe"}, status=401,
                                            code="UNAUTHORIZED", says="authentication failed"),
    "flowroute: credentials twice": Case("flowroute", "GET", "/v2/routes",
                                         [("Authorization", FLOWROUTE_AUTH["Authorization"])] * 2, status=401,
                                         says="issue with your API credentials"),
    "server: control bytes in a header": Case("server", "GET", "/v2/routes", {**FLOWROUTE_AUTH, "X-Odd": b"\x00\x01"},
                                              says="Invalid header"),
    # -- oversized body, URI, headers
    "flowroute: 2 MiB body": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON}, b"x" * 2 * MIB,
                                  status=413, says="Request body exceeds 1048576 bytes"),
    "twilio: 2 MiB body": Case("twilio", "POST", TWILIO_NUMBER, {**TWILIO_AUTH, **FORM}, b"x" * 2 * MIB, status=413,
                               code=20413, says="Request body exceeds 1048576 bytes"),
    "agentmessage: 2 MiB body": Case("agentmessage", "POST", "/v1/phone-numbers/search", {**AM_AUTH, **JSON},
                                     b"x" * 2 * MIB, status=413, code="PAYLOAD_TOO_LARGE",
                                     says="Request body exceeds 1048576 bytes"),
    "admin: 2 MiB body": Case("admin", "POST", "/_fakeroute/faults", JSON, b"x" * 2 * MIB, status=413,
                              says="request body exceeds 1048576 bytes"),
    "flowroute: 300 KiB query": Case("flowroute", "GET", "/v2/routes?x=" + "a" * 300_000, FLOWROUTE_AUTH,
                                     status=414, says="at most 16384 are accepted"),
    "twilio: 300 KiB query": Case("twilio", "GET", TWILIO_NUMBER + "?x=" + "a" * 300_000, TWILIO_AUTH, status=414,
                                  code=20001, says="at most 16384 are accepted"),
    "agentmessage: 300 KiB query": Case("agentmessage", "GET", "/v1/phone-numbers?x=" + "a" * 300_000, AM_AUTH,
                                        status=414, code="INVALID_INPUT", says="at most 16384 are accepted"),
    "flowroute: 20 KB path": Case("flowroute", "GET", "/v2/numbers/" + "1" * 20_000, FLOWROUTE_AUTH, status=414,
                                  says="at most 16384 are accepted"),
    "flowroute: 300 KiB header": Case("flowroute", "GET", "/v2/routes", {**FLOWROUTE_AUTH, "X-Big": "a" * 300_000},
                                      status=431, says="at most 65536 are accepted"),
    "twilio: 300 KiB header": Case("twilio", "GET", TWILIO_NUMBER, {**TWILIO_AUTH, "X-Big": "a" * 300_000},
                                   status=431, code=20001, says="at most 65536 are accepted"),
    "agentmessage: 300 KiB header": Case("agentmessage", "GET", "/v1/phone-numbers",
                                         {**AM_AUTH, "X-Big": "a" * 300_000}, status=431, code="INVALID_INPUT",
                                         says="at most 65536 are accepted"),
    "server: 2 MiB header block": Case("server", "GET", "/v2/routes", {**FLOWROUTE_AUTH, "X-Big": "a" * 2 * MIB},
                                       status=431, says="exceeds max_header of 1048576"),
    # -- path tricks
    "flowroute: ../ to the admin API": Case("flowroute", "POST", "/v2/numbers/..%2F..%2F_fakeroute%2Freset",
                                            FLOWROUTE_AUTH, status=404,
                                            says="/v2/numbers/../../_fakeroute/reset was not found"),
    "flowroute: dot segments": Case("flowroute", "GET", "/v2/routes/../../_fakeroute/state", FLOWROUTE_AUTH,
                                    status=404, says="was not found"),
    "flowroute: NUL in an id": Case("flowroute", "GET", "/v2/numbers/%00", FLOWROUTE_AUTH, status=404,
                                    says="not found on your account"),
    "flowroute: invalid UTF-8 in an id": Case("flowroute", "GET", "/v2/numbers/%ff", FLOWROUTE_AUTH, status=404,
                                              says="not found on your account"),
    "agentmessage: quote and backslash id": Case("agentmessage", "GET", "/v1/phone-numbers/%22%5C", AM_AUTH,
                                                 status=422, code="VALIDATION_FAILED", says="must be a uuid"),
    "twilio: quote and backslash number": Case("twilio", "GET", "/v2/PhoneNumbers/%22%5C", TWILIO_AUTH, status=404,
                                               code=20404, says='/PhoneNumbers/"\\ was not found'),
    "admin: quote and backslash path": Case("admin", "GET", "/nope%22x%5C", status=404,
                                            says='no provider serves GET /nope"x\\'),
    "server: a raw byte beyond ASCII in the path": Case("server", "GET", "/v2/numbers/\xff", FLOWROUTE_AUTH,
                                                        says="Bad URI"),
    # -- type confusion
    "flowroute: a number for a string": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON}, json.dumps(
        {"data": {"type": "route", "attributes": {"route_type": "host", "value": 123, "alias": "a"}}}).encode(),
        status=422, says="data.attributes.value: must be a string or null, got 123"),
    "flowroute: a boolean for a route id": Case("flowroute", "PATCH",
                                                f"/v2/numbers/{OWNED}/relationships/primary_route",
                                                {**FLOWROUTE_AUTH, **JSON},
                                                b'{"data": {"type": "route", "id": true}}', status=422,
                                                says="Invalid data.id"),
    "agentmessage: a number for a campaign id": Case("agentmessage", "PATCH", f"/v1/phone-numbers/{SUPPORT_ID}",
                                                     {**AM_AUTH, **JSON}, b'{"campaign_id": 123}', status=422,
                                                     code="VALIDATION_FAILED",
                                                     says="campaign_id: must be a string or null, got 123"),
    "agentmessage: a string for a list": Case("agentmessage", "POST", "/v1/phone-numbers/orders", {**AM_AUTH, **JSON},
                                              b'{"numbers": "+12065710004"}', status=422, code="VALIDATION_FAILED",
                                              says="must be an array"),
    "agentmessage: 1.0 for an integer": Case("agentmessage", "POST", "/v1/phone-numbers/bulk", {**AM_AUTH, **JSON},
                                             b'{"quantity": 1.0, "area_code": "206"}', status=422,
                                             code="VALIDATION_FAILED", says="must be an integer, got 1.0"),
    "agentmessage: true for an integer": Case("agentmessage", "POST", "/v1/phone-numbers/bulk", {**AM_AUTH, **JSON},
                                              b'{"quantity": true, "area_code": "206"}', status=422,
                                              code="VALIDATION_FAILED", says="must be an integer, got true"),
    "twilio: a number for a region": Case("twilio", "POST", TWILIO_NUMBER, {**TWILIO_AUTH, **FORM}, b"VoiceRegion=1",
                                          code=20001, says="VoiceRegion"),
    "flowroute: Unicode digits for a limit": Case("flowroute", "GET", "/v2/numbers/available?limit=%D9%A2",
                                                  FLOWROUTE_AUTH, says="limit: must be an integer, got '\u0662'"),
    "agentmessage: Unicode digits for a limit": Case("agentmessage", "GET", "/v1/phone-numbers?limit=%D9%A2", AM_AUTH,
                                                     status=422, code="VALIDATION_FAILED",
                                                     says="limit: must be an integer, got '\u0662'"),
    # -- duplicate keys: the last of a JSON object's wins (as in JavaScript, Go and Python), the first of a query's
    "flowroute: duplicate keys, the last wins": Case("flowroute", "PATCH", f"/v2/numbers/{OWNED}",
                                                     {**FLOWROUTE_AUTH, **JSON},
                                                     b'{"type": "number", "alias": "ok", "alias": 5}', status=422,
                                                     says="alias: must be a string or null, got 5"),
    "agentmessage: duplicate keys, the last wins": Case("agentmessage", "PATCH", f"/v1/phone-numbers/{SUPPORT_ID}",
                                                        {**AM_AUTH, **JSON}, b'{"label": "ok", "label": 5}',
                                                        status=422, code="VALIDATION_FAILED",
                                                        says="must be a string or null, got 5"),
    "flowroute: duplicate query, the first wins": Case("flowroute", "GET", "/v2/routes?limit=abc&limit=1",
                                                       FLOWROUTE_AUTH, says="limit: must be an integer, got 'abc'"),
    # -- null everywhere
    "flowroute: null body": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON}, b"null", status=422,
                                 says="request body: must be an object, got null"),
    "flowroute: null data": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON}, b'{"data": null}',
                                 status=422, says="data: must be an object, got null"),
    "flowroute: null attributes": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON}, json.dumps(
        {"data": {"type": None, "attributes": {"route_type": None, "value": None, "alias": None}}}).encode(),
        status=422, says="data.type: must be 'route', got null"),
    "flowroute: null message": Case("flowroute", "POST", "/v2.1/messages", {**FLOWROUTE_AUTH, **JSON}, json.dumps(
        {"data": {"type": "message", "attributes": {"to": None, "from": None, "body": None}}}).encode(),
        status=422, says="got null"),
    "flowroute: null route id": Case("flowroute", "PATCH", f"/v2/numbers/{OWNED}/relationships/primary_route",
                                     {**FLOWROUTE_AUTH, **JSON}, b'{"data": {"type": "route", "id": null}}', status=422,
                                     says="data.id: must be a string or an integer, got null"),
    "agentmessage: null body": Case("agentmessage", "POST", "/v1/phone-numbers/search", {**AM_AUTH, **JSON}, b"null",
                                    code="INVALID_INPUT", says="must be a JSON object"),
    "agentmessage: null list": Case("agentmessage", "POST", "/v1/phone-numbers/orders", {**AM_AUTH, **JSON},
                                    b'{"numbers": null}', status=422, code="VALIDATION_FAILED",
                                    says="must be an array, got null"),
    "agentmessage: null in a list": Case("agentmessage", "POST", "/v1/phone-numbers/orders", {**AM_AUTH, **JSON},
                                         b'{"numbers": [null]}', status=422, code="VALIDATION_FAILED",
                                         says="numbers[0]: must be a string, got null"),
    "admin: null fault": Case("admin", "POST", "/_fakeroute/faults", JSON, b"null", says="body must be an object"),
    # -- numbers out of range
    "flowroute: a 5000-digit number": Case("flowroute", "POST", "/v2/routes", {**FLOWROUTE_AUTH, **JSON},
                                           b"[" + b"1" * 5000 + b"]", says="a number over 4300 digits long"),
    "agentmessage: a 5000-digit quantity": Case("agentmessage", "POST", "/v1/phone-numbers/bulk", {**AM_AUTH, **JSON},
                                                b'{"quantity": ' + b"1" * 5000 + b"}", code="INVALID_INPUT",
                                                says="a number over 4300 digits long"),
    "agentmessage: NaN": Case("agentmessage", "POST", "/v1/phone-numbers/bulk", {**AM_AUTH, **JSON},
                              b'{"quantity": NaN, "area_code": "206"}', status=422, code="VALIDATION_FAILED",
                              says="must be an integer, got NaN"),
    "agentmessage: 1e999": Case("agentmessage", "POST", "/v1/phone-numbers/bulk", {**AM_AUTH, **JSON},
                                b'{"quantity": 1e999, "area_code": "206"}', status=422, code="VALIDATION_FAILED",
                                says="must be an integer, got Infinity"),
    "admin clock: 1e400 seconds": Case("admin", "POST", "/_fakeroute/clock", JSON, b'{"advance": 1e400}',
                                       says='body must be {"advance": seconds}'),
    "admin clock: beyond 9999": Case("admin", "POST", "/_fakeroute/clock", JSON, b'{"set": "9999-12-31T00:00:00Z"}',
                                     says="the clock can only be moved between 1970"),
}


def _said(error: dict) -> list[str]:
    """Every message of an error object, those of a nested object (AgentMessage's details) as ``field: message``."""
    said = [value for value in error.values() if isinstance(value, str)]
    for value in error.values():
        if isinstance(value, dict):
            said += [f"{key}: {text}" for key, text in value.items() if isinstance(text, str)]
    return said


def state(server_url: str) -> bytes:
    return requests.get(f"{server_url}/_fakeroute/state", timeout=10).content


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_gets_its_precise_error_and_changes_nothing(server_url, case):
    before = state(server_url)
    answer = rawhttp.send(server_url, rawhttp.request(case.method, case.target, case.headers, case.body))
    if case.provider == "server":
        assert answer.status_code == case.status and answer.headers["Content-Type"].startswith("text/plain"), answer
        said = answer.content.decode()
    elif case.provider == "admin":
        assert answer.status_code == case.status and answer.headers["Content-Type"] == "application/json", answer
        said = answer.json()["error"]
    else:
        said = "\n".join(_said(error_of(answer, case.status, case.code, provider=case.provider)))
        entries = requests.get(f"{server_url}/_fakeroute/requests", timeout=10).json()["requests"]
        assert [(e["provider"], e["method"], e["status"]) for e in entries] == \
            [(case.provider, case.method, case.status)], "every answer is journalled"
    assert case.says in said, (case.says, said)
    assert state(server_url) == before


def test_the_journal_and_the_dashboard_show_every_bad_input_afterwards(server_url):
    for case in CASES.values():
        rawhttp.send(server_url, rawhttp.request(case.method, case.target, case.headers, case.body))
    journal = requests.get(f"{server_url}/_fakeroute/requests", params={"limit": 10_000}, timeout=30)
    assert journal.status_code == 200
    recorded = journal.json()["requests"]
    # Every request that reached the app on a provider's path or none (not the admin API's) is in the journal.
    assert len(recorded) == sum(case.provider != "server" and not case.target.startswith("/_fakeroute/")
                                for case in CASES.values())
    assert requests.get(f"{server_url}/_fakeroute/", timeout=30).status_code == 200
