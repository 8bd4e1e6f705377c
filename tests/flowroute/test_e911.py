"""Flowroute E911 addresses: list, get, validate, create, update, delete, and their numbers (associate, disconnect,
list), in-process and over HTTP."""

from __future__ import annotations

import copy

import pytest

from fakeroute.world import ScenarioError, World
from tests.support.errors import error_of
from tests.support.flowroute import OTHER_TENANTS, OWNED, OWNED_PLAIN
from tests.support.harness import basic

OTHER_AUTH = basic("fakeroute-other", "fakeroute-other-secret")


def e911(**extra) -> dict:
    attributes = {"label": "E911 Test", "first_name": "Chris", "last_name": "Smith", "street_name": "3rd Ave",
                  "street_number": "1218", "city": "Seattle", "state": "WA", "country": "US", "zip": "98101", **extra}
    return {"data": {"type": "e911", "attributes": {k: v for k, v in attributes.items() if v is not ...}}}


def create(flowroute, **extra) -> dict:
    response = flowroute.post("/v2/e911s", json=e911(**extra))
    assert response.status_code == 201, response
    return response.json()["data"]


def state(flowroute) -> dict:
    return flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]


# -- create, get, list ----------------------------------------------------------------------------


def test_create_answers_201_with_the_record_as_the_readme_shows_it(flowroute):
    response = flowroute.post("/v2/e911s", json=e911(), headers={"accept": "application/vnd.api+json"})
    assert response.status_code == 201
    record = response.json()
    assert record == {"data": {
        "attributes": {"city": "Seattle", "country": "US", "first_name": "Chris", "label": "E911 Test",
                       "last_name": "Smith", "state": "WA", "street_name": "3rd Ave", "street_number": "1218",
                       "zip": "98101"},
        "id": "21300", "links": {"self": f"{flowroute.base}/v2/e911s/21300"}, "type": "e911"}}
    assert flowroute.get("/v2/e911s/21300").json() == record


def test_address_types_numbers_and_case_are_normalized(flowroute):
    record = create(flowroute, address_type="suite", address_type_number=600, street_number=1218, zip=98101,
                    state="wa", country="us")
    attributes = record["attributes"]
    assert (attributes["address_type"], attributes["address_type_number"]) == ("Suite", "600")
    assert (attributes["street_number"], attributes["zip"], attributes["state"], attributes["country"]) == (
        "1218", "98101", "WA", "US")


def test_canadian_addresses_geocode_with_their_postal_codes(flowroute):
    record = create(flowroute, city="Toronto", state="ON", country="CA", zip="M4C 5K7")
    assert record["attributes"]["zip"] == "M4C 5K7"


def test_the_list_is_newest_first_filters_by_state_and_paginates(flowroute):
    first = create(flowroute)["id"]
    second = create(flowroute, label="Lobby", address_type="Lobby", address_type_number="12")["id"]
    toronto = create(flowroute, city="Toronto", state="ON", country="CA", zip="M4C 5K7")["id"]
    body = flowroute.get("/v2/e911s").json()
    assert [r["id"] for r in body["data"]] == [toronto, second, first]
    page = flowroute.get("/v2/e911s", params={"limit": 2}).json()
    assert page["links"] == {"self": f"{flowroute.base}/v2/e911s?limit=2&offset=0",
                             "next": f"{flowroute.base}/v2/e911s?limit=2&offset=2"}
    washington = flowroute.get("/v2/e911s", params={"state": "wa"}).json()
    assert [r["id"] for r in washington["data"]] == [second, first]
    assert washington["links"]["self"] == f"{flowroute.base}/v2/e911s?state=WA&limit=10&offset=0"


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "201"}, {"offset": "-1"}, {"state": "Washington"}])
def test_bad_list_queries_are_400(flowroute, params):
    error_of(flowroute.get("/v2/e911s", params=params), 400)


def test_an_unknown_record_is_404(flowroute):
    assert "99999" in error_of(flowroute.get("/v2/e911s/99999"), 404)["detail"]
    error_of(flowroute.get("/v2/e911s/nope"), 404)


# -- validation -----------------------------------------------------------------------------------


