"""What the pytest fixtures hand a test: settings, a handle on one fake World, and the worlds of a session.

The plugin module (fakeroute/pytest_plugin.py) only wires these into pytest; everything here works without it.
Settings are read in every pytest run, so the World's machinery is imported only when a World is built.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accounts import Account
    from .app import FakerouteApp
    from .clock import Clock
    from .faults import Fault
    from .journal import Journal, Recorded
    from .outbox import Outbox, Webhook
    from .providers import Provider
    from .transport import AppTarget
    from .world import World

SEED_ENV = "FAKEROUTE_SEED"
DEFAULT_SCENARIO = "default"  # the built-in scenario (scenario.DEFAULT_SCENARIO: a test checks they agree)
DEFAULT_SIZE = 5_000  # inventory.DEFAULT_SIZE, likewise
WORLD_ARGUMENTS = ("seed", "scenario", "inventory_size", "block_unknown_hosts", "providers", "rate_limits",
                   "clock_start")
MARKER_HELP = ("fakeroute(seed=0, scenario='default', inventory_size=5000, block_unknown_hosts=False, "
               "providers=fakeroute.providers.PROVIDERS, rate_limits=None, clock_start=None, deliver_to=None): "
               "the fake World this test gets; deliver_to is a WSGI/ASGI app or the name of a fixture giving one")


@dataclass(frozen=True)
class Settings:
    """Which World a test gets; ``origin`` says where the seed came from (for the report header)."""

    seed: int = 0
    scenario: str = DEFAULT_SCENARIO
    inventory_size: int = DEFAULT_SIZE
    block_unknown_hosts: bool = False
    origin: str = "default"
    providers: tuple[Provider, ...] | None = None  # None: fakeroute.providers.PROVIDERS
    rate_limits: bool | None = None  # None: as the scenario says (on unless it says false)
    clock_start: str | None = None  # ISO 8601 (None: 2026-01-01T00:00:00Z)

    @property
    def world_key(self) -> tuple[Any, ...]:
        return (self.seed, self.scenario, self.inventory_size, self.providers, self.rate_limits, self.clock_start)

    def describe(self) -> str:
        return f"seed={self.seed} ({self.origin}), scenario={self.scenario}, inventory_size={self.inventory_size}"

    def with_marker(self, marker: Mapping[str, Any]) -> Settings:
        unknown = set(marker) - set(WORLD_ARGUMENTS)
        if unknown:
            raise TypeError(f"@pytest.mark.fakeroute got unknown argument(s): {', '.join(sorted(unknown))}")
        origin = "marker" if "seed" in marker else self.origin
        return Settings(
            seed=int(marker.get("seed", self.seed)),
            scenario=str(marker.get("scenario", self.scenario)),
            inventory_size=int(marker.get("inventory_size", self.inventory_size)),
            block_unknown_hosts=bool(marker.get("block_unknown_hosts", self.block_unknown_hosts)),
            origin=origin,
            providers=tuple(marker["providers"]) if "providers" in marker else self.providers,
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


def split_marker(arguments: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """The marker's arguments: those choosing the World, and ``deliver_to`` (None when not given)."""
    world = dict(arguments)
    return world, world.pop("deliver_to", None)


class Worlds:
    """One World (and app) per distinct settings in a session: built once, reset for every test."""

    def __init__(self) -> None:
        self._built: dict[tuple[Any, ...], tuple[World, FakerouteApp]] = {}

    def get(self, settings: Settings) -> tuple[World, FakerouteApp]:
        key = settings.world_key
        if key not in self._built:
            from .app import FakerouteApp
            from .clock import parse_start
            from .providers import PROVIDERS
            from .world import World

            start = parse_start(settings.clock_start) if settings.clock_start else None
            world = World(seed=settings.seed, scenario=settings.scenario, inventory_size=settings.inventory_size,
                          providers=settings.providers or PROVIDERS, rate_limits=settings.rate_limits, start=start)
            self._built[key] = (world, FakerouteApp(world))
        return self._built[key]


