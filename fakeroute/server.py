"""The WSGI app on a real socket, served by waitress (production-grade, keep-alive, threaded)."""

from __future__ import annotations

import threading
from typing import Any

from waitress import create_server
from waitress.server import BaseWSGIServer

MAX_REQUEST_HEADER_SIZE = 1 << 20  # bytes of request line and headers waitress reads before its own 431


class FakerouteServer:
    """Serve a WSGI app on ``host:port`` (port 0 picks a free one) in the foreground or a thread.

    >>> from fakeroute.app import FakerouteApp
    >>> from fakeroute.world import World
    >>> with FakerouteServer(FakerouteApp(World())) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 4):
        self.app = app
        self._server: BaseWSGIServer = create_server(
            app, host=host, port=port, threads=threads, ident="fakeroute", clear_untrusted_proxy_headers=True,
            # Header blocks past the app's own limits (app.MAX_URI_SIZE, MAX_HEADERS_SIZE) reach the app, which
            # refuses them in the provider's error format; waitress's text/plain 431 answers only beyond this.
            max_request_header_size=MAX_REQUEST_HEADER_SIZE,
        )
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
        server.trigger.pull_trigger(lambda: _close_all(server))
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
