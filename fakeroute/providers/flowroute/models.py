"""Flowroute state of one account, and the rules it follows: routes and edge strategies, numbers, MDRs with
their delivery receipts, delivery rules and callbacks, E911 addresses, CNAM records, CDR exports and number
portability. Knows nothing of HTTP."""

from __future__ import annotations

import bisect
import dataclasses
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ...indexes import IndexedDict, SortedIndex
from ...inventory import LOCAL, TOLL_FREE, is_toll_free
from ...messaging import DELIVERY, DeliveryRules, OptOuts, Split, delivery_delays

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
    message_encoding: int  # 0 GSM-7, 8 UCS-2 (the TP-DCS of messaging.split)
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
    """A receipt of a delivery outcome, at the end of ``stage`` of the delivery (an index into a
    ``messaging.delivery_delays`` profile: 0 the SMSC accepts, 1 the carrier accepts, 2 the handset receives)."""

    stage: int
    level: int
    status: str
    status_code: int | None
    description: str


# Flowroute documents the first two receipts (README: level 1 "smsc submit" with a null code, level 2
# "message buffered" 1003 "Message accepted by Carrier"). Its table of carrier codes is not in the reference
# material: the final receipts' codes and texts below are the fake's own, stable and documented.
SMSC_SUBMIT = Step(0, 1, "smsc submit", None, "Message has been sent")
BUFFERED = Step(1, 2, "message buffered", 1003, "Message accepted by Carrier")

OUTCOMES: dict[str, tuple[Step, ...]] = {
    "delivered": (SMSC_SUBMIT, BUFFERED, Step(2, 2, "delivered", 1000, "Message delivered to handset")),
    "undeliverable": (SMSC_SUBMIT, BUFFERED, Step(2, 2, "undeliverable", 1005,
                                                  "Message undeliverable: the handset could not be reached")),
    "expired": (SMSC_SUBMIT, BUFFERED, Step(2, 2, "expired", 1006, "Message expired before it could be delivered")),
    "rejected": (SMSC_SUBMIT, Step(1, 2, "rejected", 1008, "Message rejected by Carrier")),
    "landline": (SMSC_SUBMIT, Step(1, 2, "undeliverable", 1005,
                                   "Message undeliverable: the destination is a landline, which cannot receive SMS")),
    "smsc reject": (Step(0, 1, "smsc reject", None, "Message rejected by SMSC"),),
    "buffered": (SMSC_SUBMIT, BUFFERED),  # the carrier never reports back
}
# How each send outcome of the magic inputs (fakeroute/magic.py) ends here; "opted_out" is refused at once and
# "delayed_receipts" is a delivery on the DELAYED_DELIVERY profile.
MAGIC_OUTCOMES = {"delivered": "delivered", "undelivered": "undeliverable", "carrier_rejected": "rejected",
                  "landline": "landline", "delayed_receipts": "delivered", "no_receipt": "buffered"}


def plan_receipts(outcome: str, sent: datetime, seed: int, message_id: str, parts: int = 1,
                  profile: Sequence[tuple[float, float]] = DELIVERY) -> tuple[Receipt, ...]:
    """Every receipt of a message, oldest first: each part (of an SMS split into ``parts``) goes through the
    outcome's steps, at the times ``messaging.delivery_delays`` draws for it from the seed (part 1 with the MDR
    id, part k with ``<id>/k``), so parts arrive apart as on a real network."""
    receipts: list[Receipt] = []
    for part in range(1, parts + 1):
        delays = delivery_delays(seed, message_id if part == 1 else f"{message_id}/{part}", profile)
        receipts += [Receipt(s.level, s.status, s.status_code, s.description,
                             sent + timedelta(seconds=delays[s.stage])) for s in OUTCOMES[outcome]]
    return tuple(sorted(receipts, key=lambda r: r.timestamp))


def amount_for(split: Split, is_mms: bool) -> int:
    """What a message costs: an MMS its flat rate, an SMS the rate per segment."""
    return MMS_NANODOLLARS if is_mms else split.price(SMS_NANODOLLARS)