def test_validate_answers_204_and_keeps_nothing(flowroute):
    before = state(flowroute)
    response = flowroute.post("/v2/e911s/validate", json=e911(address_type="Suite", address_type_number="600"))
    assert response.status_code == 204 and response.content == b""
    assert state(flowroute) == before


def test_the_readme_address_that_does_not_geocode(flowroute):
    """The README's validate_address example: Seattle, WA, 98101 in country CA."""
    response = flowroute.post("/v2/e911s/validate", json=e911(label="Test Address", street_number="1182",
                                                              country="CA"))
    error = error_of(response, 400)
    assert (error["title"], error["detail"]) == (
        "Client Error", "Could not geocode this address. Please check the validity of your address.")


@pytest.mark.parametrize("change", [
    {"zip": "10001"},  # a New York ZIP in Washington
    {"zip": "9810"},
    {"state": "ZZ"},
    {"state": "ON"},  # a province in the US
    {"country": "MX"},
    {"city": ""},
    {"city": None},
    {"street_name": "   "},
    {"street_number": "twelve"},
    {"street_number": ...},  # missing
    {"zip": ...},
    {"country": "CA", "state": "ON", "zip": "V6B 1A1"},  # a British Columbia postal code in Ontario
])
@pytest.mark.parametrize("path", ["/v2/e911s/validate", "/v2/e911s"])
def test_incomplete_or_implausible_addresses_do_not_geocode(flowroute, change, path):
    before = state(flowroute)
    error = error_of(flowroute.post(path, json=e911(**change)), 400)
    assert error["detail"].startswith("Could not geocode this address")
    assert state(flowroute) == before


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"label": ...}, "data.attributes.label", "is required"),
    ({"first_name": ""}, "data.attributes.first_name", "at least 1"),
    ({"last_name": None}, "data.attributes.last_name", "must be a string"),
    ({"address_type": "Igloo", "address_type_number": "1"}, "data.attributes.address_type", "one of"),
    ({"address_type": "Suite"}, "data.attributes.address_type_number", "required with an address_type"),
    ({"address_type_number": "600"}, "data.attributes.address_type", "required with an address_type_number"),
    ({"zip": {"code": "98101"}}, "data.attributes.zip", "must be"),
])
def test_bad_attributes_are_422_naming_them(flowroute, change, field, words):
    error = error_of(flowroute.post("/v2/e911s", json=e911(**change)), 422)
    assert field in error["detail"] and words in error["detail"], error


@pytest.mark.parametrize(("body", "field"), [
    ({"data": {"type": "e911s", "attributes": {}}}, "data.type"),
    ({"data": {"type": "e911"}}, "data.attributes"),
    ({"type": "e911", "attributes": {}}, "data"),
    ([], "request body"),
])
def test_bad_documents_are_422(flowroute, body, field):
    assert field in error_of(flowroute.post("/v2/e911s", json=body), 422)["detail"]


def test_malformed_json_is_400(flowroute):
    error_of(flowroute.post("/v2/e911s/validate", data="{", headers={"Content-Type": "application/json"}), 400)


# -- update and delete ----------------------------------------------------------------------------


def test_update_as_the_sdk_sends_it_replaces_attributes_and_clears_a_null_address_type(flowroute):
    record = create(flowroute, address_type="Suite", address_type_number="700")
    sent = flowroute.get(f"/v2/e911s/{record['id']}").json()
    sent["data"]["attributes"].update(last_name="Wiley", address_type=None, address_type_number=None,
                                      zip="98104", zip_code="98104")
    response = flowroute.patch(f"/v2/e911s/{record['id']}", json=sent)
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert (attributes["last_name"], attributes["zip"]) == ("Wiley", "98104")
    assert "address_type" not in attributes and "address_type_number" not in attributes
    assert flowroute.get(f"/v2/e911s/{record['id']}").json() == response.json()


def test_a_partial_update_keeps_what_it_does_not_name(flowroute):
    record = create(flowroute, address_type="Suite", address_type_number="700")
    response = flowroute.patch(f"/v2/e911s/{record['id']}", json={"data": {"type": "e911", "attributes": {
        "label": "E911 Test 2"}}})
    attributes = response.json()["data"]["attributes"]
    assert attributes == {**record["attributes"], "label": "E911 Test 2"}


