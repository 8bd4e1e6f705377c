"""Success cases of Flowroute's E911, CNAM, CDR export, porting and edge strategy operations for the conformance
test (tests/test_conformance.py imports this module): each answer is checked against the operation's schema."""

from __future__ import annotations

import json
from typing import Any

from tests.test_conformance import FR_NUMBER, FR_PLAIN, Caller, Exchange, success

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def e911(**extra: Any) -> dict[str, Any]:
    """The address the SDK's e911_demo creates."""
    attributes = {"label": "E911 Test", "first_name": "Chris", "last_name": "Smith", "street_name": "3rd Ave",
                  "street_number": "1218", "city": "Seattle", "state": "WA", "country": "US", "zip": "98101",
                  **extra}
    return {"data": {"type": "e911", "attributes": attributes}}


def _address(call: Caller, **extra: Any) -> str:
    return call.setup("POST", "/v2/e911s", 201, json=e911(**extra))["data"]["id"]


def _approved_cnam(call: Caller, value: str = "FAKEROUTE") -> str:
    cnam_id = call.setup("POST", "/v2/cnams", 201, data=f"value={value}", headers=FORM)["data"]["id"]
    call.world.clock.advance(hours=25)  # past the review
    return cnam_id


def _export(call: Caller, **attributes: Any) -> int:
    filters = {"start_call_start_time": "2025-12-01 00:00:00", "start_call_end_time": "2025-12-08 00:00:00"}
    body = {"data": {"type": "cdrexport", "attributes": {"filter_parameters": filters, **attributes}}}
    return call.setup("POST", "/v2/cdrs/exports", 201, json=body)["data"]["id"]


@success("flowroute", "list_edge_strategies")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", "/v2/routes/edge_strategies", 200)]


@success("flowroute", "list_e911s")
def _(call: Caller) -> list[Exchange]:
    empty = call("GET", "/v2/e911s", 200)
    _address(call, address_type="Suite", address_type_number="600")
    _address(call)
    return [empty, call("GET", "/v2/e911s", 200, query_string={"limit": 1}),
            call("GET", "/v2/e911s", 200, query_string={"state": "wa"})]


@success("flowroute", "get_e911")
def _(call: Caller) -> list[Exchange]:
    return [call("GET", f"/v2/e911s/{_address(call, address_type='Lobby', address_type_number=12)}", 200)]


@success("flowroute", "validate_address")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v2/e911s/validate", 204, json=e911()),
            call("POST", "/v2/e911s/validate", 204, json=e911(country="CA", state="ON", zip="M4C 5K7",
                                                              city="Toronto"))]


@success("flowroute", "create_address")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v2/e911s", 201, json=e911()),
            call("POST", "/v2/e911s", 201, json=e911(address_type="suite", address_type_number="700",
                                                      street_number=1218, zip=98101))]


@success("flowroute", "update_address")
def _(call: Caller) -> list[Exchange]:
    record_id = _address(call, address_type="Suite", address_type_number="600")
    current = call.setup("GET", f"/v2/e911s/{record_id}", 200)
    current["data"]["attributes"].update(last_name="Wiley", address_type=None, address_type_number=None)
    return [call("PATCH", f"/v2/e911s/{record_id}", 200, data=json.dumps(current)),  # the SDK's update_address
            call("PATCH", f"/v2/e911s/{record_id}", 200,
                 json={"data": {"type": "e911", "attributes": {"zip": "98104"}}})]


@success("flowroute", "delete_address")
def _(call: Caller) -> list[Exchange]:
    return [call("DELETE", f"/v2/e911s/{_address(call)}", 204)]


@success("flowroute", "associate")
def _(call: Caller) -> list[Exchange]:
    record_id = _address(call)
    path = f"/v2/numbers/{FR_NUMBER}/relationships/e911s/{record_id}"
    return [call("PATCH", path, 204), call("PATCH", path, 204)]  # again: no error


@success("flowroute", "disconnect")
def _(call: Caller) -> list[Exchange]:
    call.setup("PATCH", f"/v2/numbers/{FR_NUMBER}/relationships/e911s/{_address(call)}", 204)
    return [call("DELETE", f"/v2/numbers/{FR_NUMBER}/relationships/e911s", 204)]


