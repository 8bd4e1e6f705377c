"""The provider contract: what every provider folder supplies, and the objects a request travels in.

One request flows one way (see ``fakeroute.app``): the app makes an ``Exchange``, the provider
authenticates it, authorizes it against the ``Operation``'s policy, the app validates path, query,
headers and body in one phase, and the handler gets a ``Call``: validated input and a ``Scope`` of the
caller's own state, never raw bodies or credentials.
"""

from __future__ import annotations

import functools
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.datastructures import Authorization, Headers
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..accounts import Account, Scope
from ..errors import ApiError
from ..validation import SchemaStore, Violation, holds_float

if TYPE_CHECKING:
    from ..world import World


# What orjson writes otherwise than json.dumps(ensure_ascii=True): characters from DEL up (json escapes them as
# \uXXXX), floats under 1e-4 ("0.00001" for "1e-05"), one-digit negative exponents ("1e-7" for "1e-07") and NaN or
# infinities (null). The substring tests run at C speed; exponents are looked for only where a "-" is (one byte: a
# memchr, where "e-" costs about as much as orjson's writing), and the document is walked for NaN only when its
# text holds a null.
_DIGITS = frozenset(b"0123456789")
_IN_NUMBER = frozenset(b"0123456789.")
_BEFORE_NUMBER = frozenset(b":,[-")  # compact JSON writes a number token only after these (or first)


def _short_exponent(text: bytes) -> bool:
    """Whether a number token of ``text`` has a one-digit negative exponent (a UUID's "4d6e-9f80" is no token)."""
    at = text.find(b"e-")
    while at != -1:
        after = text[at + 2:at + 4]
        if at and text[at - 1] in _DIGITS and after[:1] and after[0] in _DIGITS \
                and (len(after) == 1 or after[1] not in _DIGITS):
            start = at - 1
            while start >= 0 and text[start] in _IN_NUMBER:
                start -= 1
            if start < 0 or text[start] in _BEFORE_NUMBER:
                return True
        at = text.find(b"e-", at + 2)
    return False


_PASSTHROUGH = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def compact_json(document: Any) -> bytes:
    """``json.dumps(document, separators=(",", ":"))`` as bytes, byte for byte, at orjson's speed: orjson writes
    it, and json does whenever orjson's text could differ (see above) or orjson refuses the document (integers
    past 64 bits, keys that are not strings, subclasses and the types json itself refuses: json's own error)."""
    try:
        text = orjson.dumps(document, default=_refuse, option=_PASSTHROUGH)
    except TypeError:
        text = b""
    if (not text or not text.isascii() or b"\x7f" in text or b"0.0000" in text
            or (b"-" in text and _short_exponent(text))
            or (b"null" in text and holds_float(document, non_finite=True))):  # a NaN json writes, orjson nulls
        return json.dumps(document, separators=(",", ":")).encode()
    return text


