"""AgentMessage state of one organization (keys, brands, campaigns, numbers, messages, consent, webhooks) and the
rules it follows (message lifecycles, consent and opt-outs, magic recipients, send tiers). No HTTP.

Records added since numbers (keys, brands, campaigns, messages, consent, webhooks) are frozen: a change replaces
the record in its dict, so a World reset copies dicts and never records.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ... import magic
from ...indexes import NewestFirst
from ...messaging import DELAYED_DELIVERY, DELIVERY, DeliveryRules, OptOuts
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


# -- keywords of inbound messages -----------------------------------------------------------------------
# STOP and its kin, START, YES, UNSTOP and HELP are read by the messaging engine (messaging.keyword); these are
# AgentMessage's own words beside them.

GRANT_WORDS = ("START", "UNSTOP")  # opt-in keywords that are consent on their own (method "keyword")
CONFIRM_WORDS = ("YES", "CONFIRM")  # the answers a double opt-in challenge asks for


def _is_edge(character: str) -> bool:
    return character.isspace() or unicodedata.category(character).startswith("P")


def bare_word(body: str) -> str:
    """The body without the whitespace and punctuation around it, upper-cased, as messaging.keyword reads a
    keyword: what a campaign's own keywords and CONFIRM are compared with ("Alto!" is ALTO)."""
    start, end = 0, len(body)
    while start < end and _is_edge(body[start]):
        start += 1
    while end > start and _is_edge(body[end - 1]):
        end -= 1
    return body[start:end].upper()


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

# The statuses after ``queued`` of each outcome, one per step of a delivery (messaging.DELIVERY: the SMSC takes
# the message, the carrier takes it, the handset gets it), each reached at that step's time.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "delivered": ("sending", "sent", "delivered"),
    "undelivered": ("sending", "sent", "undelivered"),  # the carrier took it; the handset could not be reached
    "failed": ("sending", "failed"),  # the carrier refused it
    "no_receipt": ("sending", "sent"),  # the carrier never reports how it ended
}

# What a magic recipient (fakeroute/magic.py) makes of a message AgentMessage accepted: its outcome and the
# profile its delays are drawn from. ``landline`` and ``opted_out`` are refused before (422, 453).
MAGIC_DELIVERY: dict[str, tuple[str, Sequence[tuple[float, float]]]] = {
    "delivered": ("delivered", DELIVERY),
    "undelivered": ("undelivered", DELIVERY),
    "carrier_rejected": ("failed", DELIVERY),
    "delayed_receipts": ("delivered", DELAYED_DELIVERY),
    "no_receipt": ("no_receipt", DELIVERY),
}
# How long after the message reached it a magic inbound number (0131, 0132) texts back, (shortest, longest)
# seconds drawn from the seed: a person reading a text and answering it.
MAGIC_REPLY_DELAY: tuple[tuple[float, float], ...] = ((2.0, 30.0),)


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
    delays: tuple[float, ...]  # seconds after created_at of each step of the delivery (messaging.delivery_delays)

    @property
    def sort_key(self) -> tuple[datetime, str]:
        return (self.created_at, self.id)

    def timeline(self) -> list[tuple[datetime, str]]:
        """Every status after ``queued`` and when it is reached (an outcome may use fewer steps than drawn)."""
        return [(self.created_at + timedelta(seconds=after), status)
                for after, status in zip(self.delays, OUTCOMES[self.outcome], strict=False)]

    def status_at(self, now: datetime) -> str:
        reached = [status for when, status in self.timeline() if when <= now]
        return reached[-1] if reached else "queued"

    def planned_at(self, status: str) -> datetime | None:
        """When the message reaches ``status``, if its outcome ever does."""
        return next((when for when, s in self.timeline() if s == status), None)

    def reached_at(self, status: str, now: datetime) -> datetime | None:
        """When the message reached ``status``, if it has by ``now``."""
        when = self.planned_at(status)
        return when if when is not None and when <= now else None


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
    """``contact_number`` agreed to texts from the number ``phone_number_id`` (keyed on both). A STOP since does
    not change the record: it is an opt-out of the organization's ``opt_outs``, which START or YES lifts."""

    id: str
    phone_number_id: str
    contact_number: str
    method: str  # attested | double_opt_in | hosted_form | keyword
    agreement_text_hash: str | None
    created_at: datetime
    updated_at: datetime
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MagicReply:
    """What a magic inbound number (0131 STOP, 0132 HELP) texts back to the org's number that messaged it."""

    at: datetime
    phone_number_id: str
    sender: str  # the magic number, E.164
    body: str


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
    opt_outs: OptOuts = field(default_factory=OptOuts)  # (the org's number, contact), both E.164: STOP and kin
    replies: list[MagicReply] = field(default_factory=list)  # magic numbers' answers still to arrive
    challenges: dict[str, ConsentChallenge] = field(default_factory=dict)
    hosted: dict[str, HostedConsent] = field(default_factory=dict)  # by token
    webhook_endpoints: dict[str, WebhookEndpoint] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    delivery_rules: DeliveryRules = field(default_factory=DeliveryRules)  # E.164 patterns, newest first
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

    def opted_out(self, number: PhoneNumber, contact_number: str) -> bool:
        """Whether the contact texted STOP (or kin) to the number and has not opted back in; a magic opted-out
        recipient (555-0105) always has."""
        return (self.opt_outs.is_opted_out(number.number, contact_number)
                or magic.send_outcome(contact_number) == "opted_out")

    def may_text(self, number: PhoneNumber, contact_number: str) -> bool:
        """Consent recorded for the pair, and no opt-out since."""
        return (number.id, contact_number) in self.consents and not self.opted_out(number, contact_number)

    def landline(self, to: str) -> bool:
        """Whether a recent lookup found ``to`` a fixed line, or it is the magic landline (555-0104)."""
        return self.line_types.get(to) == "fixed" or magic.send_outcome(to) == "landline"

    def outcome_for(self, to: str) -> tuple[str, Sequence[tuple[float, float]]]:
        """How a message to ``to`` ends and the profile of its delays: a magic recipient's outcome, else the newest
        matching delivery rule's, else delivered."""
        forced = magic.send_outcome(to)
        if forced in MAGIC_DELIVERY:
            return MAGIC_DELIVERY[forced]
        return self.delivery_rules.outcome_for(to), DELIVERY

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
        times += [r.at for r in self.replies]
        self.due = min(times, default=None)

    def expire_idempotency(self, now: datetime) -> None:
        for key in [k for k, stored in self.idempotency.items() if stored.expires_at <= now]:
            del self.idempotency[key]
