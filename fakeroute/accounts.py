"""Tenants and what a handler may touch: an account's state per provider, a Scope over the shared services."""

from __future__ import annotations

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
    """When the World's earliest timed work falls due (quarantines ending, orders settling); None when
    nothing is pending. Requests run the providers' ``catch_up`` only once the clock has reached it."""

    def __init__(self) -> None:
        self.due: datetime | None = None

    def schedule(self, when: datetime) -> None:
        if self.due is None or when < self.due:
            self.due = when

    def is_due(self, now: datetime) -> bool:
        return self.due is not None and self.due <= now


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
        self.agenda.schedule(when)