@functools.lru_cache(maxsize=256)
def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user, password) of an HTTP basic ``Authorization`` header, as werkzeug reads it; None for anything else.
    Remembered: a suite sends the same few headers again and again, and parsing one costs more than routing."""
    try:
        auth = Authorization.from_header(header)
    except ValueError:  # werkzeug's base64 decoding raises on bytes beyond ASCII: no credentials, so a 401
        return None
    if auth is None or auth.type != "basic":
        return None
    return auth.username, auth.password


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is left to json")


@dataclass
class Call:
    """A validated request as a handler sees it: never the raw body, never the credentials."""

    scope: Scope
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    base_url: str  # scheme://host the caller used, for the links in the answer
    path_info: str  # the request path, for self links
    idempotency_key: str | None = None  # the Idempotency-Key header, for operations whose policy reads it


@dataclass
class Reply:
    """A handler's answer: the status and the document the provider's renderer serializes."""

    status: int
    document: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # It shows what changes on every call without the World's version moving (``Provider.note_use``, such as
    # AgentMessage's keys' last use): the app never replays it.
    volatile: bool = False


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Operation:
    """One endpoint and its policy, as data: URL rule, method, handler, the schemas of each input part
    (names in the provider's schemas/ folder), the scope a caller's key needs, and whether the
    ``Idempotency-Key`` header makes retries safe."""

    path: str
    method: str
    handler: Handler
    query: str | None = None
    body: str | None = None
    path_params: str | None = None  # schema of the path arguments
    headers: str | None = None  # schema of the request headers the operation reads
    scope: str | None = None  # required API-key scope (providers with scoped keys)
    idempotent: bool = False

    @property
    def name(self) -> str:
        return self.handler.__name__


@dataclass(slots=True)
class Exchange:
    """One request on its way through the app: everything the pipeline's steps hand each other.

    Created by the app for every request; the provider hooks and the journal read and fill it in.
    Nothing about a request travels in the WSGI environ.
    """

    request: Request
    provider: Provider | None
    operation: Operation | None = None
    path_args: dict[str, str] = field(default_factory=dict)
    account: Account | None = None
    request_id: str | None = None  # the provider's per-request id, when it gives one (AgentMessage)
    dropped: bool = False  # an injected fault cut the connection: no answer reaches the client
    raw_headers: dict[str, str] | None = None  # the environ's HTTP_* and CONTENT_TYPE, once the app has read them
    # A GET that changed nothing and read no clock: the World's replies_version() its reply holds for.
    replayable: tuple[int, int] | None = None

    @property
    def headers(self) -> Headers:
        return self.request.headers

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def method(self) -> str:
        return self.request.method


class Provider(ABC):
    """Base of each provider's glue object (its folder's ``__init__``); subclasses fill in the parts.

    A provider folder has the same files as every other: routes, handlers, models, rendering, errors,
    scenario and schemas/. The World is handed the provider objects; nothing outside the folder names one.
    """

    name: str
    hosts: tuple[str, ...]  # the real API hosts, e.g. ("api.flowroute.com",)
    path_prefixes: tuple[str, ...]  # which unmatched paths on the shared server are this provider's
    operations: tuple[Operation, ...]
    schemas: SchemaStore
    content_type = "application/json"
    # What the OpenAPI documents (fakeroute.openapi) say beyond the operations and schemas: the API's name,
    # its HTTP auth scheme ("basic" or "bearer") and the media type of request bodies (default: content_type).
    title = ""
    auth_scheme = "basic"
    request_media_type = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.request_media_type:
            cls.request_media_type = cls.content_type

    def rules(self) -> list[Rule]:
        return [
            Rule(op.path, methods=[op.method], endpoint=(self.name, i))
            for i, op in enumerate(self.operations)
        ]

    # -- request side -----------------------------------------------------------------------------

    def new_request_id(self, world: World) -> str | None:
        """The id this provider stamps on an answer (a header, the error body), or None if it has none."""
        return None

    @abstractmethod
    def authenticate(self, exchange: Exchange, world: World) -> Account:
        """The caller's account, or raise the provider's own 401. Only who calls: nothing else."""

    def note_use(self, world: World, account: Account, headers: Mapping[str, str]) -> None:  # noqa: B027  optional
        """What every authenticated call does to the state beyond its operation, a replayed one too (AgentMessage
        notes when its key was last used); ``headers`` as the WSGI environ holds them (``HTTP_AUTHORIZATION``). The
        World's lock is held, taken with ``reading()``: a reply that shows what this changes is ``Reply.volatile``."""

    def authorize(self, exchange: Exchange, account: Account) -> None:  # noqa: B027  optional hook
        """Raise the provider's 403 when the credentials may not call this operation (``operation.scope``)."""

    def basic_auth_account(self, exchange: Exchange, world: World) -> Account | None:
        """The account an HTTP basic ``Authorization`` header names (``credential_keys`` gave (user, password))."""
        credentials = _basic_credentials(exchange.request.environ.get("HTTP_AUTHORIZATION"))
        return None if credentials is None else world.find_account(self.name, credentials)

    @abstractmethod
    def parse_body(self, exchange: Exchange, data: bytes) -> Any:
        """The request body as the real API reads it; raise ApiError for a malformed one."""

    def invalid_input(self, exchange: Exchange, violations: list[Violation]) -> ApiError:
        """The error for input that breaks the operation's schemas. ``violations`` holds every one, each
        tagged with its ``part`` (path, headers, query, body, in that order) and JSON Schema ``keyword``."""
        first = violations[0]
        if first.part == "query":
            return ApiError(400, f"Invalid query parameter {first}", field=first.field)
        return ApiError(400, f"Invalid {first.field or 'request body'}: {first.message}", field=first.field)

    # -- timed work -------------------------------------------------------------------------------

    def due(self, state: Any) -> datetime | None:
        """When the earliest timed work of one account's state falls due on the World's clock (None: nothing
        pending): the World books it on its agenda after a reset and after each catch-up of the account."""
        return None

    def catch_up(self, world: World, account: Account) -> None:  # noqa: B027  optional: most have no timed work
        """Do the account's time-driven work now due (called only once the World's agenda says the account has
        some; finding nothing due is fine)."""

    # -- response side ----------------------------------------------------------------------------

    def render(self, reply: Reply, exchange: Exchange) -> Response:
        if reply.document is None:
            return Response(status=reply.status, headers=reply.headers)
        body = compact_json(reply.document)
        return Response(body, status=reply.status, headers=reply.headers, content_type=self.content_type)

    @abstractmethod
    def render_error(self, error: ApiError, exchange: Exchange, world: World) -> Response:
        """The error in the provider's own body format and status."""

    def not_found(self, exchange: Exchange) -> ApiError:
        return ApiError(404, f"The requested resource {exchange.path} was not found")

    def method_not_allowed(self, exchange: Exchange) -> ApiError:
        return ApiError(405, f"Method {exchange.method} is not allowed on {exchange.path}")

    # -- state (each folder's scenario.py) --------------------------------------------------------

    # The folder's scenario module: load(section, world), copy(state), dump(state), new_section(world, serial),
    # owned_numbers(section). The state hooks below hand over to it.
    scenario: ModuleType

    def load_state(self, section: Mapping[str, Any] | None, world: World) -> Any:
        """This provider's state of one account, from its (validated) scenario section."""
        return self.scenario.load(section, world)

    def copy_state(self, state: Any) -> Any:
        """An independent copy of a loaded state, made on every World reset: keep it cheap."""
        return self.scenario.copy(state)

    def dump_state(self, state: Any) -> dict[str, Any] | None:
        """The inverse of ``load_state``: a scenario section (None: nothing to say for this account)."""
        return self.scenario.dump(state)

    def new_section(self, world: World, serial: int) -> dict[str, Any]:
        """A scenario section for a brand-new account: fresh credentials, nothing owned."""
        return self.scenario.new_section(world, serial)

    def owned_numbers(self, section: Mapping[str, Any] | None) -> list[str]:
        """Numbers (11 digits) this section owns, which the shared inventory must not offer."""
        return self.scenario.owned_numbers(section)

    @abstractmethod
    def credential_keys(self, state: Any) -> Iterable[Any]:
        """Hashable keys the World indexes the account by, matched by ``authenticate``."""

    @abstractmethod
    def public_credentials(self, state: Any) -> dict[str, Any] | None:
        """The account's credentials for this provider, as the admin API shows them."""

    # -- clients (the plugin's fixtures, the fuzz test) ------------------------------------------

    @abstractmethod
    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        """Request headers that authenticate as the account whose ``public_credentials`` these are."""

    def client(self, credentials: Mapping[str, Any]) -> Any:
        """What a test talks to this provider with: a ``requests.Session`` sending ``auth_headers``.
        A provider with an official SDK that works unchanged against the fake may return its client."""
        import requests  # the plugin's optional dependency, only when a test asks for a client

        session = requests.Session()
        session.headers.update(self.auth_headers(credentials))
        return session

    # -- simulation (admin API, the fixture's Python API) ----------------------------------------

    @property
    def supports_inbound(self) -> bool:
        """Whether inbound messages can be simulated: the provider implements ``receive_inbound``."""
        return type(self).receive_inbound is not Provider.receive_inbound

    def simulate_inbound(self, world: World, document: Mapping[str, Any]) -> dict[str, Any]:
        """A message arrives at a number an account owns (``POST /_fakeroute/inbound``): what happened.

        The document is checked against the provider's ``inbound`` schema first (422 naming the field), then
        ``receive_inbound`` does the rest; changes nothing when it raises.
        """
        if not self.supports_inbound:
            raise ApiError(400, f"provider {self.name!r} has no inbound messages to simulate")
        problems = self.schemas["inbound"].violations(document)
        if problems:
            first = problems[0]
            raise ApiError(422, f"Invalid {first.field or 'request body'}: {first.message}", field=first.field)
        return self.receive_inbound(world, document)

    def receive_inbound(self, world: World, document: Mapping[str, Any]) -> dict[str, Any]:
        """A schema-checked inbound message arrives: a provider that receives messages implements this (then
        ``supports_inbound`` is true); never reached otherwise, ``simulate_inbound`` refuses first."""
        raise NotImplementedError

    # The outcomes a delivery rule may force on the provider's messages (``POST /_fakeroute/delivery-rules``);
    # empty: the provider sends no messages, so it has no delivery rules.
    delivery_outcomes: tuple[str, ...] = ()

    def add_delivery_rule(self, world: World, account: str, to: str, outcome: str) -> dict[str, str]:
        """From now until the next reset, the account's messages to numbers matching ``to`` (``*``/``?``
        wildcards, the provider's number format) end with ``outcome``, one of ``delivery_outcomes``; the rule
        as stored. Providers with ``delivery_outcomes`` implement this."""
        raise NotImplementedError
