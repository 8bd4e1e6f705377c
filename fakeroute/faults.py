"""Injected faults: an error status, added latency, a rate limit or a dropped connection for matching calls."""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import asdict, dataclass
from typing import Any

MAX_LATENCY = 30.0  # seconds: a fault may slow a call, never hang a suite


@dataclass
class Fault:
    """What to do to the next ``times`` calls matching provider/method/path (``*`` wildcards in path).

    ``status`` answers with that HTTP status in the provider's own error format (429 adds
    ``Retry-After``); ``latency`` delays the answer by that many seconds; ``drop`` cuts the connection
    (in-process clients raise their connection error, real HTTP clients see the answer cut short).
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
        if self.status is None and not self.latency and not self.drop:
            raise ValueError("a fault needs a status, a latency or drop=True")
        if self.status is not None and not (isinstance(self.status, int) and 400 <= self.status <= 599):
            raise ValueError(f"status must be an HTTP error status (400-599), got {self.status!r}")
        if not isinstance(self.latency, int | float) or not 0 <= self.latency <= MAX_LATENCY:
            raise ValueError(f"latency must be between 0 and {MAX_LATENCY} seconds, got {self.latency!r}")
        if self.times is not None and (not isinstance(self.times, int) or self.times < 1):
            raise ValueError(f"times must be a positive integer or None, got {self.times!r}")
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
        unknown = set(spec) - {"provider", "method", "path", "status", "latency", "drop", "times", "detail",
                               "retry_after"}
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
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

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
