"""What the pytest fixtures hand a test: settings, a handle on one fake World, and the worlds of a session.

The plugin module (conftest_plugin.py) only wires these into pytest; everything here works without it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .accounts import Account
from .app import FakerouteApp
from .clock import Clock, parse_start
from .faults import Fault
from .inventory import DEFAULT_SIZE
from .journal import Journal
from .outbox import Outbox
from .providers import PROVIDERS, Provider
from .scenario import DEFAULT_SCENARIO
from .world import World

SEED_ENV = "FAKEROUTE_SEED"


@dataclass(frozen=True)
class Settings:
    """Which World a test gets; ``origin`` says where the seed came from (for the report header)."""

    seed: int = 0
    scenario: str = DEFAULT_SCENARIO
    inventory_size: int = DEFAULT_SIZE
    block_unknown_hosts: bool = False
    origin: str = "default"
    providers: tuple[Provider, ...] = PROVIDERS
    rate_limits: bool | None = None  # None: as the scenario says (on unless it says false)
    clock_start: str | None = None  # ISO 8601 (None: 2026-01-01T00:00:00Z)

    @property
    def world_key(self) -> tuple[Any, ...]:
        return (self.seed, self.scenario, self.inventory_size, self.providers, self.rate_limits, self.clock_start)

    def describe(self) -> str:
        return f"seed={self.seed} ({self.origin}), scenario={self.scenario}, inventory_size={self.inventory_size}"

    def with_marker(self, marker: Mapping[str, Any]) -> Settings:
        unknown = set(marker) - {"seed", "scenario", "inventory_size", "block_unknown_hosts", "providers",
                                  "rate_limits", "clock_start"}
        if unknown:
            raise TypeError(f"@pytest.mark.fakeroute got unknown argument(s): {', '.join(sorted(unknown))}")
        origin = "marker" if "seed" in marker else self.origin
        return Settings(
            seed=int(marker.get("seed", self.seed)),
            scenario=str(marker.get("scenario", self.scenario)),
            inventory_size=int(marker.get("inventory_size", self.inventory_size)),
            block_unknown_hosts=bool(marker.get("block_unknown_hosts", self.block_unknown_hosts)),
            origin=origin,
            providers=tuple(marker.get("providers", self.providers)),
            rate_limits=marker.get("rate_limits", self.rate_limits),
            clock_start=str(marker["clock_start"]) if marker.get("clock_start") else self.clock_start,
        )


def resolve_settings(
    *,
    cli_seed: int | None,
    ini_seed: str | None,
    cli_scenario: str | None,
    ini_scenario: str | None,
    ini_inventory_size: str | None,
    ini_block_unknown_hosts: bool,
    rootdir: Path,
    environ: Mapping[str, str] = os.environ,
    ini_clock_start: str | None = None,
) -> Settings:
    """Session settings. Seed: --fakeroute-seed, then the ini option, then $FAKEROUTE_SEED, then 0."""
    if cli_seed is not None:
        seed, origin = cli_seed, "--fakeroute-seed"
    elif ini_seed:
        seed, origin = int(ini_seed), "ini fakeroute_seed"
    elif environ.get(SEED_ENV):
        seed, origin = int(environ[SEED_ENV]), f"${SEED_ENV}"
    else:
        seed, origin = 0, "default"
    scenario = cli_scenario or ini_scenario or DEFAULT_SCENARIO
    if scenario.endswith(".json") and not Path(scenario).is_absolute():
        scenario = str(rootdir / scenario)
    return Settings(seed, scenario, int(ini_inventory_size or DEFAULT_SIZE), ini_block_unknown_hosts, origin,
                    clock_start=ini_clock_start or None)


class Worlds:
    """One World (and app) per distinct settings in a session: built once, reset for every test."""

    def __init__(self) -> None:
        self._built: dict[tuple[Any, ...], tuple[World, FakerouteApp]] = {}

    def get(self, settings: Settings) -> tuple[World, FakerouteApp]:
        key = settings.world_key
        if key not in self._built:
            start = parse_start(settings.clock_start) if settings.clock_start else None
            world = World(seed=settings.seed, scenario=settings.scenario, inventory_size=settings.inventory_size,
                          providers=settings.providers, rate_limits=settings.rate_limits, start=start)
            self._built[key] = (world, FakerouteApp(world))
        return self._built[key]


class State:
    """The world's accounts as plain objects: ``state["default"].flowroute.numbers["12065550100"]``."""

    def __init__(self, world: World):
        self._world = world

    def __getitem__(self, account_id: str) -> AccountState:
        return AccountState(self._world.accounts[account_id])

    def __iter__(self):
        return (AccountState(a) for a in self._world)

    @property
    def accounts(self) -> list[str]:
        return list(self._world.accounts)


