"""A webhook receiver on 127.0.0.1 for the tests of delivery, and loopback URLs where nothing listens."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """A webhook receiver on 127.0.0.1 (``port``, default a free one) in a thread. It answers with ``statuses``
    in turn, then 200, waiting ``delay`` seconds first, and keeps every request it got in ``received``."""

    def __init__(self, statuses: tuple[int, ...] = (), delay: float = 0.0, port: int = 0):
        self.received: list[dict[str, Any]] = []
        self._statuses = list(statuses)
        self._got = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                with receiver._got:
                    status = receiver._statuses.pop(0) if receiver._statuses else 200
                    receiver.received.append({"path": self.path, "headers": dict(self.headers),
                                              "json": json.loads(body), "answered": status})
                    receiver._got.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._got:
            self._got.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_url() -> str:
    """A loopback URL nothing listens on: a receiver that is down."""
    return f"http://127.0.0.1:{free_port()}/down"
