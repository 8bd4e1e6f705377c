"""The messaging engine every provider shares: encodings and segments as carriers count them, prices per
segment, opt-out keywords, delivery rules and delivery delays drawn from the seed. Knows nothing of HTTP or of a
provider.

Sources and every choice made where they are silent: docs/messaging.md.
"""

from __future__ import annotations

import fnmatch
import hashlib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

# -- encodings and segments (3GPP TS 23.038, TS 23.040) ---------------------------------------------

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The GSM 7-bit default alphabet (TS 23.038 §6.2.1), in code order 0x00..0x7F. 0x1B is the escape to
# the extension table, never a character of its own: it is left out of the set below.
GSM_BASIC_TABLE = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The default alphabet extension table (TS 23.038 §6.2.1.1): each is sent as ESC + its code, two septets.
GSM_EXTENSION_TABLE = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
                       "]": 0x3E, "|": 0x40, "€": 0x65}

GSM_BASIC = frozenset(GSM_BASIC_TABLE) - {"\x1b"}
GSM_EXTENSION = frozenset(GSM_EXTENSION_TABLE)
GSM_CHARACTERS = GSM_BASIC | GSM_EXTENSION

# 140 octets of user data: 160 septets or 70 UCS-2 characters in one message; a concatenated message's
# 6-octet user data header (TS 23.040 §9.2.3.24.1) leaves 153 septets (with one fill bit) or 67 characters.
GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67

DATA_CODING = {GSM7: 0, UCS2: 8}  # the TP-DCS value of each (TS 23.038 §4): Flowroute's message_encoding

Rate = TypeVar("Rate", int, Decimal)


@dataclass(frozen=True, slots=True)
class Split:
    """How a body travels: its encoding, its size in that encoding's units (septets for GSM-7, UTF-16 code
    units for UCS-2) and the text of each part. ``segments`` is what carriers bill.

    >>> split("hello")
    Split(encoding='GSM-7', units=5, parts=('hello',))
    >>> split("€" * 80).segments  # 160 septets: one message
    1
    """

    encoding: str
    units: int
    parts: tuple[str, ...]

    @property
    def segments(self) -> int:
        return len(self.parts)

    @property
    def data_coding(self) -> int:
        """The TP-DCS value: 0 for the GSM default alphabet, 8 for UCS-2."""
        return DATA_CODING[self.encoding]

    def price(self, per_segment: Rate) -> Rate:
        """What the message costs at the provider's rate per segment (an int of nanodollars, a Decimal...)."""
        return per_segment * self.segments


def split(body: str) -> Split:
    """Encoding, size and parts of a message body, as a carrier splits it.

    GSM-7 when every character is in the default alphabet or its extension table (an extension character
    takes two septets), else UCS-2 (an emoji or any character beyond U+FFFF takes two code units, sent as a
    UTF-16 surrogate pair). One part up to 160 septets / 70 units; beyond, parts of up to 153 / 67. A part
    never ends between an escape and its extension character or between the two halves of a surrogate pair:
    such a part is one unit short. An empty body is one (empty) GSM-7 segment.
    """
    if GSM_BASIC.issuperset(body):  # the common case, at C speed: one septet per character
        return Split(GSM7, len(body), _slices(body, GSM7_SINGLE, GSM7_PART))
    if GSM_CHARACTERS.issuperset(body):
        costs = [2 if c in GSM_EXTENSION else 1 for c in body]
        return _packed(GSM7, body, costs, GSM7_SINGLE, GSM7_PART)
    if max(body) <= "\uffff":  # no surrogate pairs: one code unit per character
        return Split(UCS2, len(body), _slices(body, UCS2_SINGLE, UCS2_PART))
    costs = [2 if c > "\uffff" else 1 for c in body]
    return _packed(UCS2, body, costs, UCS2_SINGLE, UCS2_PART)


def _slices(body: str, single: int, part: int) -> tuple[str, ...]:
    if len(body) <= single:
        return (body,)
    return tuple(body[i:i + part] for i in range(0, len(body), part))


def _packed(encoding: str, body: str, costs: list[int], single: int, part: int) -> Split:
    units = sum(costs)
    if units <= single:
        return Split(encoding, units, (body,))
    parts: list[str] = []
    start = used = 0
    for i, cost in enumerate(costs):
        if used + cost > part:  # the character (both of its units) opens the next part
            parts.append(body[start:i])
            start, used = i, 0
        used += cost
    parts.append(body[start:])
    return Split(encoding, units, tuple(parts))


