"""Flat cost as state grows: each row times a request (or a reset, a search, building Worlds) on a big World
against the same on a small one in the same run, so a ratio near 1 says the cost does not grow with the state.

Rows (issue 13): owned-number listing, route creation, MDR look-up, many accounts, reset, Worlds sharing one
inventory, deep inventory offsets. ``bench/run.py`` prints them with the others; alone:
`python bench/state_bench.py [--smoke]`.
"""

from __future__ import annotations

import base64
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.test import Client

from bench.common import Row, per_call_s
from fakeroute.app import FakerouteApp
from fakeroute.providers.agentmessage import handlers as agentmessage_handlers
from fakeroute.providers.flowroute import handlers as flowroute_handlers
from fakeroute.world import World

AUTH = {"Authorization": "Basic " + base64.b64encode(b"fakeroute:fakeroute-secret").decode()}
FLOWROUTE = {"access_key": "fakeroute", "secret_key": "fakeroute-secret"}
AGENTMESSAGE = {"Authorization": "Bearer am_test_fakeroute_default"}


def _world(*, numbers: int = 0, routes: int = 0, **options: Any) -> World:
    """A World whose one account (the default Flowroute credentials) owns ``numbers`` numbers and ``routes``
    routes, generated from the seed as a scenario's ``generate`` block makes them."""
    account: dict[str, Any] = {"id": "default", "flowroute": dict(FLOWROUTE)}
    if numbers or routes:
        account["generate"] = {"flowroute": {"numbers": numbers, "routes": routes}}
    return World(scenario={"accounts": [account]}, **options)


def _ratio(big: Callable[[], object], small: Callable[[], object], *, calls: int, rounds: int,
           setup: Callable[[], object] = lambda: None) -> float:
    """Median over rounds of time(big) / time(small), timed back to back; ``setup`` runs (untimed) before each
    round so state a call adds does not pile up over the rounds."""
    ratios = []
    for _ in range(rounds):
        setup()
        base = per_call_s(small, calls)
        took = per_call_s(big, calls)
        ratios.append(took / base)
    return statistics.median(ratios)


def _plan(smoke: bool, calls: int = 300) -> dict[str, int]:
    return {"calls": 3, "rounds": 1} if smoke else {"calls": calls, "rounds": 7}


def owned_numbers(smoke: bool) -> float:
    """GET /v2/numbers (first page) with 10,000 owned numbers over the same with 10."""
    small, big = (Client(FakerouteApp(_world(numbers=n))) for n in (10, 100 if smoke else 10_000))
    return _ratio(lambda: big.get("/v2/numbers", headers=AUTH), lambda: small.get("/v2/numbers", headers=AUTH),
                  **_plan(smoke))


def create_route(smoke: bool) -> float:
    """POST /v2/routes (a new alias each call) with 10,000 routes over the same with the default 4."""
    worlds = [_world(routes=3), _world(routes=100 if smoke else 10_000)]
    small, big = (Client(FakerouteApp(w)) for w in worlds)
    serial = iter(range(10**9))

    def post(client: Client) -> Callable[[], object]:
        def call() -> object:
            body = ('{"data": {"type": "route", "attributes": {"route_type": "host", '
                    f'"value": "sip{next(serial)}.example.com", "alias": "bench-{next(serial)}"}}}}}}')
            return client.post("/v2/routes", data=body, headers={**AUTH, "Content-Type": "application/json"})
        return call

    def setup() -> None:
        for world in worlds:
            world.reset()

    return _ratio(post(big), post(small), setup=setup, **_plan(smoke))


def _with_messages(count: int) -> World:
    """A World whose default account holds ``count`` MDRs, one a minute back from the clock's start."""
    world = _world(numbers=1, max_messages_per_account=max(count, 10))
    account = world.accounts["default"]
    state = account.state("flowroute")
    sender = next(iter(state.numbers))
    start = world.clock.peek() - timedelta(minutes=count)
    for i in range(count):
        flowroute_handlers.new_message(world.ids, state, "outbound", sender, "12065550123", f"bench {i}",
                                       start + timedelta(minutes=i), False, (), receipts=(), status="delivered")
    return world