def amount_display(nanodollars: int) -> str:
    return f"${nanodollars / 1e9:.4f}"


def message_type(number: str) -> str:
    return "toll-free" if is_toll_free(number[1:4]) else "longcode"


def mdr_time(moment: datetime) -> str:
    """MDR timestamps: UTC, two fractional digits, ``Z`` ("2017-12-21T16:44:34.93Z")."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10_000:02d}Z"


# -- numbers, routes, the account -----------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """A route; frozen (no endpoint changes one), so a reset shares them instead of copying."""

    id: str
    route_type: str  # host | number | uri | sip-reg
    value: str | None
    alias: str
    edge_strategy: int | None = None  # the PoP inbound calls leave from (EDGE_STRATEGIES), None: Flowroute's choice


@dataclass(frozen=True)
class EdgeStrategy:
    """A PoP inbound calls can be sent from (``GET /v2/routes/edge_strategies``)."""

    id: int
    name: str
    description: str
    firewall_rules: str
    naptr: str


def _edge(id_: int, name: str, where: str, network: str, last: str) -> EdgeStrategy:
    first = network.split("/")[0]
    return EdgeStrategy(id_, name, f"Data will be sent preferentially from our edge systems in {where}. We will fall "
                        "back to other regions if necessary.", f"{network}, {first}-{last}",
                        f"{name.lower()}.sip.flowroute.com")


# Flowroute documents US-East-VA (id 4) in full and mentions Oregon; the other PoPs and their ids, ranges and
# NAPTRs follow the same pattern and are the fake's (the SDK demo creates a route with edge strategy "1").
EDGE_STRATEGIES: dict[int, EdgeStrategy] = {e.id: e for e in (
    _edge(1, "US-West-OR", "Oregon", "34.210.91.112/28", "34.210.91.127"),
    _edge(2, "US-East-NJ", "New Jersey", "147.75.65.192/28", "147.75.65.207"),
    _edge(3, "US-West-CA", "California", "147.75.60.160/28", "147.75.60.175"),
    _edge(4, "US-East-VA", "North Virginia", "34.226.36.32/28", "34.226.36.47"),
)}


@dataclass(frozen=True)
class Number:
    """An owned number. Frozen: a change replaces it in the account (``FlowrouteAccount.change_number``), so a
    reset copies the dict of numbers and never a record."""

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
    e911: str | None = None  # id of the E911 address assigned to the number
    cnam: str | None = None  # id of the CNAM record (caller ID name) assigned to the number

    @property
    def is_toll_free(self) -> bool:
        return self.number_type == "tollfree"


def builtin_route() -> Route:
    return Route(SIP_REG_ROUTE_ID, "sip-reg", None, "sip-reg")


class NumberBook(SortedIndex[str, Number]):
    """The account's numbers by value, their values also kept sorted: listings page through them in order
    without sorting per request, and a ``starts_with`` finds its slice by bisection."""

    __slots__ = ()

    @staticmethod
    def _order(key: str, value: Number) -> str:
        return key

    def starting_with(self, prefix: str) -> list[str]:
        """The values (ascending) that begin with ``prefix`` (all of them for "")."""
        if not prefix:
            return self.sorted_keys
        keys = self.sorted_keys
        # Every value is 11 digits, so the values starting with the prefix sort below prefix + ":" (after "9").
        return keys[bisect.bisect_left(keys, prefix):bisect.bisect_left(keys, prefix + ":")]


class RouteBook(IndexedDict[str, Route]):
    """The account's routes by id, oldest first, with an alias index (aliases are unique in an account) and the
    id after the highest one (new route ids count up from it)."""

    __slots__ = ("_aliases", "_next_id")

    def _clear_index(self) -> None:
        self._aliases: dict[str, str] = {}
        self._next_id: int | None = FIRST_ROUTE_ID

    def _copy_index(self, other: IndexedDict[str, Route]) -> None:
        self._aliases = dict(other._aliases)  # type: ignore[attr-defined]
        self._next_id = other._next_id  # type: ignore[attr-defined]

    def _added(self, key: str, value: Route, old: Route | None) -> None:
        if old is not None:
            self._aliases.pop(old.alias, None)
        self._aliases[value.alias] = key
        if self._next_id is not None:
            self._next_id = max(self._next_id, int(key) + 1)

    def _removed(self, key: str, value: Route) -> None:
        if self._aliases.get(value.alias) == key:
            del self._aliases[value.alias]
        if self._next_id == int(key) + 1:
            self._next_id = None  # the highest is gone: found again when next asked

    def with_alias(self, alias: str) -> Route | None:
        key = self._aliases.get(alias)
        return None if key is None else self[key]

    def next_id(self) -> int:
        """One past the highest route id (at least ``FIRST_ROUTE_ID``)."""
        if self._next_id is None:
            self._next_id = max([FIRST_ROUTE_ID, *(int(key) + 1 for key in self)])
        return self._next_id


class MessageLog(IndexedDict[str, Message]):
    """The account's MDRs by id in the order they happened, also indexed by (timestamp, order of arrival), so a
    date range is found by bisection and pages newest first without filtering or sorting per request."""

    __slots__ = ("_by_time", "_entry", "_arrivals")

    def _clear_index(self) -> None:
        self._by_time: list[tuple[datetime, int, str]] = []
        self._entry: dict[str, tuple[datetime, int, str]] = {}
        self._arrivals = 0

    def _copy_index(self, other: IndexedDict[str, Message]) -> None:
        self._by_time = list(other._by_time)  # type: ignore[attr-defined]
        self._entry = dict(other._entry)  # type: ignore[attr-defined]
        self._arrivals = other._arrivals  # type: ignore[attr-defined]

    def _added(self, key: str, value: Message, old: Message | None) -> None:
        if old is None:
            arrival = self._arrivals
            self._arrivals += 1
        else:  # a replaced MDR keeps its place among equal timestamps, as it keeps its place in the dict
            arrival = self._unindex(key)
        entry = self._entry[key] = (value.timestamp, arrival, key)
        bisect.insort(self._by_time, entry)

    def _removed(self, key: str, value: Message) -> None:
        self._unindex(key)

    def _unindex(self, key: str) -> int:
        entry = self._entry.pop(key)
        del self._by_time[bisect.bisect_left(self._by_time, entry)]
        return entry[1]

    def newest_between(self, start: datetime, before: datetime | None, offset: int,
                       limit: int) -> tuple[list[Message], int]:
        """The page (``offset``, ``limit``) of MDRs with ``start <= timestamp < before`` (no end when None),
        newest first (of equal timestamps the later one first), and how many there are in the range."""
        by_time = self._by_time
        lo = bisect.bisect_left(by_time, (start,))
        hi = len(by_time) if before is None else bisect.bisect_left(by_time, (before,))
        top = hi - offset
        page = [self[entry[2]] for entry in reversed(by_time[max(lo, top - limit):top])] if top > lo else []
        return page, max(0, hi - lo)


@dataclass
class FlowrouteAccount:
    access_key: str | None  # None: the scenario gave this account no Flowroute credentials
    secret_key: str | None
    routes: RouteBook = field(default_factory=lambda: RouteBook({SIP_REG_ROUTE_ID: builtin_route()}))
    numbers: NumberBook = field(default_factory=NumberBook)
    messages: MessageLog = field(default_factory=MessageLog)  # by MDR id, in the order they happened
    # Account-level callback URLs by Flowroute's name: sms_callback, mms_callback, sms_dlr_callback, mms_dlr_callback.
    callbacks: dict[str, str] = field(default_factory=dict)
    delivery_rules: DeliveryRules = field(default_factory=DeliveryRules)  # newest (first matched) first
    # (your number, recipient) pairs a recipient's STOP blocked: sends between them are refused until UNSTOP.
    opt_outs: OptOuts = field(default_factory=OptOuts)
    e911s: dict[str, E911] = field(default_factory=dict)  # by id, oldest first
    cnams: dict[str, Cnam] = field(default_factory=dict)  # by id, oldest first
    cdr_exports: dict[int, CdrExport] = field(default_factory=dict)  # by id, oldest first
    due: datetime | None = None  # earliest CNAM review or CDR export still to finish (None: nothing pending)

    def sorted_numbers(self) -> list[Number]:
        numbers = self.numbers
        return [numbers[key] for key in numbers.sorted_keys]

    def route_with_alias(self, alias: str) -> Route | None:
        return self.routes.with_alias(alias)

    def change_number(self, number: Number, **changes: Any) -> Number:
        """``number`` with ``changes``, in its place in the account (numbers are frozen: never changed in place)."""
        changed = self.numbers[number.value] = dataclasses.replace(number, **changes)
        return changed

    def numbers_with(self, relationship: str, record_id: str) -> list[Number]:
        """The account's numbers whose ``e911`` or ``cnam`` is ``record_id``, ascending."""
        return [n for n in self.sorted_numbers() if getattr(n, relationship) == record_id]

    def schedule(self, when: datetime) -> None:
        if self.due is None or when < self.due:
            self.due = when

    def recompute_due(self) -> None:
        times = [c.decided_at for c in self.cnams.values() if c.status == PENDING]
        times += [e.complete_at for e in self.cdr_exports.values() if e.status == PROCESSING]
        self.due = min(times, default=None)


