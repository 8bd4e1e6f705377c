"""Flowroute state of one account, and the messaging rules it follows: routes, numbers, MDRs with their
delivery receipts, delivery rules and callbacks. Knows nothing of HTTP."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ...inventory import LOCAL, TOLL_FREE, is_toll_free

SIP_REG_ROUTE_ID = "0"  # every account's built-in route, the default primary route of a new number
FIRST_ROUTE_ID = 98_400  # new route ids count up from here (real ids are five-digit and up)
SMS_MAX_CHARACTERS = 1600  # not documented; ten 160-character segments' worth, the common carrier limit
MMS_MAX_BYTES = 750_000  # "maximum MMS message size is 750kB including text" (media cannot be sized here)
# At most 10 media per MMS (not documented; 750 kB makes more impractical): schemas/body_message.json says so.
SMS_NANODOLLARS = 4_000_000  # per segment: "$0.0040", as every MDR in Flowroute's README shows
MMS_NANODOLLARS = 20_000_000  # not documented here; a typical per-message MMS rate
# Flowroute's words for the shared inventory's neutral number types.
NUMBER_TYPES = {LOCAL: "standard", TOLL_FREE: "tollfree"}

OUTBOUND = "outbound"
INBOUND = "inbound"


@dataclass(frozen=True)
class Receipt:
    """One delivery receipt: level 1 from the SMSC (Flowroute to the carrier), level 2 from the carrier."""

    level: int
    status: str
    status_code: int | None
    status_code_description: str
    timestamp: datetime


@dataclass(frozen=True)
class Media:
    id: str
    url: str


@dataclass(frozen=True)
class Message:
    """An MDR. Immutable: the receipts of an outbound message are planned when it is sent, and each shows
    (in look-ups, as a DLR webhook) once the World's clock reaches its timestamp, so resets copy nothing."""

    id: str  # "mdr2-" + 32 hex digits
    direction: str  # outbound | inbound
    sender: str  # "from", 11 digits
    to: str
    body: str
    timestamp: datetime
    is_mms: bool
    media: tuple[Media, ...]
    message_type: str  # longcode | toll-free
    message_encoding: int  # 0 ASCII, 8 UCS-2
    amount_nanodollars: int
    receipts: tuple[Receipt, ...]  # oldest first
    status: str  # the status until the first receipt shows
    dlr_callback: str | None = None  # the one given when sending, if any

    def receipts_at(self, now: datetime) -> list[Receipt]:
        return [r for r in self.receipts if r.timestamp <= now]

    def status_at(self, now: datetime) -> str:
        shown = self.receipts_at(now)
        return shown[-1].status if shown else self.status


@dataclass(frozen=True)
class Step:
    """A receipt of a delivery outcome, ``after`` seconds past the message's timestamp."""

    after: float
    level: int
    status: str
    status_code: int | None
    description: str


# Flowroute documents the first two receipts (README: level 1 "smsc submit" with a null code, level 2
# "message buffered" 1003 "Message accepted by Carrier"). Its table of carrier codes is not in the reference
# material: the final receipts' codes and texts below are the fake's own, stable and documented.
SMSC_SUBMIT = Step(0, 1, "smsc submit", None, "Message has been sent")
BUFFERED = Step(1, 2, "message buffered", 1003, "Message accepted by Carrier")
FINAL_AFTER = 5  # seconds from sending to the handset's receipt

OUTCOMES: dict[str, tuple[Step, ...]] = {
    "delivered": (SMSC_SUBMIT, BUFFERED, Step(FINAL_AFTER, 2, "delivered", 1000, "Message delivered to handset")),
    "undeliverable": (SMSC_SUBMIT, BUFFERED, Step(FINAL_AFTER, 2, "undeliverable", 1005,
                                                  "Message undeliverable: the handset could not be reached")),
    "expired": (SMSC_SUBMIT, BUFFERED, Step(FINAL_AFTER, 2, "expired", 1006,
                                            "Message expired before it could be delivered")),
    "rejected": (SMSC_SUBMIT, Step(1, 2, "rejected", 1008, "Message rejected by Carrier")),
    "smsc reject": (Step(0, 1, "smsc reject", None, "Message rejected by SMSC"),),
    "buffered": (SMSC_SUBMIT, BUFFERED),  # the carrier never reports back
}


