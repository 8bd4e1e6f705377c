"""State import over HTTP: PUT /_fakeroute/state loads what GET gives (byte for byte), refuses a bad document
naming the entry and changing nothing; reset of everything or of one named account."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from fakeroute.app import FakerouteApp
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.support.agentmessage import DEFAULT_KEY
from tests.support.flowroute import FLOWROUTE_AUTH, OWNED, sms
from tests.support.harness import basic, bearer
from tests.support.twilio import AUTH as TWILIO_AUTH
from tests.support.twilio import CONFIGURED_NUMBER


@pytest.fixture
def url() -> Iterator[str]:
    """A server of its own: loading a state changes what its World resets to."""
    with FakerouteServer(FakerouteApp(World(seed=0))) as server:
        yield server.url


def busy(url: str) -> None:
    """Leave a mark in every provider's state: numbers bought and released, a route, messages with receipts."""
    fr = requests.Session()
    fr.headers.update(FLOWROUTE_AUTH)
    number = fr.get(f"{url}/v2/numbers/available?limit=1", timeout=10).json()["data"][0]["id"]
    assert fr.post(f"{url}/v2/numbers/{number}", timeout=10).status_code == 201
    route = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "pbx.example.com",
                                                       "alias": "pbx"}}}
    assert fr.post(f"{url}/v2/routes", json=route, timeout=10).status_code == 201
    assert fr.post(f"{url}/v2.1/messages", json=sms(dlr_callback="http://127.0.0.1:9/dlr"),
                   timeout=10).status_code == 202
    assert requests.post(f"{url}/_fakeroute/clock", json={"advance": 30}, timeout=10).status_code == 200
    updated = requests.post(f"{url}/v2/PhoneNumbers/{CONFIGURED_NUMBER}", data={"VoiceRegion": "ie1"},
                            headers=TWILIO_AUTH, timeout=10)
    assert updated.status_code == 200
    am = requests.Session()
    am.headers.update(bearer(DEFAULT_KEY))
    found = am.post(f"{url}/v1/phone-numbers/search", json={"area_code": "206", "limit": 1}, timeout=10)
    assert found.status_code == 200, found.text
    ordered = am.post(f"{url}/v1/phone-numbers/orders", json={"numbers": [found.json()["data"][0]["number"]]},
                      timeout=10)
    assert ordered.status_code == 200, ordered.text


def test_export_import_export_is_byte_identical(url):
    busy(url)
    exported = requests.get(f"{url}/_fakeroute/state", timeout=10)
    loaded = requests.put(f"{url}/_fakeroute/state", data=exported.content, timeout=10)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["status"] == "loaded"
    again = requests.get(f"{url}/_fakeroute/state", timeout=10)
    assert again.content == exported.content
    # What was imported is what a reset goes back to.
    requests.post(f"{url}/_fakeroute/reset", timeout=10).raise_for_status()
    assert requests.get(f"{url}/_fakeroute/state", timeout=10).content == exported.content


def test_an_imported_world_answers_as_its_document_says(url):
    document = {"accounts": [{"id": "team-a", "flowroute": {
        "access_key": "a-key", "secret_key": "a-secret",
        "routes": [{"id": "98396", "route_type": "host", "value": "pbx.example.com", "alias": "pbx"}],
        "numbers": [{"value": "12065550177", "alias": "Front desk", "primary_route": "98396"}]}}]}
    assert requests.put(f"{url}/_fakeroute/state", json=document, timeout=10).status_code == 200
    auth = basic("a-key", "a-secret")
    numbers = requests.get(f"{url}/v2/numbers", headers=auth, timeout=10).json()["data"]
    assert [n["id"] for n in numbers] == ["12065550177"]
    assert requests.get(f"{url}/v2/numbers", headers=FLOWROUTE_AUTH, timeout=10).status_code == 401
    # The owned number is out of the inventory.
    search = requests.get(f"{url}/v2/numbers/available", params={"starts_with": "12065550177"},
                          headers=auth, timeout=10).json()["data"]
    assert search == []