# -- E911 addresses ---------------------------------------------------------------------------------

ADDRESS_TYPES = ("Apartment", "Basement", "Building", "Department", "Floor", "Front", "Key", "Lobby", "Lot", "Lower",
                 "Office", "Penthouse", "Pier", "Rear", "Room", "Side", "Slip", "Space", "Stop", "Suite", "Trailer",
                 "Unit", "Upper")
GEOCODE_FAILED = "Could not geocode this address. Please check the validity of your address."
E911_PARTS = ("label", "first_name", "last_name", "street_name", "street_number", "city", "state", "country", "zip")
E911_ATTRIBUTES = (*E911_PARTS, "address_type", "address_type_number")  # the last two only with an address type
COUNTRIES = {"US": "US", "USA": "US", "CA": "CA", "CAN": "CA"}  # as written -> ISO code

# First three ZIP digits of each state (USPS ranges), the plausibility check of a US address.
_ZIP3 = {
    "AL": "350-369", "AK": "995-999", "AZ": "850-865", "AR": "716-729,755", "CA": "900-961", "CO": "800-816",
    "CT": "060-069", "DE": "197-199", "DC": "200-205,569", "FL": "320-349", "GA": "300-319,398-399", "HI": "967-968",
    "ID": "832-838", "IL": "600-629", "IN": "460-479", "IA": "500-528", "KS": "660-679", "KY": "400-427",
    "LA": "700-714", "ME": "039-049", "MD": "206-219", "MA": "010-027,055", "MI": "480-499", "MN": "550-567",
    "MS": "386-397", "MO": "630-658", "MT": "590-599", "NE": "680-693", "NV": "889-898", "NH": "030-038",
    "NJ": "070-089", "NM": "870-884", "NY": "005,100-149,063", "NC": "270-289", "ND": "580-588", "OH": "430-459",
    "OK": "730-749", "OR": "970-979", "PA": "150-196", "RI": "028-029", "SC": "290-299", "SD": "570-577",
    "TN": "370-385", "TX": "750-799,885", "UT": "840-847", "VT": "050-059", "VA": "201,220-246", "WA": "980-994",
    "WV": "247-268", "WI": "530-549", "WY": "820-831", "PR": "006-009", "VI": "008", "GU": "969",
}
# First letter of a Canadian postal code for each province and territory.
_POSTAL_LETTERS = {"NL": "A", "NS": "B", "PE": "C", "NB": "E", "QC": "GHJ", "ON": "KLMNP", "MB": "R", "SK": "S",
                   "AB": "T", "BC": "V", "NT": "X", "NU": "X", "YT": "Y"}
