"""Flowroute CDR exports: create with filters, list, status on the clock, the presigned download of a gzipped CSV
of call records derived from the seed, and the callback through the outbox; in-process and over HTTP."""

from __future__ import annotations

import copy
import csv
import gzip
import io
from datetime import UTC, datetime

import pytest
import requests
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers.flowroute.handlers import download_signature
from fakeroute.world import ScenarioError, World
from tests.support.errors import error_of
from tests.support.flowroute import OWNED, OWNED_PLAIN
from tests.support.harness import basic
from tests.support.receiver import Receiver

VND = {"Accept": "application/vnd.api+json", "Content-Type": "application/vnd.api+json"}
DECEMBER = {"start_call_start_time": "2025-12-01 00:00:00", "start_call_end_time": "2025-12-15 00:00:00"}
README_COLUMNS = ("direction,start_time,end_time,destination,number_alias,callerid,total_cost,destination_name,"
                  "callerid_country,line_information,result,call_fail_sip_code,call_fail_reason,duration,"
                  "billed_duration,rate,first_increment,subsequent_increment,cost_subtotal,connect_fee,usf_fee,ccrf,"
                  "cnam_lookup_fee,custom_x_tag,customer_ip")


def export_body(filters: dict | None = None, **attributes) -> dict:
    return {"data": {"type": "cdrexport", "attributes": {"filter_parameters": filters or DECEMBER, **attributes}}}


def create(flowroute, filters: dict | None = None, **attributes) -> dict:
    response = flowroute.post("/v2/cdrs/exports", json=export_body(filters, **attributes), headers=VND)
    assert response.status_code == 201, response
    return response.json()["data"]


def complete(flowroute) -> None:
    assert flowroute.post("/_fakeroute/clock", json={"advance": 60}).status_code == 200


def status(flowroute, export_id: int) -> dict:
    response = flowroute.get(f"/v2/cdrs/exports/{export_id}")
    assert response.status_code == 200, response
    return response.json()["data"]


def rows(flowroute, export_id: int) -> list[dict[str, str]]:
    url = status(flowroute, export_id)["attributes"]["download_url"]
    response = flowroute.as_caller({}).get(url.removeprefix(flowroute.base))
    assert response.status_code == 200, response
    return list(csv.DictReader(io.StringIO(gzip.decompress(response.content).decode())))


def test_a_new_export_is_processing_with_its_filters_in_normal_form(flowroute):
    created = create(flowroute, {**DECEMBER, "number_aliases": ["Seattle office"]}, callback_url=None)
    assert created == {
        "attributes": {"billed_minutes": None, "call_subtotal": None, "callback_url": None, "ccrf": None,
                       "cnamlookup_fees": None, "connect_fees": None, "created_at": "2026-01-01T00:00:00+00:00",
                       "download_url": None, "expires_at": None,
                       "filter_parameters": {"number_aliases": ["Seattle office"],
                                             "start_call_end_time": "2025-12-15T00:00:00+00:00",
                                             "start_call_start_time": "2025-12-01T00:00:00+00:00"},
                       "num_calls": None, "requested_at": "2026-01-01T00:00:00+00:00", "status": "processing",
                       "total_cost": None, "usf_fees": None},
        "id": 203500, "links": {"self": f"{flowroute.base}/v2/cdrs/exports/203500"}, "type": "cdrexport"}
    assert status(flowroute, 203500) == created


def test_it_completes_on_the_clock_with_totals_that_add_up_to_its_file(flowroute):
    export_id = create(flowroute)["id"]
    assert flowroute.post("/_fakeroute/clock", json={"advance": 28}).status_code == 200
    assert status(flowroute, export_id)["attributes"]["status"] == "processing"
    complete(flowroute)
    attributes = status(flowroute, export_id)["attributes"]
    assert attributes["status"] == "completed"
    assert attributes["expires_at"] == "2026-01-04T00:00:30+00:00"  # three days after it completed
    records = rows(flowroute, export_id)
    assert attributes["num_calls"] == len(records) > 0
    assert float(attributes["total_cost"]) == pytest.approx(sum(float(r["total_cost"]) for r in records), abs=1e-5)
    assert attributes["billed_minutes"] == sum(int(r["billed_duration"]) for r in records) // 60


