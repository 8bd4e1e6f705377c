"""Flowroute as the SDK's README shows it: starts_with as a NANP prefix, links written byte for byte as the README
writes them (but for the host), dates of today under a real clock, DLRs as "Receive a DLR" lists them, MMS media
in the look-ups, and the edge strategies a route can name."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import requests

from fakeroute.app import FakerouteApp
from fakeroute.transport import Interceptor
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_KEY, FLOWROUTE_SECRET, OWNED, OWNED_PLAIN, sms
from tests.support.flowroute_sdk import SdkShapedClient
from tests.test_server import start_cli

MDR_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{2}Z$")


# -- starts_with is a NANP prefix, on both lists ----------------------------------------------------


def test_a_three_digit_starts_with_finds_1npa_numbers_in_the_inventory(flowroute):
    body = flowroute.get("/v2/numbers/available", params={"starts_with": "206", "contains": "3", "limit": 3}).json()
    assert len(body["data"]) == 3 and all(n["id"].startswith("1206") for n in body["data"])
    assert body["links"] == {
        "self": f"{flowroute.base}/v2/numbers/available?contains=3&starts_with=1206&limit=3&offset=0",
        "next": f"{flowroute.base}/v2/numbers/available?contains=3&starts_with=1206&limit=3&offset=3",
    }
    # The link, followed, gives the next page: the same prefix, no overlap.
    following = flowroute.get(body["links"]["next"].removeprefix(flowroute.base)).json()
    assert following["data"] and all(n["id"].startswith("1206") for n in following["data"])
    assert not {n["id"] for n in following["data"]} & {n["id"] for n in body["data"]}


def test_a_three_digit_starts_with_finds_1npa_numbers_on_the_account(flowroute):
    for prefix, number in (("206", OWNED), ("646", OWNED_PLAIN), ("1206", OWNED)):
        body = flowroute.get("/v2/numbers", params={"starts_with": prefix, "limit": 3}).json()
        assert [n["id"] for n in body["data"]] == [number]
        assert body["links"] == {"self": f"{flowroute.base}/v2/numbers?starts_with=1{number[1:4]}&limit=3&offset=0"}


def test_the_readme_search_query_and_its_links(flowroute):
    """The README's starts_with=646, contains=3, ends_with=7, limit=3, sent in the SDK's order."""
    response = flowroute.get("/v2/numbers/available?starts_with=646&contains=3&ends_with=7&limit=3")
    body = response.json()
    assert body["data"] and all(n["id"].startswith("1646") and "3" in n["id"] and n["id"].endswith("7")
                                for n in body["data"])
    assert body["links"]["self"] == \
        f"{flowroute.base}/v2/numbers/available?contains=3&ends_with=7&starts_with=1646&limit=3&offset=0"


def test_the_readme_search_links_with_a_next_page():
    """With an inventory deep enough for a second page, both of the README's links, byte for byte."""
    world = World(inventory_size=200_000)
    sdk = SdkShapedClient("https://api.flowroute.com", FLOWROUTE_KEY, FLOWROUTE_SECRET)
    with Interceptor(FakerouteApp(world)):
        body = sdk.search_for_purchasable_phone_numbers(starts_with=646, contains=3, ends_with=7, limit=3)
    readme = "https://api.flowroute.com/v2/numbers/available?contains=3&ends_with=7&starts_with=1646&limit=3&offset="
    assert body["links"] == {"self": readme + "0", "next": readme + "3"}


def test_the_readme_area_code_links_write_whole_dollars(flowroute):
    body = flowroute.get("/v2/numbers/available/areacodes?limit=3&max_setup_cost=3.25").json()
    assert body["links"] == {
        "self": f"{flowroute.base}/v2/numbers/available/areacodes?max_setup_cost=3&limit=3&offset=0",
        "next": f"{flowroute.base}/v2/numbers/available/areacodes?max_setup_cost=3&limit=3&offset=3",
    }
    assert body["data"][0] == {"type": "areacode", "id": "201", "links": {
        "related": f"{flowroute.base}/v2/numbers/available/exchanges?areacode=201"}}


def test_the_readme_exchange_links_put_the_filter_first(flowroute):
    body = flowroute.get("/v2/numbers/available/exchanges?limit=1&areacode=212").json()
    assert body["links"] == {
        "self": f"{flowroute.base}/v2/numbers/available/exchanges?areacode=212&limit=1&offset=0",
        "next": f"{flowroute.base}/v2/numbers/available/exchanges?areacode=212&limit=1&offset=1",
    }
    code = body["data"][0]["id"]
    assert body["data"][0]["links"] == {"related": f"{flowroute.base}/v2/numbers/available?starts_with=1{code}"}


def test_route_links_are_written_as_the_readme_writes_them(flowroute):
    listed = flowroute.get("/v2/routes", params={"limit": 2}).json()
    assert listed["data"][0]["links"] == {"self": f"{flowroute.base}/v2/routes/0"}
    assert listed["links"] == {"self": f"{flowroute.base}/v2/routes?limit=2&offset=0",
                               "next": f"{flowroute.base}/v2/routes?limit=2&offset=2"}
    created = flowroute.post("/v2/routes", json={"data": {"type": "route", "attributes": {
        "route_type": "host", "value": "il775u.sonsofodin.com", "alias": "new route"}}}).json()
    assert created["links"] == created["data"]["links"] == {"self": f"{flowroute.base}/routes/{created['data']['id']}"}


# -- dates ----------------------------------------------------------------------------------------


