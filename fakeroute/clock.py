"""The fake clock every timestamp comes from, and the one parser of the UTC times clients and scenarios send."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
# The range the clock may be put in. From the Unix epoch, which the providers' ids and times count from
# (AgentMessage's ULIDs hold its milliseconds); to a year before datetime's last day, so that the timed work
# a handler books ahead (receipts, quarantines, orders) never overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


class Clock:
    """A deterministic clock: starts at ``start`` and moves ``tick`` forward on every reading.

    Every timestamp the fake writes comes from here, so the same calls give the same times.
    ``advance`` moves it on (a test waiting for a delivery receipt), ``set`` puts it anywhere.
    With ``real_time`` it follows the wall clock from ``start`` instead (no tick; ``advance`` and
    ``set`` still move it): for a standalone server whose clients wait for webhooks in real time.
    ``start`` defaults to ``DEFAULT_START``; a real-time clock without one starts at the wall clock's
    now, and goes back to the wall clock's now on ``reset``, so the dates it writes are today's.
    """

    def __init__(self, start: datetime | None = None, tick: timedelta = timedelta(seconds=1), *,
                 real_time: bool = False):
        if start is not None and start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        self._wall = start is None and real_time
        self.start = start or (datetime.now(UTC) if self._wall else DEFAULT_START)
        _in_range(self.start)
        self.tick = tick
        self.real_time = real_time
        self._now = self.start
        self._since = time.monotonic()  # real_time: when _now was last set
        # Readings so far (``now`` or ``peek``): a reply that read the clock depends on the time, so the app does not
        # remember it. Every thread's count here: a reading by another thread meanwhile only means one reply more is
        # worked out again.
        self.readings = 0

    def now(self) -> datetime:
        self.readings += 1
        if self.real_time:
            return self.peek()
        current = self._now
        self._now = current + self.tick
        return current

    def peek(self) -> datetime:
        """The time the next reading will give, without moving the clock."""
        self.readings += 1
        if self.real_time:
            return self._now + timedelta(seconds=time.monotonic() - self._since)
        return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move the clock on (or back); ``ValueError`` if that leaves EARLIEST..LATEST (the clock stays put)."""
        try:
            moved = self._now + timedelta(seconds=seconds, **delta)
        except OverflowError:
            raise ValueError(f"the clock can only be moved between {EARLIEST.isoformat()} and "
                             f"{LATEST.isoformat()}") from None
        self._now = _in_range(moved)
        return self.peek()

    def set(self, when: datetime) -> None:
        """Put the clock at ``when`` (timezone-aware, EARLIEST..LATEST, else ``ValueError``)."""
        if when.tzinfo is None:
            raise ValueError("the clock can only be set to a timezone-aware time")
        self._now = _in_range(when)
        self._since = time.monotonic()

    def reset(self) -> None:
        if self._wall:
            self.start = datetime.now(UTC)
        self.set(self.start)


def parse_start(text: str) -> datetime:
    """A clock's start from ``--clock-start`` or the plugin's ``clock_start``: ISO 8601, UTC unless it says.

    Raises ``ValueError`` naming the expected form.
    """
    try:
        return parse_utc(text)
    except ValueError:
        raise ValueError(f"clock start {text!r} is not an ISO 8601 date or time such as 2026-03-01T09:00:00Z") \
            from None


def _in_range(when: datetime) -> datetime:
    if not EARLIEST <= when <= LATEST:
        raise ValueError(f"the clock can only be moved between {EARLIEST.isoformat()} and {LATEST.isoformat()}, "
                         f"not to {when.isoformat()}")
    return when


def parse_utc(text: str) -> datetime:
    """A moment in UTC from ISO 8601: a bare date, a naive date-time (taken as UTC), ``Z`` or an offset.

    Raises ``ValueError`` for anything else. Every provider and the admin API read times with this.
    """
    moment = datetime.fromisoformat(text.replace(",", "."))
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # an offset that moves year 1 or year 9999 out of datetime's range
        raise ValueError(f"{text!r} is out of the range of dates") from None