class AccountState:
    """One account: ``.id``, ``.name`` and one attribute per provider holding its state dataclass."""

    def __init__(self, account: Account):
        self._account = account
        self.id = account.id
        self.name = account.name

    def __getattr__(self, provider: str) -> Any:
        try:
            return self._account.states[provider]
        except KeyError:
            raise AttributeError(f"no provider named {provider!r}") from None


class Fakeroute:
    """A fake for one test: its World, what was called, and the knobs a test turns.

    ``url`` is where the fake answers: None in-process (call the providers' real hosts, they are
    intercepted), ``http://127.0.0.1:PORT`` for the real-HTTP server fixture.
    """

    def __init__(self, world: World, app: FakerouteApp, settings: Settings, url: str | None = None):
        self.world = world
        self.app = app
        self.settings = settings
        self.url = url

    @property
    def seed(self) -> int:
        return self.world.seed

    @property
    def state(self) -> State:
        return State(self.world)

    @property
    def requests(self) -> Journal:
        return self.world.journal

    @property
    def clock(self) -> Clock:
        return self.world.clock

    @property
    def outbox(self) -> Outbox:
        return self.world.outbox

    def base_url(self, provider: str) -> str:
        """Where to send this provider's calls: its real host in-process, the server's URL otherwise."""
        if self.url is not None:
            return self.url
        return "https://" + self.world.provider(provider).hosts[0]

    def credentials(self, provider: str, account: str = "default") -> dict[str, Any]:
        with self.world.lock:
            credentials = self.world.provider(provider).public_credentials(self.world.accounts[account].state(provider))
        if credentials is None:
            raise LookupError(f"account {account!r} has no {provider} credentials")
        return credentials

    def client(self, provider: str, account: str = "default") -> Any:
        """What the provider says a test talks to it with, authenticated as ``account``: a ``requests.Session``
        for Flowroute and AgentMessage (call the real host, or ``base_url`` over HTTP), the official
        ``twilio.rest.Client`` for Twilio."""
        return self.world.provider(provider).client(self.credentials(provider, account))

    def assert_called(self, provider: str | None = None, method: str | None = None, path: str | None = None,
                      *, times: int | None = None, status: int | None = None):
        return self.world.journal.assert_called(provider, method, path, times=times, status=status)

    def fail(self, status: int | None = None, *, provider: str | None = None, method: str | None = None,
             path: str | None = None, times: int | None = 1, latency: float = 0.0, drop: bool = False,
             detail: str | None = None, retry_after: int | None = None) -> Fault:
        """Make the next ``times`` matching calls fail: ``fail(503, provider="twilio")``."""
        return self.world.faults.add(provider=provider, method=method, path=path, status=status, times=times,
                                     latency=latency, drop=drop, detail=detail, retry_after=retry_after)

    def inbound(self, provider: str, **message: Any) -> dict[str, Any]:
        """Simulate a message arriving at a number an account owns, as ``POST /_fakeroute/inbound`` does:
        ``fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="hi")`` (``from_`` is
        the document's ``from``). Raises ``ApiError`` as the admin endpoint answers 4xx, changing nothing."""
        if "from_" in message:
            message["from"] = message.pop("from_")
        return self.world.provider(provider).simulate_inbound(self.world, message)

    def create_account(self, name: str | None = None) -> AccountState:
        return AccountState(self.world.create_account(name))

    def reset(self) -> None:
        self.world.reset()