def test_under_the_real_clock_a_message_is_found_by_todays_dates():
    """The SDK demo's "messages of the last 30 days": bare dates, which the SDK sends as naive midnights."""
    process, url = start_cli("--clock", "real")
    try:
        sdk = SdkShapedClient(url, FLOWROUTE_KEY, FLOWROUTE_SECRET)
        sent = sdk.send_a_message(json.dumps(sms(is_mms="false")))
        today = datetime.now(UTC).date()
        found = sdk.look_up_a_set_of_messages((today - timedelta(days=30)).isoformat(), today.isoformat(), 10)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert found["data"][0]["id"] == sent["data"]["id"]
    assert found["data"][0]["attributes"]["timestamp"].startswith(today.isoformat())


def test_a_bare_end_date_covers_its_whole_day_and_an_exact_one_does_not(flowroute):
    flowroute.world.clock.set(datetime(2026, 1, 5, 15, tzinfo=UTC))
    sent = flowroute.post("/v2.1/messages", json=sms()).json()["data"]["id"]
    for end_date in ("2026-01-05", "2026-01-05T00:00:00"):  # the SDK's form of a bare date
        listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01", "end_date": end_date}).json()
        assert [m["id"] for m in listed["data"]] == [sent], end_date
    for end_date in ("2026-01-05T00:00:00Z", "2026-01-05T00:00:00+00:00", "2026-01-05T14:59:59"):
        listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01", "end_date": end_date}).json()
        assert sent not in [m["id"] for m in listed["data"]], end_date


# -- DLRs and MMS media ---------------------------------------------------------------------------


def test_dlr_webhooks_carry_string_codes_mdr_timestamps_and_both_levels(flowroute):
    sent = flowroute.post("/v2.1/messages", json=sms(dlr_callback="https://customer.example/dlr")).json()["data"]["id"]
    flowroute.post("/_fakeroute/clock", json={"advance": 10})
    outbox = flowroute.get("/_fakeroute/outbox", params={"kind": "dlr"}).json()["webhooks"]
    dlrs = [w["payload"]["data"] for w in outbox]
    receipts = flowroute.get(f"/v2.1/messages/{sent}").json()["data"]["attributes"]["delivery_receipts"]
    assert [(d["attributes"]["level"], d["attributes"]["status_code"]) for d in dlrs] == [
        (1, None), (2, "1003"), (2, "1000")]
    assert all(MDR_TIME.match(d["attributes"]["timestamp"]) for d in dlrs)
    # Each webhook says what the MDR's receipt says (the MDR lists them newest first), codes as strings.
    assert [(d["attributes"]["status"], d["attributes"]["timestamp"]) for d in dlrs] == [
        (r["status"], r["timestamp"]) for r in reversed(receipts)]
    assert all(d["id"] == sent and d["type"] == "delivery_receipt" for d in dlrs)


def test_mms_media_are_included_in_the_look_ups(flowroute):
    urls = ["http://s3.amazonaws.com/barkpost-assets/50+GIFs/37.gif", "https://customer.example/menu.pdf"]
    sent = flowroute.post("/v2.1/messages", json=sms(is_mms="true", media_urls=urls)).json()["data"]["id"]
    detail = flowroute.get(f"/v2.1/messages/{sent}").json()
    related = detail["data"]["relationships"]["media"]["data"]
    assert [(m["id"], m["type"]) for m in detail["included"]] == [(r["id"], "media") for r in related]
    assert [m["attributes"] for m in detail["included"]] == [
        {"file_name": "37.gif", "mime_type": "image/gif", "url": urls[0]},
        {"file_name": "menu.pdf", "mime_type": "application/pdf", "url": urls[1]}]
    listed = flowroute.get("/v2.1/messages", params={"start_date": "2026-01-01"}).json()
    assert listed["included"] == detail["included"]
    sms_only = flowroute.get("/v2.1/messages/mdr2-39cadeace66e11e7aff806cd7f24ba2d").json()
    assert "included" not in sms_only  # an SMS, as the README shows it


# -- edge strategies ------------------------------------------------------------------------------


def test_edge_strategies_list_the_pops_a_route_can_name(flowroute):
    body = flowroute.get("/v2/routes/edge_strategies").json()
    assert [(e["id"], e["attributes"]["name"]) for e in body["data"]] == [
        (1, "US-West-OR"), (2, "US-East-NJ"), (3, "US-West-CA"), (4, "US-East-VA")]
    virginia = body["data"][3]
    assert virginia == {"attributes": {
        "description": "Data will be sent preferentially from our edge systems in North Virginia. We will fall back "
                       "to other regions if necessary.",
        "firewall_rules": "34.226.36.32/28, 34.226.36.32-34.226.36.47", "name": "US-East-VA",
        "naptr": "us-east-va.sip.flowroute.com"}, "id": 4, "type": "edge_strategy"}  # Flowroute's own example
    assert list(body) == ["data"]


def test_edge_strategies_need_credentials(flowroute):
    response = flowroute.as_caller({}).get("/v2/routes/edge_strategies")
    assert response.status_code == 401


def test_a_real_server_answers_links_on_its_own_host():
    process, url = start_cli("--clock-start", "2026-02-01")
    try:
        body = requests.get(f"{url}/v2/numbers?starts_with=646", auth=(FLOWROUTE_KEY, FLOWROUTE_SECRET),
                            timeout=5).json()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert body["links"]["self"] == f"{url}/v2/numbers?starts_with=1646&limit=10&offset=0"
