"""The WSGI app: one werkzeug Map for every provider's real paths, plus the /_fakeroute/ admin API.

Every provider request goes the same way: an injected fault, if one matches, answers first; then
the size limit; then, under the World's lock, the providers' timed work due on the clock
(``catch_up``), authentication (the provider's own 401), the query and body parsed and checked
against the operation's JSON Schemas, and the handler with a view scoped to the caller's account.
Errors are raised as ``ApiError`` and rendered once, here, in the provider's format, and every
answer is recorded in the World's journal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from .admin import Admin
from .errors import ApiError
from .faults import Fault
from .journal import Recorded
from .providers import PROVIDERS, Provider
from .providers.base import Call, Operation
from .world import World

MAX_BODY_SIZE = 1 << 20  # 1 MiB: larger request bodies get a 413 without being read
ADMIN_PREFIX = "/_fakeroute"

log = logging.getLogger("fakeroute")


class FakerouteApp:
    """A WSGI application serving one World.

    >>> from werkzeug.test import Client
    >>> client = Client(FakerouteApp(World()))
    >>> client.get("/_fakeroute/health").json
    {'status': 'ok'}
    """

    def __init__(self, world: World, *, max_body_size: int = MAX_BODY_SIZE, propagate_exceptions: bool = False):
        self.world = world
        self.max_body_size = max_body_size
        self.propagate_exceptions = propagate_exceptions
        self.url_map = Map(
            [rule for provider in PROVIDERS for rule in provider.rules()],
            strict_slashes=False,
            merge_slashes=False,
        )
        self._adapter = self.url_map.bind("fakeroute")
        self._providers = {p.name: p for p in PROVIDERS}
        self.admin = Admin(world)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.max_body_size
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return self.admin.dispatch(request, path[len(ADMIN_PREFIX):])
        provider, response = self._respond(request)
        self._record(provider, request, response)
        return response

    def _respond(self, request: Request) -> tuple[Provider | None, Response]:
        op: Operation | None = None
        try:
            (name, index), path_args = self._adapter.match(request.path, request.method)
            provider: Provider | None = self._providers[name]
            op = provider.operations[index]
        except (NotFound, MethodNotAllowed) as exc:
            provider = self._provider_for(request)
            kind = "not_found" if isinstance(exc, NotFound) else "method_not_allowed"
        fault = self.world.faults.take(provider.name if provider else None, request.method, request.path)
        if fault is not None:
            faulted = self._apply(fault, provider, request)
            if faulted is not None:
                return provider, faulted
        if op is not None:
            return provider, self._handle(provider, op, path_args, request)
        if provider is None:
            return None, Response(f'{{"error":"no provider serves {request.method} {request.path}"}}',
                                  status=404, content_type="application/json")
        return provider, provider.render_error(getattr(provider, kind)(request), request, self.world)

    def _apply(self, fault: Fault, provider: Provider | None, request: Request) -> Response | None:
        """The answer an injected fault gives, or None when it only delayed the call."""
        if fault.latency:
            time.sleep(fault.latency)  # outside the World's lock: other calls go on meanwhile
        if fault.drop:
            # Declare more bytes than are sent: a real HTTP client sees the connection cut short, and
            # the in-process transport turns the flag into the client's own connection error.
            request.environ["fakeroute.dropped"] = True
            request.environ.get("fakeroute.signals", {})["dropped"] = True  # shared with the transport
            response = Response(b"{", status=200, content_type="application/json")
            response.headers["Content-Length"] = "1024"
            return response
        if fault.status is None:
            return None
        headers = {}
        if fault.status == 429:
            headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
        detail = fault.detail or f"Injected fault: {fault.status} for {request.method} {request.path}"
        error = ApiError(fault.status, detail, headers=headers)
        if provider is None:
            return Response(f'{{"error":"{detail}"}}', status=fault.status, headers=headers,
                            content_type="application/json")
        return provider.render_error(error, request, self.world)

    def _record(self, provider: Provider | None, request: Request, response: Response) -> None:
        data = b""
        if request.content_length or request.environ.get("wsgi.input_terminated"):
            try:
                data = request.get_data()  # already read and cached when the operation takes a body
            except RequestEntityTooLarge:
                data = b"<body over the size limit, not read>"
        environ = request.environ
        self.world.journal.record(Recorded(
            provider=provider.name if provider else None,
            method=request.method,
            path=request.path,
            query_string=environ.get("QUERY_STRING", ""),
            raw_body=data,
            status=response.status_code,
            raw_response=None if environ.get("fakeroute.dropped") else response.get_data(),
            account=environ.get("fakeroute.account"),
            when=self.world.clock.peek(),
            raw_headers={k: v for k, v in environ.items() if k.startswith("HTTP_") or k == "CONTENT_TYPE"},
            response_type=response.content_type,
        ))

    def _provider_for(self, request: Request) -> Provider | None:
        host = request.host.split(":", 1)[0].lower()
        for provider in PROVIDERS:
            if host in provider.hosts:
                return provider
        # The standalone server serves every provider on one host: the path tells them apart.
        return max(
            (p for p in PROVIDERS for prefix in p.path_prefixes if request.path.startswith(prefix)),
            key=lambda p: max(len(x) for x in p.path_prefixes if request.path.startswith(x)),
            default=None,
        )

    def _handle(self, provider: Provider, op: Operation, path_args: dict[str, str], request: Request) -> Response:
        world = self.world
        try:
            data = b""
            if op.body:
                try:
                    data = request.get_data()  # cached: the journal reads it again
                except RequestEntityTooLarge:
                    raise ApiError(413, f"Request body exceeds {self.max_body_size} bytes") from None
            elif request.content_length and request.content_length > self.max_body_size:
                raise ApiError(413, f"Request body exceeds {self.max_body_size} bytes")
            with world.lock:
                for each in PROVIDERS:
                    each.catch_up(world)
                account = provider.authenticate(request, world, op, path_args)
                request.environ["fakeroute.account"] = account.id
                query = self._query(provider, op, request)
                body = self._body(provider, op, request, data)
                call = Call(world.scope(account, provider.name), path_args, query, body,
                            _base_url(request.environ), request.path)
                reply = op.handler(call)
            return provider.render(reply, request)
        except ApiError as error:
            return provider.render_error(error, request, world)
        except Exception:
            if self.propagate_exceptions:
                raise
            log.exception("fakeroute: unhandled error in %s %s", request.method, request.path)
            return provider.render_error(ApiError(500, "Internal Server Error"), request, world)

    @staticmethod
    def _query(provider: Provider, op: Operation, request: Request) -> dict[str, Any]:
        if not op.query:
            return {}
        schema = provider.schemas[op.query]
        query = schema.coerce_query(request.args.items(multi=True))
        problems = schema.violations(query, key=request.environ.get("QUERY_STRING", ""))
        if problems:
            raise provider.invalid_query(problems)
        return query

    @staticmethod
    def _body(provider: Provider, op: Operation, request: Request, data: bytes) -> Any:
        if not op.body:
            return None
        body = provider.parse_body(request, data, op)
        problems = provider.schemas[op.body].violations(body, key=data)
        if problems:
            raise provider.invalid_body(problems)
        return body


def _base_url(environ: dict[str, Any]) -> str:
    """scheme://host as the caller addressed us (werkzeug's host_url is a costly IRI round trip)."""
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ["SERVER_NAME"]
        port = environ.get("SERVER_PORT")
        if port and port != ("443" if environ["wsgi.url_scheme"] == "https" else "80"):
            host = f"{host}:{port}"
    return f"{environ['wsgi.url_scheme']}://{host}"
