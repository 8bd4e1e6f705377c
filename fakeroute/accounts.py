"""Tenants and what a handler may touch: an account's state per provider, a Scope over the shared services."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import Clock
from .ids import Ids
from .inventory import Inventory
from .limits import RateLimits
from .outbox import Outbox

DEFAULT_MAX_MESSAGES = 10_000  # messages a provider keeps per account: past it the oldest are forgotten


@dataclass
class Account:
    """A tenant: one set of credentials per provider and that provider's state for it."""

    id: str
    name: str
    states: dict[str, Any] = field(default_factory=dict)
    suspended: bool = False  # the scenario's "suspended": reads work, every write gets the provider's 403

    def state(self, provider: str) -> Any:
        return self.states[provider]


class Agenda:
    """When each account's timed work falls due (quarantines ending, orders settling): a heap of (when, account
    id), so a request finds what is due, and which accounts it concerns, without walking every account.

    An account is booked again only for a time earlier than the one it already has, so the heap holds about one
    entry per account; an entry that outlived its work (done early, the account reset) costs one catch-up that
    finds nothing to do. Requests run the providers' ``catch_up`` only once the clock has reached ``due``."""

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, str]] = []
        self._earliest: dict[str, datetime] = {}  # account id -> its earliest time in the heap

    @property
    def due(self) -> datetime | None:
        """The earliest booked time (None when nothing is pending)."""
        return self._heap[0][0] if self._heap else None

    def schedule(self, when: datetime, account_id: str) -> None:
        earliest = self._earliest.get(account_id)
        if earliest is None or when < earliest:
            self._earliest[account_id] = when
            heapq.heappush(self._heap, (when, account_id))

    def is_due(self, now: datetime) -> bool:
        return bool(self._heap) and self._heap[0][0] <= now

    def take_due(self, now: datetime) -> set[str]:
        """The accounts with work booked at or before ``now``, their entries taken off the agenda."""
        due: set[str] = set()
        heap = self._heap
        while heap and heap[0][0] <= now:
            when, account_id = heapq.heappop(heap)
            if self._earliest.get(account_id) == when:
                del self._earliest[account_id]
            due.add(account_id)
        return due

    def clear(self) -> None:
        self._heap = []
        self._earliest = {}


@dataclass(frozen=True)
class Scope:
    """What a handler may touch: the caller's own state for its provider and the shared services."""

    account_id: str
    state: Any
    inventory: Inventory
    clock: Clock
    ids: Ids
    outbox: Outbox  # webhooks a handler emits (delivery receipts, inbound messages)
    agenda: Agenda  # where a handler books timed work on the World's clock
    limits: RateLimits  # the World's rate-limit counters (switched off as a whole by ``enabled``)
    max_messages: int = DEFAULT_MAX_MESSAGES  # stored messages (MDRs) to keep per account, the oldest dropped first

    def schedule(self, when: datetime) -> None:
        self.agenda.schedule(when, self.account_id)