@pytest.mark.parametrize(("body", "named"), [
    (b"", "scenario document"),
    (b"{", "not valid JSON"),
    (b"[]", "must be an object"),
    (b'{"accounts": []}', "accounts"),
    (b'{"accounts": [{"id": "a"}, {"id": "a"}]}', "accounts[1].id"),
    (b'{"accounts": [{"id": "a", "flowroute": {"access_key": "k", "secret_key": "s", '
     b'"numbers": [{"value": "12065550100"}, {"value": "1206555"}]}}]}', "accounts[0].flowroute.numbers[1].value"),
    (b'{"accounts": [{"id": "a", "flowroute": {"access_key": "k", "secret_key": "s", '
     b'"numbers": [{"value": "12065550100", "primary_route": "9"}]}}]}', "accounts[0].flowroute.numbers[0]"),
    (b'{"accounts": [{"id": "a", "colour": "red"}]}', "colour"),
])
def test_a_bad_document_is_refused_naming_the_entry_and_nothing_changes(url, body, named):
    busy(url)
    before = requests.get(f"{url}/_fakeroute/state", timeout=10).content
    answer = requests.put(f"{url}/_fakeroute/state", data=body, timeout=10)
    assert answer.status_code == 400
    assert named in answer.json()["error"], answer.json()
    assert requests.get(f"{url}/_fakeroute/state", timeout=10).content == before
    # The journal of the calls before is still there too: the world was not touched.
    assert requests.get(f"{url}/_fakeroute/requests", timeout=10).json()["requests"]


def test_a_state_document_keeps_its_rate_limit_setting(url):
    document = {"rate_limits": False, "accounts": [{"id": "solo"}]}
    assert requests.put(f"{url}/_fakeroute/state", json=document, timeout=10).status_code == 200
    assert json.loads(requests.get(f"{url}/_fakeroute/state", timeout=10).content) == {
        "rate_limits": False, "accounts": [{"id": "solo", "name": "solo"}]}


def flowroute_numbers(url: str, auth: dict[str, str]) -> list[str]:
    return [n["id"] for n in requests.get(f"{url}/v2/numbers", headers=auth, timeout=10).json()["data"]]


def test_reset_of_one_named_account_leaves_the_others(url):
    other = requests.post(f"{url}/_fakeroute/accounts", json={"name": "b"}, timeout=10).json()
    other_auth = basic(other["flowroute"]["access_key"], other["flowroute"]["secret_key"])
    before = flowroute_numbers(url, FLOWROUTE_AUTH)
    bought = {}
    for name, auth in (("default", FLOWROUTE_AUTH), ("other", other_auth)):
        number = requests.get(f"{url}/v2/numbers/available?limit=1", headers=auth, timeout=10).json()["data"][0]["id"]
        assert requests.post(f"{url}/v2/numbers/{number}", headers=auth, timeout=10).status_code == 201
        bought[name] = number
    assert requests.delete(f"{url}/v2/numbers/{OWNED}", headers=FLOWROUTE_AUTH, timeout=10).status_code == 204

    answer = requests.post(f"{url}/_fakeroute/reset", json={"account": "default"}, timeout=10)
    assert answer.json() == {"status": "reset", "account": "default", "scenario": "default (built-in)"}
    assert flowroute_numbers(url, FLOWROUTE_AUTH) == before  # OWNED is back, the bought one gone
    assert flowroute_numbers(url, other_auth) == [bought["other"]]
    available = requests.get(f"{url}/v2/numbers/available", params={"starts_with": bought["default"]},
                             headers=other_auth, timeout=10).json()["data"]
    assert [n["id"] for n in available] == [bought["default"]]  # back in the inventory

    # An account made by POST accounts goes back to as it was made: its credentials, nothing owned.
    again = requests.post(f"{url}/_fakeroute/reset", json={"account": other["id"]}, timeout=10)
    assert again.status_code == 200
    assert flowroute_numbers(url, other_auth) == []