def test_a_bad_update_is_refused_and_changes_nothing(flowroute):
    record = create(flowroute)
    path = f"/v2/e911s/{record['id']}"
    error_of(flowroute.patch(path, json={"data": {"type": "e911", "attributes": {"zip": "10001"}}}), 400)
    mismatch = flowroute.patch(path, json={"data": {"type": "e911", "id": "1", "attributes": {}}})
    assert "data.id" in error_of(mismatch, 422)["detail"]
    error_of(flowroute.patch(path, json={"data": {"type": "e911", "attributes": {"label": None}}}), 422)
    assert flowroute.get(path).json()["data"] == record
    error_of(flowroute.patch("/v2/e911s/99999", json={"data": {"type": "e911", "attributes": {}}}), 404)


def test_delete_needs_the_address_unused(flowroute):
    record_id = create(flowroute)["id"]
    assert flowroute.patch(f"/v2/numbers/{OWNED}/relationships/e911s/{record_id}").status_code == 204
    error = error_of(flowroute.delete(f"/v2/e911s/{record_id}"), 403)
    assert "disassociate" in error["detail"]
    assert flowroute.delete(f"/v2/numbers/{OWNED}/relationships/e911s").status_code == 204
    assert flowroute.delete(f"/v2/e911s/{record_id}").status_code == 204
    error_of(flowroute.get(f"/v2/e911s/{record_id}"), 404)
    error_of(flowroute.delete(f"/v2/e911s/{record_id}"), 404)


# -- numbers --------------------------------------------------------------------------------------


def test_associate_shows_on_the_number_and_in_the_records_numbers(flowroute):
    record_id = create(flowroute)["id"]
    for number in (OWNED, OWNED_PLAIN, OWNED):  # the same twice is no error
        response = flowroute.patch(f"/v2/numbers/{number}/relationships/e911s/{record_id}",
                                   headers={"accept": "application/vnd.api+json"})
        assert response.status_code == 204 and response.content == b""
    detail = flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["relationships"]
    assert detail["e911_address"] == {"data": {"type": "e911", "id": record_id}}
    numbers = flowroute.get(f"/v2/e911s/{record_id}/relationships/numbers").json()
    assert numbers == {"data": [
        {"attributes": {"alias": "Seattle office", "value": OWNED}, "id": OWNED,
         "links": {"self": f"{flowroute.base}/v2/numbers/{OWNED}"}, "type": "number"},
        {"attributes": {"alias": None, "value": OWNED_PLAIN}, "id": OWNED_PLAIN,
         "links": {"self": f"{flowroute.base}/v2/numbers/{OWNED_PLAIN}"}, "type": "number"}],
        "links": {"self": f"{flowroute.base}/v2/e911s/{record_id}/relationships/numbers?limit=10&offset=0"}}
    page = flowroute.get(f"/v2/e911s/{record_id}/relationships/numbers", params={"limit": 1}).json()
    assert page["links"]["next"].endswith("?limit=1&offset=1")


def test_another_address_replaces_the_numbers_address(flowroute):
    first, second = create(flowroute)["id"], create(flowroute, label="Home")["id"]
    flowroute.patch(f"/v2/numbers/{OWNED}/relationships/e911s/{first}")
    flowroute.patch(f"/v2/numbers/{OWNED}/relationships/e911s/{second}")
    assert flowroute.get(f"/v2/e911s/{first}/relationships/numbers").json()["data"] == []
    assert [n["id"] for n in flowroute.get(f"/v2/e911s/{second}/relationships/numbers").json()["data"]] == [OWNED]


def test_disconnect_removes_the_address_also_when_there_was_none(flowroute):
    record_id = create(flowroute)["id"]
    flowroute.patch(f"/v2/numbers/{OWNED}/relationships/e911s/{record_id}")
    for _ in range(2):
        assert flowroute.delete(f"/v2/numbers/{OWNED}/relationships/e911s").status_code == 204
    assert flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["relationships"]["e911_address"] == {"data": None}


