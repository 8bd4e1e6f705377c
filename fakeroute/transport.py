"""In-process HTTP both ways: client calls to the providers' real hosts answered by the fake's WSGI app
(``Interceptor``), and webhooks handed to the WSGI or ASGI app under test (``AppTarget``). No socket either way.

Unmodified code and official SDKs (``twilio`` sends through ``requests``, or ``aiohttp`` with its async
client) keep calling ``https://api.flowroute.com``, ``https://routes.twilio.com`` and ``https://api.agentmsg.io``
with ``requests``, ``httpx`` (sync and async), ``aiohttp`` or ``urllib3``; while an ``Interceptor`` is active
those calls are answered by the fake. Calls to other hosts go out untouched, or fail loudly with
``block_unknown_hosts=True`` (loopback is always allowed, so a local receiver or ``fakeroute serve`` still works).
"""

from __future__ import annotations

import asyncio
import errno
import functools
import inspect
import io
import os
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

from .app import replay_key
from .outbox import is_loopback

if TYPE_CHECKING:
    import ssl

    from .app import FakerouteApp
    from .outbox import Webhook


ENVIRON_CACHE_SIZE = 512  # remembered request environs per Interceptor


class BlockedHostError(ConnectionError):
    """A call to a host neither fakeroute nor loopback while unknown hosts are blocked."""


