"""Flowroute messaging state: message detail records (MDR2), their delivery receipts and the delivery rules."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SMS_MAX_CHARACTERS = 1600  # not documented; ten 160-character segments' worth, the common carrier limit
MMS_MAX_BYTES = 750_000  # "maximum MMS message size is 750kB including text" (media cannot be sized here)
MMS_MAX_MEDIA = 10  # not documented; the 750 kB total makes more than a handful impractical
SMS_NANODOLLARS = 4_000_000  # per segment: "$0.0040", as every MDR in Flowroute's README shows
MMS_NANODOLLARS = 20_000_000  # not documented here; a typical per-message MMS rate
TOLL_FREE_NPAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})

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
    return "toll-free" if number[1:4] in TOLL_FREE_NPAS else "longcode"


def mdr_time(moment: datetime) -> str:
    """MDR timestamps: UTC, two fractional digits, ``Z`` ("2017-12-21T16:44:34.93Z")."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10_000:02d}Z"
