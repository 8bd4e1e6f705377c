"""A fourth provider, defined in this folder only (acme/), served in-process, over real HTTP, through the
plugin's fixtures, and under the fuzz test: handing it to the World is the one line it takes."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers import PROVIDERS
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.fourth_provider.acme import AcmeProvider
from tests.support.fuzz import fuzz_operation

SCENARIO = str(Path(__file__).parent / "scenario.json")
ACME = AcmeProvider()
WITH_ACME = (*PROVIDERS, ACME)  # the one line: the World is handed the provider
KEY = {"X-Acme-Key": "acme_test_key_1"}
BASE = "https://api.acme.test"


def new_world() -> World:
    return World(seed=0, scenario=SCENARIO, providers=WITH_ACME)


def test_in_process_the_fourth_provider_rents_a_number_from_the_shared_inventory():
    world = new_world()
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    number = world.inventory.search(limit=1)[0][0].value
    rented = client.post("/acme/v1/lines", json={"number": number, "label": "ops"}, headers=KEY, base_url=BASE)
    assert rented.status_code == 201 and rented.json["number"] == number and rented.json["kind"] == "geo"
    assert not world.inventory.is_available(number)  # another provider cannot sell it now
    flowroute = client.post(f"/v2/numbers/{number}", auth=("fakeroute", "fakeroute-secret"),
                            base_url="https://api.flowroute.com")
    assert flowroute.status_code == 404
    listed = client.get("/acme/v1/lines", headers=KEY, base_url=BASE).json["lines"]
    assert [line["id"] for line in listed] == ["ln_1", "ln_900"]
    assert client.delete(f"/acme/v1/lines/{rented.json['id']}", headers=KEY, base_url=BASE).status_code == 204
    assert world.inventory.is_available(number)


def test_its_errors_come_in_its_own_format_from_the_shared_pipeline():
    client = Client(FakerouteApp(new_world()))
    assert client.get("/acme/v1/lines", base_url=BASE).json == {
        "error": {"status": 401, "message": "unknown or missing X-Acme-Key", "field": None}}
    bad_path = client.get("/acme/v1/lines/nope", headers=KEY, base_url=BASE)
    assert bad_path.status_code == 400 and bad_path.json["error"]["field"] == "id"
    bad_query = client.get("/acme/v1/lines?limit=0", headers=KEY, base_url=BASE)
    assert bad_query.status_code == 400 and "limit" in bad_query.json["error"]["message"]
    bad_body = client.post("/acme/v1/lines", json={"number": "555"}, headers=KEY, base_url=BASE)
    assert bad_body.json["error"]["field"] == "number"
    assert client.get("/acme/v1/nothing", headers=KEY, base_url=BASE).status_code == 404
    assert client.put("/acme/v1/lines", headers=KEY, base_url=BASE).status_code == 405


def test_its_state_is_in_the_admin_api_and_a_reset_restores_it():
    world = new_world()
    client = Client(FakerouteApp(world))
    number = world.inventory.search(limit=1)[0][0].value
    client.post("/acme/v1/lines", json={"number": number}, headers=KEY, base_url=BASE)
    state = client.get("/_fakeroute/state").json["accounts"][0]["acme"]
    assert [line["id"] for line in state["lines"]] == ["ln_900", "ln_1"]
    assert client.get("/_fakeroute/accounts").json["accounts"][0]["acme"] == {"key": "acme_test_key_1"}
    created = client.post("/_fakeroute/accounts", json={}).json
    assert created["acme"]["key"].startswith("acme_")
    client.post("/_fakeroute/reset")
    assert [line["id"] for line in client.get("/_fakeroute/state").json["accounts"][0]["acme"]["lines"]] == ["ln_900"]


def test_over_real_http():
    with FakerouteServer(FakerouteApp(new_world())) as server:
        session = requests.Session()
        session.headers.update(KEY)
        assert session.get(f"{server.url}/acme/v1/lines/ln_900").json()["label"] == "front desk"
        assert session.get(f"{server.url}/acme/v1/lines/ln_1").status_code == 404


@pytest.mark.fakeroute(providers=WITH_ACME, scenario=SCENARIO)
def test_through_the_plugins_fixtures(fakeroute):
    client = fakeroute.client("acme")  # a requests.Session with the provider's auth headers
    assert client.get("https://api.acme.test/acme/v1/lines").json()["lines"][0]["id"] == "ln_900"
    fakeroute.assert_called("acme", "GET", "/acme/v1/lines", times=1)
    assert fakeroute.state["default"].acme.lines["ln_900"].label == "front desk"
    fakeroute.fail(503, provider="acme")
    assert client.get("https://api.acme.test/acme/v1/lines").json()["error"]["status"] == 503


@pytest.mark.parametrize("op", ACME.operations, ids=[f"{o.method}:{o.path}" for o in ACME.operations])
def test_under_the_fuzz_test(op):
    fuzz_operation(new_world(), ACME, op)
