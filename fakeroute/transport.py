"""In-process interception: `requests` and `httpx` calls to the providers' real hosts go to the WSGI app.

Unmodified code and official SDKs (the ``twilio`` package sends through a ``requests.Session``) keep
calling ``https://api.flowroute.com``, ``https://routes.twilio.com`` and ``https://api.agentmsg.io``;
while an ``Interceptor`` is active those calls are answered by the fake with no socket. Calls to
other hosts go out untouched, or fail loudly with ``block_unknown_hosts=True`` (loopback is always
allowed, so a local receiver or ``fakeroute serve`` still works).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

from .outbox import is_loopback

if TYPE_CHECKING:
    from .app import FakerouteApp


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

    def __init__(self, app: FakerouteApp, hosts: Iterable[str] | None = None, *, block_unknown_hosts: bool = False):
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
        if self.block_unknown_hosts and not is_loopback(host):
            raise BlockedHostError(
                f"fakeroute blocks calls to unknown hosts: {host} is not one of {', '.join(sorted(self.hosts))}"
            )
        return False

    def call(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> tuple[int, str, list, bytes,
                                                                                             bool]:
        """Run one request through the app: status code, reason, headers, body, and whether it was dropped."""
        parts = urlsplit(url)
        scheme = parts.scheme or "https"
        port = str(parts.port or (443 if scheme == "https" else 80))
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method.upper(),
            "SCRIPT_NAME": "",
            # PEP 3333: the percent-decoded path as bytes, carried in a latin-1 str.
            "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "",
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_HOST": parts.netloc,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key not in ("CONTENT_LENGTH", "HOST"):
                environ["HTTP_" + key] = value
        response, exchange = self.app.respond(environ)
        dropped = exchange is not None and exchange.dropped
        return response.status_code, _reason(response.status), response.headers.to_wsgi_list(), \
            response.get_data(), dropped

    # -- requests ---------------------------------------------------------------------------------

    def _patch_requests(self) -> None:
        try:
            import requests
            from requests.adapters import HTTPAdapter
        except ImportError:
            return
        from requests.sessions import Session, merge_setting

        interceptor = self
        original = self._replace(HTTPAdapter, "send", None)
        original_settings = self._replace(Session, "merge_environment_settings", None)

        def merge_environment_settings(session: Session, url: str, proxies: Any, stream: Any, verify: Any,
                                       cert: Any) -> dict[str, Any]:
            # A call answered in-process goes through no proxy and no TLS, so the environment's proxy,
            # netrc and CA settings (requests scans all of os.environ for them, on every call) do not apply.
            if (urlsplit(url).hostname or "").lower() not in interceptor.hosts:
                return original_settings(session, url, proxies, stream, verify, cert)
            return {"proxies": merge_setting(proxies, session.proxies), "stream": merge_setting(stream, session.stream),
                    "verify": merge_setting(verify, session.verify), "cert": merge_setting(cert, session.cert)}

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
        Session.merge_environment_settings = merge_environment_settings

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


def _reason(status: str) -> str:
    return status.partition(" ")[2]


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