_US_ZIP = re.compile(r"^([0-9]{3})[0-9]{2}(-[0-9]{4})?$")
_CA_POSTAL = re.compile(r"^([ABCEGHJ-NPRSTVXY])[0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$")


def _zip3_ranges(spec: str) -> list[tuple[int, int]]:
    ranges = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return ranges


_ZIP3_RANGES = {state: _zip3_ranges(spec) for state, spec in _ZIP3.items()}


@dataclass
class E911:
    """An E911 address record; every part is kept as a string, as Flowroute answers them."""

    id: str
    label: str
    first_name: str
    last_name: str
    street_name: str
    street_number: str
    city: str
    state: str  # two upper-case letters
    country: str  # as written: US, USA, CA, CAN
    zip: str
    address_type: str | None = None  # one of ADDRESS_TYPES
    address_type_number: str | None = None


def geocodes(address: E911) -> bool:
    """Whether the fake's geocoder finds the address: every part there, the state or province one of the
    country's, the ZIP or postal code of that state or province, a street number with a digit in it."""
    parts = (address.street_name, address.street_number, address.city, address.state, address.zip)
    if not all(part.strip() for part in parts) or not any(c.isdigit() for c in address.street_number):
        return False
    country = COUNTRIES.get(address.country.upper())
    code = address.zip.strip().upper()
    if country == "US":
        match = _US_ZIP.match(code)
        return bool(match) and any(low <= int(match.group(1)) <= high
                                   for low, high in _ZIP3_RANGES.get(address.state, ()))
    if country == "CA":
        match = _CA_POSTAL.match(code)
        return bool(match) and match.group(1) in _POSTAL_LETTERS.get(address.state, "")
    return False


