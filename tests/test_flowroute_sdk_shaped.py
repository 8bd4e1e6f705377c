"""Raw ``requests`` calls shaped exactly like the official Flowroute Python SDK v3's, over real HTTP.

The SDK (flowroute/flowroute-sdk-v3-python, not on PyPI) builds each URL itself: the controller's
parameters in its own order, ``None`` skipped, every value ``quote(str(v), safe="")``-encoded; it sends
the headers listed per call below (some calls send no Content-Type or no Accept at all), re-serializes
JSON bodies, raises ``ErrorException`` (with the parsed ``errors``) for 401/403/404/422 and a bare
``APIException`` for any other status outside 200..208, and returns the parsed JSON (or None for an
empty body). This module reproduces that behaviour from the SDK's documented contract, so the demo
flow of the SDK's README runs against the fake as it would against api.flowroute.com.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests
from helpers import FLOWROUTE_KEY, FLOWROUTE_SECRET, OWNED


class ErrorException(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(status)
        self.response_code = status
        self.errors = body.get("errors", []) if isinstance(body, dict) else []


class APIException(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.response_code = status


class SdkShapedClient:
    def __init__(self, base_uri: str, user: str, password: str):
        self.base_uri = base_uri
        self.session = requests.Session()
        self.auth = requests.auth.HTTPBasicAuth(user, password)
        self.sent: list[requests.PreparedRequest] = []

    def _call(self, method: str, path: str, params: dict | None = None, headers: dict | None = None,
              body: str | None = None):
        url = self.base_uri + path
        pairs = [f"{k}={quote(str(v), safe='')}" for k, v in (params or {}).items() if v is not None]
        if pairs:
            url += "?" + "&".join(pairs)
        data = json.dumps(json.loads(body)) if body is not None else None
        response = self.session.request(method, url, headers={"user-agent": "Flowroute SDK v3.0", **(headers or {})},
                                        data=data, auth=self.auth, timeout=10)
        self.sent.append(response.request)
        if response.status_code in (401, 403, 404, 422):
            raise ErrorException(response.status_code, response.json())
        if not 200 <= response.status_code <= 208:
            raise APIException(response.status_code)
        return response.json() if response.text else None

    # numbers controller
    def search_for_purchasable_phone_numbers(self, starts_with=None, contains=None, ends_with=None, limit=None,
                                             offset=None, rate_center=None, state=None):
        return self._call("GET", "/v2/numbers/available", {
            "starts_with": starts_with, "contains": contains, "ends_with": ends_with, "limit": limit,
            "offset": offset, "rate_center": rate_center, "state": state,
        }, {"accept": "application/json"})

    def list_available_area_codes(self, limit=None, offset=None, max_setup_cost=None):
        return self._call("GET", "/v2/numbers/available/areacodes",
                          {"limit": limit, "offset": offset, "max_setup_cost": max_setup_cost})

    def list_available_exchange_codes(self, limit=None, offset=None, max_setup_cost=None, areacode=None):
        return self._call("GET", "/v2/numbers/available/exchanges",
                          {"limit": limit, "offset": offset, "max_setup_cost": max_setup_cost, "areacode": areacode})

    def list_account_phone_numbers(self, starts_with=None, ends_with=None, contains=None, limit=None, offset=None):
        return self._call("GET", "/v2/numbers", {
            "starts_with": starts_with, "ends_with": ends_with, "contains": contains, "limit": limit,
            "offset": offset,
        }, {"accept": "application/json"})

    def purchase_a_phone_number(self, number_id):
        return self._call("POST", f"/v2/numbers/{quote(str(number_id))}", headers={"accept": "application/json"})

    def list_phone_number_details(self, number_id):
        return self._call("GET", f"/v2/numbers/{quote(str(number_id))}", headers={"accept": "application/json"})

    def release_a_did(self, number_id):
        return self._call("DELETE", f"/v2/numbers/{quote(str(number_id))}", headers={"accept": "application/json"})

    def set_did_alias(self, number_id, alias):
        return self._call("PATCH", f"/v2/numbers/{quote(str(number_id))}",
                          body=json.dumps({"type": "number", "alias": alias}))

    # routes controller
    def list_inbound_routes(self, limit=None, offset=None):
        return self._call("GET", "/v2/routes", {"limit": limit, "offset": offset})

    def create_an_inbound_route(self, body: str):
        return self._call("POST", "/v2/routes", headers={
            "accept": "application/json", "content-type": "application/json; charset=utf-8",
        }, body=body)

    def update_primary_voice_route(self, number_id, body: str):
        return self._call("PATCH", f"/v2/numbers/{quote(str(number_id))}/relationships/primary_route", body=body)

    def update_failover_voice_route(self, number_id, body: str):
        return self._call("PATCH", f"/v2/numbers/{quote(str(number_id))}/relationships/failover_route", body=body)


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
