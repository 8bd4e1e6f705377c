"""The World: every account (tenant) and its state per provider, the inventory, the clock, the ids, the agenda."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .accounts import DEFAULT_MAX_MESSAGES, Account, Agenda, Scope
from .clock import Clock
from .faults import Faults
from .ids import Ids
from .inventory import DEFAULT_SIZE, Inventory, known_area_code
from .journal import Journal
from .limits import Limit, RateLimits
from .outbox import Outbox
from .providers import PROVIDERS, Provider
from .scenario import ScenarioError, load_scenario, owned_numbers, read_scenario

__all__ = ["Account", "Clock", "Ids", "ScenarioError", "Scope", "StateLock", "World", "read_scenario"]


class StateLock:
    """The World's lock (re-entrant), and the version of its state.

    Whoever takes it may change the World, so each time it is taken ``version`` moves on to a value it never had:
    the app remembers a GET's reply only for the version it was made at (``FakerouteApp``). Code that only reads
    takes it with ``reading()``, which leaves the version alone; the app's GET pipeline does, and checks with
    ``World.changes`` that the request indeed changed nothing (else it moves the version on itself). A reset puts
    back the version the scenario's state had (``restore``): the state is again exactly that one.

    >>> lock = StateLock()
    >>> with lock:
    ...     pass
    >>> with lock.reading():
    ...     pass
    >>> lock.version
    1
    """

    __slots__ = ("_lock", "_fresh", "version")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._fresh = 1  # the next version never given
        self.version = 0

    def __enter__(self) -> StateLock:
        self._lock.acquire()
        self.version = self._fresh
        self._fresh += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def reading(self) -> threading.RLock:
        """The same lock, taken without moving the version on: for code that changes nothing."""
        return self._lock

    def touch(self) -> None:
        """Move the version on (the lock held): something changed while it was taken with ``reading()``."""
        self.version = self._fresh
        self._fresh += 1

    def restore(self, version: int) -> None:
        """(The lock held) the version the state had once, when it is again exactly as it was then."""
        self.version = version


class World:
    """All the state of one fake: accounts, inventory, clock, ids. Two Worlds never share anything.

    ``providers`` are the APIs it serves (default: Flowroute, Twilio Routes v2 and AgentMessage); a
    fourth is one more object in that tuple. ``start`` is where the clock starts (default 2026-01-01 UTC;
    with ``real_time``, the wall clock's now). ``rate_limits`` switches the providers' rate limits on or off
    (None: as the scenario's ``rate_limits`` says, on when it says nothing, as the real APIs are).
    ``max_messages_per_account`` bounds the messages a provider stores for one account: past it the oldest
    are forgotten (look-ups then answer 404), so a long-running server's memory stays bounded.

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
        start: datetime | None = None,
        real_time: bool = False,
        providers: Iterable[Provider] = PROVIDERS,
        rate_limits: bool | None = None,
        max_messages_per_account: int = DEFAULT_MAX_MESSAGES,
    ):
        if max_messages_per_account < 1:
            raise ValueError(f"max_messages_per_account must be at least 1, got {max_messages_per_account}")
        self.max_messages_per_account = max_messages_per_account
        self.seed = seed
        self._rate_limits = rate_limits  # the caller's override, kept for load_scenario
        self.providers: tuple[Provider, ...] = tuple(providers)
        names = [p.name for p in self.providers]
        if len(set(names)) != len(names):
            raise ValueError(f"two providers share a name: {', '.join(names)}")
        self.lock = StateLock()
        self.clock = Clock(start, real_time=real_time)  # first: generated scenario history ends at its start
        self.scenario_name, self.scenario = load_scenario(scenario, seed=seed, start=self.clock.start,
                                                          providers=self.providers)
        owned = owned_numbers(self.scenario_name, self.scenario, self.providers)
        try:
            self.inventory = Inventory(seed, inventory_size, owned)
        except ValueError as exc:
            raise ScenarioError(f"scenario {self.scenario_name}: {exc}") from None
        for area_code, remaining in self.scenario.get("inventory", {}).get("remaining_in_area_code", {}).items():
            if not known_area_code(area_code):
                raise ScenarioError(f"scenario {self.scenario_name}: inventory.remaining_in_area_code.{area_code}: "
                                    f"area code {area_code} is not one fakeroute knows")
            self.inventory.sell_out(area_code, remaining)
        self.inventory.checkpoint()
        self.ids = Ids(seed)
        self.journal = Journal()
        self.faults = Faults()
        self.outbox = Outbox(self.clock)  # this World's webhooks: two Worlds never share one
        self.agenda = Agenda()
        self.limits = RateLimits(
            self.scenario.get("rate_limits", True) if rate_limits is None else rate_limits,
            overrides={name: Limit(doc["count"], doc.get("window", 1.0))
                       for name, doc in self.scenario.get("limits", {}).items()},
            used={(account["id"], name): count for account in self.scenario["accounts"]
                  for name, count in account.get("limits_used", {}).items()},
            start=self.clock.start,
        )
        self.accounts: dict[str, Account] = {}
        self._rank: dict[str, int] = {}  # account id -> its place among the accounts (the order catch-ups run in)
        self._by_credential: dict[str, dict[Any, Account]] = {p.name: {} for p in self.providers}
        # Scenario accounts are loaded (parsed, cross-checked) once; a reset copies them.
        for i, doc in enumerate(self.scenario["accounts"]):
            self._add_account(doc, f"accounts[{i}]")
        self._pristine = list(self.accounts.values())
        self._created: dict[str, Account] = {}  # accounts made since the last reset, as they were made
        self._pristine_version: int | None = None  # the lock's version right after a reset (StateLock.restore)
        self.reset()

    def provider(self, name: str) -> Provider:
        for provider in self.providers:
            if provider.name == name:
                return provider
        raise KeyError(f"no provider named {name!r}: this World serves {', '.join(p.name for p in self.providers)}")

    def reset(self) -> None:
        """Back to the seeded scenario: cheap, nothing is parsed, validated or rebuilt again."""
        with self.lock:
            self.clock.reset()
            self.ids.reset()
            self.inventory.reset()
            self.journal.clear()
            self.faults.clear()
            self.outbox.clear()
            self.limits.clear()
            self._created = {}
            self.accounts = {}
            self._rank = {}
            self._by_credential = {p.name: {} for p in self.providers}
            for pristine in self._pristine:
                account = Account(pristine.id, pristine.name, suspended=pristine.suspended)
                for provider in self.providers:
                    state = account.states[provider.name] = provider.copy_state(pristine.states[provider.name])
                    index = self._by_credential[provider.name]
                    for key in provider.credential_keys(state):
                        index[key] = account
                self.accounts[account.id] = account
                self._rank[account.id] = len(self._rank)
            self._replan()
            # The same state as after the last reset, so the same version: replies remembered then hold again.
            if self._pristine_version is None:
                self._pristine_version = self.lock.version
            else:
                self.lock.restore(self._pristine_version)

    def load_scenario(self, scenario: str | Path | Mapping[str, Any]) -> None:
        """Start over from another scenario document (``GET /_fakeroute/state`` gives one): it becomes what
        ``reset`` returns to. It is read, validated and loaded in full before anything is swapped in, so a
        document that does not load raises ``ScenarioError`` naming the bad entry and changes nothing."""
        fresh = World(seed=self.seed, scenario=scenario, inventory_size=self.inventory.size, start=self.clock.start,
                      providers=self.providers, rate_limits=self._rate_limits)
        with self.lock:
            self.scenario_name, self.scenario = fresh.scenario_name, fresh.scenario
            self.inventory = fresh.inventory
            self.limits = fresh.limits
            self._pristine = fresh._pristine
            self._pristine_version = None  # another scenario: the state after a reset is a new one
            self.reset()

    def reset_account(self, account_id: str) -> None:
        """One account back to the scenario (one made by ``create_account`` back to as it was made: its
        credentials, nothing owned); every other account, the journal, the outbox, faults and the clock stay
        as they are. Numbers the account took since go back to the inventory. Raises ``KeyError`` for an
        unknown account and ``ScenarioError``, changing nothing, when a number the scenario gives it is now
        another account's."""
        with self.lock:
            account = self.accounts[account_id]
            pristine = next((a for a in self._pristine if a.id == account_id), None) or self._created[account_id]
            now, then = self._numbers_of(account), self._numbers_of(pristine)
            for number in sorted(then - now):
                if not self.inventory.is_available(number):
                    raise ScenarioError(f"account {account_id!r} cannot go back to the scenario: its number "
                                        f"{number} is now owned by another account")
            for number in now - then:
                self.inventory.put_back(number)
            for number in then - now:
                self.inventory.take(number)
            fresh = Account(pristine.id, pristine.name, suspended=pristine.suspended)
            for provider in self.providers:
                index = self._by_credential[provider.name]
                for key in provider.credential_keys(account.states[provider.name]):
                    index.pop(key, None)
                state = fresh.states[provider.name] = provider.copy_state(pristine.states[provider.name])
                for key in provider.credential_keys(state):
                    index[key] = fresh
            self.accounts[account_id] = fresh  # the same place among the others
            self._book(fresh)

    def _numbers_of(self, account: Account) -> set[str]:
        """The numbers an account holds out of the inventory at every provider (owned or quarantined)."""
        return {number for provider in self.providers
                for number in provider.owned_numbers(provider.dump_state(account.states[provider.name]))}

    def catch_up(self) -> None:
        """Run the providers' timed work of the accounts the agenda says are due, once the clock has reached the
        earliest due time (else nothing): provider by provider, each over those accounts in the World's order."""
        now = self.clock.peek()
        if not self.agenda.is_due(now):
            return
        self.lock.touch()  # under a GET's reading(): the timed work changes the World all the same
        due = self.agenda.take_due(now)
        accounts = sorted((self.accounts[a] for a in due if a in self.accounts), key=lambda a: self._rank[a.id])
        for provider in self.providers:
            for account in accounts:
                provider.catch_up(self, account)
        for account in accounts:
            self._book(account)

    def _book(self, account: Account) -> None:
        """Put the account's earliest pending work (at any provider) on the agenda."""
        for provider in self.providers:
            due = provider.due(account.states[provider.name])
            if due is not None:
                self.agenda.schedule(due, account.id)

    def _replan(self) -> None:
        self.agenda.clear()
        for account in self.accounts.values():
            self._book(account)

    def _add_account(self, doc: Mapping[str, Any], where: str) -> Account:
        account = Account(doc["id"], doc.get("name", doc["id"]), suspended=doc.get("suspended", False))
        for provider in self.providers:
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
        self._rank[account.id] = len(self._rank)
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
            for provider in self.providers:
                doc[provider.name] = provider.new_section(self, serial)
            account = self._add_account(doc, account_id)
            self._created[account_id] = Account(account_id, account.name, {
                p.name: p.copy_state(account.states[p.name]) for p in self.providers})
            return account

    def find_account(self, provider: str, credential: Any) -> Account | None:
        return self._by_credential[provider].get(credential)

    def scope(self, account: Account, provider: str) -> Scope:
        return Scope(account.id, account.states[provider], self.inventory, self.clock, self.ids, self.outbox,
                     self.agenda, self.limits, self.max_messages_per_account)

    def changes(self) -> tuple[int, ...]:
        """What moves whenever something changes the World: the app compares it before and after a GET (which
        takes the lock with ``reading()``) to know that the GET changed nothing."""
        return self.lock.version, self.ids.draws, self.limits.hits, self.outbox.version

    def replies_version(self) -> tuple[int, int]:
        """The version a remembered reply is good for: the state's (``StateLock``) and the outbox's, which its
        delivery changes without the World's lock."""
        return self.lock.version, self.outbox.version

    def __iter__(self) -> Iterator[Account]:
        return iter(self.accounts.values())
