"""A webhook receiver on 127.0.0.1 for the tests of delivery, and loopback URLs where nothing listens."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How long a held request waits for ``release()`` at most. Only a test that is failing already (its call never
# came back because it waited for the receiver) gets this far; then the receiver answers, late.
HOLD_LIMIT = 30.0


class Receiver:
    """A webhook receiver on 127.0.0.1 (``port``, default a free one) in a thread.

    It answers with ``statuses`` in turn, then 200, and keeps every request it answered in ``received``; with
    ``hang_up`` it reads each request and closes the connection without any answer. With ``hold`` it answers
    nothing until the test calls ``release()`` (or leaves the ``with`` block): a receiver exactly as slow as the
    test needs, never a race against a sleep. ``arrived`` keeps every request as soon as it is read.
    """

    def __init__(self, statuses: tuple[int, ...] = (), *, hold: bool = False, hang_up: bool = False, port: int = 0):
        self.arrived: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self._statuses = list(statuses)
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self._got = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                with receiver._got:
                    receiver.arrived.append(request)
                    receiver._got.notify_all()
                receiver._released.wait(HOLD_LIMIT)
                if hang_up:
                    self.close_connection = True
                    return
                with receiver._got:
                    status = receiver._statuses.pop(0) if receiver._statuses else 200
                    receiver.received.append({**request, "answered": status})
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
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Let held requests be answered (or hung up on), and every later one at once."""
        self._released.set()

    def wait_for_arrival(self, count: int, timeout: float = 5.0) -> bool:
        """Whether ``count`` requests have reached the receiver (answered or not) within ``timeout`` seconds."""
        with self._got:
            return self._got.wait_for(lambda: len(self.arrived) >= count, timeout)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The requests answered once there are ``count`` of them, or whatever there is after ``timeout``."""
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