def message_lookup(smoke: bool) -> float:
    """GET /v2.1/messages of the last 10 minutes (10 hits) among 100,000 MDRs over the same among 10."""
    small, big = (_with_messages(n) for n in (10, 1_000 if smoke else 100_000))
    clients = [Client(FakerouteApp(w)) for w in (small, big)]
    since = (small.clock.peek() - timedelta(minutes=10)).isoformat()
    query = {"start_date": since}
    return _ratio(lambda: clients[1].get("/v2.1/messages", query_string=query, headers=AUTH),
                  lambda: clients[0].get("/v2.1/messages", query_string=query, headers=AUTH), **_plan(smoke))


def _pending_cnams(count: int, first_due_s: int, account: int = 0) -> list[dict[str, Any]]:
    """``count`` CNAM records under review, the first decided ``first_due_s`` seconds after the clock's start and
    then one a second."""
    start = datetime(2026, 1, 1, tzinfo=UTC)  # the World clock's default start
    return [{"id": str(23_500 + i), "value": f"BENCH {account} {i}", "status": "pending",
             "created_at": start.isoformat(), "decided_at": (start + timedelta(seconds=first_due_s + i)).isoformat()}
            for i in range(count)]


def many_accounts(smoke: bool) -> float:
    """GET /v2/routes, each after a one-second clock step that makes one CNAM review of the caller due (the
    World's timed work runs first), in a World of 1,000 accounts (each other one with a review pending later)
    over the same in a World of that one account."""
    plan = _plan(smoke)
    calls = plan["calls"]

    def build(count: int) -> World:
        accounts = [{"id": "default", "flowroute": {**FLOWROUTE, "cnams": _pending_cnams(calls, 1)}}]
        accounts += [{"id": f"other-{i}", "flowroute": {"access_key": f"other-{i}", "secret_key": "secret",
                                                         "cnams": _pending_cnams(1, 10**6, i)}}
                     for i in range(1, count)]
        return World(scenario={"accounts": accounts})

    worlds = [build(1), build(10 if smoke else 1_000)]
    small, big = (Client(FakerouteApp(w)) for w in worlds)

    def step(world: World, client: Client) -> Callable[[], object]:
        def call() -> object:
            world.clock.advance(1)
            return client.get("/v2/routes", headers=AUTH)
        return call

    def setup() -> None:
        for world in worlds:
            world.reset()

    return _ratio(step(worlds[1], big), step(worlds[0], small), setup=setup, **plan)


def agentmessage_messages(smoke: bool) -> float:
    """AgentMessage GET /v1/messages?limit=10 with 10,000 messages in the org over the same with 10."""
    def build(count: int) -> Client:
        world = World()  # the default scenario: its account has AgentMessage numbers and keys
        account = world.accounts["default"]
        org, scope = account.state("agentmessage"), world.scope(account, "agentmessage")
        number = next(iter(org.numbers.values()))
        for i in range(count):
            agentmessage_handlers.new_message(scope, org, number, "+12065550123", f"bench {i}")
            world.clock.advance(1)
        return Client(FakerouteApp(world))

    small, big = build(10), build(100 if smoke else 10_000)
    return _ratio(lambda: big.get("/v1/messages?limit=10", headers=AGENTMESSAGE),
                  lambda: small.get("/v1/messages?limit=10", headers=AGENTMESSAGE), **_plan(smoke))


def reset_ms(smoke: bool) -> float:
    """World.reset() of a World owning 10,000 numbers (and 200 routes), in milliseconds (median)."""
    world = _world(numbers=100 if smoke else 10_000, routes=200)
    client = Client(FakerouteApp(world))
    samples = []
    for _ in range(1 if smoke else 21):
        client.post("/v2/routes", headers={**AUTH, "Content-Type": "application/json"},
                    data='{"data": {"type": "route", "attributes": {"route_type": "host", "value": "a.example.com",'
                         ' "alias": "changed"}}}')
        started = time.perf_counter()
        world.reset()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _build(count: int, size: int) -> list[World]:
    return [_world(inventory_size=size) for _ in range(count)]


