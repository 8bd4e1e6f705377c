"""The indexed dicts behind numbers, routes and messages: every way a dict can change keeps each index equal to
what a scan of the dict would find, and a copy is independent of its original."""

from __future__ import annotations

import copy
import pickle
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fakeroute.indexes import IndexedDict, NewestFirst
from fakeroute.providers.agentmessage.models import InboundMessage
from fakeroute.providers.flowroute.models import FIRST_ROUTE_ID, MessageLog, Number, NumberBook, Route, RouteBook
from fakeroute.providers.flowroute.models import Message as Mdr

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def number(rng: random.Random, key: str | None = None) -> tuple[str, Number]:
    value = key or f"1{rng.randrange(200, 1000)}{rng.randrange(10**7):07d}"
    return value, Number(value, "standard", None, "wa", alias=str(rng.random()))


def route(rng: random.Random, key: str | None = None) -> tuple[str, Route]:
    route_id = key or str(rng.randrange(1, 200_000))
    return route_id, Route(route_id, "host", "sip.example.com", f"alias-{rng.randrange(10**9)}")


def mdr(rng: random.Random, key: str | None = None) -> tuple[str, Mdr]:
    message_id = key or f"mdr2-{rng.randrange(16**32):032x}"
    at = T0 + timedelta(seconds=rng.randrange(50))  # few distinct times: ties everywhere
    return message_id, Mdr(message_id, "outbound", "12065550100", "12065550123", "hi", at, False, (), "longcode", 0,
                           4_000_000, (), "delivered")


def inbound(rng: random.Random, key: str | None = None) -> tuple[str, InboundMessage]:
    message_id = key or f"{rng.randrange(16**32):032x}"
    return message_id, InboundMessage(message_id, "n1", "+12065550123", "+14155550123", "hi", "sms", (), 1, None,
                                      T0 + timedelta(seconds=rng.randrange(50)))


def check_numbers(book: NumberBook) -> None:
    assert book.sorted_keys == sorted(book)
    assert all(book.starting_with(p) == [k for k in sorted(book) if k.startswith(p)] for p in ("1", "12", "19", ""))


def check_routes(book: RouteBook) -> None:
    assert all(book.with_alias(r.alias) is r for r in book.values())
    assert book.with_alias("nobody") is None
    assert book.next_id() == max([FIRST_ROUTE_ID, *(int(k) + 1 for k in book)])


def check_mdrs(log: MessageLog) -> None:
    everything = list(log.values())
    for start, before, offset, limit in ((T0, None, 0, 10), (T0 + timedelta(seconds=10), T0 + timedelta(seconds=30),
                                                             3, 5), (T0 + timedelta(seconds=60), None, 0, 10)):
        found = [m for m in reversed(everything) if m.timestamp >= start and (before is None or m.timestamp < before)]
        found.sort(key=lambda m: m.timestamp, reverse=True)
        assert log.newest_between(start, before, offset, limit) == (found[offset:offset + limit], len(found))


def check_newest(index: NewestFirst) -> None:
    expected = sorted(index.values(), key=lambda m: m.sort_key, reverse=True)
    assert list(index.newest_first()) == expected
    if expected:
        middle = expected[len(expected) // 2].sort_key
        assert list(index.newest_first(middle)) == [m for m in expected if m.sort_key < middle]


CASES: list[tuple[Callable[[], IndexedDict], Callable[[random.Random], tuple[str, Any]], Callable[[Any], None]]] = [
    (NumberBook, number, check_numbers),
    (RouteBook, route, check_routes),
    (MessageLog, mdr, check_mdrs),
    (NewestFirst, inbound, check_newest),
]


@pytest.mark.parametrize(("kind", "make", "check"), CASES, ids=["numbers", "routes", "mdrs", "newest_first"])
def test_every_change_keeps_the_index_equal_to_a_scan(kind, make, check):
    rng = random.Random(11)
    book = kind()
    shadow: dict[str, Any] = {}
    for step in range(600):
        action = rng.choice(["set", "set", "set", "replace", "del", "pop", "popitem", "setdefault", "update",
                             "ior", "copy"] + (["clear"] if step % 150 == 149 else []))
        key, value = make(rng)
        if action in ("replace", "del", "pop") and shadow:
            key, value = make(rng, rng.choice(list(shadow)))  # another record under a key in use
        if action in ("set", "replace"):
            book[key] = shadow[key] = value
        elif action == "del" and key in shadow:
            del book[key], shadow[key]
        elif action == "pop":
            assert book.pop(key, None) == shadow.pop(key, None)
        elif action == "popitem" and shadow:
            assert book.popitem() == shadow.popitem()
        elif action == "setdefault":
            assert book.setdefault(key, value) == shadow.setdefault(key, value)
        elif action in ("update", "ior"):
            more = dict(make(rng) for _ in range(3))
            if action == "update":
                book.update(more)
            else:
                book |= more
            shadow.update(more)
        elif action == "copy":
            copied = book.copy()
            assert type(copied) is kind and dict(copied) == shadow
            copied.update(dict(make(rng) for _ in range(3)))  # the copy's changes leave the original alone
            check(copied)
        elif action == "clear":
            book.clear()
            shadow.clear()
        assert dict(book) == shadow and list(book) == list(shadow)
        check(book)
    for clone in (copy.copy(book), pickle.loads(pickle.dumps(book))):
        assert type(clone) is kind and dict(clone) == shadow
        check(clone)


def test_a_removed_highest_route_id_is_found_again():
    book = RouteBook({"0": Route("0", "sip-reg", None, "sip-reg")})
    book["99000"] = Route("99000", "host", "a.example.com", "a")
    book["99500"] = Route("99500", "host", "b.example.com", "b")
    assert book.next_id() == 99_501
    del book["99500"]
    assert book.next_id() == 99_001 and book.with_alias("b") is None
