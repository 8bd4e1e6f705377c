"""The shortcuts answer exactly as the long way does: remembered route matches, the answer sent without werkzeug's
header rework, the inventory's remembered records, request ids, and the headers httpx's interception hands on."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Response

from fakeroute import app as app_module
from fakeroute import inventory as inventory_module
from fakeroute.app import FakerouteApp, _sent
from fakeroute.inventory import Inventory
from fakeroute.providers.agentmessage.rendering import ulid
from fakeroute.transport import Interceptor
from fakeroute.world import World
from tests.support.harness import basic

FLOWROUTE = basic("fakeroute", "fakeroute-secret")


def test_a_remembered_match_hands_out_a_fresh_copy_of_its_path_arguments() -> None:
    app = FakerouteApp(World())
    endpoint, args = app._match("/v2/numbers/12065550100", "GET")
    args["id"] = "changed"
    again, fresh = app._match("/v2/numbers/12065550100", "GET")
    assert (again, fresh) == (endpoint, {"id": "12065550100"})


def test_the_remembered_matches_stay_bounded_and_answers_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "MATCH_CACHE_SIZE", 2)
    app = FakerouteApp(World())
    client = Client(app)
    for _ in range(2):
        for path in ("/v2/routes", "/v2/numbers", "/v2/numbers/12065550100", "/v2/numbers/19999999999"):
            reply = client.get(path, base_url="https://api.flowroute.com", headers=FLOWROUTE)
            assert reply.status_code == (404 if path.endswith("9999") else 200), path
            assert len(app._matched) <= 2


def test_a_miss_is_not_remembered() -> None:
    app = FakerouteApp(World())
    reply = Client(app).get("/v2/no-such-thing", base_url="https://api.flowroute.com", headers=FLOWROUTE)
    assert reply.status_code == 404
    assert app._matched == {}


def _werkzeug_sends(response: Response, environ: dict[str, Any]) -> tuple[str, list, bytes]:
    started: list = []
    body = b"".join(response(environ, lambda status, headers, exc_info=None: started.extend((status, headers))))
    return started[0], started[1], body


def _fast_sends(response: Response, environ: dict[str, Any]) -> tuple[str, list, bytes]:
    started: list = []
    body = b"".join(_sent(response, environ, lambda status, headers, exc_info=None: started.extend((status, headers))))
    return started[0], started[1], body


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
@pytest.mark.parametrize("make", [
    lambda: Response(b'{"a":1}', status=200, content_type="application/json"),
    lambda: Response(b'{"a":1}', status=201, headers={"Location": "/v2/routes/1"}, content_type="application/json"),
    lambda: Response(b'{"a":1}', status=200, headers={"content-location": "/x y"}, content_type="application/json"),
    lambda: Response(status=204, headers={"X-Id": "1"}),
    lambda: Response(b"", status=304),
    lambda: Response(b"gone", status=404, headers={"Retry-After": "1"}),
    lambda: Response(iter([b"streamed"]), status=200),
])
def test_what_is_sent_is_what_werkzeug_sends(method: str, make: Any) -> None:
    environ = EnvironBuilder(path="/v2/routes", method=method, base_url="https://api.flowroute.com").get_environ()
    assert _fast_sends(make(), dict(environ)) == _werkzeug_sends(make(), dict(environ))


def test_remembered_inventory_records_equal_fresh_ones_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inventory_module, "RECORD_CACHE_SIZE", 5)
    inventory, fresh = Inventory(seed=3, size=2_000), Inventory(seed=3, size=2_000)
    first, _ = inventory.search(starts_with="1", limit=8)
    assert len(inventory._records) <= 5
    again, _ = inventory.search(starts_with="1", limit=8)
    monkeypatch.setattr(inventory_module, "RECORD_CACHE_SIZE", 10_000)
    assert first == again == fresh.search(starts_with="1", limit=8)[0]
    assert len(first) == 8


def _ulid_bit_by_bit(value: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(alphabet[(value >> shift) & 31] for shift in range(125, -1, -5))


@pytest.mark.parametrize("millis,randomness", [(0, 0), (1, 1), ((1 << 48) - 1, (1 << 80) - 1),
                                               (1_767_225_600_123, 0x1234_5678_9ABC_DEF0_1357),
                                               (1_767_225_600_000, 1 << 79)])
def test_request_ids_are_the_ulid_five_bits_a_character(millis: int, randomness: int) -> None:
    from datetime import UTC, datetime, timedelta
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis % (253_402_300_799_000))
    value = (int(when.timestamp() * 1000) & ((1 << 48) - 1)) << 80 | randomness
    assert ulid(when, randomness) == _ulid_bit_by_bit(value)
    assert len(ulid(when, randomness)) == 26


def test_httpx_headers_reach_the_app_as_dict_of_them_gives_them() -> None:
    import httpx

    world = World()
    headers = httpx.Headers([("X-Trace", "a"), ("x-trace", "b"), ("Accept", "application/json"), *FLOWROUTE.items()])
    with Interceptor(FakerouteApp(world)), httpx.Client() as client:
        assert client.get("https://api.flowroute.com/v2/routes", headers=headers).status_code == 200
    recorded = world.journal.last
    assert recorded is not None
    assert recorded.raw_headers["HTTP_X_TRACE"] == "a, b" == dict(headers)["x-trace"]
    assert recorded.raw_headers["HTTP_ACCEPT"] == "application/json"
