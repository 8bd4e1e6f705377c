"""AgentMessage state of one organization (keys, brands, campaigns, numbers, messages, consent, webhooks) and the
rules it follows (message lifecycles, segments, opt-out keywords, send tiers). No HTTP.

Records added since numbers (keys, brands, campaigns, messages, consent, webhooks) are frozen: a change replaces
the record in its dict, so a World reset copies dicts and never records.
"""

from __future__ import annotations

import bisect
import fnmatch
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ...indexes import NewestFirst
from .schemas import SCHEMAS

QUARANTINE = timedelta(days=30)  # a released number stays out of the inventory this long (fake clock)
BULK_FULFILMENT_DELAY = timedelta(minutes=15)  # a 202 bulk order settles once the fake clock passes this
IDEMPOTENCY_WINDOW = timedelta(hours=24)  # how long an Idempotency-Key holds (documented for bulk orders)
BRAND_REVIEW_DELAY = timedelta(minutes=5)  # a new brand's identity check completes this long after creation
CAMPAIGN_REVIEW_DELAY = timedelta(hours=1)  # a new campaign's carrier review completes this long after creation
CONSENT_CHALLENGE_LIFETIME = timedelta(hours=24)  # a double opt-in challenge waits this long for YES
HOSTED_CONSENT_LIFETIME = timedelta(hours=1)  # a hosted consent token's documented default lifetime
EVENT_RETENTION = timedelta(days=30)  # older events cannot be replayed (410 EVENT_EXPIRED)

BRAND_FEE_CENTS = 500  # "$5.00 registration fee", debited from the wallet per brand
NEW_ORG_CREDIT_CENTS = 500  # a new organization's wallet: the quickstart's $5 credit
MAX_WEBHOOK_ENDPOINTS = 50  # active endpoints per organization
API_VERSION = "2026-04-01"  # the one api_version of org webhooks the docs name

VERIFIED_IDENTITIES = frozenset({"VERIFIED", "VETTED_VERIFIED"})  # brands that may back a number's campaign
ROUTING_FIELDS = ("inbound_url", "status_url", "label", "campaign_id")  # what PATCH may change

# Every scope the docs show on an endpoint page, as the scenario schema lists them (the one list).
# ``messages:write`` is deliberately absent: the docs use it as their example of an unknown scope.
ALL_SCOPES: tuple[str, ...] = tuple(SCHEMAS["scenario"].document["$defs"]["scope"]["enum"])
ADMIN_SCOPE = "platform:inventory:write"  # admin-only; gates ?return_to_carrier=true on a single release
DEFAULT_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s != ADMIN_SCOPE)  # a new account's key
# The org webhook event catalog of the listWebhookDeliveries page (the one list, kept in the scenario schema).
EVENT_TYPES: tuple[str, ...] = tuple(SCHEMAS["scenario"].document["$defs"]["event_type"]["enum"])

# Query booleans in the spellings common parsers accept (Go's strconv.ParseBool set; our choice, the docs
# say only "boolean"): requests sends params={"x": True} as "True".
TRUE_WORDS = frozenset({"true", "True", "TRUE", "t", "T", "1"})

# -- sending tiers (rate-limits page): lifetime spend in cents below which a tier applies, and its buckets ----

SEND_TIERS: tuple[tuple[int | None, int, int], ...] = (
    (10_000, 1, 60),  # tier 1: $0 to $100, 1 per second, 60 per minute
    (50_000, 5, 300),  # tier 2: $100 to $500
    (500_000, 20, 1_200),  # tier 3: $500 to $5,000
    (None, 100, 6_000),  # tier 4: $5,000 and more
)


def send_tier(lifetime_spend_cents: int) -> tuple[int, int]:
    """(sends per second, sends per minute) of the tier an organization's lifetime spend puts it in."""
    for below, per_second, per_minute in SEND_TIERS:
        if below is None or lifetime_spend_cents < below:
            return per_second, per_minute
    raise AssertionError("the last tier has no upper bound")


# -- segments (one small function: a shared GSM-7/UCS-2 engine will replace it) -------------------------

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # each takes two septets (escape + character)


def segment_count(text: str) -> int:
    """SMS segments of ``text``: GSM-7 when every character is in the GSM 03.38 alphabet (160 septets in one
    segment, 153 per segment of a concatenated message, extension characters count two), else UCS-2 (70 UTF-16
    code units in one, 67 per part; an emoji takes two). An empty text (an MMS without words) is one."""
    if all(c in _GSM7_BASIC or c in _GSM7_EXTENDED for c in text):
        units = sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


