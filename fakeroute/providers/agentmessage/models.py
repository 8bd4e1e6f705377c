"""AgentMessage state of one organization: keys, brands, campaigns, numbers, releases, bulk orders. No HTTP."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .schemas import SCHEMAS

QUARANTINE = timedelta(days=30)  # a released number stays out of the inventory this long (fake clock)
BULK_FULFILMENT_DELAY = timedelta(minutes=15)  # a 202 bulk order settles once the fake clock passes this
IDEMPOTENCY_WINDOW = timedelta(hours=24)  # how long an Idempotency-Key on POST /v1/phone-numbers/bulk holds

VERIFIED_IDENTITIES = frozenset({"VERIFIED", "VETTED_VERIFIED"})  # brands that may back a number's campaign
ROUTING_FIELDS = ("inbound_url", "status_url", "label", "campaign_id")  # what PATCH may change

# Every scope the docs show on an endpoint page, as the scenario schema lists them (the one list).
# ``messages:write`` is deliberately absent: the docs use it as their example of an unknown scope.
ALL_SCOPES: tuple[str, ...] = tuple(SCHEMAS["scenario"].document["$defs"]["scope"]["enum"])
ADMIN_SCOPE = "platform:inventory:write"  # admin-only; gates ?return_to_carrier=true on a single release
DEFAULT_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s != ADMIN_SCOPE)  # a new account's key

# Query booleans in the spellings common parsers accept (Go's strconv.ParseBool set; our choice, the docs
# say only "boolean"): requests sends params={"x": True} as "True".
TRUE_WORDS = frozenset({"true", "True", "TRUE", "t", "T", "1"})


@dataclass
class ApiKey:
    key: str  # the plaintext bearer token (the fake keeps it: tests need to read it back)
    id: str
    label: str
    scopes: tuple[str, ...]
    created_at: datetime

    @property
    def prefix(self) -> str:
        return self.key[:12]


@dataclass
class Brand:
    id: str
    status: str  # PENDING | ACTIVE | DELETED
    identity_status: str | None  # SELF_DECLARED | UNVERIFIED | VERIFIED | VETTED_VERIFIED | None
    created_at: datetime
    updated_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)  # descriptive fields, shown as the scenario gives them

    @property
    def verified(self) -> bool:
        return self.identity_status in VERIFIED_IDENTITIES


@dataclass
class Campaign:
    id: str
    brand_id: str
    status: str  # PENDING | ACTIVE | REJECTED | EXPIRED
    created_at: datetime
    updated_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class PhoneNumber:
    id: str
    number: str  # E.164 with "+"
    number_type: str  # local | toll_free | short_code
    created_at: datetime
    updated_at: datetime
    inbound_url: str | None = None
    status_url: str | None = None
    label: str | None = None
    campaign_id: str | None = None
    carrier_line_option_status: str | None = None
    carrier_line_option_propagated_at: datetime | None = None
    sms_enabled: bool = True
    mms_enabled: bool = True

    @property
    def digits(self) -> str:
        """The number as the shared inventory keys it: 11 digits, no "+"."""
        return self.number[1:]

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.created_at, self.id)


@dataclass
class ReleasedNumber:
    """A number the organization released: kept so bulk release can say ``already_released``."""

    id: str
    number: str
    released_at: datetime
    available_at: datetime | None  # end of the quarantine; None: returned to the carrier for good
    returned: bool = False  # back in the inventory (the quarantine is over)

    @property
    def quarantined(self) -> bool:
        return self.available_at is not None and not self.returned


@dataclass
class BulkOrder:
    """A quantity order that could not be filled at once (202): it settles on the fake clock."""

    id: str
    quantity: int
    criteria: dict[str, Any]  # number_type, area_code, pattern
    routing: dict[str, Any]  # inbound_url, status_url, label, campaign_id given with the order
    created_at: datetime
    ready_at: datetime
    status: str = "pending"  # pending | complete | partial | failed
    assigned_numbers: list[str] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.status == "pending"


@dataclass
class StoredReply:
    """The first answer to a request that carried an Idempotency-Key, given again to its retries."""

    key: str
    status: int
    document: dict[str, Any]
    expires_at: datetime


@dataclass
class Organization:
    """One tenant's AgentMessage world. Numbers are indexed by (created_at, id) for keyset pages."""

    org_id: str
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    brands: dict[str, Brand] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    released: dict[str, ReleasedNumber] = field(default_factory=dict)
    bulk_orders: dict[str, BulkOrder] = field(default_factory=dict)
    idempotency: dict[str, StoredReply] = field(default_factory=dict)
    _index: list[tuple[datetime, str]] = field(default_factory=list)  # sort keys of ``numbers``, ascending
    due: datetime | None = None  # earliest quarantine end or bulk settlement still to happen

    # -- numbers ----------------------------------------------------------------------------------

    def add_number(self, number: PhoneNumber) -> None:
        self.numbers[number.id] = number
        bisect.insort(self._index, number.sort_key)

    def remove_number(self, number_id: str) -> PhoneNumber:
        number = self.numbers.pop(number_id)
        del self._index[bisect.bisect_left(self._index, number.sort_key)]
        return number

    def newest_before(self, after: tuple[datetime, str] | None, limit: int) -> tuple[list[PhoneNumber], bool]:
        """Up to ``limit`` numbers strictly older than ``after`` (all when None), newest first, and
        whether older ones remain. A keyset, not an offset: inserts between pages shift nothing."""
        end = len(self._index) if after is None else bisect.bisect_left(self._index, after)
        start = max(0, end - limit)
        keys = self._index[start:end]
        return [self.numbers[key[1]] for key in reversed(keys)], start > 0

    # -- time-driven changes ----------------------------------------------------------------------

    def schedule(self, when: datetime) -> None:
        if self.due is None or when < self.due:
            self.due = when

    def recompute_due(self) -> None:
        times = [r.available_at for r in self.released.values() if r.quarantined and r.available_at is not None]
        times += [o.ready_at for o in self.bulk_orders.values() if o.pending]
        self.due = min(times, default=None)

    def expire_idempotency(self, now: datetime) -> None:
        for key in [k for k, stored in self.idempotency.items() if stored.expires_at <= now]:
            del self.idempotency[key]