# -- CNAM records -----------------------------------------------------------------------------------

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
CNAM_REVIEW = timedelta(hours=24)  # Flowroute: "up to 48 hours"; the fake decides after 24 hours on its clock
CNAM_MAX_LENGTH = 15
CNAM_CHARACTERS = re.compile(r"^[A-Za-z0-9 \-_.,@+&'/\"]+$")  # letters, digits, spaces and - _ . , @ + & ' / "
# What Flowroute's review rejects ("curse words", "political figures or places", "false or fake CNAM"): a few
# words stand for each kind, so a test can see a rejection happen.
_REJECTED_WORDS = {
    "Inappropriate CNAM: curse words are not allowed": ("DAMN", "CRAP", "SHIT", "FUCK"),
    "Misleading CNAM: political figures or places are not allowed": ("OBAMA", "BARACK", "WHITE HOUSE", "PRESIDENT",
                                                                     "CONGRESS", "SENATE"),
    "Misleading CNAM: false or fake caller names are not allowed": ("POLICE", "SHERIFF", "FBI", "IRS", "911"),
}


@dataclass
class Cnam:
    """A CNAM record (caller ID name): pending until ``decided_at`` on the clock, then approved or rejected."""

    id: str
    value: str  # upper case, as Flowroute stores them
    created_at: datetime
    decided_at: datetime  # when the review ends (pending) or ended
    status: str = PENDING  # pending | approved | rejected
    rejection_reason: str | None = None

    @property
    def is_approved(self) -> bool:
        return self.status == APPROVED


def cnam_problem(value: str) -> str | None:
    """Why a CNAM value breaks the storage rules (refused at once), or None."""
    if not value.strip():
        return "must not be blank"
    if len(value) > CNAM_MAX_LENGTH:
        return f"must be at most {CNAM_MAX_LENGTH} characters long, got {len(value)}"
    if not CNAM_CHARACTERS.match(value):
        return "may hold only letters, digits, spaces and - _ . , @ + & ' / \""
    if not any(c.isalpha() for c in value):
        return "must contain at least one letter (a CNAM is a name, not a number)"
    return None


