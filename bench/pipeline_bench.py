"""In-process cost of one request: fakeroute's app against a bare werkzeug Request/Response/Map app, same Client.

The baseline matches the path with a werkzeug Map and answers constant JSON; fakeroute does everything a real
call does (routing, auth, validation, handler, rendering, journal). Also the journal: the same read with 10,000
calls recorded against an empty journal. Run through ``bench/run.py``.
"""

from __future__ import annotations

import base64
import itertools
import json

from werkzeug.routing import Map, Rule
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from bench.common import Row, interleaved_ratio
from fakeroute.app import FakerouteApp
from fakeroute.world import World

FLOWROUTE = {"Authorization": "Basic " + base64.b64encode(b"fakeroute:fakeroute-secret").decode()}
TWILIO = {"Authorization": "Basic " + base64.b64encode(
    b"ACfa4e7000000000000000000000000001:fakeroute-auth-token").decode()}
AGENTMESSAGE = {"Authorization": "Bearer am_test_fakeroute_default"}
JSON = {"Content-Type": "application/json"}

_MAP = Map([Rule("/<path:anything>", endpoint="any")])
_BODY = json.dumps({"data": [{"type": "number", "id": "12065550100", "attributes": {"value": "12065550100"}}]})


@Request.application
def bare(request: Request) -> Response:
    """The floor: route the path, answer constant JSON."""
    _MAP.bind_to_environ(request.environ).match()
    return Response(_BODY, content_type="application/json")


def _fake() -> tuple[World, Client]:
    world = World()
    return world, Client(FakerouteApp(world))


def _get(host: str, path: str, headers: dict[str, str]) -> Row.measure:
    def measure(smoke: bool) -> float:
        _, fake = _fake()
        base = Client(bare)
        return interleaved_ratio(lambda: fake.get(path, base_url=f"https://{host}", headers=headers),
                                 lambda: base.get(path, base_url=f"https://{host}", headers=headers), smoke=smoke)
    return measure


def _post_route(smoke: bool) -> float:
    world, fake = _fake()
    base = Client(bare)
    serial = itertools.count()
    headers = {**FLOWROUTE, **JSON}

    def create() -> None:
        alias = f"bench-{next(serial)}"
        body = json.dumps({"data": {"type": "route", "attributes": {
            "route_type": "host", "value": f"{alias}.example.com", "alias": alias}}})
        fake.post("/v2/routes", base_url="https://api.flowroute.com", data=body, headers=headers)

    def baseline() -> None:
        base.post("/v2/routes", base_url="https://api.flowroute.com", data=f'{{"n": {next(serial)}}}',
                  headers=headers)

    # Each round of 100 starts from the seeded 4 routes: how the cost grows with the routes held is the state
    # rows' business (4 -> 10,000 routes), not this one's.
    return interleaved_ratio(create, baseline, calls=100, rounds=11, smoke=smoke, setup=world.reset)


def _journal(smoke: bool) -> float:
    world, fake = _fake()
    full_world, full = _fake()
    path, host = "/v2/numbers/12065550100", "https://api.flowroute.com"
    for _ in range(full_world.journal.limit):
        full.get(path, base_url=host, headers=FLOWROUTE)
    return interleaved_ratio(lambda: full.get(path, base_url=host, headers=FLOWROUTE),
                             lambda: fake.get(path, base_url=host, headers=FLOWROUTE), smoke=smoke,
                             setup=world.journal.clear)


ROWS = [
    Row("in-process: validated POST /v2/routes, a new body each call, vs bare werkzeug", "2.99x", 1.5, _post_route),
    Row("in-process: GET /v2/numbers/available?starts_with=1206&limit=10 vs bare werkzeug", "2.64x", 1.3,
        _get("api.flowroute.com", "/v2/numbers/available?starts_with=1206&limit=10", FLOWROUTE)),
    Row("in-process: GET /v2/numbers/12065550100 vs bare werkzeug", "1.65x", 1.3,
        _get("api.flowroute.com", "/v2/numbers/12065550100", FLOWROUTE)),
    Row("in-process: AgentMessage GET /v1/phone-numbers vs bare werkzeug", "1.73x", 1.3,
        _get("api.agentmsg.io", "/v1/phone-numbers", AGENTMESSAGE)),
    Row("in-process: Twilio GET /v2/PhoneNumbers/+12065550100 vs bare werkzeug", "1.40x", 1.3,
        _get("routes.twilio.com", "/v2/PhoneNumbers/+12065550100", TWILIO)),
    Row("journal full (10,000 calls) vs empty: GET /v2/numbers/12065550100", "1.28x", 1.05, _journal),
]
