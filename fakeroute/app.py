"""The WSGI app: one werkzeug Map for every provider's real paths and the /_fakeroute/ admin API.

Every provider request goes one way, carried by an ``Exchange``: an injected fault, if one matches,
answers first; then the size limits (URI, headers, body); then, under the World's lock, the timed work
the World's agenda says is due, ``authenticate`` (the provider's 401), ``authorize`` (its 403, from the
operation's policy), one validation phase over path, headers, query and body against the operation's
JSON Schemas (every violation goes to the provider's ``invalid_input``), and the handler with a view
scoped to the caller's account. Errors are raised as ``ApiError`` and rendered once, here, in the
provider's format, and every answer is recorded in the World's journal — a bug's 500 too: no exception
leaves the app.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
from collections.abc import Iterable
from typing import Any

from waitress.channel import ClientDisconnected
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound, RequestEntityTooLarge
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from .admin import ADMIN_PREFIX, Admin, admin_error
from .errors import ApiError
from .faults import Fault
from .journal import Recorded
from .providers.base import Call, Exchange, Provider
from .validation import MAX_DEPTH, Verdicts, Violation, nested_deeper_than
from .world import World

MAX_BODY_SIZE = 1 << 20  # 1 MiB: larger request bodies get a 413 without being read
# Larger URIs (path and query as sent) get a 414 and larger header blocks (names and values) a 431, in the
# provider's error format. The standalone server reads header blocks up to 1 MiB (server.py) so that these,
# not the server's own text/plain 431, answer anything in between.
MAX_URI_SIZE = 16 << 10
MAX_HEADERS_SIZE = 64 << 10
MATCH_CACHE_SIZE = 4096  # remembered route matches per app
# Remembered GET replies per app (see ``FakerouteApp``): at most this many, of at most REPLAY_MAX_BODY bytes each.
REPLAY_CACHE_SIZE = 512
REPLAY_CACHE_BYTES = 8 << 20
REPLAY_MAX_BODY = 64 << 10
READ_METHODS = frozenset({"GET", "HEAD"})  # what a suspended account may still do
SUSPENDED_DETAIL = "This account is suspended: it may read, but every change is refused"

log = logging.getLogger("fakeroute")


class FakerouteApp:
    """A WSGI application serving one World (and the providers it was handed).

    A GET's reply is remembered, and the same request (path, query, every header) answered with it again while
    the World stays as it was (``World.replies_version``): the same bytes, the journal entry and the request id
    (drawn again) as if it had been worked out anew. Only a reply that changed nothing and read nothing that
    moves by itself (the clock) is remembered, only while no fault is injected, and never past a due time on
    the agenda. ``check_replays`` (default: the ``FAKEROUTE_CHECK_REPLAYS`` environment variable is ``1``)
    works every such request out anew all the same and raises ``StaleReplay`` if the two differ: the test suite
    runs so, to catch a change of state that does not move the version.

    >>> from werkzeug.test import Client
    >>> client = Client(FakerouteApp(World()))
    >>> client.get("/_fakeroute/health").json
    {'status': 'ok'}
    """

    def __init__(self, world: World, *, max_body_size: int = MAX_BODY_SIZE, propagate_exceptions: bool = False,
                 admin_token: str | None = None, verdicts: Verdicts | None = None,
                 check_replays: bool | None = None):
        self.world = world
        self.check_replays = (os.environ.get("FAKEROUTE_CHECK_REPLAYS") == "1" if check_replays is None
                              else check_replays)
        # Remembered GET replies, by request (replay_key) and the World's version they hold for.
        self._replies: dict[tuple[tuple[Any, ...], tuple[int, int]], Replay] = {}
        self._replies_bytes = 0  # their bodies' bytes
        self.max_body_size = max_body_size
        self.propagate_exceptions = propagate_exceptions
        # The validation verdicts this app remembers, bounded by bytes (see ``Verdicts``): one cache per app,
        # so per World, never shared between Worlds.
        self.verdicts = verdicts if verdicts is not None else Verdicts()
        self.admin = Admin(world, admin_token)  # no token: the admin API is open (fakeroute.admin)
        self.url_map = Map(
            [rule for provider in world.providers for rule in provider.rules()] + self.admin.rules(),
            strict_slashes=False,
            merge_slashes=False,
        )
        self._adapter = self.url_map.bind("fakeroute")
        # (path, method) -> what the Map matched: a suite sends the same few paths again and again, and the Map
        # never changes once built. Bounded: emptied when full (ids in paths make the keys many).
        self._matched: dict[tuple[str, str], tuple[tuple[str, str], dict[str, Any]]] = {}
        self._providers = {p.name: p for p in world.providers}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        key, raw = replay_key(environ) if self._replies else (None, {})  # (nothing remembered: nothing to find)
        replay, headers = self._replay(key, raw, environ) if key is not None else (None, None)
        if headers is not None:  # (as serve does, without saying whom it served)
            start_response(replay.status_line, headers)
            return [replay.body]
        return self._served(environ, start_response, key, raw, replay).body

    def serve(self, environ: dict[str, Any], start_response: Any) -> Served:
        """``__call__``, and whom it served (for an access log): the provider (None for the admin API and paths of
        no provider), the account its credentials named, the status. Raises ``DroppedConnection`` (carrying the
        same) for a dropped-connection fault under waitress."""
        key, raw = replay_key(environ) if self._replies else (None, {})
        replay, headers = self._replay(key, raw, environ) if key is not None else (None, None)
        if headers is not None:
            start_response(replay.status_line, headers)
            return Served([replay.body], replay.provider, replay.account, replay.status)
        return self._served(environ, start_response, key, raw, replay)

    def _served(self, environ: dict[str, Any], start_response: Any, key: tuple[Any, ...] | None,
                raw: dict[str, str], expected: Replay | None) -> Served:
        response, exchange = self._respond(environ, key, raw, expected)
        provider = exchange.provider.name if exchange is not None and exchange.provider is not None else None
        account = exchange.account.id if exchange is not None and exchange.account is not None else None
        if exchange is not None and exchange.dropped and "waitress.client_disconnected" in environ:
            # Under waitress the connection is closed before a single byte is written: a client that reads
            # only the status line sees the failure too. Other servers get the answer cut short instead.
            raise DroppedConnection(f"injected fault: {exchange.method} {exchange.path} dropped",
                                    Served([], provider, account, response.status_code))
        return Served(_sent(response, environ, start_response), provider, account, response.status_code)

    def answer(self, environ: dict[str, Any], known_key: tuple[Any, dict[str, str]] | None = None,
               ) -> tuple[int, str, list[tuple[str, str]], bytes, bool]:
        """One request answered in full, for an in-process client: status code, status line, headers, body, and
        whether an injected fault dropped the connection. ``known_key``: ``replay_key(environ)``, when the caller
        kept it from the same request before (its headers dict is then shared by the journal entries)."""
        if known_key is not None:
            key, raw = known_key
        else:
            key, raw = replay_key(environ) if self._replies else (None, {})
        replay, headers = self._replay(key, raw, environ) if key is not None else (None, None)
        if headers is not None:
            return replay.status, replay.status_line, headers, replay.body, False
        response, exchange = self._respond(environ, key, raw, replay)
        return (response.status_code, response.status, response.headers.to_wsgi_list(), response.get_data(),
                exchange is not None and exchange.dropped)

    def respond(self, environ: dict[str, Any]) -> tuple[Response, Exchange | None]:
        """The answer to one request and the exchange it travelled in (None for the admin API), worked out."""
        return self._respond(environ, *replay_key(environ), None)

    # -- remembered GET replies -------------------------------------------------------------------

    def _replay(self, key: tuple[Any, ...], raw: dict[str, str], environ: dict[str, Any]) -> tuple[Any, Any]:
        """The remembered reply to this request and its headers, sent as the request's own: its request id drawn
        (when the provider gives one) and its journal entry made, as working it out would have. (None, None) when
        there is none or it no longer holds: the World moved from the version it was made at, a fault is
        injected, or timed work is due. With ``check_replays``: (the reply, None), and nothing is sent."""
        world = self.world
        with world.lock.reading():
            replay = self._replies.get((key, world.replies_version()))
            if replay is None:
                return None, None
            now = world.clock.peek()
            if world.faults or world.agenda.is_due(now):
                return None, None
            if self.check_replays:
                return replay, None
            provider = self._providers[replay.provider]
            provider.note_use(world, world.accounts[replay.account], raw)
            headers = list(replay.headers)
            if replay.id_at is not None:
                name = headers[replay.id_at][0]
                headers[replay.id_at] = (name, provider.new_request_id(world) or "")
        world.journal.record(  # the same request (query, headers): the same cost
            Recorded(replay.provider, "GET", replay.path, environ.get("QUERY_STRING", ""), b"", replay.status,
                     replay.body, replay.account, now, raw, replay.content_type), replay.cost)
        return replay, headers

    def _remember(self, key: tuple[Any, ...], exchange: Exchange, response: Response,
                  expected: Replay | None) -> None:
        """Keep a GET's reply for the same request again, when the pipeline found it can be (``replayable``) and
        it is sent as it is (a plain body with its length); with ``check_replays``, compare it to ``expected``."""
        replay = self._replay_of(exchange, response)
        if expected is not None:
            _check(expected, replay, exchange, response)
        if replay is None or exchange.replayable is None:
            return
        replies = self._replies  # replies made at other versions stay: a reset may bring their version back
        if len(replies) >= REPLAY_CACHE_SIZE or self._replies_bytes > REPLAY_CACHE_BYTES:
            replies.clear()
            self._replies_bytes = 0
        replies[key, replay.version] = replay
        self._replies_bytes += len(replay.body)

    def _replay_of(self, exchange: Exchange, response: Response) -> Replay | None:
        body = response.get_data()
        if (not _plain(response, exchange.request.environ) or len(body) > REPLAY_MAX_BODY
                or exchange.account is None or exchange.provider is None):
            return None
        headers = response.headers.to_wsgi_list()
        id_at = None
        if exchange.request_id is not None:
            if exchange.request_id.encode() in body:
                return None
            id_at = next((i for i, (_, value) in enumerate(headers) if value == exchange.request_id), None)
        path, environ = exchange.request.path, exchange.request.environ
        raw = exchange.raw_headers if exchange.raw_headers is not None else _raw_headers(environ)
        return Replay(exchange.replayable or (0, 0), exchange.provider.name, path, exchange.account.id,
                      response.status_code, response.status, headers, id_at, body, response.content_type,
                      Recorded(exchange.provider.name, "GET", path, environ.get("QUERY_STRING", ""), b"",
                               response.status_code, body, raw_headers=raw).cost)

    def _respond(self, environ: dict[str, Any], key: tuple[Any, ...] | None, raw: dict[str, str],
                 expected: Replay | None) -> tuple[Response, Exchange | None]:
        request = Request(environ, populate_request=False)  # no cycle: a body goes with its request
        request.max_content_length = self.max_body_size
        if _is_admin(request.path):
            # A provider's real host (in-process) has no admin API: there it is the provider's own 404.
            real = self._host_provider(request)
            if real is not None:
                exchange = Exchange(request, real)
                response = self._answer(exchange, NotFound())
                self._record(exchange, response)
                return response, exchange
        try:
            (owner, endpoint), path_args = self._match(request.path, request.method)
        except (NotFound, MethodNotAllowed) as exc:
            if _is_admin(request.path):
                exc.description = (f"no admin endpoint {request.path}" if isinstance(exc, NotFound)
                                   else f"{request.method} is not allowed on {request.path}")
                return admin_error(exc), None
            exchange, miss = Exchange(request, self._provider_for(request)), exc
        else:
            if owner == "admin":
                return self._admin(endpoint, request, path_args), None
            provider = self._providers[owner]
            exchange, miss = Exchange(request, provider, provider.operations[endpoint], path_args), None
        if raw:  # read already (the request was a GET that could have been replayed)
            exchange.raw_headers = raw
        response = self._answer(exchange, miss)
        self._record(exchange, response)
        if exchange.replayable is not None or expected is not None:
            if key is None:
                key = replay_key(environ)[0]
            if key is not None:
                self._remember(key, exchange, response, expected)
        return response, exchange

    def _match(self, path: str, method: str) -> tuple[tuple[str, str], dict[str, Any]]:
        """The Map's match of a path and method (a fresh dict of path arguments); a miss raises, uncached."""
        key = (path, method)
        hit = self._matched.get(key)
        if hit is None:
            hit = self._adapter.match(path, method)
            if len(self._matched) >= MATCH_CACHE_SIZE:
                self._matched.clear()
            self._matched[key] = hit
        return hit[0], dict(hit[1])

    # -- the pipeline -----------------------------------------------------------------------------

    def _answer(self, exchange: Exchange, miss: HTTPException | None) -> Response:
        """The answer to a provider request (``miss``: the path or method matched no operation), whatever
        happens on the way: an exception no step expected is a bug, answered 500 in the provider's format."""
        try:
            faulted = self._fault(exchange)
            if faulted is not None:
                return faulted
            if exchange.provider is None:
                return admin_error(NotFound(f"no provider serves {exchange.method} {exchange.path}"))
            try:
                self._check_size(exchange)
                return self._unrouted(exchange, miss) if miss is not None else self._routed(exchange)
            except ApiError as error:
                self._stamp(exchange)
                return exchange.provider.render_error(error, exchange, self.world)
        except Exception:
            if self.propagate_exceptions:
                raise
            log.exception("fakeroute: unhandled error in %s %s", exchange.method, exchange.path)
            return self._internal_error(exchange)

    def _internal_error(self, exchange: Exchange) -> Response:
        exchange.dropped = False  # a fault that failed half-way answers this 500 in full
        provider = exchange.provider
        if provider is not None:
            try:
                self._stamp(exchange)
                return provider.render_error(ApiError(500, "Internal Server Error"), exchange, self.world)
            except Exception:
                log.exception("fakeroute: %s could not render its 500", provider.name)
        return admin_error(InternalServerError("Internal Server Error"))

    def _admin(self, endpoint: str, request: Request, path_args: dict[str, Any]) -> Response:
        try:
            return self.admin.dispatch(endpoint, request, path_args)
        except HTTPException as exc:  # reading a body over the size limit: 413
            return admin_error(exc)
        except Exception:
            if self.propagate_exceptions:
                raise
            log.exception("fakeroute: unhandled error in %s %s", request.method, request.path)
            return admin_error(InternalServerError("Internal Server Error"))

    def _unrouted(self, exchange: Exchange, miss: HTTPException) -> Response:
        provider = exchange.provider
        assert provider is not None
        self._stamp(exchange)
        error = provider.not_found(exchange) if isinstance(miss, NotFound) else provider.method_not_allowed(exchange)
        return provider.render_error(error, exchange, self.world)

    def _routed(self, exchange: Exchange) -> Response:
        provider, op, world = exchange.provider, exchange.operation, self.world
        assert provider is not None and op is not None
        data = self._read_body(exchange)
        reading = exchange.method == "GET"
        with world.lock.reading() if reading else world.lock:  # a GET changes nothing: checked below
            world.catch_up()
            self._stamp(exchange)
            account = exchange.account = provider.authenticate(exchange, world)
            provider.note_use(world, account, exchange.raw_headers or {})
            before, readings = (world.changes(), world.clock.readings) if reading else (None, 0)
            try:
                provider.authorize(exchange, account)
                if account.suspended and exchange.method not in READ_METHODS:
                    raise ApiError(403, SUSPENDED_DETAIL)
                call = self._validated_call(exchange, data)
                reply = op.handler(call)
                response = provider.render(reply, exchange)
            finally:
                if before is not None and world.changes() != before:
                    world.lock.touch()  # it changed something after all: replies remembered so far may not hold
                    before = None
            # A reply that read the clock depends on the time: not the same next time; nor one that shows what
            # every call changes (Reply.volatile).
            if before is not None and world.clock.readings == readings and not reply.volatile:
                exchange.replayable = world.replies_version()
        return response

    def _stamp(self, exchange: Exchange) -> None:
        if exchange.provider is not None and exchange.request_id is None:
            with self.world.lock.reading():  # the id drawn changes nothing a reply shows but that id
                exchange.request_id = exchange.provider.new_request_id(self.world)

    def _check_size(self, exchange: Exchange) -> None:
        """414 for a URI, 431 for a header block over its limit: refused before anything reads them."""
        environ = exchange.request.environ
        uri = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
        if uri > MAX_URI_SIZE:
            raise ApiError(414, f"Request URI is {uri} bytes long: at most {MAX_URI_SIZE} are accepted")
        raw = exchange.raw_headers
        if raw is None:
            raw = exchange.raw_headers = _raw_headers(environ)
        headers = sum(map(len, raw.values())) + sum(map(len, raw)) - 5 * len(raw)
        if "CONTENT_TYPE" in raw:  # counted by its value alone, as the HTTP_ ones are by name and value
            headers -= len("CONTENT_TYPE") - 5
        if headers > MAX_HEADERS_SIZE:
            raise ApiError(431, f"Request headers are {headers} bytes long: at most {MAX_HEADERS_SIZE} are accepted")

    def _read_body(self, exchange: Exchange) -> bytes:
        request, op = exchange.request, exchange.operation
        assert op is not None
        if op.body:
            try:
                return request.get_data()  # cached: the journal reads it again
            except RequestEntityTooLarge:
                raise ApiError(413, f"Request body exceeds {self.max_body_size} bytes") from None
        length = _content_length(request)
        if length and length > self.max_body_size:
            raise ApiError(413, f"Request body exceeds {self.max_body_size} bytes")
        return b""

    def _validated_call(self, exchange: Exchange, data: bytes) -> Call:
        """Parse the body, then check path, headers, query and body together: every violation, or the Call."""
        provider, op, request = exchange.provider, exchange.operation, exchange.request
        assert provider is not None and op is not None and exchange.account is not None
        schemas, verdicts = provider.schemas, self.verdicts
        body = self._parsed_body(exchange, data) if op.body else None
        violations: list[Violation] = []
        if op.path_params:
            violations += _tagged("path", schemas[op.path_params].violations(exchange.path_args))
        headers: dict[str, str] = {}
        if op.headers:
            schema = schemas[op.headers]
            headers = {name: request.headers[name] for name in schema.document.get("properties", {})
                       if name in request.headers}
            violations += _tagged("headers", schema.violations(headers))
        query: dict[str, Any] = {}
        if op.query:
            schema = schemas[op.query]
            query_string = request.environ.get("QUERY_STRING", "")
            query = schema.query_of(query_string, lambda: request.args.items(multi=True))
            violations += _tagged("query", schema.violations(query, key=query_string, verdicts=verdicts))
        if op.body:
            violations += _tagged("body", schemas[op.body].violations(body, key=data, verdicts=verdicts))
        if violations:
            raise provider.invalid_input(exchange, violations)
        return Call(
            self.world.scope(exchange.account, provider.name), exchange.path_args, query, body,
            _base_url(request.environ), request.path,
            idempotency_key=headers.get("Idempotency-Key") if op.idempotent else None,
        )

    def _parsed_body(self, exchange: Exchange, data: bytes) -> Any:
        """The provider's reading of the body, refused (400) when it nests arrays and objects deeper than
        ``MAX_DEPTH``: no request this fake serves needs more, and deeper input would only reach code
        (parsers, encoders, the journal) that recurses once per level."""
        provider = exchange.provider
        assert provider is not None
        too_deep = ApiError(400, f"Request body nests arrays and objects more than {MAX_DEPTH} levels deep")
        try:
            body = provider.parse_body(exchange, data)
        except RecursionError:
            raise too_deep from None
        except ValueError as exc:
            if "digits" not in str(exc):
                raise
            # json.loads refuses integers of more than sys.get_int_max_str_digits() digits with a plain ValueError.
            raise ApiError(400, f"Request body holds a number over {sys.get_int_max_str_digits()} digits long") \
                from None
        # Counting brackets is C-speed and bounds the depth: only a body with many of them is walked.
        if data.count(b"[") + data.count(b"{") > MAX_DEPTH and nested_deeper_than(body, MAX_DEPTH):
            raise too_deep
        return body

    # -- faults, journal, routing helpers ---------------------------------------------------------

    def _fault(self, exchange: Exchange) -> Response | None:
        """The answer an injected fault gives, or None when none matches or it only delayed the call."""
        provider = exchange.provider
        fault = self.world.faults.take(provider.name if provider else None, exchange.method, exchange.path)
        if fault is None:
            return None
        return self._apply(fault, exchange)

    def _apply(self, fault: Fault, exchange: Exchange) -> Response | None:
        if fault.latency:
            time.sleep(fault.latency)  # outside the World's lock: other calls go on meanwhile
        if fault.drop:
            # The in-process transport reads ``exchange.dropped`` and raises the client's own error; under
            # waitress ``__call__`` closes the socket unanswered. Any other server sends this answer, which
            # declares more bytes than it carries: its client sees the connection cut short.
            exchange.dropped = True
            response = Response(b"{", status=200, content_type="application/json")
            response.headers["Content-Length"] = "1024"
            return response
        if fault.status is None:
            return None
        headers = {}
        if fault.status == 429:
            headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
        detail = fault.detail or f"Injected fault: {fault.status} for {exchange.method} {exchange.path}"
        provider = exchange.provider
        if provider is None:
            return admin_error(detail, status=fault.status, headers=headers)
        self._stamp(exchange)
        return provider.render_error(ApiError(fault.status, detail, headers=headers), exchange, self.world)

    def _record(self, exchange: Exchange, response: Response) -> None:
        try:
            self._journal(exchange, response)
        except Exception:
            if self.propagate_exceptions:
                raise
            log.exception("fakeroute: could not record %s %s", exchange.method, exchange.path)

    def _journal(self, exchange: Exchange, response: Response) -> None:
        request = exchange.request
        data = b""
        environ = request.environ
        # A body comes with a length or chunked: waitress marks every request's input terminated, and reading
        # the empty body of each GET would cost a tenth of the request.
        if _content_length(request) or (environ.get("wsgi.input_terminated")
                                      and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()):
            try:
                data = request.get_data()  # already read and cached when the operation takes a body
            except RequestEntityTooLarge:
                data = b"<body over the size limit, not read>"
        self.world.journal.record(Recorded(
            provider=exchange.provider.name if exchange.provider else None,
            method=request.method,
            path=request.path,
            query_string=environ.get("QUERY_STRING", ""),
            raw_body=data,
            status=response.status_code,
            raw_response=None if exchange.dropped else response.get_data(),
            account=exchange.account.id if exchange.account else None,
            when=self.world.clock.peek(),
            raw_headers=exchange.raw_headers if exchange.raw_headers is not None else _raw_headers(environ),
            response_type=response.content_type,
        ))

    def _host_provider(self, request: Request) -> Provider | None:
        """The provider whose real host the request is addressed to, if any."""
        host = request.host.split(":", 1)[0].lower()
        return next((p for p in self.world.providers if host in p.hosts), None)

    def _provider_for(self, request: Request) -> Provider | None:
        provider = self._host_provider(request)
        if provider is not None:
            return provider
        # The standalone server serves every provider on one host: the path tells them apart.
        providers = self.world.providers
        return max(
            (p for p in providers for prefix in p.path_prefixes if request.path.startswith(prefix)),
            key=lambda p: max(len(x) for x in p.path_prefixes if request.path.startswith(x)),
            default=None,
        )


