"""The World: every account (tenant) and its state per provider, the inventory, the clock and the ids."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from .faults import Faults
from .inventory import DEFAULT_SIZE, Inventory
from .journal import Journal
from .outbox import Outbox
from .providers import PROVIDERS, Provider
from .validation import Schema

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT_SCENARIO = "default"


class ScenarioError(ValueError):
    """A scenario document that cannot be loaded; the message names the bad entry."""


class Clock:
    """A deterministic clock: starts at ``start`` and moves ``tick`` forward on every reading.

    Every timestamp the fake writes comes from here, so the same calls give the same times.
    ``advance`` moves it on (a test waiting for a delivery receipt), ``set`` puts it anywhere.
    With ``real_time`` it follows the wall clock from ``start`` instead (no tick; ``advance`` and
    ``set`` still move it): for a standalone server whose clients wait for webhooks in real time.
    """

    def __init__(self, start: datetime = DEFAULT_START, tick: timedelta = timedelta(seconds=1), *,
                 real_time: bool = False):
        if start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        self.start = start
        self.tick = tick
        self.real_time = real_time
        self._now = start
        self._since = time.monotonic()  # real_time: when _now was last set

    def now(self) -> datetime:
        if self.real_time:
            return self.peek()
        current = self._now
        self._now = current + self.tick
        return current

    def peek(self) -> datetime:
        """The time the next reading will give, without moving the clock."""
        if self.real_time:
            return self._now + timedelta(seconds=time.monotonic() - self._since)
        return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self._now += timedelta(seconds=seconds, **delta)
        return self.peek()

    def set(self, when: datetime) -> None:
        self._now = when
        self._since = time.monotonic()

    def reset(self) -> None:
        self.set(self.start)


class Ids:
    """Deterministic identifiers: counters per kind, and tokens derived from the seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self._counters: dict[str, int] = {}

    def reset(self) -> None:
        self._counters.clear()

    def next(self, kind: str, start: int = 1) -> int:
        """1, 2, 3... per kind (or ``start``, ``start + 1``...)."""
        value = self._counters.get(kind, start)
        self._counters[kind] = value + 1
        return value

    def token(self, kind: str, *parts: object, length: int = 32) -> str:
        """Hex digits fixed by the seed and the parts alone, whatever else happened before."""
        text = "|".join(map(str, (self.seed, kind, *parts)))
        return hashlib.sha256(text.encode()).hexdigest()[:length]

    def uuid(self, kind: str) -> str:
        """A random-looking (version 4) UUID, the n-th of its kind for this seed."""
        return str(uuid.UUID(self.token(kind, self.next(kind)), version=4))


@dataclass
class Account:
    """A tenant: one set of credentials per provider and that provider's state for it."""

    id: str
    name: str
    states: dict[str, Any] = field(default_factory=dict)

    def state(self, provider: str) -> Any:
        return self.states[provider]


@dataclass(frozen=True)
class Scope:
    """What a handler may touch: the caller's own state for its provider and the shared services."""

    account_id: str
    state: Any
    inventory: Inventory
    clock: Clock
    ids: Ids
    outbox: Outbox  # webhooks a handler emits (delivery receipts, inbound messages)


def _envelope_schema() -> dict[str, Any]:
    text = resources.files("fakeroute.schemas").joinpath("scenario.json").read_text(encoding="utf-8")
    document = json.loads(text)
    sections = document["properties"]["accounts"]["items"]["properties"]
    for provider in PROVIDERS:
        sections[provider.name] = provider.schemas["scenario"].document
    return document


SCENARIO_SCHEMA = Schema("scenario", _envelope_schema())


