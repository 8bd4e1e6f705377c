"""Dicts that keep an index of their entries up to date as they change, so look-ups never scan the state, and
the cheap record copies a World reset makes of the records requests change in place."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")

_MISSING: Any = object()


def record_copy(record: R) -> R:
    """A shallow copy of a (non-slotted) dataclass record, a few times cheaper than ``dataclasses.replace``:
    enough for records whose fields are immutable values (strings, numbers, datetimes, tuples)."""
    copied = object.__new__(type(record))
    copied.__dict__.update(record.__dict__)
    return copied


class IndexedDict(dict[K, V], Generic[K, V]):
    """A dict whose every change goes through ``_added``/``_removed``: subclasses keep their indexes there.

    Every mutating method of dict is routed through ``__setitem__``/``__delitem__`` (``dict(...)`` of one is a
    plain dict without its index; ``copy()`` keeps it: subclasses copy their indexes in ``_copy_index``).
    """

    __slots__ = ()

    def __init__(self, entries: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        super().__init__()
        self._clear_index()
        for key, value in dict(entries).items():
            self[key] = value

    # -- what subclasses define --------------------------------------------------------------------------

    def _clear_index(self) -> None:
        raise NotImplementedError

    def _copy_index(self, other: IndexedDict[K, V]) -> None:
        """Make this (new, empty-indexed) dict's indexes copies of ``other``'s."""
        raise NotImplementedError

    def _added(self, key: K, value: V, old: V | None) -> None:
        """``key`` now holds ``value`` (``old`` is what it held before, or None when it is new)."""
        raise NotImplementedError

    def _removed(self, key: K, value: V) -> None:
        raise NotImplementedError

    # -- dict's mutators, through the hooks ----------------------------------------------------------------

    def __setitem__(self, key: K, value: V) -> None:
        old = dict.get(self, key, _MISSING)
        dict.__setitem__(self, key, value)
        self._added(key, value, None if old is _MISSING else old)

    def __delitem__(self, key: K) -> None:
        value = dict.__getitem__(self, key)
        dict.__delitem__(self, key)
        self._removed(key, value)

    def pop(self, key: K, default: Any = _MISSING) -> Any:
        if key in self:
            value = dict.__getitem__(self, key)
            del self[key]
            return value
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[K, V]:
        if not self:
            raise KeyError("popitem(): dictionary is empty")
        key = next(reversed(self.keys()))
        return key, self.pop(key)

    def setdefault(self, key: K, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> IndexedDict[K, V]:
        self.update(other)
        return self

    def clear(self) -> None:
        dict.clear(self)
        self._clear_index()

    def copy(self) -> IndexedDict[K, V]:
        """A copy with its indexes: C-speed copies of the dict and index lists, no re-indexing."""
        new = type(self).__new__(type(self))
        dict.update(new, self)
        new._copy_index(self)
        return new

    __copy__ = copy

    def __reduce__(self) -> Any:
        return type(self), (dict(self),)


class SortedIndex(IndexedDict[K, V], Generic[K, V]):
    """An ``IndexedDict`` that also keeps its entries' ``_order(key, value)`` sorted in ``sorted_keys``, so a page
    or a range starts by bisection instead of sorting every entry per request. Subclasses say what the order is."""

    __slots__ = ("sorted_keys",)

    @staticmethod
    def _order(key: K, value: V) -> Any:
        raise NotImplementedError

    def _clear_index(self) -> None:
        self.sorted_keys: list[Any] = []

    def _copy_index(self, other: IndexedDict[K, V]) -> None:
        self.sorted_keys = list(other.sorted_keys)  # type: ignore[attr-defined]

    def _added(self, key: K, value: V, old: V | None) -> None:
        order = self._order(key, value)
        if old is not None:
            previous = self._order(key, old)
            if previous == order:
                return
            del self.sorted_keys[bisect.bisect_left(self.sorted_keys, previous)]
        bisect.insort(self.sorted_keys, order)

    def _removed(self, key: K, value: V) -> None:
        del self.sorted_keys[bisect.bisect_left(self.sorted_keys, self._order(key, value))]


class NewestFirst(SortedIndex[str, V], Generic[V]):
    """Records by id, their ``sort_key`` (``(created_at, id)``) also kept sorted, so a keyset page newest first
    starts by bisection and reads only what it shows (and what filters skip) instead of sorting every record."""

    __slots__ = ()

    @staticmethod
    def _order(key: str, value: V) -> Any:
        return value.sort_key  # type: ignore[attr-defined]

    def newest_first(self, before: Any = None) -> Iterator[V]:
        """The records whose sort key is below ``before`` (all when None), newest first, lazily."""
        keys = self.sorted_keys
        end = len(keys) if before is None else bisect.bisect_left(keys, before)
        for i in range(end - 1, -1, -1):
            yield dict.__getitem__(self, keys[i][-1])