class Interceptor:
    """Patches ``requests``, ``httpx`` (sync and async), ``aiohttp`` and ``urllib3`` while active; a context manager.

    ``before_call`` runs before each intercepted call is answered (the fixture delivers the webhooks that
    fell due meanwhile). While active, ``httpx`` clients made with the default TLS settings share one SSL
    context instead of loading the CA bundle again for each client.

    >>> from fakeroute.app import FakerouteApp
    >>> from fakeroute.world import World
    >>> import requests
    >>> with Interceptor(FakerouteApp(World())):
    ...     requests.get("https://api.flowroute.com/v2/routes", auth=("fakeroute", "fakeroute-secret")).status_code
    200
    """

    def __init__(self, app: FakerouteApp, hosts: Iterable[str] | None = None, *, block_unknown_hosts: bool = False,
                 before_call: Callable[[], object] | None = None):
        self.app = app
        self.before_call = before_call
        if hosts is None:
            hosts = [h for provider in app.world.providers for h in provider.hosts]
        self.hosts = frozenset(h.lower() for h in hosts)
        self.block_unknown_hosts = block_unknown_hosts
        self._undo: list[tuple[Any, str, Any]] = []
        # (method, url, headers, body length) -> the environ wsgi_environ makes of them but for wsgi.input: a suite
        # sends the same few requests again and again. Bounded: emptied when full.
        self._environs: dict[tuple[Any, ...], tuple[dict[str, Any], Any]] = {}

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> Interceptor:
        if self._undo:
            raise RuntimeError("this interceptor is already active")
        self._patch_requests()
        self._patch_httpx()
        self._patch_aiohttp()
        self._patch_urllib3()
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
        if self.before_call is not None:
            self.before_call()
        environ, known_key = self._environ(method, url, headers, body)
        status, line, response_headers, data, dropped = self.app.answer(environ, known_key)
        return status, _reason(line), response_headers, data, dropped

    def _environ(self, method: str, url: str, headers: Mapping[str, str],
                 body: bytes) -> tuple[dict[str, Any], tuple[Any, Any] | None]:
        """``wsgi_environ(method, url, headers, body)``, from a copy of the one made for the same request before,
        and the app's ``replay_key`` of it, kept with it."""
        try:
            key = (method, url, tuple(headers.items()), len(body))
            kept = self._environs.get(key)
        except TypeError:  # a header value that is not hashable: made anew
            return wsgi_environ(method, url, headers, body), None
        if kept is None:
            template = wsgi_environ(method, url, headers, b"")
            del template["wsgi.input"]
            template["CONTENT_LENGTH"] = str(len(body))
            kept = template, replay_key(template)
            if len(self._environs) >= ENVIRON_CACHE_SIZE:
                self._environs.clear()
            self._environs[key] = kept
        environ = kept[0].copy()
        environ["wsgi.input"] = io.BytesIO(body)
        return environ, kept[1]

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
            # items(): what dict(request.headers) gives (lowercased names, repeats joined by ", "), in one pass
            # where dict() looks each name up again by a scan of every header.
            status, _, headers, content, dropped = interceptor.call(
                request.method, str(request.url), dict(request.headers.items()), body)
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

        from httpx._transports import default

        # Each httpx client loads the CA bundle into a new SSL context (tens of milliseconds, and every
        # httpx.get() makes a client); while intercepting, clients with the default TLS settings share one.
        create = self._replace(default, "create_ssl_context", None)

        def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
            if verify is not True or cert is not None:
                return create(verify=verify, cert=cert, trust_env=trust_env)
            return _shared_ssl_context(create, trust_env, os.environ.get("SSL_CERT_FILE"),
                                       os.environ.get("SSL_CERT_DIR"))

        default.create_ssl_context = create_ssl_context

    # -- aiohttp ----------------------------------------------------------------------------------

    def _patch_aiohttp(self) -> None:
        try:
            import aiohttp
            from aiohttp.client_proto import ResponseHandler
        except ImportError:
            return
        interceptor = self
        original = self._replace(aiohttp.TCPConnector, "_create_connection", None)

        async def _create_connection(connector: aiohttp.TCPConnector, req: Any, traces: Any, timeout: Any) -> Any:
            # Everything above the socket stays aiohttp's own (request encoding, response parsing, the
            # connection pool); the connection itself is an in-memory transport that the fake answers.
            try:
                intercepted = interceptor.intercepts(req.host)
            except BlockedHostError as exc:
                raise aiohttp.ClientConnectorError(req.connection_key, OSError(errno.ECONNREFUSED, str(exc))) from None
            if not intercepted:
                return await original(connector, req, traces, timeout)
            protocol = ResponseHandler(asyncio.get_running_loop())
            protocol.connection_made(_AppTransport(interceptor, protocol, req.url.scheme, req.url.raw_authority))
            return protocol

        aiohttp.TCPConnector._create_connection = _create_connection

    # -- urllib3 ----------------------------------------------------------------------------------

    def _patch_urllib3(self) -> None:
        try:
            import urllib3
            from urllib3.connectionpool import HTTPConnectionPool
            from urllib3.exceptions import ProtocolError
            from urllib3.util.retry import Retry
        except ImportError:
            return
        interceptor = self
        original = self._replace(HTTPConnectionPool, "urlopen", None)
        signature = _signature(original)
        user_agent = f"python-urllib3/{urllib3.__version__}"

        def urlopen(pool: HTTPConnectionPool, *args: Any, **kwargs: Any) -> Any:
            try:
                intercepted = interceptor.intercepts(pool.host)
                blocked = None
            except BlockedHostError as exc:
                intercepted, blocked = True, urllib3.exceptions.NewConnectionError(pool, str(exc))
            if not intercepted:
                return original(pool, *args, **kwargs)
            call = signature.bind(pool, *args, **kwargs)
            call.apply_defaults()
            given = call.arguments
            method, path = given["method"], given["url"]
            # urllib3's own retry rules (dropped connections, Retry-After on 413/429/503, status_forcelist).
            retries = Retry.from_int(given["retries"], redirect=given["redirect"], default=pool.retries)
            while blocked is not None:  # as a refused connection: raised as is, or as MaxRetryError once retried
                retries = retries.increment(method, path, error=blocked, _pool=pool)
            url = path if "://" in path else f"{pool.scheme}://{_netloc(pool.scheme, pool.host, pool.port)}{path}"
            headers = dict(given["headers"] if given["headers"] is not None else pool.headers)
            if not any(name.lower() == "user-agent" for name in headers):
                headers["User-Agent"] = user_agent  # as urllib3 adds it on the wire
            body = _body_bytes(given["body"])
            while True:
                status, reason, response_headers, content, dropped = interceptor.call(method, url, headers, body)
                if dropped:
                    error = ProtocolError("Connection aborted.", ConnectionResetError(
                        "fakeroute dropped the connection (injected fault)"))
                    retries = retries.increment(method, path, error=error, _pool=pool,
                                                _stacktrace=sys.exc_info()[2])
                    retries.sleep()
                    continue
                response = urllib3.HTTPResponse(
                    body=io.BytesIO(content), headers=response_headers, status=status, version=11,
                    version_string="HTTP/1.1", reason=reason, preload_content=given["preload_content"],
                    decode_content=given["decode_content"], retries=retries, request_method=method,
                    request_url=url)
                if not retries.is_retry(method, status, bool(response.headers.get("Retry-After"))):
                    return response
                retries = retries.increment(method, path, response=response, _pool=pool)
                response.drain_conn()
                retries.sleep(response)

        HTTPConnectionPool.urlopen = urlopen