@dataclasses.dataclass(slots=True)
class Replay:
    """A GET's reply as sent, kept for the same request while the World stays at ``version``."""

    version: tuple[int, int]
    provider: str
    path: str
    account: str
    status: int
    status_line: str
    headers: list[tuple[str, str]]
    id_at: int | None  # which header holds the provider's per-request id, drawn anew for each replay
    body: bytes
    content_type: str | None
    cost: int = 0  # what each of its journal entries costs (Recorded.cost): the same request, the same cost


def _check(expected: Replay, fresh: Replay | None, exchange: Exchange, response: Response) -> None:
    """``check_replays``: the reply that would have been replayed must be the one just worked out."""
    def comparable(replay: Replay) -> tuple[Any, ...]:
        headers = [h for i, h in enumerate(replay.headers) if i != replay.id_at]
        return replay.status, headers, replay.body, replay.account, replay.path, replay.content_type
    if fresh is None or comparable(expected) != comparable(fresh):
        raise StaleReplay(f"{exchange.method} {exchange.path}: the remembered reply was {expected.status} "
                          f"{expected.body[:300]!r}; worked out anew it is {response.status_code} "
                          f"{response.get_data()[:300]!r}: something changed the World without moving its "
                          "version (StateLock)")


class StaleReplay(AssertionError):
    """``check_replays``: a remembered reply differs from the one worked out anew (a bug in the fake)."""