def test_the_file_is_the_readmes_csv_of_calls_in_the_window(flowroute):
    export_id = create(flowroute)["id"]
    complete(flowroute)
    url = status(flowroute, export_id)["attributes"]["download_url"]
    response = flowroute.as_caller({}).get(url.removeprefix(flowroute.base))  # no credentials: presigned
    assert response.headers["Content-Type"] == "application/gzip"
    text = gzip.decompress(response.content).decode()
    assert text.splitlines()[0] == README_COLUMNS
    records = list(csv.DictReader(io.StringIO(text)))
    starts = [datetime.strptime(r["start_time"], "%Y-%m-%d %H:%M:%S+00").replace(tzinfo=UTC) for r in records]
    assert starts == sorted(starts)
    assert datetime(2025, 12, 1, tzinfo=UTC) <= starts[0] and starts[-1] < datetime(2025, 12, 15, tzinfo=UTC)
    assert {r["direction"] for r in records} == {"Inbound", "Outbound"}
    ours = {OWNED, OWNED_PLAIN}
    for r in records:
        assert (r["destination"] if r["direction"] == "Inbound" else r["callerid"].lstrip("+")) in ours
        billed = int(r["billed_duration"])
        assert billed % 6 == 0 and billed >= int(r["duration"])
        assert float(r["cost_subtotal"]) == pytest.approx(billed / 60 * float(r["rate"]), abs=1e-8)


def test_the_calls_follow_the_seed_and_the_account():
    def file_of(seed: int) -> bytes:
        world = World(seed=seed)
        client = Client(FakerouteApp(world))
        auth = basic("fakeroute", "fakeroute-secret")
        created = client.post("/v2/cdrs/exports", json=export_body(), headers=auth,
                              base_url="https://api.flowroute.com")
        world.clock.advance(60)
        url = client.get(f"/v2/cdrs/exports/{created.get_json()['data']['id']}", headers=auth,
                         base_url="https://api.flowroute.com").get_json()["data"]["attributes"]["download_url"]
        return client.get(url).get_data()
    assert file_of(2) == file_of(2)
    assert file_of(2) != file_of(3)


@pytest.mark.parametrize(("extra", "check"), [
    ({"number_aliases": ["Seattle office"]}, lambda r: r["number_alias"] == "Seattle office"),
    ({"number_aliases_contains": ["SEATTLE"]}, lambda r: r["number_alias"] == "Seattle office"),
    ({"destination_numbers": [f"+{OWNED_PLAIN}"]}, lambda r: r["destination"] == OWNED_PLAIN),
    ({"callerid_numbers": [OWNED]}, lambda r: r["callerid"] == f"+{OWNED}"),
    ({"duration_greater_than": 300}, lambda r: int(r["duration"]) > 300),
    ({"duration_less_than": 1}, lambda r: int(r["duration"]) == 0),
])
def test_filters_narrow_the_calls(flowroute, extra, check):
    everything = create(flowroute)["id"]
    narrowed = create(flowroute, {**DECEMBER, **extra})["id"]
    complete(flowroute)
    found = rows(flowroute, narrowed)
    assert found and all(check(r) for r in found)
    assert len(found) < len(rows(flowroute, everything))


def test_filters_nothing_matches_give_an_empty_file(flowroute):
    export_id = create(flowroute, {**DECEMBER, "custom_x_tags": ["billing"], "caller_ip": "198.51.100.7"})["id"]
    complete(flowroute)
    assert rows(flowroute, export_id) == []
    attributes = status(flowroute, export_id)["attributes"]
    assert (attributes["num_calls"], attributes["total_cost"], attributes["billed_minutes"]) == (0, "0.000000", 0)


