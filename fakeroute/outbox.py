"""Webhooks the fake emits (delivery receipts, inbound messages): recorded, POSTed on a thread when switched on,
or handed in-process to an app under test by a pluggable sender."""

from __future__ import annotations

import http.client
import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
DEFAULT_TIMEOUT = 2.0  # seconds per attempt: a receiver that hangs must not stall the others for long
# Flowroute retries a callback four times, 30 s apart; tests cannot wait minutes, so the fake keeps the count
# (one try and four retries) and shortens the waits. Both are settable per Outbox.
DEFAULT_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4)
POLL_INTERVAL = 0.02  # how often the delivery thread looks at the fake clock while webhooks wait for their time
USER_AGENT = "fakeroute-webhooks"
DEFAULT_MAX_WEBHOOKS = 10_000  # kept per Outbox; past it the oldest settled webhook is dropped first

Sender = Callable[["Webhook"], tuple[int | None, str | None]]
"""One attempt at delivering a webhook: the HTTP status it got, or None and why there was none."""


@dataclass(frozen=True)
class Attempt:
    """One HTTP POST of a webhook: when (real time), what came back, how long it took."""

    number: int
    at: datetime
    status: int | None  # None: no HTTP answer (refused, timed out, reset)
    error: str | None
    duration_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": self.at.isoformat(),
            "status": self.status,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 1),
        }


@dataclass
class Webhook:
    """A callback the fake emits at ``at`` (fake clock time): the target, the JSON payload and its fate.

    ``state``: ``recorded`` (delivery is off: kept, never sent), ``pending`` (waiting for its time or a
    retry), ``delivered`` (a 2xx answer), ``failed`` (every attempt failed), ``blocked`` (the target host is
    not an allowed one; never sent). Before ``at`` the webhook has not happened yet and shows as ``scheduled``.
    """

    id: str
    provider: str
    account: str
    kind: str  # e.g. "dlr", "inbound_sms", "inbound_mms"
    url: str
    payload: Any
    at: datetime
    headers: dict[str, str] = field(default_factory=dict)
    state: str = "recorded"
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None  # why a webhook is blocked
    generation: int = 0
    next_try: float = 0.0  # time.monotonic() of the next attempt while pending

    def body(self) -> bytes:
        return json.dumps(self.payload, separators=(",", ":")).encode()

    def wire_headers(self) -> dict[str, str]:
        """Every header of the POST, as sent over HTTP and handed to an app in-process alike."""
        return {"Host": urlsplit(self.url).netloc, "Accept-Encoding": "identity", **self.headers,
                "Content-Length": str(len(self.body()))}

    def state_at(self, now: datetime) -> str:
        return "scheduled" if self.at > now else self.state

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "account": self.account,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "method": "POST",
            "url": self.url,
            "headers": dict(self.headers),
            "payload": self.payload,
            "state": self.state_at(now),
            "error": self.error,
            "attempts": [a.to_dict() for a in self.attempts],
        }


