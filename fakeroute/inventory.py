"""Deterministic, seeded inventory of purchasable US numbers, stored compactly and indexed for search.

A million numbers are kept as one sorted ``array('q')`` (8 bytes each) plus an ASCII blob of their
11-digit strings (11 bytes each) that ``bytes.find`` scans at C speed for ``contains``/``ends_with``.
Every other attribute (state, rate center, type, costs) belongs to the number's exchange (its first
seven digits ``1NPANXX``), so the per-number records are derived, never stored. That base is immutable and
shared by every World of the same seed, size and extra numbers; numbers taken out (purchased) are each World's
overlay of indices over it, which makes a reset a set copy.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import threading
import weakref
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

DEFAULT_SIZE = 5_000
MAX_SIZE = 10_000_000
LINES_PER_EXCHANGE = 40  # average count of purchasable lines per exchange: a sparse, realistic spread
_WIDTH = 11  # digits of a NANP number in E.164 without "+": 1 NPA NXX XXXX

# N11 service codes, 555 (directory and fictional), 950/958/959 (carrier access, test), 976 (premium).
_RESERVED_NXX = frozenset({211, 311, 411, 511, 611, 711, 811, 911, 555, 950, 958, 959, 976})
VALID_NXX = tuple(nxx for nxx in range(200, 1000) if nxx not in _RESERVED_NXX)

# (setup_cost, monthly_cost) in USD per exchange, with weights: most local exchanges are the
# standard $1 setup / $1.25 a month, a few are free to set up, a few carry a higher setup fee.
_LOCAL_COSTS = ((1.0, 1.25), (1.0, 1.25), (1.0, 1.25), (1.0, 1.25), (0.0, 1.25), (2.5, 1.25), (5.0, 1.25))
_TOLL_FREE_COSTS = ((1.0, 2.0), (1.0, 2.0), (3.0, 2.0))


RECORD_CACHE_SIZE = 4096  # records remembered per World's inventory


@dataclass(frozen=True, slots=True)
class AvailableNumber:
    """One purchasable number. ``number_type`` is neutral ("local" or "toll_free"): each provider
    translates it into its own word (Flowroute's "standard"/"tollfree")."""

    value: str
    state: str | None
    rate_center: str | None
    number_type: str  # LOCAL | TOLL_FREE
    setup_cost: float
    monthly_cost: float

    @property
    def npa(self) -> str:
        return self.value[1:4]


@dataclass(frozen=True, slots=True)
class Exchange:
    """A block of numbers sharing their first seven digits, and every attribute but the line."""

    prefix: int  # 1NPANXX
    start: int  # index of its first number in the sorted base
    end: int  # one past its last
    state: str | None
    rate_center: str | None
    number_type: str
    setup_cost: float
    monthly_cost: float

    @property
    def npa(self) -> str:
        return str(self.prefix)[1:4]

    @property
    def code(self) -> str:
        """NPA+NXX, six digits, as Flowroute's exchanges endpoint names it."""
        return str(self.prefix)[1:]


LOCAL = "local"  # the neutral number types of the shared inventory
TOLL_FREE = "toll_free"


@dataclass(frozen=True)
class _Plan:
    npas: tuple[str, ...]
    states: dict[str, str | None]
    rate_centers: dict[str, tuple[str, ...]]


def _load_plan() -> _Plan:
    data = json.loads(resources.files("fakeroute.data").joinpath("npa.json").read_text(encoding="utf-8"))
    states: dict[str, str | None] = {}
    rate_centers: dict[str, tuple[str, ...]] = {}
    for npa, (state, centers) in data["geographic"].items():
        states[npa] = state
        rate_centers[npa] = tuple(centers)
    for npa in data["toll_free"]:
        states[npa] = None
        rate_centers[npa] = ()
    return _Plan(tuple(sorted(states)), states, rate_centers)


PLAN = _load_plan()


def known_area_code(npa: str) -> bool:
    return npa in PLAN.states


def is_toll_free(npa: str) -> bool:
    """Whether an area code is a toll-free one (800, 833...): data/npa.json is the one list."""
    return npa in PLAN.states and PLAN.states[npa] is None


@dataclass(frozen=True, slots=True, weakref_slot=True, eq=False)
class _Base:
    """The immutable part of an inventory, the same for every World of one (seed, size, extra numbers): the
    sorted numbers (a read-only view), their digits, the exchanges and the indexes over them. Worlds share it."""

    numbers: Sequence[int]  # a read-only memoryview of int64, ascending
    blob: bytes  # the numbers' 11-digit strings, back to back
    exchanges: tuple[Exchange, ...]  # ascending by prefix
    exchange_starts: tuple[int, ...]
    by_state: Mapping[str, tuple[Exchange, ...]]
    area_codes: tuple[tuple[str, int, int], ...]  # (npa, first exchange index, one past its last), ascending


# Bases by (seed, size, extra numbers), shared by the Worlds alive that use them: immutable values only, made
# under the lock (once, however many threads ask at once) and forgotten when the last World using one is.
_BASES: weakref.WeakValueDictionary[tuple, _Base] = weakref.WeakValueDictionary()
_BASES_LOCK = threading.Lock()


def _shared_base(seed: int, size: int, extras: tuple[int, ...]) -> _Base:
    key = (seed, size, extras)
    with _BASES_LOCK:
        base = _BASES.get(key)
        if base is None:
            base = _BASES[key] = _build_base(seed, size, extras)
        return base


def _build_base(seed: int, size: int, extras: tuple[int, ...]) -> _Base:
    # The exact sequence Faker's seed_instance(seed) gave while fakeroute used Faker for this (a
    # random.Random seeded with the seed), so a recorded seed keeps its numbers; tests/data holds digests.
    rng = random.Random(seed)
    attributes: dict[int, tuple] = {}
    numbers = array("q")
    blob = bytearray()

    # Exchanges first: one per rate center when the size allows (so every area code and rate
    # center of the plan can be searched), the rest spread at random over all NPA-NXX pairs.
    pairs = len(PLAN.npas) * len(VALID_NXX)
    slots = [(i, rc) for i, npa in enumerate(PLAN.npas) for rc in PLAN.rate_centers[npa] or (None,)]
    exchange_count = -(-size // LINES_PER_EXCHANGE)
    if size >= 10 * len(slots):
        exchange_count = max(exchange_count, len(slots))
    exchange_count = min(pairs, exchange_count)
    centers: dict[int, str | None] = {}  # pair -> the rate center it was picked for
    if exchange_count >= len(slots):
        for npa_index, rc in slots:
            pair = npa_index * len(VALID_NXX) + rng.randrange(len(VALID_NXX))
            while pair in centers:
                pair = npa_index * len(VALID_NXX) + rng.randrange(len(VALID_NXX))
            centers[pair] = rc
    spread = (p for p in rng.sample(range(pairs), min(pairs, exchange_count)) if p not in centers)
    chosen = sorted([*centers, *itertools.islice(spread, exchange_count - len(centers))])
    per_exchange = [size // exchange_count] * exchange_count
    for i in rng.sample(range(exchange_count), size % exchange_count):
        per_exchange[i] += 1
    for pair, count in zip(chosen, per_exchange, strict=True):
        npa_index, nxx_index = divmod(pair, len(VALID_NXX))
        npa = PLAN.npas[npa_index]
        prefix = 1_000_000 + int(npa) * 1000 + VALID_NXX[nxx_index]
        attributes[prefix] = _exchange_attributes(npa, rng, centers.get(pair))
        block = [prefix * 10_000 + line for line in sorted(rng.sample(range(10_000), count))]
        numbers.extend(block)
        blob += "".join(map(str, block)).encode("ascii")

    for number in extras:
        i = bisect.bisect_left(numbers, number)
        if i < len(numbers) and numbers[i] == number:
            continue
        numbers.insert(i, number)
        blob[i * _WIDTH:i * _WIDTH] = str(number).encode("ascii")
        prefix = number // 10_000
        if prefix not in attributes:
            npa = str(prefix)[1:4]
            if not known_area_code(npa):
                raise ValueError(f"number {number}: area code {npa} is not one fakeroute knows")
            # Seeded by the prefix alone, so an extra's attributes do not depend on the others.
            attributes[prefix] = _exchange_attributes(npa, random.Random(f"{seed}:{prefix}"))

    exchanges = []
    for prefix in sorted(attributes):
        start = bisect.bisect_left(numbers, prefix * 10_000)
        end = bisect.bisect_left(numbers, (prefix + 1) * 10_000)
        exchanges.append(Exchange(prefix, start, end, *attributes[prefix]))
    by_state: dict[str, list[Exchange]] = {}
    area_codes: list[tuple[str, int, int]] = []
    for i, exchange in enumerate(exchanges):
        if exchange.state:
            by_state.setdefault(exchange.state, []).append(exchange)
        if area_codes and area_codes[-1][0] == exchange.npa:
            area_codes[-1] = (exchange.npa, area_codes[-1][1], i + 1)
        else:
            area_codes.append((exchange.npa, i, i + 1))
    return _Base(
        numbers=memoryview(numbers.tobytes()).cast("q"),
        blob=bytes(blob),
        exchanges=tuple(exchanges),
        exchange_starts=tuple(e.start for e in exchanges),
        by_state=MappingProxyType({state: tuple(found) for state, found in by_state.items()}),
        area_codes=tuple(area_codes),
    )


def _exchange_attributes(npa: str, rng: random.Random, rate_center: str | None = None) -> tuple:
    state = PLAN.states[npa]
    if state is None:
        setup, monthly = rng.choice(_TOLL_FREE_COSTS)
        return (None, None, TOLL_FREE, setup, monthly)
    setup, monthly = rng.choice(_LOCAL_COSTS)
    return (state, rate_center or rng.choice(PLAN.rate_centers[npa]), LOCAL, setup, monthly)


class Inventory:
    """Purchasable numbers for one World: an immutable seeded base (shared by every World of the same seed,
    size and extra numbers) and this World's overlay of taken numbers.

    >>> inv = Inventory(seed=0, size=100)
    >>> page, more = inv.search(starts_with="1", limit=2)
    >>> len(page), more
    (2, True)
    """

    def __init__(self, seed: int = 0, size: int = DEFAULT_SIZE, extra_numbers: Iterable[str] = ()):
        if not 0 < size <= MAX_SIZE:
            raise ValueError(f"inventory size must be between 1 and {MAX_SIZE}, got {size}")
        self.seed = seed
        self.size = size
        extra_numbers = list(extra_numbers)
        base = _shared_base(seed, size, tuple(sorted({int(n) for n in extra_numbers})))
        self._base = base  # held: the shared cache keeps a base only while a World does
        self._numbers = base.numbers
        self._blob = base.blob
        self._exchanges = base.exchanges
        self._exchange_starts = base.exchange_starts
        self._by_state = base.by_state
        # index -> its record: a record never changes (only whether it is taken does), and a suite searches the
        # same few pages again and again. This World's own, bounded: emptied when full.
        self._records: dict[int, AvailableNumber] = {}

        self._taken: set[int] = set()  # indices into the base
        self._taken_sorted: list[int] = []
        self._baseline: tuple[frozenset[int], tuple[int, ...]] = (frozenset(), ())
        for number in extra_numbers:
            self.take(number)
        self.checkpoint()

    # -- state -----------------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Make the current taken set the one ``reset`` returns to."""
        self._baseline = (frozenset(self._taken), tuple(self._taken_sorted))  # copied from a set: no rehashing

    def reset(self) -> None:
        taken, taken_sorted = self._baseline
        self._taken = set(taken)
        self._taken_sorted = list(taken_sorted)

    def __len__(self) -> int:
        """How many numbers are available now."""
        return len(self._numbers) - len(self._taken)

    def _index(self, number: str) -> int | None:
        if len(number) != _WIDTH or not number.isdigit():
            return None
        value = int(number)
        i = bisect.bisect_left(self._numbers, value)
        return i if i < len(self._numbers) and self._numbers[i] == value else None

    def is_available(self, number: str) -> bool:
        i = self._index(number)
        return i is not None and i not in self._taken

    def take(self, number: str) -> AvailableNumber | None:
        """Remove a number from the inventory; None when it is not there to take."""
        i = self._index(number)
        if i is None or i in self._taken:
            return None
        self._taken.add(i)
        bisect.insort(self._taken_sorted, i)
        return self._record(i)

    def sell_out(self, area_code: str, remaining: int) -> int:
        """Take every available number of an area code but the ``remaining`` lowest (bought by others, as a
        scenario's nearly sold-out area code says); how many were taken. ``checkpoint`` keeps it over resets."""
        prefix = 1000 + int(area_code)
        lo = bisect.bisect_left(self._numbers, prefix * 10_000_000)
        hi = bisect.bisect_left(self._numbers, (prefix + 1) * 10_000_000)
        available = [i for i in range(lo, hi) if i not in self._taken]
        for i in available[remaining:]:
            self._taken.add(i)
            bisect.insort(self._taken_sorted, i)
        return max(0, len(available) - remaining)

    def put_back(self, number: str) -> bool:
        """Return a released number to the inventory (numbers never offered stay out)."""
        i = self._index(number)
        if i is None or i not in self._taken:
            return False
        self._taken.discard(i)
        del self._taken_sorted[bisect.bisect_left(self._taken_sorted, i)]
        return True

    def describe(self, number: str) -> AvailableNumber | None:
        """A number's attributes whether or not it is available now (None if never in the inventory)."""
        i = self._index(number)
        return None if i is None else self._record(i)

    # -- queries ---------------------------------------------------------------------------------

    def _record(self, i: int) -> AvailableNumber:
        record = self._records.get(i)
        if record is None:
            e = self._exchanges[bisect.bisect_right(self._exchange_starts, i) - 1]
            record = AvailableNumber(str(self._numbers[i]), e.state, e.rate_center, e.number_type,
                                     e.setup_cost, e.monthly_cost)
            if len(self._records) >= RECORD_CACHE_SIZE:
                self._records.clear()
            self._records[i] = record
        return record

    def _taken_between(self, lo: int, hi: int) -> int:
        return bisect.bisect_left(self._taken_sorted, hi) - bisect.bisect_left(self._taken_sorted, lo)

    def _nth_available(self, lo: int, n: int) -> int:
        """The index of the ``n``-th (from 0) available number at or after index ``lo``, by bisection: it is
        lo + n + the count of taken indices before it, and the q-th taken index t (from ``lo`` on) lies before it
        exactly when t - q <= lo + n."""
        taken = self._taken_sorted
        first = bisect.bisect_left(taken, lo)
        before = bisect.bisect_right(range(first, len(taken)), lo + n, key=lambda p: taken[p] - (p - first))
        return lo + n + before

    def _available_in(self, exchange: Exchange) -> int:
        return exchange.end - exchange.start - self._taken_between(exchange.start, exchange.end)

    def search(
        self,
        *,
        starts_with: str = "",
        contains: str = "",
        ends_with: str = "",
        state: str | None = None,
        rate_center: str | None = None,
        number_type: str | None = None,
        max_setup_cost: float | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[AvailableNumber], bool]:
        """One page of available numbers in ascending order, and whether more follow it.

        ``starts_with``/``contains``/``ends_with`` match the 11-digit string literally; ``state``
        and ``rate_center`` are case-insensitive.
        """
        ranges = self._ranges(starts_with, state, rate_center, number_type, max_setup_cost)
        found = self._matches(ranges, contains, ends_with, offset)
        page: list[AvailableNumber] = []
        for i in found:
            if len(page) == limit:
                return page, True
            page.append(self._record(i))
        return page, False

    def _ranges(self, starts_with, state, rate_center, number_type, max_setup_cost) -> list[tuple[int, int]]:
        lo, hi = 0, len(self._numbers)
        if starts_with:
            scale = 10 ** (_WIDTH - len(starts_with))
            prefix = int(starts_with)
            lo = bisect.bisect_left(self._numbers, prefix * scale)
            hi = bisect.bisect_left(self._numbers, (prefix + 1) * scale)
        if state is None and rate_center is None and number_type is None and max_setup_cost is None:
            return [(lo, hi)] if lo < hi else []
        exchanges: Iterable[Exchange]
        if state is not None:
            exchanges = self._by_state.get(state.lower(), [])
        else:
            first = max(bisect.bisect_right(self._exchange_starts, lo) - 1, 0)
            exchanges = self._exchanges[first:bisect.bisect_left(self._exchange_starts, hi)]
        rc = rate_center.lower() if rate_center is not None else None
        ranges = []
        for e in exchanges:
            if rc is not None and e.rate_center != rc:
                continue
            if number_type is not None and e.number_type != number_type:
                continue
            if max_setup_cost is not None and e.setup_cost > max_setup_cost:
                continue
            start, end = max(e.start, lo), min(e.end, hi)
            if start < end:
                ranges.append((start, end))
        return ranges

    def _matches(
        self, ranges: list[tuple[int, int]], contains: str, ends_with: str, offset: int
    ) -> Iterator[int]:
        taken = self._taken
        if not contains and not ends_with:
            for lo, hi in ranges:
                available = hi - lo - self._taken_between(lo, hi)
                if offset >= available:
                    offset -= available
                    continue
                first, offset = self._nth_available(lo, offset), 0
                for i in range(first, hi):
                    if i not in taken:
                        yield i
            return
        # Scan the blob for the more selective pattern, check the other on each hit.
        pattern, anchored, other = (ends_with, True, contains) if ends_with else (contains, False, "")
        needle = pattern.encode("ascii")
        width = len(needle)
        blob = self._blob
        for lo, hi in ranges:
            pos, stop = lo * _WIDTH, hi * _WIDTH
            while True:
                p = blob.find(needle, pos, stop)
                if p < 0:
                    break
                i, column = divmod(p, _WIDTH)
                if column + width > _WIDTH:  # spans into the next number: nothing else in this one fits
                    pos = (i + 1) * _WIDTH
                    continue
                if anchored and column + width != _WIDTH:
                    pos = p + 1
                    continue
                pos = (i + 1) * _WIDTH
                if i in taken:
                    continue
                if other and other.encode("ascii") not in blob[i * _WIDTH:(i + 1) * _WIDTH]:
                    continue
                if offset:
                    offset -= 1
                    continue
                yield i

    def area_codes(self, max_setup_cost: float | None = None) -> list[str]:
        """NPAs with at least one available number (whose setup cost is within ``max_setup_cost``)."""
        exchanges = self._exchanges
        codes: list[str] = []
        for npa, first, end in self._base.area_codes:
            if max_setup_cost is None:  # one count over the area code's numbers
                lo, hi = exchanges[first].start, exchanges[end - 1].end
                if hi - lo > self._taken_between(lo, hi):
                    codes.append(npa)
            elif any(e.setup_cost <= max_setup_cost and self._available_in(e) for e in exchanges[first:end]):
                codes.append(npa)
        return codes

    def exchanges(self, area_code: str | None = None, max_setup_cost: float | None = None) -> list[str]:
        """NPA+NXX codes with at least one available number, optionally within one area code."""
        exchanges = self._exchanges
        if area_code is not None:
            first = 1_000_000 + int(area_code) * 1000
            lo = bisect.bisect_left(exchanges, first, key=lambda e: e.prefix)
            hi = bisect.bisect_left(exchanges, first + 1000, key=lambda e: e.prefix)
            exchanges = exchanges[lo:hi]
        return [
            e.code
            for e in exchanges
            if (max_setup_cost is None or e.setup_cost <= max_setup_cost) and self._available_in(e)
        ]