def test_reset_of_an_account_whose_number_another_took_is_a_conflict_that_changes_nothing(url):
    other = requests.post(f"{url}/_fakeroute/accounts", json={}, timeout=10).json()
    other_auth = basic(other["flowroute"]["access_key"], other["flowroute"]["secret_key"])
    assert requests.delete(f"{url}/v2/numbers/{OWNED}", headers=FLOWROUTE_AUTH, timeout=10).status_code == 204
    assert requests.post(f"{url}/v2/numbers/{OWNED}", headers=other_auth, timeout=10).status_code == 201
    before = requests.get(f"{url}/_fakeroute/state", timeout=10).content
    answer = requests.post(f"{url}/_fakeroute/reset", json={"account": "default"}, timeout=10)
    assert answer.status_code == 409 and OWNED in answer.json()["error"]
    assert requests.get(f"{url}/_fakeroute/state", timeout=10).content == before


@pytest.mark.parametrize(("body", "status"), [(b'{"account": "nobody"}', 404), (b'{"account": 5}', 400),
                                              (b'{"everything": true}', 400), (b"[1]", 400)])
def test_reset_refuses_what_it_cannot_do(url, body, status):
    answer = requests.post(f"{url}/_fakeroute/reset", data=body, timeout=10)
    assert answer.status_code == status and answer.json()["error"]


def test_reset_to_a_preset_starts_over_from_it_and_later_resets_return_to_it(url):
    busy(url)
    answer = requests.post(f"{url}/_fakeroute/reset", json={"scenario": "empty"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "reset", "scenario": "empty (built-in)", "seed": 0}
    assert flowroute_numbers(url, FLOWROUTE_AUTH) == []  # the empty preset: credentials, nothing owned
    journal = requests.get(f"{url}/_fakeroute/requests", timeout=10).json()["requests"]
    assert [entry["path"] for entry in journal] == ["/v2/numbers"]  # the calls before the reset are gone
    number = requests.get(f"{url}/v2/numbers/available?limit=1", headers=FLOWROUTE_AUTH,
                          timeout=10).json()["data"][0]["id"]
    assert requests.post(f"{url}/v2/numbers/{number}", headers=FLOWROUTE_AUTH, timeout=10).status_code == 201
    assert requests.post(f"{url}/_fakeroute/reset", timeout=10).status_code == 200
    assert flowroute_numbers(url, FLOWROUTE_AUTH) == []  # back to the preset, not to the server's first scenario

    # The suspended preset: reads answer, every write is the provider's 403.
    assert requests.post(f"{url}/_fakeroute/reset", json={"scenario": "suspended"}, timeout=10).status_code == 200
    assert requests.get(f"{url}/v2/numbers", headers=FLOWROUTE_AUTH, timeout=10).status_code == 200
    refused = requests.post(f"{url}/v2/numbers/{number}", headers=FLOWROUTE_AUTH, timeout=10)
    assert refused.status_code == 403


@pytest.mark.parametrize("body", [{"scenario": "nope"}, {"scenario": "../fixtures/default"},
                                  {"scenario": "/etc/passwd"}, {"scenario": "default.json"}, {"scenario": 3},
                                  {"scenario": "busy", "account": "default"}])
def test_reset_to_a_preset_takes_only_a_preset_name_and_changes_nothing_otherwise(url, body):
    busy(url)
    before = requests.get(f"{url}/_fakeroute/state", timeout=10).content
    answer = requests.post(f"{url}/_fakeroute/reset", json=body, timeout=10)
    assert answer.status_code == 400
    assert "one of busy, default, empty, near-limits, suspended" in answer.json()["error"]
    assert requests.get(f"{url}/_fakeroute/state", timeout=10).content == before


def test_a_tenant_may_not_reset_the_world_to_a_preset():
    with FakerouteServer(FakerouteApp(World(seed=0), admin_token="t0ken")) as server:
        tenant = requests.post(f"{server.url}/_fakeroute/accounts", headers={"Authorization": "Bearer t0ken"},
                               timeout=10).json()
        auth = basic(tenant["flowroute"]["access_key"], tenant["flowroute"]["secret_key"])
        answer = requests.post(f"{server.url}/_fakeroute/reset", json={"scenario": "empty"}, headers=auth,
                               timeout=10)
        assert answer.status_code == 403 and "preset" in answer.json()["error"]
        admin = {"Authorization": "Bearer t0ken"}
        assert requests.get(f"{server.url}/_fakeroute/state", headers=admin, timeout=10).json()["accounts"][0][
            "id"] == "default"