# -- keywords of inbound messages -----------------------------------------------------------------------

OPT_OUT_KEYWORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")  # CTIA's standard set
OPT_IN_KEYWORDS = ("START", "UNSTOP")
CONFIRM_KEYWORDS = ("YES", "CONFIRM")  # the answers a double opt-in challenge asks for


def keyword_of(body: str) -> str | None:
    """The keyword an inbound message is, if it is one: the whole text, trimmed, any case, trailing
    punctuation dropped ("Stop." is STOP; "please stop texting me" is not)."""
    word = body.strip().rstrip(".!").strip().upper()
    return word if word and word.isalpha() else None


def campaign_keywords(listed: Any) -> tuple[str, ...]:
    """A campaign's comma-separated keyword list ("STOP,UNSUBSCRIBE") as upper-case words."""
    if not isinstance(listed, str):
        return ()
    return tuple(w.strip().upper() for w in listed.split(",") if w.strip())


# -- campaign review ---------------------------------------------------------------------------------

_LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)")


def campaign_findings(draft: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the campaign pre-check (and the fake's carrier review) finds in a campaign's fields, in a fixed order.
    ``block`` findings keep a campaign from approval; ``warn`` and ``info`` are advice. Deterministic rules of the
    fake's own (the docs describe an AI review): required fields, CTIA keywords, undeclared links and phones."""
    findings: list[dict[str, str]] = []

    def add(severity: str, code: str, field_name: str, message: str) -> None:
        findings.append({"severity": severity, "code": code, "field": field_name, "message": message})

    for name in ("usecase", "description", "message_flow", "sample1"):
        if not draft.get(name):
            add("block", "MISSING_FIELD", name, f"{name} is required")
    for flag, keywords, word in (("subscriber_optout", "optout_keywords", "STOP"),
                                 ("subscriber_help", "help_keywords", "HELP")):
        if draft.get(flag) is True and not campaign_keywords(draft.get(keywords)):
            add("block", "KEYWORDS_MISSING", keywords, f"{flag} is true, so {keywords} must list the {word} keywords")
    samples = [text for i in (1, 2, 3) if isinstance(text := draft.get(f"sample{i}"), str) and text]
    if any(_LINK.search(text) for text in samples) and draft.get("embedded_link") is not True:
        add("block", "EMBEDDED_LINK_UNDECLARED", "embedded_link",
            "a sample message has a link, but embedded_link is not true")
    if any(_PHONE.search(text) for text in samples) and draft.get("embedded_phone") is not True:
        add("warn", "EMBEDDED_PHONE_UNDECLARED", "embedded_phone",
            "a sample message has a phone number, but embedded_phone is not true")
    if samples and not any("STOP" in text.upper() for text in samples):
        add("warn", "SAMPLE_WITHOUT_OPT_OUT", "sample1",
            "no sample message tells recipients how to opt out (Reply STOP)")
    flow = draft.get("message_flow")
    if isinstance(flow, str) and flow and len(flow) < 40:
        add("warn", "MESSAGE_FLOW_TOO_SHORT", "message_flow", "message_flow should say how and where people opt in")
    if len(samples) == 1:
        add("info", "SINGLE_SAMPLE", "sample2", "carriers review a campaign more easily with two or more samples")
    return findings


# -- message lifecycle ---------------------------------------------------------------------------------

OUTCOMES: dict[str, tuple[tuple[float, str], ...]] = {
    # seconds after the send and the status reached then; the docs' example shows sub-second times, the fake
    # spreads them over whole seconds so a test steps through each status by moving the clock.
    "delivered": ((1, "sending"), (2, "sent"), (5, "delivered")),
    "undelivered": ((1, "sending"), (2, "sent"), (5, "undelivered")),
    "failed": ((1, "sending"), (2, "failed")),
}


@dataclass(frozen=True)
class DeliveryRule:
    """Messages to numbers matching ``to`` (E.164, ``*`` and ``?`` wildcards) end with ``outcome``."""

    to: str
    outcome: str

    def matches(self, number: str) -> bool:
        return fnmatch.fnmatchcase(number, self.to)


@dataclass(frozen=True)
class ApiKey:
    key: str  # the plaintext bearer token (the fake keeps it: tests and the admin API read it back)
    id: str
    label: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def prefix(self) -> str:
        return self.key[:12]


@dataclass(frozen=True)
class Brand:
    id: str
    status: str  # PENDING | ACTIVE | DELETED
    identity_status: str | None  # SELF_DECLARED | UNVERIFIED | VERIFIED | VETTED_VERIFIED | None
    created_at: datetime
    updated_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)  # descriptive fields, shown as given
    review_at: datetime | None = None  # when the pending identity check completes (fake clock)

    @property
    def verified(self) -> bool:
        return self.identity_status in VERIFIED_IDENTITIES


@dataclass(frozen=True)
class Campaign:
    id: str
    brand_id: str
    status: str  # PENDING | ACTIVE | REJECTED | EXPIRED
    created_at: datetime
    updated_at: datetime
    fields: dict[str, Any] = field(default_factory=dict)
    review_at: datetime | None = None  # when the pending carrier review completes (fake clock)


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


@dataclass(frozen=True)
class Message:
    """An outbound message. Immutable: its statuses are planned when it is sent (``outcome``) and each shows
    once the World's clock reaches it, so a reset copies nothing."""

    id: str
    phone_number_id: str
    sender: str  # "from", E.164
    to: str
    text: str
    channel: str  # sms | mms
    media_urls: tuple[str, ...]
    priority: str
    tag: str | None
    segment_count: int
    created_at: datetime
    outcome: str  # a key of OUTCOMES

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.created_at, self.id)

    def timeline(self) -> list[tuple[datetime, str]]:
        """Every status after ``queued`` and when it is reached."""
        return [(self.created_at + timedelta(seconds=after), status) for after, status in OUTCOMES[self.outcome]]

    def status_at(self, now: datetime) -> str:
        reached = [status for when, status in self.timeline() if when <= now]
        return reached[-1] if reached else "queued"

    def reached_at(self, status: str, now: datetime) -> datetime | None:
        """When the message reached ``status``, if it has by ``now``."""
        return next((when for when, s in self.timeline() if s == status and when <= now), None)


