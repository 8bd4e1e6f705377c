"""Flowroute Numbers v2: inventory search, purchase, account numbers, details, alias, release."""

from __future__ import annotations

import pytest

from tests.support.errors import error_of
from tests.support.flowroute import FLOWROUTE_AUTH, MEDIA_TYPE, OTHER_TENANTS, OWNED, OWNED_PLAIN
from tests.support.harness import basic


def available(api, **params) -> list[dict]:
    response = api.get("/v2/numbers/available", params=params)
    assert response.status_code == 200, response
    return response.json()["data"]


# -- search -----------------------------------------------------------------------------------------


def test_search_returns_purchasable_numbers_with_costs_and_related_links(flowroute):
    response = flowroute.get("/v2/numbers/available", params={"starts_with": "1206", "limit": 3})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert len(body["data"]) == 3
    for item in body["data"]:
        assert item["type"] == "number" and item["id"] == item["attributes"]["value"]
        assert item["id"].startswith("1206") and len(item["id"]) == 11
        attributes = item["attributes"]
        assert attributes["state"] == "wa" and attributes["number_type"] == "standard"
        assert isinstance(attributes["monthly_cost"], float) and isinstance(attributes["setup_cost"], float)
        assert attributes["rate_center"] in ("seattle", "mercerisld")
        assert item["links"] == {"related": f"{flowroute.base}/v2/numbers/{item['id']}"}
    assert body["links"] == {
        "self": f"{flowroute.base}/v2/numbers/available?starts_with=1206&limit=3&offset=0",
        "next": f"{flowroute.base}/v2/numbers/available?starts_with=1206&limit=3&offset=3",
    }


def test_search_defaults_to_ten_results_in_ascending_order(flowroute):
    numbers = [n["id"] for n in available(flowroute)]
    assert len(numbers) == 10 and numbers == sorted(numbers)


def test_search_filters_contains_ends_with_state_and_rate_center(flowroute):
    assert all("77" in n["id"] for n in available(flowroute, contains="77", limit=50))
    assert all(n["id"].endswith("00") for n in available(flowroute, ends_with="00", limit=50))
    seattle = available(flowroute, state="WA", rate_center="SEATTLE", limit=50)
    assert seattle and all(n["attributes"]["rate_center"] == "seattle" for n in seattle)
    combined = available(flowroute, starts_with="1", contains="5", ends_with="9", state="ny", limit=50)
    assert combined and all(
        n["id"].endswith("9") and "5" in n["id"] and n["attributes"]["state"] == "ny" for n in combined
    )


def test_search_pages_walk_the_whole_match_without_overlap(flowroute):
    seen: list[str] = []
    path = "/v2/numbers/available"
    params = {"starts_with": "1212", "limit": 7}
    while True:
        response = flowroute.get(path, params=params)
        body = response.json()
        seen += [n["id"] for n in body["data"]]
        if "next" not in body["links"]:
            break
        params = {**params, "offset": params.get("offset", 0) + 7}
    assert len(seen) == len(set(seen)) > 7
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"limit": "0"}, "limit", "at least 1"),
        ({"limit": "-5"}, "limit", "at least 1"),
        ({"limit": "201"}, "limit", "at most 200"),
        ({"limit": "99999999999999999999"}, "limit", "at most 200"),
        ({"limit": "ten"}, "limit", "must be an integer"),
        ({"limit": "1.5"}, "limit", "must be an integer"),
        ({"offset": "-1"}, "offset", "at least 0"),
        ({"offset": "x"}, "offset", "must be an integer"),
        ({"starts_with": "12o6"}, "starts_with", "1 to 11 digits"),
        ({"contains": "123456789012"}, "contains", "1 to 11 digits"),
        ({"state": "Washington"}, "state", "two-letter"),
        ({"rate_center": "seattle"}, "state", "required when rate_center"),
    ],
)
def test_search_rejects_bad_parameters_with_a_400_naming_them(flowroute, params, field, words):
    error = error_of(flowroute.get("/v2/numbers/available", params=params), 400)
    assert error["title"] == "Client Error"
    assert field in error["detail"] and words in error["detail"]
    assert error["source"] == {"parameter": field}


def test_search_with_a_huge_offset_is_an_empty_last_page(flowroute):
    body = flowroute.get("/v2/numbers/available", params={"offset": 10**12}).json()
    assert body["data"] == [] and "next" not in body["links"]