def segments(body: str) -> int:
    """How many segments a carrier bills for ``body``."""
    return split(body).segments


def price(body: str, per_segment: Rate) -> Rate:
    """What ``body`` costs at ``per_segment`` (the provider's rate, in its own unit)."""
    return split(body).price(per_segment)


# -- opt-out keywords (CTIA Messaging Principles; carriers' and Twilio's default keyword sets) ------

class Keyword(StrEnum):
    """What an inbound keyword does to the pair it travels between."""

    OPT_OUT = "opt_out"  # the sender may no longer message this recipient
    OPT_IN = "opt_in"  # lifts an opt-out
    HELP = "help"  # the provider answers with its help text; nothing changes


OPT_OUT_WORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT")
OPT_IN_WORDS = ("START", "YES", "UNSTOP")
HELP_WORDS = ("HELP",)
KEYWORDS: dict[str, Keyword] = {
    **{word: Keyword.OPT_OUT for word in OPT_OUT_WORDS},
    **{word: Keyword.OPT_IN for word in OPT_IN_WORDS},
    **{word: Keyword.HELP for word in HELP_WORDS},
}
_BY_FOLDED = {word.casefold(): kind for word, kind in KEYWORDS.items()}


def _is_edge(character: str) -> bool:
    """Whitespace or punctuation around a keyword ("Stop.", " STOP!! ", "'quit'") does not hide it."""
    return character.isspace() or unicodedata.category(character).startswith("P")


def keyword(body: str) -> Keyword | None:
    """The keyword a body is, or None: the whole message must be one keyword, in any case, with only
    whitespace and punctuation around it ("STOP please" and "S T O P" are ordinary messages).

    >>> keyword(" Stop! "), keyword("STOP please"), keyword("unstop")
    (<Keyword.OPT_OUT: 'opt_out'>, None, <Keyword.OPT_IN: 'opt_in'>)
    """
    start, end = 0, len(body)
    while start < end and _is_edge(body[start]):
        start += 1
    while end > start and _is_edge(body[end - 1]):
        end -= 1
    return _BY_FOLDED.get(body[start:end].casefold())


class OptOuts:
    """Which senders may no longer message which recipients: a set of (sender, recipient) pairs, the
    sender being the provider's customer's number. A provider keeps one per account, in its own number
    format (the pairs are compared as given).

    >>> opt_outs = OptOuts()
    >>> opt_outs.apply("12065551234", "12065550100", "STOP")  # the recipient texts STOP to the sender
    <Keyword.OPT_OUT: 'opt_out'>
    >>> opt_outs.is_opted_out("12065550100", "12065551234")
    True
    """

    __slots__ = ("_pairs",)

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()):
        self._pairs: set[tuple[str, str]] = set(pairs)

    def apply(self, inbound_from: str, to: str, body: str) -> Keyword | None:
        """Read an inbound message from ``inbound_from`` to the customer's number ``to``: an opt-out
        keyword blocks ``to`` -> ``inbound_from``, an opt-in keyword lifts that block, HELP changes
        nothing. Returns the keyword's kind (also when the pair already was in that state), else None."""
        kind = keyword(body)
        if kind is Keyword.OPT_OUT:
            self._pairs.add((to, inbound_from))
        elif kind is Keyword.OPT_IN:
            self._pairs.discard((to, inbound_from))
        return kind

    def is_opted_out(self, sender: str, to: str) -> bool:
        """Whether a message from ``sender`` to ``to`` must be refused."""
        return (sender, to) in self._pairs

    def opt_out(self, sender: str, to: str) -> None:
        """Block the pair without a keyword (a provider's consent API revoking consent)."""
        self._pairs.add((sender, to))

    def opt_in(self, sender: str, to: str) -> None:
        """Lift the pair's block without a keyword (a provider's consent API recording consent)."""
        self._pairs.discard((sender, to))

    def copy(self) -> OptOuts:
        """An independent copy (a World reset): one set copy."""
        return OptOuts(self._pairs)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """The (sender, recipient) pairs, sorted, for dumps."""
        return iter(sorted(self._pairs))

    def __len__(self) -> int:
        return len(self._pairs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OptOuts) and self._pairs == other._pairs

    def __repr__(self) -> str:
        return f"OptOuts({sorted(self._pairs)!r})"


# -- delivery rules: which recipients' messages end how ------------------------------------------