def test_the_list_is_newest_first_with_wrapped_items_and_a_status_filter(flowroute):
    first = create(flowroute)["id"]
    complete(flowroute)
    second = create(flowroute)["id"]
    listed = flowroute.get("/v2/cdrs/exports").json()
    assert [item["data"]["id"] for item in listed["data"]] == [second, first]
    assert all(list(item) == ["data"] and "links" not in item["data"] for item in listed["data"])
    assert listed["links"] == {"self": f"{flowroute.base}/v2/cdrs/exports?limit=10&offset=0"}
    completed = flowroute.get("/v2/cdrs/exports", params={"limit": 10, "status": "completed"}).json()
    assert [item["data"]["id"] for item in completed["data"]] == [first]
    assert completed["links"]["self"] == f"{flowroute.base}/v2/cdrs/exports?status=completed&limit=10&offset=0"
    assert flowroute.get("/v2/cdrs/exports", params={"status": "failed"}).json()["data"] == []
    page = flowroute.get("/v2/cdrs/exports", params={"limit": 1}).json()
    assert page["links"]["next"] == f"{flowroute.base}/v2/cdrs/exports?limit=1&offset=1"


@pytest.mark.parametrize("params", [{"status": "done"}, {"limit": "0"}, {"limit": "500"}, {"offset": "x"}])
def test_bad_list_queries_are_400(flowroute, params):
    error_of(flowroute.get("/v2/cdrs/exports", params=params), 400)


def test_the_download_url_is_its_own_credential_and_expires(flowroute):
    first, second = create(flowroute)["id"], create(flowroute)["id"]
    complete(flowroute)
    url = status(flowroute, first)["attributes"]["download_url"].removeprefix(flowroute.base)
    anonymous = flowroute.as_caller({})
    error_of(anonymous.get(url.replace(str(first), str(second), 1)), 403)  # another export's id, this signature
    error_of(anonymous.get(url.replace(".csv.gz", "0.csv.gz")), 403)
    error_of(anonymous.get(f"/v2/cdrs/exports/x/download/{'0' * 32}.csv.gz"), 403)
    assert flowroute.post("/_fakeroute/clock", json={"advance": 3 * 24 * 3600}).status_code == 200
    assert "expired" in error_of(anonymous.get(url), 403)["detail"]


def test_an_export_has_no_file_before_it_completes(flowroute):
    export_id = create(flowroute)["id"]
    signature = download_signature(flowroute.world.ids, "default", export_id)
    response = flowroute.as_caller({}).get(f"/v2/cdrs/exports/{export_id}/download/{signature}.csv.gz")
    assert "processing" in error_of(response, 404)["detail"]


def test_the_callback_hears_when_the_export_completes(flowroute):
    export_id = create(flowroute, callback_url="https://customer.example/cdrs")["id"]
    assert flowroute.get("/_fakeroute/outbox", params={"kind": "cdr_export"}).json()["webhooks"] == []
    complete(flowroute)
    [webhook] = flowroute.get("/_fakeroute/outbox", params={"kind": "cdr_export"}).json()["webhooks"]
    assert webhook["url"] == "https://customer.example/cdrs" and webhook["at"] == "2026-01-01T00:00:30+00:00"
    assert webhook["payload"] == {"data": status(flowroute, export_id)}


def test_the_callback_is_posted_to_a_local_receiver(server_url: str):
    with Receiver() as receiver:
        api = requests.Session()
        api.auth = ("fakeroute", "fakeroute-secret")
        created = api.post(f"{server_url}/v2/cdrs/exports", json=export_body(callback_url=receiver.url + "/cdrs"),
                           timeout=5).json()["data"]
        assert api.post(f"{server_url}/_fakeroute/clock", json={"advance": 60}, timeout=5).status_code == 200
        [got] = receiver.wait_for(1, timeout=10)
    assert got["path"] == "/cdrs"
    assert got["json"]["data"]["id"] == created["id"] and got["json"]["data"]["attributes"]["status"] == "completed"