class State:
    """The world's accounts as plain objects: ``state["default"].flowroute.numbers["12065550100"]``."""

    def __init__(self, world: World):
        self._world = world

    def __getitem__(self, account_id: str) -> AccountState:
        return AccountState(self._world.accounts[account_id])

    def __iter__(self) -> Iterator[AccountState]:
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


class DeliveringClock:
    """The World's clock as the fixture hands it out: moving it (``advance``, ``set``) also hands the webhooks
    that fall due to the apps under test. Everything else is the clock's own (``peek``, ``now``, ``start``)."""

    def __init__(self, clock: Clock, deliver: Any):
        self._clock = clock
        self._deliver = deliver

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        moved = self._clock.advance(seconds, **delta)
        self._deliver()
        return moved

    def set(self, when: datetime) -> None:
        self._clock.set(when)
        self._deliver()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clock, name)


class WebhookDeliveryError(Exception):
    """The app under test raised while a webhook was handed to it."""


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
        self._targets: list[AppTarget] = []

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
    def clock(self) -> DeliveringClock:
        return DeliveringClock(self.world.clock, self.deliver)

    @property
    def outbox(self) -> Outbox:
        return self.world.outbox

    def base_url(self, provider: str) -> str:
        """Where to send this provider's calls: its real host in-process, the server's URL otherwise."""
        if self.url is not None:
            return self.url
        return "https://" + self.world.provider(provider).hosts[0]

    def credentials(self, provider: str, account: str = "default") -> dict[str, Any]:
        with self.world.lock.reading():
            credentials = self.world.provider(provider).public_credentials(self.world.accounts[account].state(provider))
        if credentials is None:
            raise LookupError(f"account {account!r} has no {provider} credentials")
        return credentials

    def client(self, provider: str, account: str = "default") -> Any:
        """What the provider says a test talks to it with, authenticated as ``account``: a ``requests.Session``
        for Flowroute and AgentMessage (call the real host, or ``base_url`` over HTTP), the official
        ``twilio.rest.Client`` for Twilio."""
        return self.world.provider(provider).client(self.credentials(provider, account))

    # -- what was called ----------------------------------------------------------------------------

    def calls(self, provider: str | None = None, method: str | None = None, path: str | None = None, *,
              status: int | None = None, account: str | None = None, query: Mapping[str, Any] | None = None,
              body: Any = None) -> list[Recorded]:
        """The calls made to the fake that match, oldest first: ``path`` takes ``*`` (one segment) and ``**``
        (any), ``query`` and ``body`` the parameters and body fields the call must have."""
        return self.world.journal.filter(provider, method, path, status, account=account, query=query, body=body)

    def assert_called(self, provider: str | None = None, method: str | None = None, path: str | None = None, *,
                      times: int | None = None, status: int | None = None, account: str | None = None,
                      query: Mapping[str, Any] | None = None, body: Any = None) -> list[Recorded]:
        """The matching calls (as ``calls``); at least one, or exactly ``times``, else an AssertionError that
        lists the calls made."""
        __tracebackhide__ = True
        return self.world.journal.assert_called(provider, method, path, times=times, status=status, account=account,
                                                query=query, body=body)

    def assert_not_called(self, provider: str | None = None, method: str | None = None, path: str | None = None, *,
                          status: int | None = None, account: str | None = None,
                          query: Mapping[str, Any] | None = None, body: Any = None) -> None:
        __tracebackhide__ = True
        self.world.journal.assert_not_called(provider, method, path, status=status, account=account, query=query,
                                             body=body)

    # -- the knobs ----------------------------------------------------------------------------------

    def fail(self, status: int | None = None, *, provider: str | None = None, method: str | None = None,
             path: str | None = None, times: int | None = 1, latency: float = 0.0, drop: bool = False,
             detail: str | None = None, retry_after: int | None = None) -> Fault:
        """Make the next ``times`` matching calls fail: ``fail(503, provider="twilio")``."""
        return self.world.faults.add(provider=provider, method=method, path=path, status=status, times=times,
                                     latency=latency, drop=drop, detail=detail, retry_after=retry_after)

    def inbound(self, provider: str, **message: Any) -> dict[str, Any]:
        """Simulate a message arriving at a number an account owns, as ``POST /_fakeroute/inbound`` does:
        ``fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="hi")`` (``from_`` is
        the document's ``from``). Raises ``ApiError`` as the admin endpoint answers 4xx, changing nothing.
        Its webhook goes to the app under test at once (``deliver_to``)."""
        if "from_" in message:
            message["from"] = message.pop("from_")
        with self.world.lock:
            happened = self.world.provider(provider).simulate_inbound(self.world, message)
        self.deliver()
        return happened

    def create_account(self, name: str | None = None) -> AccountState:
        return AccountState(self.world.create_account(name))

    def reset(self) -> None:
        self.world.reset()

    # -- webhooks into the app under test -------------------------------------------------------------

    def deliver_to(self, app: Any, *, url: str | None = None, asgi: bool | None = None) -> AppTarget:
        """Hand every webhook this World emits to ``app`` (WSGI, or ASGI), in-process, in order and on the fake
        clock: the exact method, headers and body an HTTP POST to the webhook's URL carries, its path and query
        from that URL. ``url`` limits the app to webhooks whose URL starts with it (another ``deliver_to``
        takes the rest); webhooks no app takes stay recorded in the outbox.

        Webhooks are handed over when they fall due: before the fake answers each call, when the test moves
        ``fakeroute.clock``, after ``fakeroute.inbound(...)``, and on ``fakeroute.deliver()``. An answer
        other than 2xx is retried at once, as many times as over HTTP; every attempt is in
        ``webhook.attempts``. An exception the app raises fails the test when the fixture ends."""
        if self.url is not None:
            raise RuntimeError("deliver_to is the in-process fixture's: the server POSTs webhooks over HTTP to the "
                               "URL each names, so serve your app on 127.0.0.1 and give that URL instead")
        from .transport import AppTarget

        target = AppTarget(app, url=url, asgi=asgi)
        self._targets.append(target)
        self.deliver()
        return target

    def deliver(self) -> list[Webhook]:
        """Hand the apps under test every webhook due by the fake clock, now: those handed over, in order.
        With the server fixture, wait (up to 5 s) for its thread to POST the due ones instead."""
        if self.url is not None:
            self.world.outbox.drain()
            return []
        if not self._targets:
            return []
        return self.world.outbox.deliver_due(self._send, self._takes)

    def _takes(self, url: str) -> bool:
        return any(target.takes(url) for target in self._targets)

    def _send(self, webhook: Webhook) -> tuple[int | None, str | None]:
        return next(target for target in self._targets if target.takes(webhook.url)).send(webhook)

    def close(self) -> None:
        """Stop the apps' event loops (ASGI); the fixture calls this when the test ends."""
        for target in self._targets:
            target.close()

    def raise_delivery_errors(self) -> None:
        errors = [error for target in self._targets for error in target.errors]
        if errors:
            raise WebhookDeliveryError(f"the app under test raised on {len(errors)} webhook attempt(s); the first: "
                                       f"{type(errors[0]).__name__}: {errors[0]}") from errors[0]

    def failure_report(self, nodeid: str) -> str:
        """What a failing test's report shows: the settings, how to replay it, the last calls and webhooks."""
        calls = self.world.journal.all()[-20:]
        lines = [self.settings.describe(), f"replay with: pytest --fakeroute-seed={self.seed} {nodeid}",
                 f"last {len(calls)} call(s) to the fake:"]
        lines += [f"  {c}" for c in calls] or ["  (none)"]
        webhooks = self.world.outbox.webhooks()[-20:]
        if webhooks:
            lines.append(f"last {len(webhooks)} webhook(s):")
            lines += [f"  {w.id} {w.kind} POST {w.url} -> {w.state}"
                      + "".join(f" [{a.status or a.error}]" for a in w.attempts) for w in webhooks]
        return "\n".join(lines)
