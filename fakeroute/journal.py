"""Every provider request and its answer, recorded; queries and assertions that read like respx's."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from .validation import MAX_DEPTH, nested_deeper_than

DEFAULT_LIMIT = 10_000  # calls kept, the oldest dropped first
DEFAULT_MAX_BYTES = 32 << 20  # what the kept calls may hold (bodies, headers, the path and query, overhead)
DEFAULT_MAX_BODY = 64 << 10  # a longer request or response body is kept truncated, with its size and SHA-256
_ENTRY_OVERHEAD = 600  # bytes a call costs beyond its bodies and headers (the Recorded, its dict, its strings)


@dataclass(slots=True)
class Recorded:
    """One call the fake answered: what was asked, by which account, and what it answered.

    What is recorded is kept raw (bytes, the query string, WSGI header keys) and parsed when read
    (``body``, ``response``, ``query``, ``headers``), so recording costs next to nothing per call.
    """

    provider: str | None
    method: str
    path: str
    query_string: str
    raw_body: bytes
    status: int
    raw_response: bytes | None  # None when the connection was dropped
    account: str | None = None  # the account the credentials named, when they did
    when: datetime | None = None  # the fake clock at the call
    raw_headers: dict[str, str] = field(default_factory=dict)  # WSGI keys: HTTP_USER_AGENT, CONTENT_TYPE
    response_type: str | None = None
    # Set by the journal when it kept only the first ``max_body`` bytes of a body: its full size and SHA-256.
    body_truncated: tuple[int, str] | None = None
    response_truncated: tuple[int, str] | None = None

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @property
    def headers(self) -> dict[str, str]:
        """The request headers (``Authorization`` masked)."""
        out = {}
        for key, value in self.raw_headers.items():
            name = key.removeprefix("HTTP_").replace("_", "-").title()
            out[name] = "***" if name == "Authorization" else value
        return out

    @property
    def content_type(self) -> str | None:
        return self.raw_headers.get("CONTENT_TYPE")

    @property
    def time(self) -> str:
        return self.when.isoformat() if self.when else ""

    @property
    def body(self) -> Any:
        """The request body: parsed JSON, a form as a dict, the text, or None."""
        return parse_body(self.raw_body, self.content_type)

    @property
    def response(self) -> Any:
        """The answer's body, parsed the same way (None when empty or dropped)."""
        return None if self.raw_response is None else parse_body(self.raw_response, self.response_type)

    def to_dict(self, bodies: bool = True) -> dict[str, Any]:
        """The call as JSON; without ``bodies`` the request and response bodies are left out."""
        document = {
            "provider": self.provider, "method": self.method, "path": self.path, "query": self.query,
            "status": self.status, "account": self.account, "time": self.time, "headers": self.headers,
        }
        if bodies:
            document["body"] = self.body
            document["response"] = self.response
            truncated = {part: {"size": kept[0], "sha256": kept[1]}
                         for part, kept in (("body", self.body_truncated), ("response", self.response_truncated))
                         if kept}
            if truncated:
                document["truncated"] = truncated  # body/response then hold the text of the kept start
        return document

    @property
    def cost(self) -> int:
        """What keeping this call costs, in bytes (an estimate the journal's ``max_bytes`` is counted in)."""
        headers = self.raw_headers
        return (len(self.raw_body) + len(self.raw_response or b"") + len(self.path) + len(self.query_string)
                + sum(map(len, headers)) + sum(map(len, headers.values())) + _ENTRY_OVERHEAD)

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, values in self.query.items() for v in values)
        return f"{self.provider or '-'} {self.method} {self.path}{'?' + query if query else ''} -> {self.status}"


def parse_body(data: bytes, content_type: str | None) -> Any:
    """A request or response body as a test wants to read it."""
    if not data:
        return None
    text = data.decode("utf-8", errors="replace")
    if content_type and "x-www-form-urlencoded" in content_type:
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(text, keep_blank_values=True).items()}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    # A body nested deeper than any request may be (the app refused it) stays text: encoding it again as JSON
    # (the admin API, the dashboard) would recurse once per level.
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH and nested_deeper_than(value, MAX_DEPTH):
        return text
    return value


