"""Rate limits counted on the World's fake clock, so a test that sends six messages in one fake second gets
the same 429 every run. One engine for every provider: each says what it counts (a key) and how many per window.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
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

    def __init__(self, enabled: bool = True, *, overrides: Mapping[str, Limit] | None = None,
                 used: Mapping[tuple[str, str], int] | None = None, start: datetime | None = None):
        self.enabled = enabled
        self._windows: dict[Hashable, tuple[int, int]] = {}  # key -> (window index, hits in it)
        # A scenario's say (its "limits" and accounts' "limits_used"): limits by name replacing a provider's
        # default, and hits already counted per (account id, limit name) in the window holding ``start``.
        self.overrides: dict[str, Limit] = dict(overrides or {})
        self.used: dict[tuple[str, str], int] = dict(used or {})
        self.start = start
        self.hits = 0  # requests counted so far: one that was counted changed the World (World.changes)

    def hit(self, key: Hashable, limit: Limit, now: datetime) -> int | None:
        """Count one request; None when it is allowed, else the seconds until its window ends (Retry-After).

        A refused request counts too, as carriers count early retries: hammering does not get through sooner.
        """
        if not self.enabled:
            return None
        self.hits += 1
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

    def limit(self, name: str, default: Limit) -> Limit:
        """The limit named ``name`` (``"flowroute.sms"``): the scenario's if it sets one, else ``default``."""
        return self.overrides.get(name, default)

    def hit_named(self, account_id: str, name: str, default: Limit, now: datetime,
                  per: Hashable = None) -> int | None:
        """``hit`` for a provider's named limit, counted per account (and per ``per``, a credential):
        the scenario may change the limit, and may say how many hits the window holding the clock's start
        already had (a preset one send from its limit). None when allowed, else the Retry-After seconds.
        """
        limit = self.limit(name, default)
        key = (account_id, name, per)
        used = self.used.get((account_id, name))
        if used and key not in self._windows and self.start is not None and self.enabled:
            self._windows[key] = (math.floor(self.start.timestamp() / limit.window), used)
        return self.hit(key, limit, now)

    def clear(self) -> None:
        """Forget every count (a World reset); a scenario's ``used`` counts apply again."""
        self._windows.clear()
