"""Scenarios, World isolation and reset, the deterministic clock and ids."""

from __future__ import annotations

import json
import time
from array import array
from datetime import UTC, datetime, timedelta

import pytest

from fakeroute.inventory import Inventory
from fakeroute.world import Clock, Ids, ScenarioError, World


def scenario(**flowroute) -> dict:
    section = {"access_key": "k", "secret_key": "s", **flowroute}
    return {"accounts": [{"id": "a", "flowroute": section}]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "accounts: is required"),
        ({"accounts": []}, "accounts: must have at least 1 item"),
        ({"accounts": [{"name": "x"}]}, "accounts[0].id: is required"),
        ({"accounts": [{"id": "a"}, {"id": "a"}]}, "accounts[1].id: duplicate account id 'a'"),
        ({"accounts": [{"id": "a", "flowroute": {"access_key": "k"}}]},
         "accounts[0].flowroute.secret_key: is required"),
        (scenario(numbers=[{"value": "1206555010"}]), "accounts[0].flowroute.numbers[0].value: must be an 11-digit"),
        (scenario(numbers=[{"value": "12065550100", "colour": "red"}]),
         "accounts[0].flowroute.numbers[0]: unknown field(s): colour"),
        (scenario(numbers=[{"value": "12065550100", "primary_route": "7"}]),
         "accounts[0].flowroute.numbers[0].primary_route: no route with id '7'"),
        (scenario(numbers=[{"value": "12065550100"}, {"value": "12065550100"}]),
         "accounts[0].flowroute.numbers[1].value: 12065550100 is listed twice"),
        (scenario(routes=[{"id": "5", "route_type": "host", "value": "a", "alias": "x"},
                          {"id": "5", "route_type": "host", "value": "b", "alias": "y"}]),
         "accounts[0].flowroute.routes[1].id: duplicate route id '5'"),
        (scenario(numbers=[{"value": "19995550100"}]), "area code 999 is not one fakeroute knows"),
        ({"accounts": [{"id": "a", "flowroute": {"access_key": "k", "secret_key": "s"}},
                       {"id": "b", "flowroute": {"access_key": "k", "secret_key": "s"}}]},
         "accounts[1].flowroute: credentials already used by account 'a'"),
        ({"accounts": [{"id": "a", "flowroute": {"access_key": "k", "secret_key": "s",
                                                 "numbers": [{"value": "12065550100"}]}},
                       {"id": "b", "flowroute": {"access_key": "k2", "secret_key": "s",
                                                 "numbers": [{"value": "12065550100"}]}}]},
         "accounts[1].flowroute: number 12065550100 is already owned by account 'a'"),
    ],
)
def test_bad_scenarios_are_refused_naming_the_entry(document, message):
    with pytest.raises(ScenarioError) as refused:
        World(scenario=document)
    assert message in str(refused.value)


def test_scenario_files_and_built_in_names(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(scenario(numbers=[{"value": "12065550177", "alias": "desk"}])))
    world = World(scenario=str(path))
    assert world.scenario_name == str(path)
    assert list(world.accounts["a"].state("flowroute").numbers) == ["12065550177"]
    assert not world.inventory.is_available("12065550177")
    with pytest.raises(ScenarioError, match="no built-in scenario named 'nope'"):
        World(scenario="nope")
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        World(scenario=str(tmp_path / "missing.json"))
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        World(scenario=str(tmp_path / "broken.json"))


def test_two_worlds_in_one_process_share_nothing():
    first, second = World(seed=1), World(seed=1)
    number = first.inventory.search(limit=1)[0][0].value
    first.inventory.take(number)
    first.accounts["default"].state("flowroute").numbers.clear()
    assert second.inventory.is_available(number)
    assert len(second.accounts["default"].state("flowroute").numbers) == 2
    first.clock.advance(3600)
    assert second.clock.peek() == second.clock.start


def compact_store(inventory: Inventory) -> dict[str, object]:
    """The inventory's seeded base: its arrays, views and byte strings (see fakeroute.inventory), by attribute name."""
    return {name: value for name, value in vars(inventory).items() if isinstance(value, (array, bytes, memoryview))}


def test_reset_restores_the_scenario_cheaply(monkeypatch):
    world = World()
    flowroute = world.accounts["default"].state("flowroute")
    number = world.inventory.search(limit=1)[0][0].value
    world.inventory.take(number)
    flowroute.numbers.clear()
    world.create_account("temp")
    inventory, base = world.inventory, compact_store(world.inventory)
    built, build = [], Inventory.__init__

    def counted(self: Inventory, *args: object, **kwargs: object) -> None:
        built.append(args)
        build(self, *args, **kwargs)

    monkeypatch.setattr(Inventory, "__init__", counted)
    world.reset()
    assert world.inventory.is_available(number)
    assert list(world.accounts) == ["default", "other"]
    assert len(world.accounts["default"].state("flowroute").numbers) == 2
    # Cheap means nothing rebuilt (the benchmark holds the time): the same inventory, its base untouched.
    assert built == [] and world.inventory is inventory
    assert base and all(compact_store(inventory)[name] is value for name, value in base.items())


def test_created_accounts_get_fresh_deterministic_credentials():
    def credentials(seed: int) -> list[tuple[str, str]]:
        world = World(seed=seed)
        created = [world.create_account(), world.create_account("named")]
        return [(a.id, a.state("flowroute").access_key, a.state("flowroute").secret_key) for a in created]

    first = credentials(9)
    assert first == credentials(9) != credentials(10)
    assert len({secret for _, _, secret in first}) == 2


def test_clock_ticks_on_every_reading_and_can_be_moved():
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.now() == datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)
    clock.advance(hours=1)
    assert clock.peek() == datetime(2026, 1, 1, 1, 0, 2, tzinfo=UTC)
    clock.reset()
    assert clock.peek() == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        Clock(datetime(2026, 1, 1))


def test_ids_follow_the_seed():
    assert Ids(1).token("x", 5) == Ids(1).token("x", 5) != Ids(2).token("x", 5)
    ids = Ids(1)
    assert [ids.next("route", start=10), ids.next("route"), ids.next("other")] == [10, 11, 1]
    assert Ids(3).uuid("error") == Ids(3).uuid("error")


def test_a_real_time_clock_follows_the_wall_clock_and_can_still_be_moved():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rounding = timedelta(microseconds=2)  # a datetime keeps microseconds; the monotonic clock has more digits
    before = time.monotonic()
    clock = Clock(start, real_time=True)
    first = clock.now()
    time.sleep(0.05)
    second = clock.now()
    elapsed = timedelta(seconds=time.monotonic() - before)
    # Between two readings passes what passed on the wall clock: at least the sleep, at most what the test measured.
    assert timedelta(seconds=0.05) - rounding <= second - first <= elapsed + rounding
    assert clock.advance(hours=1) - start >= timedelta(hours=1)
    before = time.monotonic()
    clock.reset()
    back = clock.peek() - start
    assert timedelta(0) <= back <= timedelta(seconds=time.monotonic() - before) + rounding
