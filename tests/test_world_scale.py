"""A World with many accounts and a big inventory: timed work runs in the accounts it concerns exactly when due,
and Worlds of one seed share the inventory's immutable base while everything else stays their own."""

from __future__ import annotations

import gc
import threading
import tracemalloc
from datetime import UTC, datetime, timedelta

from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.inventory import Inventory
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH
from tests.support.harness import basic

START = datetime(2026, 1, 1, tzinfo=UTC)  # the World clock's default start


def pending_cnam(account: int, due_s: int) -> dict:
    return {"id": "23500", "value": f"NAME {account}", "status": "pending", "created_at": START.isoformat(),
            "decided_at": (START + timedelta(seconds=due_s)).isoformat()}


def many_accounts(count: int) -> World:
    """``count`` accounts; account i (from 1) has a CNAM review decided 10 * i seconds after the start."""
    return World(scenario={"accounts": [
        {"id": f"a{i}", "flowroute": {"access_key": f"key{i}", "secret_key": "secret",
                                      "cnams": [pending_cnam(i, 10 * i)]}}
        for i in range(1, count + 1)
    ]})


def statuses(world: World) -> list[str]:
    return [account.state("flowroute").cnams["23500"].status for account in world]


def test_timed_work_runs_in_each_account_when_it_is_due_and_not_before():
    world = many_accounts(40)
    for second in range(0, 420, 5):
        world.clock.set(START + timedelta(seconds=second))
        world.catch_up()  # what every request does first
        assert statuses(world) == ["approved" if 10 * i <= second else "pending" for i in range(1, 41)], second


def test_a_request_to_one_account_runs_what_is_due_in_every_account():
    world = many_accounts(30)
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    world.clock.set(START + timedelta(seconds=155))
    answer = client.get("/v2/cnams", headers=basic("key29", "secret"))
    assert answer.status_code == 200
    assert [c["id"] for c in answer.json["data"]] == ["23500"]
    assert statuses(world) == ["approved"] * 15 + ["pending"] * 15


def test_work_booked_by_requests_and_resets_stays_on_time():
    world = many_accounts(5)
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    created = client.post("/v2/cnams", data={"value": "LATE BOOKING"},
                          headers=basic("key5", "secret"))
    assert created.status_code == 201, created.get_data(as_text=True)
    cnam_id = created.json["data"]["id"]
    world.reset_account("a5")  # its booking is gone; the scenario's review (at 50 s) is booked again
    world.clock.set(START + timedelta(seconds=50))
    world.catch_up()
    assert statuses(world) == ["approved"] * 5 and cnam_id not in world.accounts["a5"].state("flowroute").cnams
    world.reset()  # the agenda is planned again from the scenario: every review pending, each at its time
    assert statuses(world) == ["pending"] * 5
    world.clock.set(START + timedelta(seconds=25))
    world.catch_up()
    assert statuses(world) == ["approved"] * 2 + ["pending"] * 3
    world.clock.set(START + timedelta(days=2))  # past the reset-away booking too: nothing else happens
    world.catch_up()
    assert statuses(world) == ["approved"] * 5 and world.agenda.due is None


def test_worlds_of_one_seed_built_at_once_share_one_inventory_base():
    worlds: list[World] = []
    lock = threading.Lock()

    def build() -> None:
        world = World(seed=31, inventory_size=50_000)
        with lock:
            worlds.append(world)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(world.inventory._base) for world in worlds}) == 1
    first, second = worlds[0], worlds[1]
    number = first.inventory.search(starts_with="1", limit=1, offset=777)[0][0].value
    bought = Client(FakerouteApp(first)).post(f"/v2/numbers/{number}", headers=FLOWROUTE_AUTH)
    assert bought.status_code == 201
    assert not first.inventory.is_available(number) and second.inventory.is_available(number)
    first.reset()
    assert first.inventory.is_available(number)


def test_a_second_inventory_of_the_same_seed_costs_a_fraction_of_the_first():
    def held(count: int) -> int:
        gc.collect()
        tracemalloc.start()
        inventories = [Inventory(seed=32, size=20_000, extra_numbers=["12065550100"]) for _ in range(count)]
        used = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del inventories
        return used

    one, four = held(1), held(4)
    assert one > 300_000 and four - one < one / 20  # the base (numbers, digits, exchanges) is kept once
