"""Deterministic identifiers: counters per kind, and tokens derived from the seed alone."""

from __future__ import annotations

import hashlib
import uuid


class Ids:
    """Deterministic identifiers: counters per kind, and tokens derived from the seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self._counters: dict[str, int] = {}
        self.draws = 0  # counters read so far: a request that drew an id changed the World (World.changes)

    def reset(self) -> None:
        self._counters.clear()

    def next(self, kind: str, start: int = 1) -> int:
        """1, 2, 3... per kind (or ``start``, ``start + 1``...)."""
        value = self._counters.get(kind, start)
        self._counters[kind] = value + 1
        self.draws += 1
        return value

    def token(self, kind: str, *parts: object, length: int = 32) -> str:
        """Hex digits fixed by the seed and the parts alone, whatever else happened before."""
        text = "|".join(map(str, (self.seed, kind, *parts)))
        return hashlib.sha256(text.encode()).hexdigest()[:length]

    def uuid(self, kind: str) -> str:
        """A random-looking (version 4) UUID, the n-th of its kind for this seed."""
        return str(uuid.UUID(self.token(kind, self.next(kind)), version=4))