@success("flowroute", "list_dids_for_e911")
def _(call: Caller) -> list[Exchange]:
    record_id = _address(call)
    empty = call("GET", f"/v2/e911s/{record_id}/relationships/numbers", 200)
    for number in (FR_NUMBER, FR_PLAIN):
        call.setup("PATCH", f"/v2/numbers/{number}/relationships/e911s/{record_id}", 204)
    return [empty, call("GET", f"/v2/e911s/{record_id}/relationships/numbers", 200, query_string={"limit": 1})]


@success("flowroute", "list_cnams")
def _(call: Caller) -> list[Exchange]:
    empty = call("GET", "/v2/cnams", 200)
    _approved_cnam(call)
    call.setup("POST", "/v2/cnams", 201, json={"value": "Bob Law"})  # pending
    return [empty, call("GET", "/v2/cnams", 200, query_string={"limit": 1}),
            call("GET", "/v2/cnams", 200, query_string={"is_approved": "True"})]


@success("flowroute", "get_cnam")
def _(call: Caller) -> list[Exchange]:
    pending = call.setup("POST", "/v2/cnams", 201, data="value=FR+H5K8", headers=FORM)["data"]["id"]
    first = call("GET", f"/v2/cnams/{pending}", 200)
    call.world.clock.advance(hours=25)
    return [first, call("GET", f"/v2/cnams/{pending}", 200)]


@success("flowroute", "create_cnam_record")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v2/cnams", 201, data="value=FR+H5K8", headers=FORM),  # as the SDK sends it
            call("POST", "/v2/cnams", 201, json={"value": "Bob Law"})]  # as Flowroute's page shows it


@success("flowroute", "associate_cnam")
def _(call: Caller) -> list[Exchange]:
    cnam_id = _approved_cnam(call)
    return [call("PATCH", f"/v2/numbers/{FR_NUMBER}/relationships/cnam/{cnam_id}", 202),
            call("PATCH", f"/v2/numbers/{FR_PLAIN}/relationships/cnams/{cnam_id}", 202)]


@success("flowroute", "unassociate_cnam")
def _(call: Caller) -> list[Exchange]:
    call.setup("PATCH", f"/v2/numbers/{FR_NUMBER}/relationships/cnam/{_approved_cnam(call)}", 202)
    return [call("DELETE", f"/v2/numbers/{FR_NUMBER}/relationships/cnam", 202)]


@success("flowroute", "remove_cnam")
def _(call: Caller) -> list[Exchange]:
    return [call("DELETE", f"/v2/cnams/{_approved_cnam(call)}", 204)]


@success("flowroute", "list_cdrs")
def _(call: Caller) -> list[Exchange]:
    empty = call("GET", "/v2/cdrs/exports", 200)
    _export(call)
    call.world.clock.advance(60)
    _export(call, callback_url="https://customer.example/cdrs")
    return [empty, call("GET", "/v2/cdrs/exports", 200), call("GET", "/v2/cdrs/exports", 200,
                                                             query_string={"status": "completed", "limit": 1})]


@success("flowroute", "create_cdr_export")
def _(call: Caller) -> list[Exchange]:
    body = {"data": {"type": "cdrexport", "attributes": {"filter_parameters": {
        "start_call_start_time": "2019-01-01 00:00:00", "start_call_end_time": "2019-02-01 00:00:00",
        "number_aliases": ["Office 221", "Office 888"]}, "callback_url": "https://myserver.com/cdrs"}}}
    return [call("POST", "/v2/cdrs/exports", 201, json=body)]


@success("flowroute", "get_cdr_export_status")
def _(call: Caller) -> list[Exchange]:
    export_id = _export(call)
    processing = call("GET", f"/v2/cdrs/exports/{export_id}", 200)
    call.world.clock.advance(60)
    return [processing, call("GET", f"/v2/cdrs/exports/{export_id}", 200)]


@success("flowroute", "download_cdr_export")
def _(call: Caller) -> list[Exchange]:
    export_id = _export(call)
    call.world.clock.advance(60)
    url = call.setup("GET", f"/v2/cdrs/exports/{export_id}", 200)["data"]["attributes"]["download_url"]
    return [call("GET", url.removeprefix("https://api.flowroute.com"), 200, auth={})]  # no credentials


@success("flowroute", "check_portability")
def _(call: Caller) -> list[Exchange]:
    return [call("POST", "/v2/portorders/portability", 200, data="numbers=14254664444&numbers=18827833439",
                 headers=FORM),  # the SDK's demo
            call("POST", "/v2/portorders/portability", 200,
                 json={"numbers": ["+14252081174", "+12125551212", "+18002255277", f"+{FR_NUMBER}"]})]
