"""Raw ``requests`` calls shaped exactly like the official Flowroute Python SDK v3's.

The SDK (flowroute/flowroute-sdk-v3-python, not on PyPI) builds each URL itself: the controller's
parameters in its own order, ``None`` skipped, every value ``quote(str(v), safe="")``-encoded; it sends
the headers listed per call below (some calls send no Content-Type or no Accept at all), re-serializes
JSON bodies, raises ``ErrorException`` (with the parsed ``errors``) for 401/403/404/422 and a bare
``APIException`` for any other status outside 200..208, and returns the parsed JSON (or None for an
empty body). ``SdkShapedClient`` reproduces that behaviour from the SDK's documented contract, for each of the
SDK's 41 HTTP calls (``download_cdr_export`` also fetches the download URL, as the SDK does with urlopen: no
credentials, no SDK headers).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

VND = {"accept": "application/vnd.api+json", "content-type": "application/vnd.api+json; charset=utf-8"}


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
              body: str | None = None, form: dict | None = None):
        """``body``: a JSON string, re-serialized; ``form``: a dict handed to requests as is (form-encoded, a list
        as repeated fields), as the SDK does for CNAM values and portability checks."""
        url = self.base_uri + path
        pairs = [f"{k}={quote(str(v), safe='')}" for k, v in (params or {}).items() if v is not None]
        if pairs:
            url += "?" + "&".join(pairs)
        data: Any = json.dumps(json.loads(body)) if body is not None else form
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

    def list_edge_strategies(self):
        return self._call("GET", "/v2/routes/edge_strategies")

    # numbers controller, continued
    def set_did_callback(self, number_id, url):  # only an accept header, no Content-Type
        return self._call("POST", f"/v2/numbers/{quote(str(number_id))}/relationships/dlr_callback",
                          headers={"accept": "application/json"},
                          body=json.dumps({"data": {"attributes": {"callback_url": url}}}))

    # messages controller
    def send_a_message(self, body: str):
        return self._call("POST", "/v2.1/messages", headers=VND, body=body)

    def look_up_a_set_of_messages(self, start_date, end_date=None, limit=None, offset=None):
        return self._call("GET", "/v2.1/messages", {
            "start_date": rfc3339(start_date), "end_date": rfc3339(end_date) if end_date is not None else None,
            "limit": limit, "offset": offset,
        }, {"accept": "application/json"})

    def look_up_a_message_detail_record(self, message_id):
        return self._call("GET", f"/v2.1/messages/{quote(str(message_id), safe='')}",
                          headers={"accept": "application/json"})

    def _set_account_callback(self, kind: str, url: str):
        return self._call("PUT", f"/v2.1/messages/{kind}", headers=VND,
                          body=json.dumps({"data": {"attributes": {"callback_url": url}}}))

    def set_account_level_sms_callback(self, url):
        return self._set_account_callback("sms_callback", url)

    def set_account_level_mms_callback(self, url):
        return self._set_account_callback("mms_callback", url)

    def set_account_level_dlr_callback(self, url):
        return self._set_account_callback("dlr_callback", url)

    def set_did_level_dlr_callback(self, number_id, dlr_url):
        return self._call("POST", f"/v2/numbers/{number_id}/relationships/dlr_callback", headers=VND,
                          body=json.dumps({"data": {"attributes": {"callback_url": dlr_url}}}))

    # e911s controller
    def list_e911s(self, limit=None, offset=None, state=None):
        return self._call("GET", "/v2/e911s", {"limit": limit, "offset": offset, "state": state})

    def get_e911(self, e911_id):
        return self._call("GET", f"/v2/e911s/{e911_id}")

    def _e911_body(self, label, first_name, last_name, street_name, street_number, city, state, country, zipcode,
                   address_type=None, address_type_number=None) -> str:
        attributes = {"label": label, "first_name": first_name, "last_name": last_name, "street_name": street_name,
                      "street_number": street_number, "city": city, "state": state, "country": country,
                      "zip": zipcode}
        if address_type and address_type_number:
            attributes.update(address_type=address_type, address_type_number=address_type_number)
        return json.dumps({"data": {"type": "e911", "attributes": attributes}})

    def validate_address(self, *args, **kwargs):
        return self._call("POST", "/v2/e911s/validate", headers={"accept": "application/vnd.api+json"},
                          body=self._e911_body(*args, **kwargs))

    def create_address(self, *args, **kwargs):
        return self._call("POST", "/v2/e911s", headers={"accept": "application/vnd.api+json"},
                          body=self._e911_body(*args, **kwargs))

    def update_address(self, e911_id, label=None, first_name=None, last_name=None, street_name=None,
                       street_number=None, city=None, state=None, country=None, zipcode=None, address_type=None,
                       address_type_number=None):
        """The SDK reads the record, lays the arguments over it (zip also as zip_code) and sends it all back,
        with address_type and address_type_number null unless given."""
        record = self.get_e911(e911_id)
        attributes = record["data"]["attributes"]
        given = {"label": label, "first_name": first_name, "last_name": last_name, "street_name": street_name,
                 "city": city, "state": state, "country": country}
        attributes.update({k: v for k, v in given.items() if v is not None})
        if street_number is not None:
            attributes["street_number"] = str(street_number)
        if zipcode is not None:
            attributes["zip"] = attributes["zip_code"] = str(zipcode)
        attributes["address_type"] = address_type
        attributes["address_type_number"] = address_type_number
        if attributes["address_type"] == "":
            attributes.pop("address_type")
            attributes.pop("address_type_number")
        return self._call("PATCH", f"/v2/e911s/{e911_id}", headers={"accept": "application/vnd.api+json"},
                          body=json.dumps(record))

    def delete_address(self, e911_id):
        return self._call("DELETE", f"/v2/e911s/{e911_id}", headers={"accept": "application/vnd.api+json"})

    def associate(self, e911_id, did):
        return self._call("PATCH", f"/v2/numbers/{did}/relationships/e911s/{e911_id}",
                          headers={"accept": "application/vnd.api+json"})

    def disconnect(self, did):
        return self._call("DELETE", f"/v2/numbers/{did}/relationships/e911s",
                          headers={"accept": "application/vnd.api+json"})

    def list_dids_for_e911(self, e911_id):
        return self._call("GET", f"/v2/e911s/{e911_id}/relationships/numbers")

    # cnams controller
    def list_cnams(self, limit=None, offset=None, is_approved=None):
        params = {"limit": limit, "offset": offset}
        if is_approved is not None:
            params["is_approved"] = is_approved
        return self._call("GET", "/v2/cnams", params)

    def get_cnam(self, cnam_id):
        return self._call("GET", f"/v2/cnams/{cnam_id}")

    def create_cnam_record(self, value):
        return self._call("POST", "/v2/cnams", headers={"accept": "application/json"}, form={"value": value})

    def _own_did(self, phone_number) -> str:
        """The SDK first looks the number up among the account's (contains=...) and takes the first found."""
        return self.list_account_phone_numbers(contains=phone_number)["data"][0]["id"]

    def associate_cnam(self, cnam_id, phone_number):
        did = self._own_did(phone_number)
        return self._call("PATCH", f"/v2/numbers/{did}/relationships/cnam/{cnam_id}",
                          headers={"accept": "application/json"})

    def unassociate_cnam(self, phone_number):
        did = self._own_did(phone_number)
        return self._call("DELETE", f"/v2/numbers/{did}/relationships/cnam", headers={"accept": "application/json"})

    def remove_cnam(self, cnam_id):
        return self._call("DELETE", f"/v2/cnams/{cnam_id}", headers={"accept": "application/json"})

    # cdrs controller
    def list_cdrs(self, limit=None, offset=None, status=None):
        params = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status
        return self._call("GET", "/v2/cdrs/exports", params)

    def get_cdr_export_status(self, cdrexport_id):
        return self._call("GET", f"/v2/cdrs/exports/{cdrexport_id}")

    def create_cdr_export(self, filters, callback_url=None):
        body: dict = {"data": {"type": "cdrexport", "attributes": {"filter_parameters": filters}}}
        if callback_url is not None:
            body["data"]["attributes"]["callback_url"] = callback_url
        return self._call("POST", "/v2/cdrs/exports", headers={
            "Accept": "application/vnd.api+json", "Content-Type": "application/vnd.api+json"}, body=json.dumps(body))

    def download_cdr_export(self, cdrexport_id) -> bytes | None:
        """The export's file as the download URL serves it (the SDK would gunzip it into a file), or None while
        the export has no URL."""
        url = self.get_cdr_export_status(cdrexport_id)["data"]["attributes"]["download_url"]
        if not url:
            return None
        response = requests.get(url, timeout=10)
        self.sent.append(response.request)
        response.raise_for_status()
        return response.content

    # porting controller
    def checkPortability(self, numbers):  # noqa: N802  the SDK's own name
        return self._call("POST", "/v2/portorders/portability", headers={"accept": "application/json"},
                          form={"numbers": numbers})


def rfc3339(value: str) -> str:
    """What the SDK's ``APIHelper.RFC3339DateTime`` makes of a date string (dateutil's parse, then isoformat)."""
    return datetime.fromisoformat(value).isoformat()