@dataclass(frozen=True)
class InboundMessage:
    id: str
    phone_number_id: str
    sender: str
    to: str
    body: str
    channel: str
    media_urls: tuple[str, ...]
    segment_count: int
    opt_out_keyword: str | None  # the opt-out keyword the message was, if it was one
    received_at: datetime

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.received_at, self.id)


@dataclass(frozen=True)
class Consent:
    """Whether ``contact_number`` may be texted from the number ``phone_number_id`` (keyed on both)."""

    id: str
    phone_number_id: str
    contact_number: str
    opted_in: bool
    method: str  # attested | double_opt_in | hosted_form | keyword
    agreement_text_hash: str | None
    created_at: datetime
    updated_at: datetime
    evidence: dict[str, Any] = field(default_factory=dict)
    opted_out_at: datetime | None = None


@dataclass(frozen=True)
class ConsentChallenge:
    """A double opt-in: the YES/CONFIRM challenge sent to a contact, open until it is answered or expires."""

    id: str
    phone_number_id: str
    contact_number: str
    confirmation_message_id: str
    agreement_text_hash: str
    created_at: datetime
    expires_at: datetime
    status: str = "pending"  # pending | confirmed | expired

    @property
    def open(self) -> bool:
        return self.status == "pending"


@dataclass(frozen=True)
class HostedConsent:
    """A hosted consent form's token; submitting the form records consent (method hosted_form)."""

    token: str
    id: str
    phone_number_id: str
    contact_number: str
    agreement_text_hash: str
    created_at: datetime
    expires_at: datetime
    consent_id: str | None = None  # set once the form was submitted


@dataclass(frozen=True)
class WebhookEndpoint:
    id: str
    url: str
    events: tuple[str, ...]
    description: str | None
    api_version: str
    secret: str  # shown once, on creation
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.deleted_at is None


@dataclass(frozen=True)
class Delivery:
    """One event sent to one endpoint. What became of it (attempts, HTTP status) is read from the World's
    outbox (``webhook_id``), which only the running process has: a reloaded scenario shows no outcome."""

    id: str
    event_id: str
    endpoint_id: str
    event_type: str
    payload: dict[str, Any]
    created_at: datetime
    webhook_id: str | None = None

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.created_at, self.id)


@dataclass(frozen=True)
class StoredReply:
    """The first answer to a request that carried an Idempotency-Key, given again to its retries. ``fingerprint``
    is the request body's: the same key with another body is refused, not replayed."""

    operation: str
    key: str
    status: int
    document: dict[str, Any]
    expires_at: datetime
    fingerprint: str