# urllib3's urlopen has the same signature every time an interceptor starts (once per test): read it once.
_signature = functools.lru_cache(maxsize=8)(inspect.signature)


@functools.lru_cache(maxsize=4)
def _shared_ssl_context(create: Callable[..., ssl.SSLContext], trust_env: bool, cafile: str | None,
                        capath: str | None) -> ssl.SSLContext:
    """One SSL context per set of default TLS settings (keyed by the environment that httpx reads)."""
    return create(verify=True, cert=None, trust_env=trust_env)


def _netloc(scheme: str, host: str, port: int | None) -> str:
    default = 443 if scheme == "https" else 80
    host = f"[{host}]" if ":" in host else host
    return host if port in (None, default) else f"{host}:{port}"


class _AppTransport(asyncio.Transport):
    """An asyncio transport with the fake on the other end: bytes written are parsed as one HTTP/1.1 request,
    answered by the interceptor, and its response fed back to the protocol (aiohttp's ResponseHandler)."""

    def __init__(self, interceptor: Interceptor, protocol: Any, scheme: str, authority: str):
        super().__init__()
        self._interceptor = interceptor
        self._protocol = protocol
        self._scheme = scheme
        self._authority = authority
        self._buffer = bytearray()
        self._closing = False
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing:
            return
        self._buffer += data
        request = _parse_request(self._buffer)
        if request is None:
            return  # not all of it yet
        self._closing = True  # one request per connection: aiohttp never pools it, so none outlives the test
        method, target, headers, body = request
        host = next((v for k, v in headers.items() if k.lower() == "host"), self._authority)
        status, reason, response_headers, content, dropped = self._interceptor.call(
            method, f"{self._scheme}://{host}{target}", headers, body)
        if dropped:
            self._loop.call_soon(self._protocol.connection_lost,
                                 ConnectionResetError("fakeroute dropped the connection (injected fault)"))
            return
        head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response_headers)
        if not any(k.lower() == "content-length" for k, _ in response_headers):
            head += f"Content-Length: {len(content)}\r\n"
        self._protocol.force_close()
        self._loop.call_soon(self._protocol.data_received, head.encode("latin-1") + b"\r\n" + content)

    def writelines(self, chunks: Iterable[bytes | bytearray | memoryview]) -> None:
        self.write(b"".join(chunks))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True
        if self._protocol is not None:
            protocol, self._protocol = self._protocol, None
            self._loop.call_soon(protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def can_write_eof(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def is_reading(self) -> bool:
        return not self._closing

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 443 if self._scheme == "https" else 80),
                "sockname": ("127.0.0.1", 0)}.get(name, default)


