"""In-process interception: `requests` and `httpx` calls to the providers' real hosts go to the WSGI app.

Unmodified code and official SDKs (the ``twilio`` package sends through a ``requests.Session``) keep
calling ``https://api.flowroute.com``, ``https://routes.twilio.com`` and ``https://api.agentmsg.io``;
while an ``Interceptor`` is active those calls are answered by the fake with no socket. Calls to
other hosts go out untouched, or fail loudly with ``block_unknown_hosts=True`` (loopback is always
allowed, so a local receiver or ``fakeroute serve`` still works).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from werkzeug.test import EnvironBuilder, run_wsgi_app

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class BlockedHostError(ConnectionError):
    """A call to a host neither fakeroute nor loopback while unknown hosts are blocked."""


class Interceptor:
    """Patches ``requests`` and ``httpx`` (sync and async) while active; a context manager.

    >>> from fakeroute.app import FakerouteApp
    >>> from fakeroute.world import World
    >>> import requests
    >>> with Interceptor(FakerouteApp(World())):
    ...     requests.get("https://api.flowroute.com/v2/routes", auth=("fakeroute", "fakeroute-secret")).status_code
    200
    """

    def __init__(self, app: Any, hosts: Iterable[str] | None = None, *, block_unknown_hosts: bool = False):
        self.app = app
        if hosts is None:
            hosts = [h for provider in app.world.providers for h in provider.hosts]
        self.hosts = frozenset(h.lower() for h in hosts)
        self.block_unknown_hosts = block_unknown_hosts
        self._undo: list[tuple[Any, str, Any]] = []

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> Interceptor:
        if self._undo:
            raise RuntimeError("this interceptor is already active")
        self._patch_requests()
        self._patch_httpx()
        return self

    def stop(self) -> None:
        """Put back what ``start`` replaced (in reverse order, so nested interceptors unwind cleanly)."""
        while self._undo:
            owner, name, original = self._undo.pop()
            setattr(owner, name, original)

    @property
    def active(self) -> bool:
        return bool(self._undo)

    def __enter__(self) -> Interceptor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _replace(self, owner: Any, name: str, replacement: Any) -> Any:
        original = owner.__dict__[name]
        self._undo.append((owner, name, original))
        setattr(owner, name, replacement)
        return original

    # -- routing ----------------------------------------------------------------------------------

    def intercepts(self, host: str) -> bool:
        host = host.lower()
        if host in self.hosts:
            return True
        if self.block_unknown_hosts and host not in LOOPBACK:
            raise BlockedHostError(
                f"fakeroute blocks calls to unknown hosts: {host} is not one of {', '.join(sorted(self.hosts))}"
            )
        return False

    def call(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> tuple[int, str, list, bytes,
                                                                                             bool]:
        """Run one request through the app: status code, reason, headers, body, and whether it was dropped."""
        parts = urlsplit(url)
        builder = EnvironBuilder(
            path=parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=method,
            headers=list(headers.items()),
            data=body,
        )
        environ = builder.get_environ()
        signals: dict[str, bool] = {}  # run_wsgi_app copies the environ; this dict is shared with the app
        environ["fakeroute.signals"] = signals
        app_iter, status, response_headers = run_wsgi_app(self.app, environ, buffered=True)
        try:
            content = b"".join(app_iter)
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()
        code, _, reason = status.partition(" ")
        return int(code), reason, list(response_headers.items()), content, signals.get("dropped", False)

    # -- requests ---------------------------------------------------------------------------------

    def _patch_requests(self) -> None:
        try:
            import requests
            from requests.adapters import HTTPAdapter
        except ImportError:
            return
        interceptor = self
        original = self._replace(HTTPAdapter, "send", None)

        def send(adapter: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any):
            host = urlsplit(request.url).hostname or ""
            try:
                intercepted = interceptor.intercepts(host)
            except BlockedHostError as exc:
                raise requests.exceptions.ConnectionError(str(exc), request=request) from None
            if not intercepted:
                return original(adapter, request, *args, **kwargs)
            status, reason, headers, content, dropped = interceptor.call(
                request.method or "GET", request.url, request.headers, _body_bytes(request.body))
            if dropped:
                raise requests.exceptions.ConnectionError(
                    "Connection aborted: fakeroute dropped the connection (injected fault)", request=request)
            response = requests.Response()
            response.status_code = status
            response.reason = reason
            response.headers = requests.structures.CaseInsensitiveDict(headers)
            response.encoding = requests.utils.get_encoding_from_headers(response.headers)
            response.raw = io.BytesIO(content)
            response._content = content
            response.url = request.url
            response.request = request
            response.connection = adapter
            response.elapsed = timedelta(0)
            return response

        HTTPAdapter.send = send

    # -- httpx ------------------------------------------------------------------------------------

    def _patch_httpx(self) -> None:
        try:
            import httpx
        except ImportError:
            return
        interceptor = self
        original_sync = self._replace(httpx.HTTPTransport, "handle_request", None)
        original_async = self._replace(httpx.AsyncHTTPTransport, "handle_async_request", None)

        def answer(request: httpx.Request, body: bytes) -> httpx.Response:
            status, _, headers, content, dropped = interceptor.call(
                request.method, str(request.url), dict(request.headers), body)
            if dropped:
                raise httpx.RemoteProtocolError("fakeroute dropped the connection (injected fault)", request=request)
            return httpx.Response(status, headers=headers, content=content, request=request)

        def wanted(request: httpx.Request) -> bool:
            try:
                return interceptor.intercepts(request.url.host)
            except BlockedHostError as exc:
                raise httpx.ConnectError(str(exc), request=request) from None

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            if not wanted(request):
                return original_sync(transport, request)
            return answer(request, request.read())

        async def handle_async_request(transport: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
            if not wanted(request):
                return await original_async(transport, request)
            return answer(request, await request.aread())

        httpx.HTTPTransport.handle_request = handle_request
        httpx.AsyncHTTPTransport.handle_async_request = handle_async_request


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in body)
