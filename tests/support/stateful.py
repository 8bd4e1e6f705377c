"""What the stateful property tests share: hypothesis settings (bounded; longer with FAKEROUTE_LONG_TESTS=1), an
in-process client per World, and the World-wide invariants of the shared inventory every provider's machine checks."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from werkzeug.test import Client, TestResponse

from fakeroute.app import FakerouteApp
from fakeroute.world import World

LONG = os.environ.get("FAKEROUTE_LONG_TESTS") == "1"

# Bounded for `make test` (seeded, so a run is the same every time); FAKEROUTE_LONG_TESTS=1 explores far more.
SETTINGS = settings(
    max_examples=400 if LONG else 15,
    stateful_step_count=50 if LONG else 15,
    deadline=None,
    database=None,
    derandomize=not LONG,
    suppress_health_check=[HealthCheck.too_slow],
)


class Fake:
    """One World (rate limits off: a machine may send many messages in one fake second) and an in-process client
    that sends each call to a provider's real host; every exception propagates, so a bug fails the test."""

    def __init__(self) -> None:
        self.world = World(rate_limits=False)
        self.client = Client(FakerouteApp(self.world, propagate_exceptions=True))

    def call(self, host: str, method: str, path: str, headers: dict[str, str], *, json_body: Any = None,
             data: bytes | str | None = None, query: dict[str, Any] | None = None) -> TestResponse:
        if json_body is not None:
            data = json.dumps(json_body)
            headers = {**headers, "Content-Type": "application/json"}
        answer = self.client.open(path, method=method, headers=headers, data=data, query_string=query,
                                  base_url=f"https://{host}")
        assert answer.status_code < 500, (method, path, answer.get_data(as_text=True))
        return answer

    def admin(self, method: str, path: str, body: Any = None) -> TestResponse:
        answer = self.client.open(f"/_fakeroute{path}", method=method, json=body)
        assert answer.status_code < 400, answer.get_data(as_text=True)
        return answer

    def state(self) -> bytes:
        """``GET /_fakeroute/state``: every account's state as a scenario document, byte for byte."""
        return self.admin("GET", "/state").get_data()


def held_numbers(world: World) -> Counter[str]:
    """Every number (11 digits) held out of the inventory by an owner, a quarantine or a return to the carrier."""
    held: Counter[str] = Counter()
    for account in world:
        flowroute = account.states.get("flowroute")
        if flowroute is not None:
            held.update(list(flowroute.numbers))
        org = account.states.get("agentmessage")
        if org is not None:
            held.update(n.number.lstrip("+") for n in org.numbers.values())
            held.update(r.number.lstrip("+") for r in org.released.values() if r.quarantined or r.available_at is None)
    return held


def check_the_shared_inventory(world: World, total: int) -> None:
    """A number is never both available and held, never held twice, and available + held never changes."""
    held = held_numbers(world)
    twice = [number for number, count in held.items() if count > 1]
    assert not twice, f"held twice: {twice}"
    both = [number for number in held if world.inventory.is_available(number)]
    assert not both, f"both available and held: {both}"
    assert len(world.inventory) + len(held) == total, (len(world.inventory), len(held), total)


def conserved_total(world: World) -> int:
    return len(world.inventory) + len(held_numbers(world))