class Outbox:
    """Every webhook of one World, in the order they happen on its clock; optionally delivered over HTTP.

    Recording never blocks: ``record`` appends and, when delivery is on, wakes the delivery thread, which
    POSTs each webhook once the fake clock reaches its time, retrying failures with a short backoff. Only
    hosts in ``allowed_hosts`` (default: loopback) are ever contacted. At most ``max_webhooks`` are kept: past
    that the oldest one not waiting for delivery is dropped (``dropped`` counts them), so memory stays bounded.

    >>> from fakeroute.world import Clock
    >>> outbox = Outbox(Clock())
    >>> hook = outbox.record("flowroute", "default", "dlr", "http://127.0.0.1:9/dlr", {"data": {}})
    >>> [(w.id, w.state) for w in outbox]
    [('wh-1', 'recorded')]
    """

    def __init__(
        self,
        clock: Any,
        *,
        allowed_hosts: Iterable[str] = (),
        timeout: float = DEFAULT_TIMEOUT,
        retry_delays: Iterable[float] = DEFAULT_RETRY_DELAYS,
        sender: Sender | None = None,
        max_webhooks: int = DEFAULT_MAX_WEBHOOKS,
    ):
        self.clock = clock
        self.sender = sender or self.post  # what the delivery thread sends with: an HTTP POST unless told
        self.max_webhooks = max_webhooks
        self.dropped = 0  # webhooks dropped to stay within max_webhooks since the last clear
        self.allowed_hosts = set(allowed_hosts)  # besides loopback; "*" allows any host
        self.timeout = timeout
        self.retry_delays = tuple(retry_delays)
        self._cond = threading.Condition()
        self._webhooks: list[Webhook] = []
        self._pending: list[Webhook] = []
        self._serial = 0
        self._generation = 0
        # Moves on with every change a reader could see (a webhook recorded, tried, dropped, forgotten): see version.
        self.changes = 0
        self._busy = 0  # attempts under way on the delivery thread
        self._thread: threading.Thread | None = None
        self._handing = False  # deliver_due under way

    # -- recording --------------------------------------------------------------------------------

    def record(
        self,
        provider: str,
        account: str,
        kind: str,
        url: str,
        payload: Any,
        *,
        at: datetime | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Webhook:
        """Keep a webhook that happens at ``at`` (default: now on the fake clock); never blocks."""
        with self._cond:
            self._serial += 1
            self.changes += 1
            webhook = Webhook(
                id=f"wh-{self._serial}",
                provider=provider,
                account=account,
                kind=kind,
                url=url,
                payload=payload,
                at=at if at is not None else self.clock.peek(),
                headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})},
                generation=self._generation,
            )
            self._webhooks.append(webhook)
            if self._thread is not None:
                problem = self.refusal(url)
                if problem:
                    webhook.state, webhook.error = "blocked", problem
                else:
                    webhook.state = "pending"
                    self._pending.append(webhook)
                    self._cond.notify_all()
            while len(self._webhooks) > self.max_webhooks:
                self._drop_oldest()
            return webhook

    def _drop_oldest(self) -> None:
        """Forget the oldest webhook that is not waiting for delivery (or, if every one is, the oldest)."""
        index = next((i for i, w in enumerate(self._webhooks) if w.state != "pending"), 0)
        victim = self._webhooks.pop(index)
        if victim.state == "pending":
            self._pending = [w for w in self._pending if w is not victim]
        self.dropped += 1

    def refusal(self, url: str) -> str | None:
        """Why the fake will not POST to ``url``, or None when it may."""
        problem = url_problem(url)
        if problem:
            return problem
        host = urlsplit(url).hostname or ""
        if "*" in self.allowed_hosts or host.lower() in self.allowed_hosts or is_loopback(host):
            return None
        return f"host {host} is not an allowed webhook host (allowed: loopback{self._extra_hosts()})"

    def _extra_hosts(self) -> str:
        return "".join(f", {h}" for h in sorted(self.allowed_hosts))

    def clear(self) -> None:
        """Forget every webhook (World.reset): retries still under way for them are dropped."""
        with self._cond:
            self._webhooks.clear()
            self._pending.clear()
            self.dropped = 0
            self._serial = 0
            self._generation += 1
            self.changes += 1
            self._cond.notify_all()

    @property
    def version(self) -> int:
        """Tells what readers see apart: 0 while empty, else a count of changes that never goes back. The app's
        remembered replies are only good while it stands still (``World.replies_version``)."""
        return self.changes if self._webhooks else 0

    # -- reading ----------------------------------------------------------------------------------

    def webhooks(
        self,
        *,
        provider: str | None = None,
        account: str | None = None,
        kind: str | None = None,
        url: str | None = None,
        scheduled: bool = False,
    ) -> list[Webhook]:
        """Webhooks that have happened by the fake clock (and, with ``scheduled``, those still to come),
        in the order they happen, filtered by whichever arguments are given."""
        now = None if scheduled else self.clock.peek()
        with self._cond:
            found = [
                w for w in self._webhooks
                if (now is None or w.at <= now)
                and (provider is None or w.provider == provider)
                and (account is None or w.account == account)
                and (kind is None or w.kind == kind)
                and (url is None or w.url == url)
            ]
        return sorted(found, key=lambda w: w.at)  # stable: ties keep the order they were recorded in

    def __iter__(self) -> Iterator[Webhook]:
        return iter(self.webhooks())

    def __len__(self) -> int:
        return len(self.webhooks())

    def to_list(self, **filters: Any) -> list[dict[str, Any]]:
        now = self.clock.peek()
        return [w.to_dict(now) for w in self.webhooks(**filters)]

    # -- delivery ---------------------------------------------------------------------------------

    @property
    def delivering(self) -> bool:
        return self._thread is not None

    def start_delivery(self) -> None:
        """POST webhooks from now on, on a thread of this Outbox's own (the server switches this on)."""
        with self._cond:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name=f"fakeroute-outbox@{id(self):x}", daemon=True)
            self._thread.start()

    def stop_delivery(self, timeout: float = 5.0) -> None:
        """Stop POSTing; webhooks not yet delivered stay in the outbox as they are."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every webhook due by the fake clock is delivered, failed or blocked (True), or the
        timeout passes (False). Webhooks still scheduled in the fake future are not waited for."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._busy or any(w.at <= self.clock.peek() for w in self._pending):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, POLL_INTERVAL))
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                # A thread told to stop may still be finishing an attempt when delivery is switched on again:
                # only the current delivery thread carries on.
                if self._thread is not threading.current_thread():
                    return
                ready, wait = self._take_ready()
                if not ready:
                    self._cond.wait(wait)
                    continue
                self._busy += 1
            try:
                self._attempt(ready)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _take_ready(self) -> tuple[Webhook | None, float | None]:
        """The next webhook to try now, or how long to sleep (None: until something is recorded)."""
        now, moment = self.clock.peek(), time.monotonic()
        ready = [w for w in self._pending if w.at <= now and w.next_try <= moment]
        if ready:
            webhook = min(ready, key=lambda w: w.at)  # the earliest event first, ties in recording order
            self._pending.remove(webhook)
            return webhook, None
        # A webhook in the fake future becomes due when the clock is moved: look again soon.
        waits = [POLL_INTERVAL if w.at > now else w.next_try - moment for w in self._pending]
        return None, min(waits) if waits else None

    def _attempt(self, webhook: Webhook) -> None:
        attempt = self._try(webhook, self.sender)
        with self._cond:
            if self._settle(webhook, attempt):
                webhook.next_try = time.monotonic() + self.retry_delays[len(webhook.attempts) - 1]
                self._pending.append(webhook)

    def _try(self, webhook: Webhook, send: Sender) -> Attempt:
        started = time.monotonic()
        status, error = send(webhook)
        return Attempt(len(webhook.attempts) + 1, datetime.now(UTC), status, error,
                       (time.monotonic() - started) * 1000)

    def _settle(self, webhook: Webhook, attempt: Attempt) -> bool:
        """Record an attempt (the lock held): whether the webhook is to be tried again."""
        if webhook.generation != self._generation:
            return False  # the outbox was cleared meanwhile: this webhook is gone
        self.changes += 1
        webhook.attempts.append(attempt)
        if attempt.status is not None and 200 <= attempt.status < 300:
            webhook.state = "delivered"
        elif len(webhook.attempts) > len(self.retry_delays):
            webhook.state = "failed"
        else:
            return True
        return False

    def post(self, webhook: Webhook) -> tuple[int | None, str | None]:
        """The default sender: an HTTP POST of the webhook to its URL."""
        return post_json(webhook.url, webhook.body(), webhook.wire_headers(), self.timeout)

    # -- in-process delivery ----------------------------------------------------------------------

    def deliver_due(self, send: Sender, takes: Callable[[str], bool] = lambda url: True) -> list[Webhook]:
        """Hand ``send``, on the calling thread, every recorded webhook due by the fake clock whose URL ``takes``
        accepts, earliest first (ties in recording order); a failed attempt is tried again at once, as many
        times as the delivery thread would. For in-process delivery, with the delivery thread off.

        A call made while one is under way (by the app a webhook is handed to, or another thread) returns []
        at once: the one under way goes on to deliver whatever falls due meanwhile.
        """
        with self._cond:
            if self._thread is not None:
                raise RuntimeError("this outbox delivers over HTTP from its thread; deliver_due is for in-process")
            if self._handing:
                return []
            self._handing = True
        delivered: list[Webhook] = []
        try:
            while (webhook := self._next_due(takes)) is not None:
                while True:
                    attempt = self._try(webhook, send)
                    with self._cond:
                        if not self._settle(webhook, attempt):
                            break
                delivered.append(webhook)
        finally:
            with self._cond:
                self._handing = False
        return delivered

    def _next_due(self, takes: Callable[[str], bool]) -> Webhook | None:
        with self._cond:
            now = self.clock.peek()
            while True:
                due = [w for w in self._webhooks if w.state == "recorded" and w.at <= now and takes(w.url)]
                if not due:
                    return None
                webhook = min(due, key=lambda w: w.at)  # the first of equal times: the one recorded first
                self.changes += 1
                problem = url_problem(webhook.url)
                if not problem:
                    webhook.state = "pending"
                    return webhook
                webhook.state, webhook.error = "blocked", problem


def post_json(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> tuple[int | None, str | None]:
    """POST ``body`` to ``url``: the HTTP status, or None and why there was none. No proxies, no redirects."""
    parts = urlsplit(url)
    connection_class: Callable[..., http.client.HTTPConnection] = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        # A Host or Accept-Encoding among the headers replaces the one http.client would add.
        connection.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        response.read()
        return response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot take a webhook at all (not an http(s) URL with a host), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return f"{url!r} is not a valid URL"
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) URL"
    return None


def is_loopback(host: str) -> bool:
    """localhost, or an address in 127.0.0.0/8 or ::1."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