def review(value: str) -> str | None:
    """The reason Flowroute's review rejects an (acceptable) CNAM value, or None: it is approved."""
    words = f" {re.sub(r'[^A-Z0-9]+', ' ', value.upper())} "
    for reason, bad in _REJECTED_WORDS.items():
        if any(f" {word} " in words for word in bad):
            return reason
    return None


# -- CDR exports ------------------------------------------------------------------------------------

PROCESSING, COMPLETED, FAILED = "processing", "completed", "failed"
CDR_EXPORT_TIME = timedelta(seconds=30)  # Flowroute: "typical completion times are less than 5 minutes"
CDR_DOWNLOAD_LIFETIME = timedelta(days=3)  # "The specified download URL will expire after 3 days"
CDR_MAX_WINDOW = timedelta(days=92)  # "a single export cannot provide more than 92 days of data"
CDR_COLUMNS = ("direction", "start_time", "end_time", "destination", "number_alias", "callerid", "total_cost",
               "destination_name", "callerid_country", "line_information", "result", "call_fail_sip_code",
               "call_fail_reason", "duration", "billed_duration", "rate", "first_increment", "subsequent_increment",
               "cost_subtotal", "connect_fee", "usf_fee", "ccrf", "cnam_lookup_fee", "custom_x_tag", "customer_ip")
OUTBOUND_RATE = 0.0098  # USD a minute, as the README's sample export bills outbound calls
INBOUND_RATE = 0.0015
CNAM_LOOKUP_FEE = 0.0039  # per inbound call on a number with CNAM look-ups enabled
CCRF_RATE = 0.13045  # carrier cost recovery fee, a share of the call's cost (README sample)
INCREMENT = 6  # seconds: first and subsequent billing increments
_FAR_ENDS = ("1206", "1212", "1312", "1415", "1503", "1617", "1720", "1786")
_OUTCOMES = (("completed", 200, "OK"),) * 8 + (("failed", 486, "Busy Here"), ("failed", 480, "Temporarily Unavailable"),
                                                 ("canceled", 487, "Request Terminated"))


@dataclass(frozen=True)
class CallRecord:
    """One row of a CDR export, in the README's columns and formats."""

    direction: str  # Inbound | Outbound
    start: datetime
    duration: int  # seconds
    destination: str
    number_alias: str
    callerid: str
    destination_name: str
    callerid_country: str
    line_information: str
    result: str
    sip_code: int
    reason: str
    rate: float
    cnam_lookup_fee: float
    customer_ip: str

    @property
    def billed_duration(self) -> int:
        return 0 if self.duration == 0 else math.ceil(self.duration / INCREMENT) * INCREMENT

    @property
    def cost_subtotal(self) -> float:
        return self.billed_duration / 60 * self.rate

    @property
    def ccrf(self) -> float:
        return self.cost_subtotal * CCRF_RATE

    @property
    def total_cost(self) -> float:
        return self.cost_subtotal + self.ccrf + self.cnam_lookup_fee

    def row(self) -> list[str]:
        end = self.start + timedelta(seconds=self.duration)
        return [self.direction, _cdr_time(self.start), _cdr_time(end), self.destination, self.number_alias,
                self.callerid, f"{self.total_cost:.8f}", self.destination_name, self.callerid_country,
                self.line_information, self.result, str(self.sip_code), self.reason, str(self.duration),
                str(self.billed_duration), f"{self.rate:.6f}", str(INCREMENT), str(INCREMENT),
                f"{self.cost_subtotal:.8f}", "0.0000", f"{0:.8f}", f"{self.ccrf:.8f}", f"{self.cnam_lookup_fee:.8f}",
                "", self.customer_ip]


