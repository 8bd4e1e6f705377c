"""Rate limits counted on the World's fake clock, so a test that sends six messages in one fake second gets
the same 429 every run. One engine for every provider: each says what it counts (a key) and how many per window.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Limit:
    """``count`` requests per ``window`` seconds (windows aligned on the clock: [0 s, 1 s), [1 s, 2 s)...)."""

    count: int
    window: float = 1.0


class RateLimits:
    """Counters per key and fixed window. ``enabled`` False (a scenario, ``fakeroute serve --no-rate-limits``,
    the plugin's marker) lets everything through: counters are then not kept at all.

    >>> from datetime import UTC, datetime
    >>> limits = RateLimits()
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> [limits.hit(("sms", "key"), Limit(2), now) for _ in range(3)]
    [None, None, 1]
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._windows: dict[Hashable, tuple[int, int]] = {}  # key -> (window index, hits in it)

    def hit(self, key: Hashable, limit: Limit, now: datetime) -> int | None:
        """Count one request; None when it is allowed, else the seconds until its window ends (Retry-After).

        A refused request counts too, as carriers count early retries: hammering does not get through sooner.
        """
        if not self.enabled:
            return None
        stamp = now.timestamp()
        index = math.floor(stamp / limit.window)
        window, hits = self._windows.get(key, (index, 0))
        if window != index:
            window, hits = index, 0
        hits += 1
        self._windows[key] = (window, hits)
        if hits <= limit.count:
            return None
        return max(1, math.ceil((index + 1) * limit.window - stamp))

    def clear(self) -> None:
        self._windows.clear()