def read_scenario(ref: str | Path | Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """A scenario document and a name for it in messages, from a built-in name, a path or a dict."""
    if ref is None:
        ref = DEFAULT_SCENARIO
    if isinstance(ref, Mapping):
        return "<scenario>", json.loads(json.dumps(ref))
    text_ref = str(ref)
    if "/" not in text_ref and "\\" not in text_ref and not text_ref.endswith(".json"):
        builtin = resources.files("fakeroute.fixtures").joinpath(f"{text_ref}.json")
        if not builtin.is_file():
            raise ScenarioError(f"no built-in scenario named {text_ref!r}")
        return f"{text_ref} (built-in)", json.loads(builtin.read_text(encoding="utf-8"))
    path = Path(text_ref)
    try:
        return str(path), json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not valid JSON: {exc}") from None


def validate_scenario(name: str, document: Any) -> dict[str, Any]:
    problem = SCENARIO_SCHEMA.first_violation(document)
    if problem:
        raise ScenarioError(f"scenario {name}: {problem}")
    seen: set[str] = set()
    for i, account in enumerate(document["accounts"]):
        if account["id"] in seen:
            raise ScenarioError(f"scenario {name}: accounts[{i}].id: duplicate account id {account['id']!r}")
        seen.add(account["id"])
    return document


def _owned_numbers(name: str, document: Mapping[str, Any]) -> list[str]:
    """Every number a scenario's accounts own; one account may hold a number at several providers, but a
    number belongs to one account only."""
    owners: dict[str, str] = {}
    for i, account in enumerate(document["accounts"]):
        for provider in PROVIDERS:
            for number in provider.owned_numbers(account.get(provider.name)):
                owner = owners.setdefault(number, account["id"])
                if owner != account["id"]:
                    raise ScenarioError(f"scenario {name}: accounts[{i}].{provider.name}: number {number} "
                                        f"is already owned by account {owner!r}")
    return list(owners)


class World:
    """All the state of one fake: accounts, inventory, clock, ids. Two Worlds never share anything.

    >>> world = World(seed=7)
    >>> [a.id for a in world.accounts.values()]
    ['default']
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        scenario: str | Path | Mapping[str, Any] | None = None,
        inventory_size: int = DEFAULT_SIZE,
        start: datetime = DEFAULT_START,
        real_time: bool = False,
    ):
        self.seed = seed
        self.lock = threading.RLock()
        self.scenario_name, document = read_scenario(scenario)
        self.scenario = validate_scenario(self.scenario_name, document)
        owned = _owned_numbers(self.scenario_name, self.scenario)
        try:
            self.inventory = Inventory(seed, inventory_size, owned)
        except ValueError as exc:
            raise ScenarioError(f"scenario {self.scenario_name}: {exc}") from None
        self.clock = Clock(start, real_time=real_time)
        self.ids = Ids(seed)
        self.journal = Journal()
        self.faults = Faults()
        self.outbox = Outbox(self.clock)  # this World's webhooks: two Worlds never share one
        self.accounts: dict[str, Account] = {}
        self._by_credential: dict[str, dict[Any, Account]] = {p.name: {} for p in PROVIDERS}
        # Scenario accounts are loaded (parsed, cross-checked) once; a reset copies them.
        for i, doc in enumerate(self.scenario["accounts"]):
            self._add_account(doc, f"accounts[{i}]")
        self._pristine = list(self.accounts.values())
        self.reset()

    @property
    def providers(self) -> tuple[Provider, ...]:
        return PROVIDERS

    def reset(self) -> None:
        """Back to the seeded scenario: cheap, nothing is parsed, validated or rebuilt again."""
        with self.lock:
            self.clock.reset()
            self.ids.reset()
            self.inventory.reset()
            self.journal.clear()
            self.faults.clear()
            self.outbox.clear()
            self.accounts = {}
            self._by_credential = {p.name: {} for p in PROVIDERS}
            for pristine in self._pristine:
                account = Account(pristine.id, pristine.name)
                for provider in PROVIDERS:
                    state = account.states[provider.name] = provider.copy_state(pristine.states[provider.name])
                    index = self._by_credential[provider.name]
                    for key in provider.credential_keys(state):
                        index[key] = account
                self.accounts[account.id] = account

    def _add_account(self, doc: Mapping[str, Any], where: str) -> Account:
        account = Account(doc["id"], doc.get("name", doc["id"]))
        for provider in PROVIDERS:
            try:
                state = provider.load_state(doc.get(provider.name), self)
            except ScenarioError as exc:
                raise ScenarioError(f"scenario {self.scenario_name}: {where}.{provider.name}.{exc}") from None
            account.states[provider.name] = state
            index = self._by_credential[provider.name]
            for key in provider.credential_keys(state):
                if key in index:
                    raise ScenarioError(
                        f"scenario {self.scenario_name}: {where}.{provider.name}: credentials already used "
                        f"by account {index[key].id!r}"
                    )
                index[key] = account
        self.accounts[account.id] = account
        return account

    def create_account(self, name: str | None = None) -> Account:
        """A new, empty account with fresh credentials for every provider (gone after ``reset``)."""
        with self.lock:
            serial = self.ids.next("account", start=len(self.accounts) + 1)
            account_id = f"account-{serial}"
            while account_id in self.accounts:
                serial = self.ids.next("account")
                account_id = f"account-{serial}"
            doc = {"id": account_id, "name": name or f"Account {serial}"}
            for provider in PROVIDERS:
                doc[provider.name] = provider.new_section(self, serial)
            return self._add_account(doc, account_id)

    def find_account(self, provider: str, credential: Any) -> Account | None:
        return self._by_credential[provider].get(credential)

    def scope(self, account: Account, provider: str) -> Scope:
        return Scope(account.id, account.states[provider], self.inventory, self.clock, self.ids, self.outbox)

    def __iter__(self) -> Iterator[Account]:
        return iter(self.accounts.values())