def worlds_time(smoke: bool) -> float:
    """Building 8 Worlds with the same seed and a 1,000,000-number inventory over building one."""
    size = 10_000 if smoke else 1_000_000
    ratios = []
    for _ in range(1 if smoke else 5):
        gc.collect()
        started = time.perf_counter()
        one = _build(1, size)
        base = time.perf_counter() - started
        del one
        gc.collect()
        started = time.perf_counter()
        eight = _build(8, size)
        took = time.perf_counter() - started
        del eight
        ratios.append(took / base)
    return statistics.median(ratios)


def worlds_memory(smoke: bool) -> float:
    """Memory held by 8 Worlds with the same seed and a 1,000,000-number inventory over one World's."""
    size = 10_000 if smoke else 1_000_000

    def held(count: int) -> int:
        gc.collect()
        tracemalloc.start()
        worlds = _build(count, size)
        used = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del worlds
        return used

    return held(8) / held(1)


def _inventory_ms(fn: Callable[[], object], smoke: bool) -> float:
    samples = []
    for _ in range(1 if smoke else 25):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def deep_offset_ms(smoke: bool) -> float:
    """An inventory search at offset 600,000 of 1,000,000 numbers (a few taken), in milliseconds."""
    world = _world(inventory_size=10_000 if smoke else 1_000_000)
    inventory = world.inventory
    for number in [n.value for n in inventory.search(limit=50, offset=1000)[0]]:
        inventory.take(number)
    offset = 6_000 if smoke else 600_000
    return _inventory_ms(lambda: inventory.search(offset=offset, limit=10), smoke)


def area_codes_ms(smoke: bool) -> float:
    """The area codes listing of a 1,000,000-number inventory, in milliseconds."""
    inventory = _world(inventory_size=10_000 if smoke else 1_000_000).inventory
    return _inventory_ms(inventory.area_codes, smoke)


ROWS: list[Row] = [
    Row("GET /v2/numbers, 10 -> 10,000 owned numbers", "14x", 1.2, owned_numbers),
    Row("POST /v2/routes, 4 -> 10,000 routes", "7x", 1.2, create_route),
    Row("GET /v2.1/messages (10 hits), 10 -> 100,000 MDRs", "32x", 1.2, message_lookup),
    Row("any request, 1 -> 1,000 accounts", "1.4x", 1.1, many_accounts),
    Row("AgentMessage GET /v1/messages?limit=10, 10 -> 10,000 messages", "10.7x", 1.2, agentmessage_messages),
    Row("World.reset() with 10,000 owned numbers", "40 ms", 1.0, reset_ms, unit="ms"),
    Row("8 Worlds, same seed, 1M inventory: time vs one World", "6.9 s (8x)", 1.2, worlds_time),
    Row("8 Worlds, same seed, 1M inventory: memory vs one World", "215 MB (8x)", 1.2, worlds_memory),
    Row("inventory deep offset at 1M numbers", "25 ms", 1.0, deep_offset_ms, unit="ms"),
    Row("inventory area codes listing at 1M numbers", "5.3 ms", 1.0, area_codes_ms, unit="ms"),
]


def main(argv: list[str]) -> int:
    smoke = "--smoke" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    failed = False
    for row in ROWS:
        if wanted and not any(w in row.what for w in wanted):
            continue
        value = row.measure(smoke)
        failed |= not row.met(value)
        print(f"{row.what:<58} before {row.before:>12}  target {row.target:>5}{row.unit}  "
              f"now {value:8.3f}{row.unit}  {'ok' if row.met(value) else 'MISSED'}", flush=True)
    return 1 if failed and not smoke else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