def _parse_request(data: bytearray) -> tuple[str, str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request from the bytes so far (Content-Length or chunked body), or None if incomplete."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = bytes(data[:end]).decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    lowered = {k.lower(): v for k, v in headers.items()}
    rest = bytes(data[end + 4:])
    if lowered.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size_end = rest.find(b"\r\n")
            if size_end < 0:
                return None
            size = int(rest[:size_end].split(b";")[0], 16)
            if len(rest) < size_end + 2 + size + 2:
                return None
            body += rest[size_end + 2:size_end + 2 + size]
            rest = rest[size_end + 2 + size + 2:]
            if size == 0:
                break
        headers = {k: v for k, v in headers.items() if k.lower() != "transfer-encoding"}
        return method, target, headers, bytes(body)
    length = int(lowered.get("content-length", "0"))
    if len(rest) < length:
        return None
    return method, target, headers, rest[:length]


def wsgi_environ(method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The WSGI environ of one request to ``url`` (PEP 3333), as a server would make it."""
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
        elif key == "HOST":
            environ["HTTP_HOST"] = value
        elif key != "CONTENT_LENGTH":
            environ["HTTP_" + key] = value
    return environ


# -- webhooks into the app under test ---------------------------------------------------------------


class AppTarget:
    """An app under test that webhooks are handed to in-process: a WSGI app called on the delivering thread,
    or an ASGI app run on an event loop of its own (one thread, kept until ``close``), as Starlette's
    TestClient runs one. ``url`` (a prefix) limits it to the webhooks sent there; ``asgi`` says which kind
    of app it is when the guess from its ``__call__`` is wrong.

    An exception the app raises is an attempt without an HTTP answer (retried as a failure over HTTP is)
    and is kept in ``errors``: the fixture fails the test with it.
    """

    def __init__(self, app: Any, *, url: str | None = None, asgi: bool | None = None):
        self.app = app
        self.url = url
        self.asgi = is_asgi(app) if asgi is None else asgi
        self.errors: list[BaseException] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def takes(self, url: str) -> bool:
        return self.url is None or url.startswith(self.url)

    def send(self, webhook: Webhook) -> tuple[int | None, str | None]:
        """One attempt: the app's status, or None and the exception's text."""
        body, headers = webhook.body(), webhook.wire_headers()
        answer: dict[str, int] = {}
        try:
            if self.asgi:
                future = asyncio.run_coroutine_threadsafe(
                    _asgi_call(self.app, webhook.url, headers, body, answer), self._event_loop())
                future.result()
            else:
                _wsgi_call(self.app, webhook.url, headers, body, answer)
        except Exception as exc:  # noqa: BLE001  the app under test failed: recorded, and raised by the fixture
            self.errors.append(exc)
            return answer.get("status"), f"{type(exc).__name__}: {exc}"
        status = answer.get("status")
        return status, None if status is not None and 200 <= status < 300 else f"HTTP {status}"

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="fakeroute-asgi", daemon=True)
            self._thread.start()
        return self._loop

    def close(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()
            self._loop = self._thread = None


def is_asgi(app: Any) -> bool:
    """An ASGI 3 app is an async callable of (scope, receive, send); a WSGI app a plain one of two arguments."""
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(app, "__call__", app)  # noqa: B004
    return inspect.iscoroutinefunction(call)


def _wsgi_call(app: Any, url: str, headers: Mapping[str, str], body: bytes, answer: dict[str, int]) -> None:
    def start_response(status: str, response_headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
        answer["status"] = int(status.split(" ", 1)[0])
        return lambda data: None

    result = app(wsgi_environ("POST", url, headers, body), start_response)
    try:
        for _ in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


async def _asgi_call(app: Any, url: str, headers: Mapping[str, str], body: bytes, answer: dict[str, int]) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    port = parts.port or (443 if scheme == "https" else 80)
    path = unquote_to_bytes(parts.path or "/")
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "POST", "scheme": scheme, "path": path.decode("utf-8", "replace"),
        "raw_path": (parts.path or "/").encode("latin-1"), "query_string": parts.query.encode("latin-1"),
        "root_path": "", "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("127.0.0.1", 0), "server": (parts.hostname or "", port), "state": {},
    }
    done = asyncio.Event()
    sent_body = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = int(message["status"])
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    try:
        await app(scope, receive, send)
    finally:
        done.set()


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
