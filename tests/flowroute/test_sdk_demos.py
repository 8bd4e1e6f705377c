"""The official SDK's four demo programs, call for call, with raw ``requests`` shaped as the SDK sends them
(support/flowroute_sdk.py), against a live server: every call answers 2xx and gives what the demo reads next.

number_route_message_demo.py, e911_demo.py, cnam_demo.py and cdr_demo.py of flowroute/flowroute-sdk-v3-python;
the demos' own bugs (cnam_demo calls a ``search_cnams`` the SDK does not have; ``download_cdr_export`` uses
Python 2's ``StringIO.StringIO``) are left out: docs/flowroute.md says what the real SDK does there.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import timedelta

import pytest

from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_KEY, FLOWROUTE_SECRET, MOBILE, OWNED
from tests.support.flowroute_sdk import SdkShapedClient


@pytest.fixture
def sdk(server_url: str) -> SdkShapedClient:
    return SdkShapedClient(server_url, FLOWROUTE_KEY, FLOWROUTE_SECRET)


def message(**attributes) -> str:
    return json.dumps({"data": {"type": "message", "attributes": {"to": MOBILE, "from": OWNED, **attributes}}})


def test_number_route_message_demo(sdk: SdkShapedClient, live_world: World):
    assert len(sdk.list_available_area_codes(3, None, 3.25)["data"]) == 3
    assert sdk.sent[-1].path_url == "/v2/numbers/available/areacodes?limit=3&max_setup_cost=3.25"
    sdk.list_available_exchange_codes(3, None, None, 347)
    found = sdk.search_for_purchasable_phone_numbers(206, 3, None, 3, None, None, None)
    assert sdk.sent[-1].path_url == "/v2/numbers/available?starts_with=206&contains=3&limit=3"
    assert len(found["data"]) == 3 and all(n["id"].startswith("1206") for n in found["data"])

    numbers = sdk.list_account_phone_numbers(None, None, None, 3, None)
    number_id = numbers["data"][0]["id"]
    sdk.list_phone_number_details(number_id)
    assert sdk.set_did_alias(number_id, "New Test")["data"]["attributes"]["alias"] == "New Test"
    assert sdk.list_phone_number_details(number_id)["data"]["attributes"]["alias"] == "New Test"
    assert sdk.set_did_callback(number_id, "http://www.example.com/test") is None

    strategies = sdk.list_edge_strategies()
    assert {e["id"] for e in strategies["data"]} >= {1}
    route = ('{ "data": { "type": "route", "attributes": { "route_type": "host", "value": "x7k2mq.sonsofodin.com", '
             '"alias": "abcdef0123456789", "edge_strategy": "1" } } }')  # the demo's string, spaces and all
    created = sdk.create_an_inbound_route(route)
    assert created["data"]["attributes"]["edge_strategy"] == 1
    routes = sdk.list_inbound_routes(10)
    primary, secondary = routes["data"][1]["id"], routes["data"][2]["id"]
    assert sdk.update_primary_voice_route(number_id, json.dumps({"data": {"type": "route", "id": primary}})) is None
    assert sdk.update_failover_voice_route(number_id, json.dumps({"data": {"type": "route", "id": secondary}})) is None

    sent = [sdk.send_a_message(message(body="Hello there how are you?", is_mms="false")),
            sdk.send_a_message(message(body="hello there", is_mms="true",
                                       media_urls=["http://s3.amazonaws.com/barkpost-assets/50+GIFs/37.gif"])),
            sdk.send_a_message(message(body="Hello there how are you?", is_mms="false",
                                       dlr_callback="http://httpbin.org/status/:code"))]
    today = live_world.clock.peek().date()  # the demo's datetime.now(), on the fake's clock
    listed = sdk.look_up_a_set_of_messages((today - timedelta(days=30)).isoformat(), today.isoformat(), 10)
    # Today's three, newest first, then the scenario's history of the last days of December.
    assert [m["id"] for m in listed["data"][:3]] == [s["data"]["id"] for s in reversed(sent)]
    assert sdk.look_up_a_message_detail_record(listed["data"][0]["id"])["data"]["id"] == listed["data"][0]["id"]

    assert sdk.set_account_level_sms_callback("http://example.com/sms") is None
    assert sdk.set_account_level_mms_callback("http://example.com/mms") is None
    assert sdk.set_account_level_dlr_callback("http://example.com/dlr") is None
    assert sdk.set_did_level_dlr_callback(number_id, "http://example.com/did/dlr") is None

    portability = sdk.checkPortability(["14254664444", "18827833439"])
    assert sdk.sent[-1].body == "numbers=14254664444&numbers=18827833439"  # form-encoded, as requests makes it
    groups = portability["data"]
    assert sorted(groups["portable"] + groups["nonportable"]) == ["14254664444", "18827833439"]
    assert "18827833439" in groups["nonportable"]  # 882 is no North American area code


def test_e911_demo(sdk: SdkShapedClient):
    listed = sdk.list_e911s(10, None)
    assert listed == {"data": [], "links": {"self": f"{sdk.base_uri}/v2/e911s?limit=10&offset=0"}}
    address = {"label": "Test Address", "first_name": "Chris", "last_name": "Smith", "street_name": "3rd Ave",
               "street_number": "1182", "city": "Seattle", "state": "WA", "country": "US", "zipcode": "98101",
               "address_type": "Suite", "address_type_number": "600"}
    assert sdk.validate_address(**address) is None
    first = sdk.create_address(**{**address, "label": "E911 Test", "street_number": "1218"})
    second = sdk.create_address(**{**address, "label": "E911 Test", "street_number": "1218",
                                   "address_type_number": "700"})  # the same label: no error
    assert first["data"]["id"] != second["data"]["id"]
    record_id = second["data"]["id"]
    updated = sdk.update_address(record_id, last_name="Wiley")
    assert updated["data"]["attributes"]["last_name"] == "Wiley"
    assert "address_type" not in updated["data"]["attributes"]  # the SDK sent it null

    did = sdk.list_account_phone_numbers()["data"][0]["attributes"]["value"]
    e911_id = sdk.list_e911s()["data"][0]["id"]
    assert e911_id == record_id  # newest first
    assert sdk.associate(e911_id, did) is None
    dids = sdk.list_dids_for_e911(e911_id)
    assert [n["id"] for n in dids["data"]] == [did]
    assert sdk.list_phone_number_details(did)["data"]["relationships"]["e911_address"] == {
        "data": {"type": "e911", "id": e911_id}}
    assert sdk.disconnect(did) is None
    assert sdk.delete_address(e911_id) is None
    assert [e["id"] for e in sdk.list_e911s()["data"]] == [first["data"]["id"]]


def test_cnam_demo(sdk: SdkShapedClient, live_world: World):
    assert sdk.list_cnams(10, None)["data"] == []
    assert sdk.list_cnams(10, None, is_approved=True)["data"] == []
    assert sdk.sent[-1].path_url == "/v2/cnams?limit=10&is_approved=True"
    created = sdk.create_cnam_record("FR K3Q9")
    assert sdk.sent[-1].body == "value=FR+K3Q9" and sdk.sent[-1].headers["Content-Type"] == \
        "application/x-www-form-urlencoded"
    assert created["data"]["attributes"]["is_approved"] is False

    live_world.clock.advance(hours=25)  # Flowroute's review, on the fake's clock
    approved = sdk.list_cnams(10, None, is_approved=True)["data"]
    cnam_id = approved[0]["id"]
    assert sdk.get_cnam(cnam_id)["data"]["attributes"]["is_approved"] is True
    did_id = sdk.list_account_phone_numbers()["data"][0]["id"]
    associated = sdk.associate_cnam(cnam_id, did_id)
    assert associated["data"]["id"] == int(cnam_id)
    assert sdk.list_phone_number_details(did_id)["data"]["relationships"]["cnam_preset"] == {
        "data": {"type": "cnam", "id": cnam_id}}
    assert sdk.unassociate_cnam(did_id)["data"]["id"] is None
    assert sdk.remove_cnam(cnam_id) is None
    assert sdk.list_cnams()["data"] == []


def test_cdr_demo(sdk: SdkShapedClient, live_world: World):
    filters = {"start_call_start_time": "2019-01-01 00:00:00", "start_call_end_time": "2019-02-01 00:00:00",
               "number_aliases": ["Office 221", "Office 888"]}
    created = sdk.create_cdr_export(filters, "https://myserver.com/cdrs")
    assert created["data"]["attributes"]["status"] == "processing"
    assert sdk.list_cdrs(10, None)["data"][0]["data"]["id"] == created["data"]["id"]
    assert sdk.list_cdrs(10, None, "completed")["data"] == []  # not done yet: the demo ends here at once

    # Some time later the demo, run again, finds the export completed and downloads it.
    sdk.create_cdr_export({"start_call_start_time": "2025-12-01 00:00:00",
                           "start_call_end_time": "2025-12-31 00:00:00"})
    live_world.clock.advance(60)
    completed = sdk.list_cdrs(10, None, "completed")["data"]
    cdr_id = completed[0]["data"]["id"]
    status = sdk.get_cdr_export_status(cdr_id)["data"]["attributes"]
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(sdk.download_cdr_export(cdr_id)).decode())))
    assert len(rows) == status["num_calls"] > 0
    assert all(row["number_alias"] in ("Seattle office", "") for row in rows)
    assert {"callerid", "destination", "total_cost", "start_time"} <= set(rows[0])  # what the demo prints
