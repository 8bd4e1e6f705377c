"""The official Flowroute SDK v3's number and route calls (``support.flowroute_sdk``), over real HTTP.

The demo flow of the SDK's README runs against the fake as it would against api.flowroute.com.
"""

from __future__ import annotations

import json

import pytest

from tests.support.flowroute import FLOWROUTE_KEY, FLOWROUTE_SECRET, OWNED
from tests.support.flowroute_sdk import APIException, ErrorException, SdkShapedClient


@pytest.fixture
def sdk(server_url: str) -> SdkShapedClient:
    return SdkShapedClient(server_url, FLOWROUTE_KEY, FLOWROUTE_SECRET)


def test_the_sdk_readme_number_and_route_flow(sdk: SdkShapedClient):
    result = sdk.search_for_purchasable_phone_numbers(starts_with=1206, limit=3, rate_center="seattle", state="wa")
    assert sdk.sent[-1].path_url == "/v2/numbers/available?starts_with=1206&limit=3&rate_center=seattle&state=wa"
    assert sdk.sent[-1].headers["user-agent"] == "Flowroute SDK v3.0"
    candidates = [n["id"] for n in result["data"]]
    assert len(candidates) == 3 and result["links"]["next"].endswith("offset=3")

    purchased = sdk.purchase_a_phone_number(candidates[0])
    assert purchased["data"]["relationships"]["primary_route"]["data"]["id"] == "0"
    numbers = sdk.list_account_phone_numbers(starts_with=1206, limit=10, offset=0)
    assert candidates[0] in [n["id"] for n in numbers["data"]]

    route_ids = []
    for route_type, value in (("host", "www.example.com"), ("number", "12065551212"), ("uri", "sip:ops@example.com")):
        body = json.dumps({"data": {"type": "route", "attributes": {
            "route_type": route_type, "value": value, "alias": f"demo-{route_type}", "edge_strategy": "1"}}})
        route_ids.append(sdk.create_an_inbound_route(body)["data"]["id"])
    routes = sdk.list_inbound_routes(limit=10)
    assert [r["id"] for r in routes["data"]][-3:] == route_ids

    assert sdk.update_primary_voice_route(candidates[0], json.dumps({"data": {"type": "route", "id": route_ids[1]}}))\
        is None
    assert "content-type" not in {k.lower() for k in sdk.sent[-1].headers}
    assert sdk.update_failover_voice_route(candidates[0], json.dumps({"data": {"type": "route", "id": route_ids[2]}}))\
        is None
    detail = sdk.list_phone_number_details(candidates[0])
    assert detail["data"]["relationships"]["primary_route"]["data"]["id"] == route_ids[1]
    assert detail["data"]["relationships"]["failover_route"]["data"]["id"] == route_ids[2]
    assert {r["id"] for r in detail["included"]} == set(route_ids[1:])

    assert sdk.set_did_alias(candidates[0], "New Test")["data"]["attributes"]["alias"] == "New Test"
    assert sdk.release_a_did(candidates[0]) is None
    with pytest.raises(ErrorException) as not_found:
        sdk.list_phone_number_details(candidates[0])
    assert not_found.value.response_code == 404 and not_found.value.errors[0]["title"] == "Not Found"


def test_area_code_and_exchange_listings_as_the_sdk_asks_for_them(sdk: SdkShapedClient):
    areacodes = sdk.list_available_area_codes(limit=3, max_setup_cost=3.25)
    assert sdk.sent[-1].path_url == "/v2/numbers/available/areacodes?limit=3&max_setup_cost=3.25"
    assert len(areacodes["data"]) == 3
    exchanges = sdk.list_available_exchange_codes(limit=5, areacode=int(areacodes["data"][0]["id"]))
    assert exchanges["data"] and all(e["id"].startswith(areacodes["data"][0]["id"]) for e in exchanges["data"])


def test_sdk_error_classes_see_the_statuses_they_expect(sdk: SdkShapedClient, server_url: str):
    with pytest.raises(ErrorException) as unauthorized:
        SdkShapedClient(server_url, FLOWROUTE_KEY, "wrong").list_account_phone_numbers()
    assert unauthorized.value.response_code == 401 and unauthorized.value.errors[0]["status"] == 401
    with pytest.raises(ErrorException) as unprocessable:
        sdk.create_an_inbound_route('{"data": {"type": "route", "attributes": {"route_type": "fax"}}}')
    assert unprocessable.value.response_code == 422
    assert "route_type" in unprocessable.value.errors[0]["detail"]
    with pytest.raises(APIException) as bad_request:
        sdk.search_for_purchasable_phone_numbers(limit=500)
    assert bad_request.value.response_code == 400
    with pytest.raises(ErrorException) as owned:
        sdk.purchase_a_phone_number(OWNED)
    assert owned.value.response_code == 404
