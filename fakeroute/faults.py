"""Injected faults: an error status, added latency, a rate limit or a dropped connection for matching calls."""

from __future__ import annotations

import fnmatch
import json
import math
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

MAX_LATENCY = 30.0  # seconds: a fault may slow a call, never hang a suite
MAX_RETRY_AFTER = 86_400  # seconds: a day
MAX_PATH = 2048
FIELDS = ("provider", "method", "path", "status", "latency", "drop", "times", "detail", "retry_after")
_METHOD = re.compile(r"[A-Za-z]{1,20}\Z")


@dataclass
class Fault:
    """What to do to the next ``times`` calls matching provider/method/path (``*`` wildcards in path).

    ``status`` answers with that HTTP status in the provider's own error format (429 adds
    ``Retry-After``, ``retry_after`` seconds, default 1); ``latency`` delays the answer by that many seconds;
    ``drop`` cuts the connection (in-process clients raise their connection error; the standalone server
    closes the socket before a byte of the answer, status line included, is written).
    ``times=None`` keeps the fault until cleared.
    """

    provider: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    latency: float = 0.0
    drop: bool = False
    times: int | None = 1
    detail: str | None = None
    retry_after: int | None = None
    hits: int = 0

    def __post_init__(self) -> None:
        # Every field is checked here, where a spec enters (the admin API, the fixture's ``fail``): a bad value
        # must be refused with a message naming it, never stored to break every matching call later.
        _check(self.provider is None or (isinstance(self.provider, str) and self.provider),
               "provider", "a provider name such as \"twilio\"", self.provider)
        _check(self.method is None or (isinstance(self.method, str) and _METHOD.match(self.method)),
               "method", "an HTTP method such as \"GET\"", self.method)
        _check(self.path is None or (isinstance(self.path, str) and self.path[:1] in ("/", "*")
                                     and len(self.path) <= MAX_PATH),
               "path", f"a string starting with / or * (at most {MAX_PATH} characters, * wildcards)", self.path)
        _check(self.status is None or (_is_int(self.status) and 400 <= self.status <= 599),
               "status", "an HTTP error status (400-599)", self.status)
        _check(_is_number(self.latency) and 0 <= self.latency <= MAX_LATENCY,
               "latency", f"a number of seconds between 0 and {MAX_LATENCY}", self.latency)
        _check(isinstance(self.drop, bool), "drop", "true or false", self.drop)
        _check(self.times is None or (_is_int(self.times) and self.times >= 1),
               "times", "a positive integer, or null for every call until cleared", self.times)
        _check(self.detail is None or isinstance(self.detail, str), "detail", "a string", self.detail)
        _check(self.retry_after is None or (_is_int(self.retry_after) and 0 <= self.retry_after <= MAX_RETRY_AFTER),
               "retry_after", f"an integer number of seconds between 0 and {MAX_RETRY_AFTER}", self.retry_after)
        if self.status is None and not self.latency and not self.drop:
            raise ValueError('a fault needs "status" (400-599), "latency" (seconds) or "drop": true')
        if self.drop and self.status is not None:
            raise ValueError('"drop" and "status" exclude each other: a dropped connection answers no status')
        if self.retry_after is not None and self.status != 429:
            raise ValueError('"retry_after" goes with "status": 429 (it sets the Retry-After header of that answer)')
        if self.method is not None:
            self.method = self.method.upper()

    def matches(self, provider: str | None, method: str, path: str) -> bool:
        return (
            (self.provider is None or self.provider == provider)
            and (self.method is None or self.method == method)
            and (self.path is None or self.path == path or fnmatch.fnmatchcase(path, self.path))
        )

    @property
    def spent(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """The faults of one World, first added first applied; cleared by ``World.reset()``."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, **spec: Any) -> Fault:
        unknown = set(spec) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(map(str, unknown)))} "
                             f"(a fault takes {', '.join(FIELDS)})")
        fault = Fault(**spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, provider: str | None, method: str, path: str) -> Fault | None:
        """The first live fault matching this call, counting the hit."""
        with self._lock:
            for fault in self._faults:
                if not fault.spent and fault.matches(provider, method, path):
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def __bool__(self) -> bool:
        """Whether any fault was added since the last clear (spent ones too)."""
        return bool(self._faults)

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no count


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check(ok: Any, name: str, wanted: str, value: Any) -> None:
    if not ok:
        shown = json.dumps(value) if isinstance(value, str | int | float | bool | None) else type(value).__name__
        raise ValueError(f"{name} must be {wanted}, got {shown[:80]}")
