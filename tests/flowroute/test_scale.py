"""Flowroute at volume: owned numbers, routes and MDRs kept in indexes answer exactly as a scan would (order,
pages, links, filters), through purchases, releases, changes and resets."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers.flowroute import handlers
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH, FLOWROUTE_KEY, FLOWROUTE_SECRET

CREDENTIALS = {"access_key": FLOWROUTE_KEY, "secret_key": FLOWROUTE_SECRET}
JSON = {**FLOWROUTE_AUTH, "Content-Type": "application/json"}


def busy_world(**generate: int) -> World:
    return World(scenario={"accounts": [{"id": "default", "flowroute": dict(CREDENTIALS),
                                         "generate": {"flowroute": generate}}]})


@pytest.fixture(scope="module")
def owned() -> tuple[World, Client]:
    world = busy_world(numbers=1_200, routes=30)
    return world, Client(FakerouteApp(world, propagate_exceptions=True))


def listed(client: Client, **query: object) -> dict:
    answer = client.get("/v2/numbers", query_string=query, headers=FLOWROUTE_AUTH)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def test_owned_numbers_page_through_in_ascending_order_at_volume(owned):
    world, client = owned
    values = sorted(world.accounts["default"].state("flowroute").numbers)
    seen: list[str] = []
    for offset in range(0, len(values) + 200, 200):
        page = listed(client, limit=200, offset=offset)
        seen += [n["id"] for n in page["data"]]
        assert ("next" in page["links"]) == (offset + 200 < len(values))
    assert seen == values


@pytest.mark.parametrize("query", [
    {"starts_with": "1206"}, {"starts_with": "206"}, {"starts_with": "1"}, {"starts_with": "19"},
    {"contains": "42"}, {"ends_with": "7"}, {"starts_with": "12", "contains": "0", "ends_with": "1"},
])
def test_owned_number_filters_match_a_scan_at_volume(owned, query):
    world, client = owned
    starts = handlers.nanp_prefix(query.get("starts_with", ""))
    expected = [v for v in sorted(world.accounts["default"].state("flowroute").numbers)
                if v.startswith(starts) and query.get("contains", "") in v and v.endswith(query.get("ends_with", ""))]
    pages = [listed(client, limit=50, offset=offset, **query) for offset in range(0, len(expected) + 50, 50)]
    assert [n["id"] for page in pages for n in page["data"]] == expected
    assert all(("next" in page["links"]) == (i * 50 + 50 < len(expected)) for i, page in enumerate(pages))


def test_purchases_and_releases_keep_the_listing_sorted():
    world = busy_world(numbers=300)
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    numbers = world.accounts["default"].state("flowroute").numbers
    rng = random.Random(3)
    for value in rng.sample(sorted(numbers), 40):
        assert client.delete(f"/v2/numbers/{value}", headers=FLOWROUTE_AUTH).status_code == 204
    for found in world.inventory.search(starts_with="1", limit=25, offset=1_000)[0]:
        assert client.post(f"/v2/numbers/{found.value}", headers=FLOWROUTE_AUTH).status_code == 201
    shown = [n["id"] for offset in (0, 200) for n in listed(client, limit=200, offset=offset)["data"]]
    assert shown == sorted(numbers) and len(shown) == 285


def test_routes_keep_unique_aliases_and_count_ids_up_from_the_highest():
    world = busy_world(routes=500)
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    routes = world.accounts["default"].state("flowroute").routes
    highest = max(int(r) for r in routes)
    taken = next(r.alias for r in routes.values() if r.id != "0")

    def create(alias: str):
        body = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "sip.example.com",
                                                         "alias": alias}}}
        return client.post("/v2/routes", json=body, headers=JSON)

    assert create(taken).status_code == 422
    assert create("sip-reg").status_code == 422  # the built-in route's alias is taken too
    first = create("fresh")
    assert first.status_code == 201 and first.json["data"]["id"] == str(max(highest + 1, 98_400))
    assert create("fresh").status_code == 422
    world.reset()
    again = create("fresh")  # the reset forgot the route and its alias; the id is the same again
    assert again.status_code == 201 and again.json["data"]["id"] == first.json["data"]["id"]
    listed_ids = [r["id"] for offset in range(0, 600, 200)
                  for r in client.get(f"/v2/routes?limit=200&offset={offset}", headers=FLOWROUTE_AUTH).json["data"]]
    assert listed_ids == list(routes) and listed_ids[0] == "0" and listed_ids[-1] == again.json["data"]["id"]


def mdr_world(count: int) -> World:
    """``count`` MDRs over a few hours, many sharing a timestamp, sent out of timestamp order."""
    world = busy_world(numbers=1)
    state = world.accounts["default"].state("flowroute")
    sender = next(iter(state.numbers))
    start = world.clock.peek() - timedelta(hours=6)
    rng = random.Random(7)
    for i in range(count):
        at = start + timedelta(minutes=rng.randrange(360))
        handlers.new_message(world.ids, state, "outbound", sender, "12065550123", f"n{i}", at, False, (),
                             receipts=(), status="delivered")
    return world


@pytest.fixture(scope="module")
def mdrs() -> tuple[World, Client]:
    world = mdr_world(2_000)
    return world, Client(FakerouteApp(world, propagate_exceptions=True))


def looked_up(client: Client, **query: object) -> dict:
    answer = client.get("/v2.1/messages", query_string=query, headers=FLOWROUTE_AUTH)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


@pytest.mark.parametrize(("start_h", "end_h", "limit", "offset"), [
    (0, None, 10, 0), (0, None, 100, 1_950), (2, 3, 7, 0), (2, 3, 7, 70), (1, 5, 1, 300), (5, 6, 50, 10_000),
])
def test_mdr_look_ups_match_a_scan_newest_first_later_first_among_equals(mdrs, start_h, end_h, limit, offset):
    world, client = mdrs
    origin = world.clock.start - timedelta(hours=6)
    start = origin + timedelta(hours=start_h)
    end = None if end_h is None else origin + timedelta(hours=end_h)
    query = {"start_date": start.isoformat(), "limit": limit, "offset": offset}
    if end is not None:
        query["end_date"] = end.isoformat()
    everything = list(world.accounts["default"].state("flowroute").messages.values())
    # What the look-up always meant: in range, newest first, of equal timestamps the later MDR first.
    found = [m for m in reversed(everything) if m.timestamp >= start and (end is None or m.timestamp <= end)]
    found.sort(key=lambda m: m.timestamp, reverse=True)
    page = looked_up(client, **query)
    assert [m["id"] for m in page["data"]] == [m.id for m in found[offset:offset + limit]]
    assert ("next" in page["links"]) == (offset + limit < len(found))


def test_mdr_look_ups_forget_evicted_mdrs_and_survive_a_reset():
    world = mdr_world(0)
    state = world.accounts["default"].state("flowroute")
    sender = next(iter(state.numbers))
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    now = world.clock.peek()
    for i in range(80):
        handlers.new_message(world.ids, state, "outbound", sender, "12065550123", f"n{i}",
                             now - timedelta(seconds=80 - i), False, (), receipts=(), status="delivered", keep=50)
    since = (now - timedelta(days=1)).isoformat()
    shown = [m["id"] for m in looked_up(client, start_date=since, limit=100)["data"]]
    assert shown == list(reversed(state.messages)) and len(shown) == 50
    world.reset()
    assert looked_up(client, start_date=since, limit=100)["data"] == []


def test_a_reset_restores_every_number_and_route_the_requests_changed():
    world = busy_world(numbers=400, routes=20)
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    provider = world.provider("flowroute")
    pristine = provider.dump_state(world.accounts["default"].state("flowroute"))
    values = [n["value"] for n in pristine["numbers"]]
    route = pristine["routes"][0]["id"]
    for value in values[:50]:
        assert client.patch(f"/v2/numbers/{value}", json={"type": "number", "alias": "changed"},
                            headers=JSON).status_code == 200
        assert client.patch(f"/v2/numbers/{value}/relationships/primary_route",
                            json={"data": {"type": "route", "id": route}}, headers=JSON).status_code == 204
        assert client.post(f"/v2/numbers/{value}/relationships/dlr_callback",
                           json={"data": {"attributes": {"callback_url": "https://x.example/dlr"}}},
                           headers=JSON).status_code == 204
    for value in values[50:60]:
        assert client.delete(f"/v2/numbers/{value}", headers=FLOWROUTE_AUTH).status_code == 204
    assert provider.dump_state(world.accounts["default"].state("flowroute")) != pristine
    for _ in range(2):  # the second reset starts from the first's copy: the pristine records were never touched
        world.reset()
        assert provider.dump_state(world.accounts["default"].state("flowroute")) == pristine
        assert not any(world.inventory.is_available(value) for value in values)
        client.patch(f"/v2/numbers/{values[0]}", json={"type": "number", "alias": "again"}, headers=JSON)