@pytest.mark.parametrize(("body", "field"), [
    ({"data": {"type": "cdrexport", "attributes": {}}}, "filter_parameters"),
    (export_body({"start_call_start_time": "2019-01-01"}), "start_call_end_time"),
    (export_body({**DECEMBER, "number_alias": ["x"]}), "number_alias"),
    (export_body({**DECEMBER, "start_call_start_time": "01/01/2019"}), "start_call_start_time"),
    (export_body({**DECEMBER, "start_call_start_time": "2019-02-30 00:00:00"}), "start_call_start_time"),
    (export_body({**DECEMBER, "number_aliases": "Office"}), "number_aliases"),
    (export_body({**DECEMBER, "caller_ip": "localhost"}), "caller_ip"),
    (export_body({"start_call_start_time": "2019-02-01", "start_call_end_time": "2019-01-01"}), "start_call_end_time"),
    (export_body({"start_call_start_time": "2019-01-01", "start_call_end_time": "2019-06-01"}), "92 days"),
    (export_body(callback_url="ftp://example.com"), "callback_url"),
    ({"data": {"type": "cdr", "attributes": {"filter_parameters": DECEMBER}}}, "data.type"),
])
def test_bad_requests_are_422_naming_the_field_and_change_nothing(flowroute, body, field):
    error = error_of(flowroute.post("/v2/cdrs/exports", json=body), 422)
    assert field in error["detail"], error
    assert flowroute.get("/v2/cdrs/exports").json()["data"] == []


def test_exports_of_other_accounts_are_unknown(flowroute):
    export_id = create(flowroute)["id"]
    other = flowroute.as_caller(basic("fakeroute-other", "fakeroute-other-secret"))
    assert other.get("/v2/cdrs/exports").json()["data"] == []
    error_of(other.get(f"/v2/cdrs/exports/{export_id}"), 404)
    error_of(flowroute.get("/v2/cdrs/exports/nope"), 404)
    error_of(flowroute.as_caller({}).get("/v2/cdrs/exports"), 401)


def test_state_dumps_exports_reset_forgets_them_and_a_scenario_brings_them(flowroute):
    create(flowroute, callback_url="https://customer.example/cdrs")
    dumped = flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]["cdr_exports"]
    assert dumped == [{"id": 203500, "filter_parameters": {"start_call_start_time": "2025-12-01T00:00:00+00:00",
                                                          "start_call_end_time": "2025-12-15T00:00:00+00:00"},
                       "status": "processing", "requested_at": "2026-01-01T00:00:00+00:00",
                       "complete_at": "2026-01-01T00:00:30+00:00", "callback_url": "https://customer.example/cdrs"}]
    assert flowroute.post("/_fakeroute/reset").status_code == 200
    assert flowroute.get("/v2/cdrs/exports").json()["data"] == []

    scenario = copy.deepcopy(flowroute.world.scenario)
    scenario["accounts"][0]["flowroute"]["cdr_exports"] = dumped
    world = World(scenario=scenario)
    export = world.accounts["default"].state("flowroute").cdr_exports[203500]
    assert export.status == "processing" and export.records
    world.clock.set(export.complete_at)
    world.catch_up()
    assert export.status == "completed"


def test_a_scenario_export_with_a_bad_window_names_the_entry():
    scenario = copy.deepcopy(World().scenario)
    scenario["accounts"][0]["flowroute"]["cdr_exports"] = [{
        "id": 1, "requested_at": "2026-01-01T00:00:00Z",
        "filter_parameters": {"start_call_start_time": "2019-02-01", "start_call_end_time": "2019-01-01"}}]
    with pytest.raises(ScenarioError, match=r"cdr_exports\[0\]"):
        World(scenario=scenario)