def test_toll_free_numbers_support_no_emergency_services(flowroute):
    toll_free = flowroute.get("/v2/numbers/available", params={"starts_with": "888", "limit": 1}).json()["data"][0]
    assert flowroute.post(f"/v2/numbers/{toll_free['id']}").status_code == 201
    record_id = create(flowroute)["id"]
    error = error_of(flowroute.patch(f"/v2/numbers/{toll_free['id']}/relationships/e911s/{record_id}"), 422)
    assert error["detail"] == "Cannot assign an E911 record to a number that does not support emergency services."


def test_numbers_and_records_of_other_accounts_are_unknown(flowroute):
    mine = create(flowroute)["id"]
    error_of(flowroute.patch(f"/v2/numbers/{OTHER_TENANTS}/relationships/e911s/{mine}"), 404)
    error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/e911s/99999"), 404)
    error_of(flowroute.delete(f"/v2/numbers/{OTHER_TENANTS}/relationships/e911s"), 404)
    other = flowroute.as_caller(OTHER_AUTH)
    assert other.get("/v2/e911s").json()["data"] == []
    error_of(other.get(f"/v2/e911s/{mine}"), 404)
    error_of(other.get(f"/v2/e911s/{mine}/relationships/numbers"), 404)
    error_of(other.delete(f"/v2/e911s/{mine}"), 404)
    error_of(flowroute.as_caller({}).get("/v2/e911s"), 401)


# -- state, scenario, reset -----------------------------------------------------------------------


def test_state_dumps_the_records_and_reset_forgets_them(flowroute):
    record_id = create(flowroute, address_type="Suite", address_type_number="600")["id"]
    flowroute.patch(f"/v2/numbers/{OWNED}/relationships/e911s/{record_id}")
    dumped = state(flowroute)
    assert dumped["e911s"] == [{"id": record_id, "label": "E911 Test", "first_name": "Chris", "last_name": "Smith",
                                "street_name": "3rd Ave", "street_number": "1218", "city": "Seattle", "state": "WA",
                                "country": "US", "zip": "98101", "address_type": "Suite",
                                "address_type_number": "600"}]
    assert next(n for n in dumped["numbers"] if n["value"] == OWNED)["e911"] == record_id
    assert flowroute.post("/_fakeroute/reset").status_code == 200
    assert "e911s" not in state(flowroute)
    assert create(flowroute)["id"] == record_id  # ids start over: deterministic


def test_a_scenario_brings_addresses_and_a_state_dump_loads_back():
    world = World()
    scenario = copy.deepcopy(world.scenario)
    section = scenario["accounts"][0]["flowroute"]
    section["e911s"] = [{"id": "20930", "label": "Example E911", "first_name": "Maria", "last_name": "Bermudez",
                         "street_name": "20th Ave SW", "street_number": "7742", "city": "Seattle", "state": "WA",
                         "country": "USA", "zip": "98106", "address_type": "Lobby", "address_type_number": "12"}]
    section["numbers"][0]["e911"] = "20930"
    loaded = World(scenario=scenario)
    account = loaded.accounts["default"].state("flowroute")
    assert account.e911s["20930"].country == "USA" and account.numbers[OWNED].e911 == "20930"
    again = World(scenario={"accounts": [{"id": a.id, **{p.name: p.dump_state(a.state(p.name))
                                                          for p in loaded.providers}} for a in loaded]})
    assert again.accounts["default"].state("flowroute").e911s == account.e911s


@pytest.mark.parametrize(("change", "words"), [
    (lambda s: s["numbers"][0].update(e911="1"), "numbers[0].e911"),
    (lambda s: s.update(e911s=[{**ADDRESS, "zip": "10001"}]), "e911s[0]: Could not geocode"),
    (lambda s: s.update(e911s=[ADDRESS, ADDRESS]), "e911s[1].id"),
])
def test_bad_scenario_addresses_name_the_entry(change, words):
    scenario = copy.deepcopy(World().scenario)
    change(scenario["accounts"][0]["flowroute"])
    with pytest.raises(ScenarioError, match=words.replace("[", r"\[").replace("]", r"\]")):
        World(scenario=scenario)


ADDRESS = {"id": "1", "label": "HQ", "first_name": "A", "last_name": "B", "street_name": "Main St",
           "street_number": "1", "city": "Seattle", "state": "WA", "country": "US", "zip": "98101"}