class Journal:
    """The calls of one World, oldest first. Thread-safe; cleared by ``World.reset()``.

    Bounded however long a session runs: at most ``limit`` calls holding at most ``max_bytes`` (by
    ``Recorded.cost``), the oldest dropped first (``dropped`` counts them); a request or response body over
    ``max_body`` bytes is kept truncated to that, with its full size and SHA-256. Each bound may be set on
    a World's journal at any time (``world.journal.max_body = 1 << 20``).

    >>> journal = Journal()
    >>> journal.record(Recorded("flowroute", "GET", "/v2/routes", "limit=5", b"", 200, b'{"data": []}'))
    >>> len(journal.filter(method="GET", path="/v2/*"))
    1
    """

    def __init__(self, limit: int = DEFAULT_LIMIT, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_body: int = DEFAULT_MAX_BODY):
        self.limit = limit
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.bytes = 0  # the kept calls' cost
        self.dropped = 0  # calls dropped to stay within the bounds since the last clear
        self._entries: deque[Recorded] = deque()  # the oldest leaves from the left in O(1), however many are kept
        self._costs: deque[int] = deque()  # each entry's cost, counted once
        self._lock = threading.Lock()

    def record(self, entry: Recorded, cost: int | None = None) -> None:
        """Keep a call (``cost``: its ``Recorded.cost`` when the caller knows it), dropping the oldest past the
        bounds."""
        if len(entry.raw_body) > self.max_body:
            entry.body_truncated = (len(entry.raw_body), hashlib.sha256(entry.raw_body).hexdigest())
            entry.raw_body = entry.raw_body[:self.max_body]
        if entry.raw_response is not None and len(entry.raw_response) > self.max_body:
            entry.response_truncated = (len(entry.raw_response), hashlib.sha256(entry.raw_response).hexdigest())
            entry.raw_response = entry.raw_response[:self.max_body]
        if cost is None or entry.body_truncated or entry.response_truncated:
            cost = entry.cost
        with self._lock:
            entries, costs = self._entries, self._costs
            entries.append(entry)
            costs.append(cost)
            self.bytes += cost
            while len(entries) > self.limit or (self.bytes > self.max_bytes and len(entries) > 1):
                entries.popleft()
                self.bytes -= costs.popleft()
                self.dropped += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._costs.clear()
            self.bytes = 0
            self.dropped = 0

    def __iter__(self) -> Iterator[Recorded]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._entries)

    def all(self) -> list[Recorded]:
        with self._lock:
            return list(self._entries)

    @property
    def last(self) -> Recorded | None:
        with self._lock:
            return self._entries[-1] if self._entries else None

    def filter(
        self,
        provider: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        *,
        account: str | None = None,
        since: datetime | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> list[Recorded]:
        """Calls matching every given criterion, oldest first (see ``matches``)."""
        wanted = Match(provider, method, path, status, account, since, query, body)
        return [e for e in self.all() if wanted.matches(e)]

    def assert_called(
        self,
        provider: str | None = None,
        method: str | None = None,
        path: str | None = None,
        *,
        times: int | None = None,
        status: int | None = None,
        account: str | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> list[Recorded]:
        """The matching calls; raises AssertionError listing the calls made when they do not fit.

        Without ``times`` at least one call must match. pytest shows the caller's frame, not this one.
        """
        __tracebackhide__ = True
        wanted = Match(provider, method, path, status, account, None, query, body)
        made = self.all()
        found = [e for e in made if wanted.matches(e)]
        if (times is None and not found) or (times is not None and len(found) != times):
            expected = "at least once" if times is None else "never" if times == 0 else f"{times} time(s)"
            raise AssertionError(f"expected {wanted} {expected}, found {len(found)}; "
                                 + calls_made(made, wanted))
        return found

    def assert_not_called(
        self,
        provider: str | None = None,
        method: str | None = None,
        path: str | None = None,
        *,
        status: int | None = None,
        account: str | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> None:
        __tracebackhide__ = True
        self.assert_called(provider, method, path, times=0, status=status, account=account, query=query, body=body)


SHOWN_CALLS = 50  # the most recent calls an assertion message lists


def calls_made(made: list[Recorded], wanted: Match) -> str:
    """The calls made, one a line, the ones ``wanted`` matches marked with ``*``; the most recent when many."""
    if not made:
        return "no calls were made at all"
    shown = made[-SHOWN_CALLS:]
    header = f"calls made ({len(made)}, * = matches)" if len(shown) == len(made) else \
        f"calls made ({len(made)}, the last {len(shown)} shown, * = matches)"
    return header + ":\n" + "\n".join(f"  {'*' if wanted.matches(e) else ' '} {e}" for e in shown)


@lru_cache(maxsize=512)
def path_pattern(pattern: str) -> re.Pattern[str]:
    """A path pattern as a regex: ``*`` stands for any text within one segment, ``**`` for any text across
    segments; everything else is literal. ``/v2/numbers/*`` matches ``/v2/numbers/12065550100`` but not
    ``/v2/numbers/12065550100/relationships/primary_route``, which ``/v2/numbers/**`` matches."""
    parts = re.split(r"(\*\*|\*)", pattern)
    return re.compile("".join(".*" if p == "**" else "[^/]*" if p == "*" else re.escape(p) for p in parts) + r"\Z")


def contains(document: Any, expected: Any) -> bool:
    """Whether ``document`` holds ``expected``: dicts by the keys ``expected`` names (recursively), anything
    else by equality. ``{"data": {"attributes": {"to": "12065551234"}}}`` matches a message sent to that number."""
    if isinstance(expected, Mapping):
        return isinstance(document, Mapping) and all(
            key in document and contains(document[key], value) for key, value in expected.items())
    return document == expected


@dataclass(frozen=True)
class Match:
    """What a query or an assertion looks for; ``None`` criteria match anything.

    ``path`` is a pattern (``path_pattern``); ``query`` maps parameter names to a value (one given once) or a
    list (every value, in order); ``body`` is matched with ``contains`` against the parsed body.
    """

    provider: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    account: str | None = None
    since: datetime | None = None
    query: Mapping[str, Any] | None = None
    body: Any = None

    def matches(self, entry: Recorded) -> bool:
        if self.provider is not None and entry.provider != self.provider:
            return False
        if self.method is not None and entry.method != self.method.upper():
            return False
        if self.path is not None and entry.path != self.path and not path_pattern(self.path).match(entry.path):
            return False
        if self.status is not None and entry.status != self.status:
            return False
        if self.account is not None and entry.account != self.account:
            return False
        if self.since is not None and (entry.when is None or entry.when < self.since):
            return False
        if self.query is not None:
            query = entry.query
            for name, value in self.query.items():
                values = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
                if query.get(name) != values:
                    return False
        return self.body is None or contains(entry.body, self.body)

    def __str__(self) -> str:
        text = " ".join(str(x) for x in (self.provider, self.method and self.method.upper(), self.path)
                        if x is not None) or "any call"
        if self.query is not None:
            text += f" with query {dict(self.query)}"
        if self.body is not None:
            text += f" with body containing {self.body!r}"
        if self.account is not None:
            text += f" by account {self.account!r}"
        if self.status is not None:
            text += f" -> {self.status}"
        return text