@dataclass(frozen=True, slots=True)
class DeliveryRule:
    """Messages to numbers matching ``to`` (``*`` and ``?`` wildcards, in the provider's number format) end with
    ``outcome`` (a name of the provider's own outcomes)."""

    to: str
    outcome: str

    def matches(self, number: str) -> bool:
        return fnmatch.fnmatchcase(number, self.to)


class DeliveryRules:
    """An account's delivery rules, newest first: the first rule whose pattern matches a recipient decides how a
    message to it ends; no match is ``default``. Each provider keeps one per account, in its own number format
    and with its own outcome names; the magic inputs (fakeroute/magic.py) beat every rule.

    >>> rules = DeliveryRules([DeliveryRule("1206*", "undeliverable")])
    >>> rules.add("12065551234", "rejected").outcome, rules.outcome_for("12065551234"), rules.outcome_for("1415")
    ('rejected', 'rejected', 'delivered')
    """

    __slots__ = ("_rules", "default")

    def __init__(self, rules: Iterable[DeliveryRule] = (), *, default: str = "delivered"):
        self._rules: list[DeliveryRule] = list(rules)
        self.default = default

    def add(self, to: str, outcome: str) -> DeliveryRule:
        """A new rule, which goes before those already there (the newest wins)."""
        rule = DeliveryRule(to, outcome)
        self._rules.insert(0, rule)
        return rule

    def outcome_for(self, to: str) -> str:
        """The first matching rule's outcome, else ``default``."""
        return next((rule.outcome for rule in self._rules if rule.matches(to)), self.default)

    def copy(self) -> DeliveryRules:
        """An independent copy (a World reset): one list copy; the rules themselves are immutable."""
        return DeliveryRules(self._rules, default=self.default)

    def dump(self) -> list[dict[str, str]]:
        """The rules as a scenario lists them, newest (first matched) first."""
        return [{"to": rule.to, "outcome": rule.outcome} for rule in self._rules]

    @classmethod
    def load(cls, documents: Iterable[Mapping[str, Any]], *, default: str = "delivered") -> DeliveryRules:
        """Rules from a scenario's ``delivery_rules`` (``[{"to", "outcome"}]``, first matched first), as given:
        the provider checks the outcomes and normalizes the patterns before."""
        return cls((DeliveryRule(doc["to"], doc["outcome"]) for doc in documents), default=default)

    def __iter__(self) -> Iterator[DeliveryRule]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeliveryRules) and (self._rules, self.default) == (other._rules, other.default)

    def __repr__(self) -> str:
        return f"DeliveryRules({self._rules!r})"


# -- delivery delays, drawn from the seed -----------------------------------------------------------

# Seconds each step of a delivery takes after the one before it, (shortest, longest): the SMSC accepting
# the message, the carrier accepting it, the handset receiving it. Not published by any carrier; typical
# figures of US A2P traffic, so receipts arrive in a realistic order and spread.
DELIVERY: tuple[tuple[float, float], ...] = ((0.2, 1.0), (0.5, 3.0), (1.0, 8.0))
# A "delayed receipts" delivery: the carrier holds the message (a handset off, out of coverage) before it
# reaches the handset half an hour to two hours later.
DELAYED_DELIVERY: tuple[tuple[float, float], ...] = ((0.2, 1.0), (0.5, 3.0), (1800.0, 7200.0))


def delivery_delays(seed: int, message_id: str,
                    profile: Sequence[tuple[float, float]] = DELIVERY) -> tuple[float, ...]:
    """When each step of a delivery happens, in seconds after sending (rising, to the millisecond): one per
    step of ``profile``, fixed by the seed and the message id alone (whatever else the World did). A
    provider sending one receipt per part draws each part's with its own id (``f"{message_id}/2"``).

    >>> delivery_delays(0, "m1") == delivery_delays(0, "m1") != delivery_delays(1, "m1")
    True
    """
    # A hash, not random.Random(seed): as stable across processes and versions, and a tenth of the cost
    # (a busy scenario draws thousands at load).
    digest = hashlib.blake2b(f"fakeroute.delivery|{seed}|{message_id}".encode(), digest_size=64).digest()
    offsets: list[float] = []
    elapsed = 0.0
    for i, (shortest, longest) in enumerate(profile):
        if i and i % 8 == 0:  # more than eight steps: chain the hash
            digest = hashlib.blake2b(digest, digest_size=64).digest()
        fraction = int.from_bytes(digest[8 * (i % 8):8 * (i % 8) + 8], "big") / 2**64
        elapsed += shortest + fraction * (longest - shortest)
        offsets.append(round(elapsed, 3))
    return tuple(offsets)
