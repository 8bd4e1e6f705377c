"""The WSGI app on a real socket, served by waitress (production-grade, keep-alive, threaded), with a bounded
number of connections (a JSON 503 past it, never a silent stall) and an optional access log."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.server import BaseWSGIServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from .app import DroppedConnection, Served

# An idle or slow socket costs one channel in waitress's event loop, not a worker thread (waitress reads a
# whole request before a thread sees it): a thousand of them are cheap, and a normal client is still served.
CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT = 30.0  # seconds a connection may sit idle (no request under way) before it is closed
REFUSALS = 100  # connections over the limit answered 503 at once; past that, new ones wait in the backlog
REQUEST_HEAD_WAIT = 1.0  # seconds an over-the-limit connection may take to send its request line and headers

MAX_REQUEST_HEADER_SIZE = 1 << 20  # bytes of request line and headers waitress reads before its own 431


class FakerouteServer:
    """Serve a WSGI app on ``host:port`` (port 0 picks a free one) in the foreground or a thread.

    >>> from fakeroute.app import FakerouteApp
    >>> from fakeroute.world import World
    >>> with FakerouteServer(FakerouteApp(World())) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 4, *,
                 connection_limit: int = CONNECTION_LIMIT, channel_timeout: float = CHANNEL_TIMEOUT):
        if connection_limit < 1 or channel_timeout <= 0:
            raise ValueError("connection_limit and channel_timeout must be positive")
        self.app = app
        adj = Adjustments(
            host=host, port=port, threads=threads, ident="fakeroute", clear_untrusted_proxy_headers=True,
            # waitress's own limit stops accepting (new clients stall in the backlog); ours answers 503 first.
            connection_limit=connection_limit + REFUSALS + 2,  # + the listening socket and the trigger
            channel_timeout=channel_timeout, cleanup_interval=min(30.0, channel_timeout),
            # The event loop uses select() while every descriptor is under 1024 and poll() past that (_turn):
            # waitress's poll() loop alone served 8 keep-alive clients at a third of the select() loop's rate.
            # Header blocks past the app's own limits (app.MAX_URI_SIZE, MAX_HEADERS_SIZE) reach the app, which
            # refuses them in the provider's error format; waitress's text/plain 431 answers only beyond this.
            max_request_header_size=MAX_REQUEST_HEADER_SIZE,
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(threads)
        # waitress warns "Task queue depth is N" whenever every thread is busy, and this server lets it, as any
        # waitress does: silencing it (an ERROR-level logger) halved the throughput with 8 clients in our runs
        # (README, Performance), the event-loop thread apparently no longer yielding to the workers.
        self._server: BaseWSGIServer = _LimitedServer(app, {}, dispatcher=dispatcher, adj=adj,
                                                      sockinfo=adj.listen[0], limit=connection_limit)
        self._thread: threading.Thread | None = None
        # A served World's webhooks go out over HTTP; in-process they are only recorded. The server switches
        # its World's outbox delivery on while it serves, and off again only if it was the one to switch it on.
        self._outbox = getattr(getattr(app, "world", None), "outbox", None)
        self._owns_delivery = False

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def open_connections(self) -> int:
        """Connections being served now (not counting those being refused)."""
        return len(self._server.active_channels)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until SIGINT/SIGTERM (raised as KeyboardInterrupt/SystemExit in this thread)."""
        self._start_delivery()
        try:
            self._server.run()
        finally:
            self._stop_delivery()

    def start(self) -> FakerouteServer:
        self._start_delivery()
        self._thread = threading.Thread(target=self._server.run, name=f"fakeroute:{self.port}", daemon=True)
        self._thread.start()
        return self

    def _start_delivery(self) -> None:
        if self._outbox is not None and not self._outbox.delivering:
            self._outbox.start_delivery()
            self._owns_delivery = True

    def _stop_delivery(self) -> None:
        if self._owns_delivery:
            self._outbox.stop_delivery()
            self._owns_delivery = False

    def stop(self, timeout: float = 5.0) -> None:
        server = self._server
        server.task_dispatcher.shutdown()
        # Closing every channel empties the loop's map, which ends run() in its own thread.
        try:
            server.trigger.pull_trigger(lambda: _close_all(server))
        except OSError:  # the loop has ended and closed its trigger already: close what is left here
            _close_all(server)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._stop_delivery()

    def __enter__(self) -> FakerouteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _close_all(server: BaseWSGIServer) -> None:
    for channel in list(server._map.values()):
        channel.close()


class _LimitedServer(TcpWSGIServer):
    """waitress's TCP server, answering a connection past ``limit`` with a 503 instead of leaving it unaccepted."""

    def __init__(self, *args: Any, limit: int, **kwargs: Any):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def run(self) -> None:
        """waitress's ``run``, its loop choosing select() or poll() on each turn (``_turn``)."""
        try:
            while self._map:
                _turn(self.adj.asyncore_loop_timeout, self._map)
        except (SystemExit, KeyboardInterrupt):
            self.task_dispatcher.shutdown()

    def handle_accept(self) -> None:
        if len(self.active_channels) < self.limit:
            super().handle_accept()
            return
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is not None:
            _Refusal(accepted[0], self._map, self.limit)


def _turn(timeout: float, channels: dict[int, Any]) -> None:
    """One turn of the event loop: waitress's select() turn while every descriptor fits select() (under
    FD_SETSIZE, 1024), its poll() turn once one does not. With 8 keep-alive clients the poll() turn ran at a
    third of the select() turn's throughput (bench/http_bench.py, README "Performance"), so poll() is kept for
    what select() cannot watch."""
    if max(channels, default=0) < _SELECT_LIMIT:
        wasyncore.poll(timeout, channels)
    else:
        wasyncore.poll2(timeout, channels)


_SELECT_LIMIT = 1024  # FD_SETSIZE on Linux: select() raises ValueError for a descriptor at or past it


class _Refusal(wasyncore.dispatcher):
    """One connection over the limit: read its request head (so the client is not reset mid-send), answer
    ``503`` in JSON with ``Retry-After``, close."""

    def __init__(self, sock: socket.socket, channels: dict[int, Any], limit: int):
        super().__init__(sock, channels)
        body = json.dumps({"error": f"fakeroute is serving its limit of {limit} open connections "
                                    "(--connection-limit); try again"}).encode()
        self.answer = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                       b"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        self.head = b""
        self.deadline = time.monotonic() + REQUEST_HEAD_WAIT
        self.ready = False

    def readable(self) -> bool:
        if not self.ready and time.monotonic() >= self.deadline:
            self.ready = True
        return not self.ready

    def handle_read(self) -> None:
        data = self.recv(8192)
        self.head = (self.head + data)[-4:]
        if not data or b"\r\n\r\n" in self.head or b"\n\n" in self.head:
            self.ready = True

    def writable(self) -> bool:
        return self.ready

    def handle_write(self) -> None:
        sent = self.send(self.answer)
        self.answer = self.answer[sent:]
        if not self.answer:
            self.close()

    def handle_close(self) -> None:
        self.close()


class AccessLog:
    """Wraps a FakerouteApp: one line per request on ``stream`` (method, path, provider, account, status, ms),
    as text or, with ``json_lines``, one JSON object per line."""

    def __init__(self, app: Any, stream: TextIO, *, json_lines: bool = False):
        self.app = app
        self.world = app.world  # the server switches this World's webhook delivery on
        self.json_lines = json_lines
        self._log = logging.getLogger(f"fakeroute.access.{id(self)}")
        self._log.propagate = False
        self._log.setLevel(logging.INFO)
        handler = logging.StreamHandler(stream)  # one write per line, under the handler's lock
        handler.setFormatter(logging.Formatter("%(message)s"))
        self._log.addHandler(handler)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()
        try:
            served = self.app.serve(environ, start_response)  # remembered replies too, as without the log
        except DroppedConnection as dropped:
            self._line(environ, dropped.served, started)
            raise
        self._line(environ, served, started)
        return served.body

    def _line(self, environ: dict[str, Any], served: Served, started: float) -> None:
        ms = round((time.perf_counter() - started) * 1000, 1)
        # Percent-encoded where unprintable: a path cannot start a line of its own in the log.
        path = "".join(c if c.isprintable() and c != " " else f"%{ord(c):02X}" for c in environ.get("PATH_INFO", ""))
        provider = served.provider
        if provider is None and (path == "/_fakeroute" or path.startswith("/_fakeroute/")):
            provider = "admin"
        account, method, status = served.account, environ.get("REQUEST_METHOD", ""), served.status
        if self.json_lines:
            self._log.info(json.dumps({
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"), "remote": environ.get("REMOTE_ADDR"),
                "method": method, "path": path, "provider": provider, "account": account, "status": status,
                "ms": ms}))
        else:
            self._log.info(f"{environ.get('REMOTE_ADDR', '-')} {method} {path} {provider or '-'} {account or '-'} "
                           f"{status} {ms}ms")
