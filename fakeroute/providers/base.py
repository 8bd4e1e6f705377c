"""What every provider folder supplies: its routes, handlers, rendering, errors, schemas and state."""

from __future__ import annotations

import copy
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..errors import ApiError
from ..validation import SchemaStore, Violation

if TYPE_CHECKING:
    from ..world import Account, Scope, World


@dataclass
class Call:
    """A validated request as a handler sees it: never the raw body, never the credentials."""

    scope: Scope
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    base_url: str  # scheme://host the caller used, for the links in the answer
    path_info: str  # the request path, for self links


@dataclass
class Reply:
    """A handler's answer: the status and the document the provider's renderer serializes."""

    status: int
    document: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Operation:
    """One endpoint: its URL rule, methods, handler and the schemas its input must satisfy."""

    path: str
    method: str
    handler: Handler
    query: str | None = None  # schema names in the provider's schemas/ folder
    body: str | None = None

    @property
    def name(self) -> str:
        return self.handler.__name__


class Provider(ABC):
    """Base of each provider's glue object; subclasses fill in the provider-specific parts."""

    name: str
    hosts: tuple[str, ...]  # the real API hosts, e.g. ("api.flowroute.com",)
    path_prefixes: tuple[str, ...]  # which unmatched paths on the shared server are this provider's
    operations: tuple[Operation, ...]
    schemas: SchemaStore
    content_type = "application/json"

    def rules(self) -> list[Rule]:
        return [
            Rule(op.path, methods=[op.method], endpoint=(self.name, i))
            for i, op in enumerate(self.operations)
        ]

    # -- request side -----------------------------------------------------------------------------

    @abstractmethod
    def authenticate(self, request: Request, world: World, op: Operation, path: dict[str, str]) -> Account:
        """The caller's account, or raise the provider's own 401.

        The first hook a routed request meets: a provider whose API checks more before the input
        (AgentMessage's scopes, 403, and path ids) does it here, with the operation and its path arguments.
        """

    def basic_auth_account(self, request: Request, world: World) -> Account | None:
        """The account an HTTP basic ``Authorization`` header names (``credential_keys`` gave (user, password))."""
        auth = request.authorization
        if auth is None or auth.type != "basic":
            return None
        return world.find_account(self.name, (auth.username, auth.password))

    @abstractmethod
    def parse_body(self, request: Request, data: bytes, op: Operation) -> Any:
        """The request body as the real API reads it; raise ApiError for a malformed one."""

    def invalid_query(self, violations: list[Violation]) -> ApiError:
        """The error for a query string that breaks the operation's schema (violations outermost first)."""
        first = violations[0]
        return ApiError(400, f"Invalid query parameter {first}", field=first.field)

    def invalid_body(self, violations: list[Violation]) -> ApiError:
        """The error for a body that breaks the operation's schema (violations outermost first)."""
        first = violations[0]
        return ApiError(400, f"Invalid {first.field or 'request body'}: {first.message}", field=first.field)

    def catch_up(self, world: World) -> None:  # noqa: B027  optional hook: most providers have no timed work
        """Do the time-driven work now due on the World's clock (called before every provider request)."""

    # -- response side ----------------------------------------------------------------------------

    def render(self, reply: Reply, request: Request) -> Response:
        if reply.document is None:
            return Response(status=reply.status, headers=reply.headers)
        body = json.dumps(reply.document, separators=(",", ":"))
        return Response(body, status=reply.status, headers=reply.headers, content_type=self.content_type)

    @abstractmethod
    def render_error(self, error: ApiError, request: Request, world: World) -> Response:
        """The error in the provider's own body format and status."""

    def not_found(self, request: Request) -> ApiError:
        return ApiError(404, f"The requested resource {request.path} was not found")

    def method_not_allowed(self, request: Request) -> ApiError:
        return ApiError(405, f"Method {request.method} is not allowed on {request.path}")

    # -- state ------------------------------------------------------------------------------------

    @abstractmethod
    def load_state(self, section: Mapping[str, Any] | None, world: World) -> Any:
        """This provider's state of one account, from its (validated) scenario section."""

    def copy_state(self, state: Any) -> Any:
        """An independent copy of a loaded state, made on every World reset: keep it cheap."""
        return copy.deepcopy(state)

    @abstractmethod
    def dump_state(self, state: Any) -> dict[str, Any]:
        """The inverse of ``load_state``: a scenario section."""

    @abstractmethod
    def new_section(self, world: World, serial: int) -> dict[str, Any]:
        """A scenario section for a brand-new account: fresh credentials, nothing owned."""

    @abstractmethod
    def credential_keys(self, state: Any) -> Iterable[Any]:
        """Hashable keys the World indexes the account by, matched by ``authenticate``."""

    @abstractmethod
    def public_credentials(self, state: Any) -> dict[str, Any]:
        """The account's credentials for this provider, as the admin API shows them."""

    def owned_numbers(self, section: Mapping[str, Any] | None) -> list[str]:
        """Numbers (11 digits) this section owns, which the inventory must not offer."""
        return []