def test_same_seed_gives_identical_pages_and_another_seed_does_not():
    from werkzeug.test import Client

    from fakeroute.app import FakerouteApp
    from fakeroute.world import World

    def page(seed: int) -> bytes:
        client = Client(FakerouteApp(World(seed=seed)))
        return client.get("/v2/numbers/available?limit=200&offset=400", headers=FLOWROUTE_AUTH).get_data()

    assert page(3) == page(3)
    assert page(3) != page(4)


# -- area codes and exchanges ---------------------------------------------------------------------


def test_area_codes_list_npas_with_exchange_links(flowroute):
    body = flowroute.get("/v2/numbers/available/areacodes", params={"limit": 3}).json()
    assert [a["type"] for a in body["data"]] == ["areacode"] * 3
    first = body["data"][0]
    assert first["links"]["related"] == f"{flowroute.base}/v2/numbers/available/exchanges?areacode={first['id']}"
    assert body["links"]["next"].endswith("limit=3&offset=3")
    everything = flowroute.get("/v2/numbers/available/areacodes", params={"limit": 400}).json()
    codes = [a["id"] for a in everything["data"]]
    assert codes == sorted(codes) and "206" in codes and "800" in codes and "next" not in everything["links"]


def test_area_codes_filter_by_max_setup_cost(flowroute):
    cheap = flowroute.get("/v2/numbers/available/areacodes", params={"limit": 400, "max_setup_cost": 0}).json()
    every = flowroute.get("/v2/numbers/available/areacodes", params={"limit": 400}).json()
    assert 0 < len(cheap["data"]) < len(every["data"])
    assert cheap["links"]["self"].startswith(f"{flowroute.base}/v2/numbers/available/areacodes?max_setup_cost=0&")


@pytest.mark.parametrize("params", [{"limit": "401"}, {"max_setup_cost": "cheap"}, {"max_setup_cost": "-1"}])
def test_area_codes_reject_bad_parameters(flowroute, params):
    error_of(flowroute.get("/v2/numbers/available/areacodes", params=params), 400)


def test_exchanges_of_an_area_code_link_to_a_number_search(flowroute):
    body = flowroute.get("/v2/numbers/available/exchanges", params={"areacode": "206"}).json()
    assert body["data"]
    for exchange in body["data"]:
        assert exchange["type"] == "exchange" and exchange["id"].startswith("206") and len(exchange["id"]) == 6
        related = exchange["links"]["related"]
        assert related == f"{flowroute.base}/v2/numbers/available?starts_with=1{exchange['id']}"
        numbers = available(flowroute, starts_with="1" + exchange["id"])
        assert numbers


@pytest.mark.parametrize("params", [{"areacode": "20"}, {"areacode": "106"}, {"limit": "201"}])
def test_exchanges_reject_bad_parameters(flowroute, params):
    error_of(flowroute.get("/v2/numbers/available/exchanges", params=params), 400)


# -- purchase ------------------------------------------------------------------------------------


def test_purchase_moves_a_number_from_the_inventory_into_the_account(flowroute):
    number = available(flowroute, starts_with="1206", limit=1)[0]["id"]
    response = flowroute.post(f"/v2/numbers/{number}", headers={"accept": "application/json"})
    assert response.status_code == 201
    body = response.json()
    assert body["data"]["id"] == number and body["data"]["type"] == "number"
    assert body["data"]["attributes"]["alias"] is None
    assert body["data"]["relationships"]["primary_route"] == {"data": {"type": "route", "id": "0"}}
    assert body["data"]["relationships"]["failover_route"] == {"data": None}
    assert body["included"] == [{
        "type": "route", "id": "0",
        "attributes": {"route_type": "sip-reg", "alias": "sip-reg", "value": None, "edge_strategy": None},
        "links": {"self": f"{flowroute.base}/v2/routes/0"},
    }]
    assert number not in [n["id"] for n in available(flowroute, starts_with=number)]
    owned = [n["id"] for n in flowroute.get("/v2/numbers", params={"limit": 200}).json()["data"]]
    assert number in owned
    assert flowroute.get(f"/v2/numbers/{number}").json() == body


