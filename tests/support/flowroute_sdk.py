"""Raw ``requests`` calls shaped exactly like the official Flowroute Python SDK v3's.

The SDK (flowroute/flowroute-sdk-v3-python, not on PyPI) builds each URL itself: the controller's
parameters in its own order, ``None`` skipped, every value ``quote(str(v), safe="")``-encoded; it sends
the headers listed per call below (some calls send no Content-Type or no Accept at all), re-serializes
JSON bodies, raises ``ErrorException`` (with the parsed ``errors``) for 401/403/404/422 and a bare
``APIException`` for any other status outside 200..208, and returns the parsed JSON (or None for an
empty body). ``SdkShapedClient`` reproduces that behaviour from the SDK's documented contract.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import requests


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