def _cdr_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def call_records(seed: int, account_key: str, numbers: list[Number], start: datetime,
                 end: datetime) -> list[CallRecord]:
    """The calls of the account's numbers that started in [start, end), derived from the seed and the account's
    access key alone: for each UTC day and number a few inbound and outbound calls, the same whatever the window."""
    records: list[CallRecord] = []
    day = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        for number in numbers:
            rng = random.Random(f"{seed}|cdr|{account_key}|{number.value}|{day.date().isoformat()}")
            for _ in range(rng.randrange(4)):
                call = _call(rng, number, day, account_key)
                if start <= call.start < end:
                    records.append(call)
        day += timedelta(days=1)
    return sorted(records, key=lambda r: r.start)


def _call(rng: random.Random, number: Number, day: datetime, account_key: str) -> CallRecord:
    started = day + timedelta(seconds=rng.randrange(86_400))
    far_end = rng.choice(_FAR_ENDS) + f"555{rng.randrange(100, 200):04d}"
    result, code, reason = rng.choice(_OUTCOMES)
    duration = rng.randrange(5, 600) if result == "completed" else 0
    ip = f"203.0.113.{random.Random(account_key).randrange(1, 255)}"  # the account's PBX, in TEST-NET-3
    alias = number.alias or ""
    if rng.random() < 0.5:
        toll_free = number.is_toll_free
        return CallRecord("Inbound", started, duration, number.value, alias, "+" + far_end,
                          "UNITED STATES - TOLL FREE" if toll_free else "UNITED STATES", "UNITED STATES", "61",
                          result, code, reason, INBOUND_RATE,
                          CNAM_LOOKUP_FEE if number.cnam_lookups_enabled and duration else 0.0, ip)
    return CallRecord("Outbound", started, duration, far_end, alias, "+" + number.value, "UNITED STATES", "N/A", "",
                      result, code, reason, OUTBOUND_RATE, 0.0, ip + ":5080")


@dataclass
class CdrExport:
    """A CDR export request: ``processing`` until ``complete_at`` on the clock, then ``completed`` with its file."""

    id: int
    filter_parameters: dict  # as answered: the filters given, times in UTC ISO form
    callback_url: str | None
    requested_at: datetime
    complete_at: datetime
    records: tuple[CallRecord, ...]  # what the file will hold, fixed when requested
    status: str = PROCESSING  # processing | completed | failed

    @property
    def expires_at(self) -> datetime:
        return self.complete_at + CDR_DOWNLOAD_LIFETIME


def matches_filters(record: CallRecord, filters: dict) -> bool:
    """Whether a call passes an export's optional filters (the time window is applied before)."""
    if "number_aliases" in filters and record.number_alias not in filters["number_aliases"]:
        return False
    if "number_aliases_contains" in filters and not any(
            part.lower() in record.number_alias.lower() for part in filters["number_aliases_contains"]):
        return False
    if "destination_numbers" in filters and record.destination not in {
            n.lstrip("+") for n in filters["destination_numbers"]}:
        return False
    if "callerid_numbers" in filters and record.callerid.lstrip("+") not in {
            n.lstrip("+") for n in filters["callerid_numbers"]}:
        return False
    if "custom_x_tags" in filters:  # no call of the fake carries an X-Tag
        return False
    if "caller_ip" in filters and record.customer_ip.split(":")[0] != filters["caller_ip"]:
        return False
    if "duration_greater_than" in filters and not record.duration > filters["duration_greater_than"]:
        return False
    return not ("duration_less_than" in filters and not record.duration < filters["duration_less_than"])


# -- porting ----------------------------------------------------------------------------------------

PORTABLE_SHARE = 0.8  # of the numbers the fake knows nothing else about: the others are not portable
HYPERNETWORK_SHARE = 0.4  # of the portable ones: already reachable over Flowroute's HyperNetwork


def portability(seed: int, digits: str) -> tuple[bool, bool]:
    """(portable, hypernetwork_enabled) of a valid number held by another carrier, fixed by the seed."""
    rng = random.Random(f"{seed}|portability|{digits}")
    portable = rng.random() < PORTABLE_SHARE
    return portable, portable and rng.random() < HYPERNETWORK_SHARE