def replay_key(environ: dict[str, Any]) -> tuple[tuple[Any, ...] | None, dict[str, str]]:
    """What makes two GETs the same request (path, query, every header, how it was addressed), and the headers
    (``_raw_headers``); (None, {}) for any other request: another method, or a body."""
    if environ["REQUEST_METHOD"] != "GET" or environ.get("CONTENT_LENGTH") not in (None, "", "0") \
            or "HTTP_TRANSFER_ENCODING" in environ:
        return None, {}
    raw = _raw_headers(environ)
    return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("SCRIPT_NAME", ""),
            environ["wsgi.url_scheme"], environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
            tuple(raw.items())), raw


@dataclasses.dataclass(slots=True)
class Served:
    """What ``FakerouteApp.serve`` sent (the WSGI body) and whom: provider, account, status."""

    body: Iterable[bytes]
    provider: str | None
    account: str | None
    status: int


class DroppedConnection(ClientDisconnected):
    """Raised to waitress for a dropped-connection fault: it closes the socket without writing anything."""

    def __init__(self, message: str, served: Served):
        super().__init__(message)
        self.served = served


def _tagged(part: str, violations: list[Violation]) -> list[Violation]:
    return [dataclasses.replace(v, part=part) for v in violations]


def _raw_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request headers as the WSGI environ holds them (HTTP_USER_AGENT, CONTENT_TYPE)."""
    # "HTTP_" <= k < "HTTP`" is k.startswith("HTTP_") ("`" follows "_"), compared without slicing a new string.
    return {k: v for k, v in environ.items() if "HTTP_" <= k < "HTTP`" or k == "CONTENT_TYPE"}


def _sent(response: Response, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """``response(environ, start_response)``: what werkzeug sends, without its per-call copy and rework of the
    headers when there is none to do (a buffered body, its Content-Length set, no Location, a status with a body,
    not HEAD); anything else goes through werkzeug."""
    if _plain(response, environ):
        start_response(response.status, response.headers.to_wsgi_list())
        return response.response
    return response(environ, start_response)


def _plain(response: Response, environ: dict[str, Any]) -> bool:
    """Whether werkzeug would send the response as it is: a buffered body, its Content-Length set, no Location,
    a status with a body, not HEAD."""
    status = response.status_code
    if (type(response.response) is list and 200 <= status and status not in (204, 304)
            and environ["REQUEST_METHOD"] != "HEAD" and not response.direct_passthrough):
        names = {name.lower() for name, _ in response.headers}  # (``in`` raises and catches a KeyError per miss)
        return "content-length" in names and "location" not in names and "content-location" not in names
    return False


def _content_length(request: Request) -> int | None:
    """``request.content_length``, without werkzeug's header view when no Content-Length or 0 came (then None: as
    falsy as werkzeug's 0, which is all its callers ask)."""
    return request.content_length if request.environ.get("CONTENT_LENGTH", "0") != "0" else None


def _is_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def _base_url(environ: dict[str, Any]) -> str:
    """scheme://host as the caller addressed us (werkzeug's host_url is a costly IRI round trip)."""
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ["SERVER_NAME"]
        port = environ.get("SERVER_PORT")
        if port and port != ("443" if environ["wsgi.url_scheme"] == "https" else "80"):
            host = f"{host}:{port}"
    return f"{environ['wsgi.url_scheme']}://{host}"