def test_buying_a_number_twice_is_refused(flowroute):
    number = available(flowroute, limit=1)[0]["id"]
    assert flowroute.post(f"/v2/numbers/{number}").status_code == 201
    error = error_of(flowroute.post(f"/v2/numbers/{number}"), 404)
    assert number in error["detail"] and "already on your account" in error["detail"]


@pytest.mark.parametrize(
    "number",
    [
        "12065559999",  # a valid number the inventory does not offer
        OWNED,  # already the account's
        OTHER_TENANTS,  # another account's
        "2065550100",  # ten digits
        "+12065550100",
        "abc",
    ],
)
def test_purchasing_a_number_not_offered_is_a_404(flowroute, number):
    before = len(flowroute.world.inventory)
    error = error_of(flowroute.post(f"/v2/numbers/{number}"), 404)
    assert number.lstrip("+") in error["detail"]
    assert len(flowroute.world.inventory) == before


# -- account numbers --------------------------------------------------------------------------------


def test_account_numbers_list_without_relationships(flowroute):
    body = flowroute.get("/v2/numbers").json()
    assert [n["id"] for n in body["data"]] == [OWNED, OWNED_PLAIN]
    first = body["data"][0]
    assert first == {
        "type": "number",
        "id": OWNED,
        "attributes": {
            "rate_center": first["attributes"]["rate_center"],
            "value": OWNED,
            "alias": "Seattle office",
            "state": "wa",
            "number_type": "standard",
            "cnam_lookups_enabled": True,
        },
        "links": {"self": f"{flowroute.base}/v2/numbers/{OWNED}"},
    }
    assert body["links"] == {"self": f"{flowroute.base}/v2/numbers?limit=10&offset=0"}


def test_account_numbers_filter_and_paginate(flowroute):
    for number in [n["id"] for n in available(flowroute, starts_with="1206", limit=4)]:
        assert flowroute.post(f"/v2/numbers/{number}").status_code == 201
    seattle = flowroute.get("/v2/numbers", params={"starts_with": "1206", "limit": 2}).json()
    assert len(seattle["data"]) == 2 and all(n["id"].startswith("1206") for n in seattle["data"])
    assert seattle["links"]["next"].endswith("/v2/numbers?starts_with=1206&limit=2&offset=2")
    rest = flowroute.get("/v2/numbers", params={"starts_with": "1206", "limit": 2, "offset": 4}).json()
    assert len(rest["data"]) == 1 and "next" not in rest["links"]
    assert [n["id"] for n in flowroute.get("/v2/numbers", params={"ends_with": "0123"}).json()["data"]] == [
        OWNED_PLAIN
    ]
    assert flowroute.get("/v2/numbers", params={"contains": "5550"}).json()["data"]
    error_of(flowroute.get("/v2/numbers", params={"limit": "0"}), 400)
    error_of(flowroute.get("/v2/numbers", params={"contains": "five"}), 400)


def test_number_details_show_routes_and_included_route_records(flowroute):
    body = flowroute.get(f"/v2/numbers/{OWNED}").json()
    data = body["data"]
    assert data["relationships"] == {
        "cnam_preset": {"data": None},
        "e911_address": {"data": None},
        "failover_route": {"data": {"type": "route", "id": "98397"}},
        "primary_route": {"data": {"type": "route", "id": "98396"}},
    }
    assert [r["id"] for r in body["included"]] == ["98396", "98397"]
    assert body["included"][0]["attributes"] == {
        "route_type": "host", "alias": "new_route_5000", "value": "www.getouttahere.com", "edge_strategy": None,
    }
    assert body["links"] == {"self": f"{flowroute.base}/v2/numbers/{OWNED}"}


@pytest.mark.parametrize("number", [OTHER_TENANTS, "12065559999", "nope"])
def test_details_of_a_number_the_account_does_not_own_are_a_404(flowroute, number):
    error = error_of(flowroute.get(f"/v2/numbers/{number}"), 404)
    assert error["title"] == "Not Found" and number in error["detail"]


# -- alias and release ------------------------------------------------------------------------------


def test_alias_is_set_with_the_flat_body_the_sdk_sends(flowroute):
    response = flowroute.patch(f"/v2/numbers/{OWNED_PLAIN}", data='{"type": "number", "alias": "New Test"}')
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["alias"] == "New Test"
    assert flowroute.get(f"/v2/numbers/{OWNED_PLAIN}").json()["data"]["attributes"]["alias"] == "New Test"


