"""HTTP/1.1 over a bare socket: requests sent byte for byte as written (invalid UTF-8 in headers, oversized header
blocks, duplicate headers, paths no client library would send), and answers read as they arrive."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

from werkzeug.datastructures import Headers


class RawAnswer:
    """What came back on the socket: ``raw`` is every byte (empty when the server closed without answering)."""

    def __init__(self, raw: bytes, provider: str | None = None):
        self.raw = raw
        self.provider = provider  # whose error format ``tests.support.errors.error_of`` checks
        head, _, self.content = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.status_code = int(lines[0].split(" ")[1]) if raw else 0
        self.headers = Headers([tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line])

    def json(self) -> Any:
        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<raw {self.status_line!r} {self.content[:300]!r}>"


def send(url: str, request: bytes, *, provider: str | None = None, timeout: float = 10) -> RawAnswer:
    """Send ``request`` (a whole HTTP/1.1 request, which should say ``Connection: close``) to the server at ``url``
    and read until it closes the connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading all of it (an oversized header block): read on
        chunks = []
        while True:
            try:
                chunk = sock.recv(1 << 16)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return RawAnswer(b"".join(chunks), provider)


def request(method: str, target: str, headers: dict[str, bytes | str] | list[tuple[str, bytes | str]] | None = None,
            body: bytes = b"") -> bytes:
    """The bytes of one request: header values may be bytes (sent as they are); Content-Length is added for a
    body, and Host and ``Connection: close`` always."""
    pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
    lines = [f"{method} {target} HTTP/1.1".encode("latin-1"), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name.encode("latin-1") + b": " + (value if isinstance(value, bytes) else value.encode("latin-1"))
              for name, value in pairs]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