@dataclass
class Organization:
    """One tenant's AgentMessage world. Numbers are indexed by (created_at, id) for keyset pages."""

    org_id: str
    api_keys: dict[str, ApiKey] = field(default_factory=dict)  # by plaintext
    brands: dict[str, Brand] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    released: dict[str, ReleasedNumber] = field(default_factory=dict)
    bulk_orders: dict[str, BulkOrder] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], StoredReply] = field(default_factory=dict)  # by (operation, key)
    messages: NewestFirst[Message] = field(default_factory=NewestFirst)  # pages read newest first by sort key
    inbound: NewestFirst[InboundMessage] = field(default_factory=NewestFirst)
    consents: dict[tuple[str, str], Consent] = field(default_factory=dict)  # by (phone_number_id, contact_number)
    challenges: dict[str, ConsentChallenge] = field(default_factory=dict)
    hosted: dict[str, HostedConsent] = field(default_factory=dict)  # by token
    webhook_endpoints: dict[str, WebhookEndpoint] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    delivery_rules: list[DeliveryRule] = field(default_factory=list)  # newest first
    line_types: dict[str, str] = field(default_factory=dict)  # E.164 -> line type a lookup found (fixed, mobile...)
    key_last_used: dict[str, datetime] = field(default_factory=dict)  # API key id -> its last authenticated request
    reseller: bool = False  # may register more than one brand
    plan: str = "payg"  # payg | starter (legacy starter-tier orgs cannot capture attested consent)
    wallet_cents: int = NEW_ORG_CREDIT_CENTS
    lifetime_spend_cents: int = 0  # what decides the send tier
    _index: list[tuple[datetime, str]] = field(default_factory=list)  # sort keys of ``numbers``, ascending
    _by_e164: dict[str, str] = field(default_factory=dict)  # E.164 -> id of the number in ``numbers``
    due: datetime | None = None  # earliest timed change still to happen (quarantine, bulk order, review...)

    # -- numbers ----------------------------------------------------------------------------------

    def add_number(self, number: PhoneNumber) -> None:
        self.numbers[number.id] = number
        bisect.insort(self._index, number.sort_key)
        self._by_e164[number.number] = number.id

    def remove_number(self, number_id: str) -> PhoneNumber:
        number = self.numbers.pop(number_id)
        del self._index[bisect.bisect_left(self._index, number.sort_key)]
        del self._by_e164[number.number]
        return number

    def newest_before(self, after: tuple[datetime, str] | None, limit: int) -> tuple[list[PhoneNumber], bool]:
        """Up to ``limit`` numbers strictly older than ``after`` (all when None), newest first, and
        whether older ones remain. A keyset, not an offset: inserts between pages shift nothing."""
        end = len(self._index) if after is None else bisect.bisect_left(self._index, after)
        start = max(0, end - limit)
        keys = self._index[start:end]
        return [self.numbers[key[1]] for key in reversed(keys)], start > 0

    def number_by_e164(self, e164: str) -> PhoneNumber | None:
        number_id = self._by_e164.get(e164)
        return None if number_id is None else self.numbers[number_id]

    # -- keys, consent, outcomes ------------------------------------------------------------------

    def api_key_by_id(self, key_id: str) -> ApiKey | None:
        return next((k for k in self.api_keys.values() if k.id == key_id), None)

    def may_text(self, phone_number_id: str, contact_number: str) -> bool:
        consent = self.consents.get((phone_number_id, contact_number))
        return consent is not None and consent.opted_in

    def outcome_for(self, to: str) -> str:
        """The newest matching delivery rule's outcome; a message to any other number is delivered."""
        return next((rule.outcome for rule in self.delivery_rules if rule.matches(to)), "delivered")

    # -- time-driven changes ----------------------------------------------------------------------

    def schedule(self, when: datetime) -> None:
        if self.due is None or when < self.due:
            self.due = when

    def recompute_due(self) -> None:
        times = [r.available_at for r in self.released.values() if r.quarantined and r.available_at is not None]
        times += [o.ready_at for o in self.bulk_orders.values() if o.pending]
        times += [b.review_at for b in self.brands.values() if b.review_at is not None]
        times += [c.review_at for c in self.campaigns.values() if c.review_at is not None]
        times += [c.expires_at for c in self.challenges.values() if c.open]
        self.due = min(times, default=None)

    def expire_idempotency(self, now: datetime) -> None:
        for key in [k for k, stored in self.idempotency.items() if stored.expires_at <= now]:
            del self.idempotency[key]