def test_alias_accepts_the_json_api_form_and_null_clears_it(flowroute):
    body = {"data": {"type": "number", "attributes": {"alias": None}}}
    response = flowroute.patch(f"/v2/numbers/{OWNED}", json=body)
    assert response.status_code == 200 and response.json()["data"]["attributes"]["alias"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"type": "number"}', "alias"),
        ('{"type": "number", "alias": 42}', "alias"),
        ('{"type": "route", "alias": "x"}', "type"),
        ('{"data": {"type": "number", "attributes": {}}}', "data.attributes.alias"),
        ('["alias"]', "request body"),
        ('{"alias": "' + "x" * 256 + '"}', "alias"),
    ],
)
def test_bad_alias_bodies_are_422_and_change_nothing(flowroute, body, field):
    error = error_of(flowroute.patch(f"/v2/numbers/{OWNED}", data=body), 422)
    assert field in error["detail"]
    assert flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["attributes"]["alias"] == "Seattle office"


def test_alias_of_a_number_not_owned_is_a_404(flowroute):
    error_of(flowroute.patch(f"/v2/numbers/{OTHER_TENANTS}", data='{"type": "number", "alias": "mine"}'), 404)


def test_release_returns_the_number_to_the_inventory(flowroute):
    assert flowroute.delete(f"/v2/numbers/{OWNED}").status_code == 204
    error_of(flowroute.get(f"/v2/numbers/{OWNED}"), 404)
    assert [n["id"] for n in available(flowroute, starts_with=OWNED)] == [OWNED]
    assert flowroute.post(f"/v2/numbers/{OWNED}").status_code == 201


def test_release_of_a_number_not_owned_is_a_404(flowroute):
    error_of(flowroute.delete(f"/v2/numbers/{OTHER_TENANTS}"), 404)


# -- auth and malformed requests --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": ""},
        basic("fakeroute", "wrong-secret"),
        basic("nobody", "fakeroute-secret"),
        {"Authorization": "Bearer fakeroute-secret"},
        {"Authorization": "Basic !!!not-base64"},
    ],
)
def test_bad_credentials_get_the_real_401(flowroute, headers):
    for method, path in [("GET", "/v2/numbers"), ("POST", "/v2/routes"), ("GET", f"/v2/numbers/{OTHER_TENANTS}")]:
        error = error_of(flowroute.request(method, path, headers=headers, data="{not json"), 401)
        assert error["title"] == "Unauthorized"


def test_another_account_sees_only_its_own_numbers(flowroute):
    other = basic("fakeroute-other", "fakeroute-other-secret")
    body = flowroute.get("/v2/numbers", headers=other).json()
    assert [n["id"] for n in body["data"]] == [OTHER_TENANTS]
    error_of(flowroute.get(f"/v2/numbers/{OWNED}", headers=other), 404)


def test_unknown_paths_and_methods_answer_in_flowroute_format(flowroute):
    assert error_of(flowroute.get("/v2/nothing-here"), 404)["title"] == "Not Found"
    assert error_of(flowroute.request("PUT", "/v2/routes"), 405)["title"] == "Method Not Allowed"


def test_oversize_bodies_are_refused_with_413(flowroute):
    error = error_of(flowroute.post("/v2/routes", data=b"x" * (1024 * 1024 + 1)), 413)
    assert "exceeds" in error["detail"]


def test_a_request_never_gets_a_500_and_admin_state_is_unchanged_by_refusals(flowroute):
    before = flowroute.get("/_fakeroute/state").json()
    for method, path, data in [
        ("POST", "/v2/routes", b"\xff\xfe"),
        ("POST", "/v2/routes", b"null"),
        ("PATCH", f"/v2/numbers/{OWNED}/relationships/primary_route", b"[]"),
        ("PATCH", f"/v2/numbers/{OWNED}", b'{"alias": {"nested": true}}'),
        ("POST", "/v2/numbers/%00", b""),
        ("GET", "/v2/numbers/available?limit=%FF", b""),
    ]:
        response = flowroute.request(method, path, data=data)
        assert 400 <= response.status_code < 500, (method, path, response)
    assert flowroute.get("/_fakeroute/state").json() == before