@dataclass(frozen=True)
class DeliveryRule:
    """Messages to numbers matching ``to`` (11 digits, ``*`` and ``?`` wildcards) end with ``outcome``."""

    to: str
    outcome: str

    def matches(self, number: str) -> bool:
        return fnmatch.fnmatchcase(number, self.to)


def outcome_for(rules: list[DeliveryRule], number: str) -> str:
    """The first matching rule's outcome; a message to any other number is delivered."""
    return next((rule.outcome for rule in rules if rule.matches(number)), "delivered")


def plan_receipts(outcome: str, sent: datetime) -> tuple[Receipt, ...]:
    return tuple(
        Receipt(s.level, s.status, s.status_code, s.description, sent + timedelta(seconds=s.after))
        for s in OUTCOMES[outcome]
    )


def encoding(body: str) -> int:
    """0 when the body is plain ASCII, else 8 (UCS-2): Flowroute's ``message_encoding``."""
    return 0 if body.isascii() else 8


def segments(body: str) -> int:
    """Billed segments: one of up to 160 ASCII characters, else 140 ASCII or 70 UCS-2 characters each."""
    if body.isascii():
        return 1 if len(body) <= 160 else math.ceil(len(body) / 140)
    units = len(body.encode("utf-16-le")) // 2  # UCS-2 counts code units: an emoji takes two
    return max(1, math.ceil(units / 70))


def amount_for(body: str, is_mms: bool) -> int:
    return MMS_NANODOLLARS if is_mms else SMS_NANODOLLARS * segments(body)


def amount_display(nanodollars: int) -> str:
    return f"${nanodollars / 1e9:.4f}"


def message_type(number: str) -> str:
    return "toll-free" if is_toll_free(number[1:4]) else "longcode"


def mdr_time(moment: datetime) -> str:
    """MDR timestamps: UTC, two fractional digits, ``Z`` ("2017-12-21T16:44:34.93Z")."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10_000:02d}Z"


# -- numbers, routes, the account -----------------------------------------------------------------

@dataclass
class Route:
    id: str
    route_type: str  # host | number | uri | sip-reg
    value: str | None
    alias: str


@dataclass
class Number:
    value: str  # 11 digits, E.164 without "+"
    number_type: str  # standard | tollfree
    rate_center: str | None
    state: str | None
    alias: str | None = None
    cnam_lookups_enabled: bool = True
    primary_route: str = SIP_REG_ROUTE_ID
    failover_route: str | None = None
    dlr_callback: str | None = None  # this number's delivery receipts go here (set via its relationships)
    messaging_enabled: bool = True  # a number can be kept from sending, as a number being ported is


def builtin_route() -> Route:
    return Route(SIP_REG_ROUTE_ID, "sip-reg", None, "sip-reg")


@dataclass
class FlowrouteAccount:
    access_key: str | None  # None: the scenario gave this account no Flowroute credentials
    secret_key: str | None
    routes: dict[str, Route] = field(default_factory=lambda: {SIP_REG_ROUTE_ID: builtin_route()})
    numbers: dict[str, Number] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)  # by MDR id, in the order they happened
    # Account-level callback URLs by Flowroute's name: sms_callback, mms_callback, sms_dlr_callback, mms_dlr_callback.
    callbacks: dict[str, str] = field(default_factory=dict)
    delivery_rules: list[DeliveryRule] = field(default_factory=list)

    def sorted_numbers(self) -> list[Number]:
        return [self.numbers[key] for key in sorted(self.numbers)]

    def route_with_alias(self, alias: str) -> Route | None:
        return next((r for r in self.routes.values() if r.alias == alias), None)
