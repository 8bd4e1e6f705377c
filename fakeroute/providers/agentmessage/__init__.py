"""AgentMessage v1 (phone numbers, campaigns, brands) on api.agentmsg.io, bearer API keys with scopes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from ...accounts import Account
from ...errors import ApiError
from ...validation import Violation
from ..base import Exchange, Provider, Reply
from . import errors, handlers, rendering, scenario
from .models import ADMIN_SCOPE, TRUE_WORDS, Organization
from .routes import OPERATIONS
from .schemas import SCHEMAS

if TYPE_CHECKING:
    from ...world import World

_ODD_80 = 0x9E3779B97F4A7C15F39D  # odd: serial -> serial * _ODD_80 mod 2**80 is one-to-one
_SEED_MIX = 0xC2B2AE3D27D4EB4F165B
_DEFAULT_FIELD = {"query": "query", "body": "body"}  # where a violation of a whole part is reported


class AgentMessageProvider(Provider):
    name = "agentmessage"
    hosts = ("api.agentmsg.io",)
    path_prefixes = ("/v1/",)
    operations = OPERATIONS
    schemas = SCHEMAS
    scenario = scenario
    title = "AgentMessage v1"
    auth_scheme = "bearer"

    # -- request side -----------------------------------------------------------------------------

    def new_request_id(self, world: World) -> str:
        """A ULID: the fake clock's milliseconds, then 80 bits unique per request and fixed by the seed
        (the serial times an odd constant is a bijection modulo 2**80)."""
        serial = world.ids.next("agentmessage.request")
        randomness = (serial * _ODD_80 + world.seed * _SEED_MIX) % (1 << 80)
        return rendering.ulid(world.clock.peek(), randomness)

    def authenticate(self, exchange: Exchange, world: World) -> Account:
        key = _bearer(exchange)
        account = world.find_account(self.name, key) if key else None
        if account is None:
            raise errors.unauthorized()
        return account

    def authorize(self, exchange: Exchange, account: Account) -> None:
        """The key must hold the operation's scope (403); ``return_to_carrier=true`` needs more. Checked
        before any input, as the real API does: a refused release leaves the number untouched."""
        op = exchange.operation
        assert op is not None
        org: Organization = account.state(self.name)
        granted = org.api_keys[_bearer(exchange) or ""].scopes
        if op.scope is not None and op.scope not in granted:
            raise errors.forbidden()
        if exchange.request.args.get("return_to_carrier") in TRUE_WORDS:
            if op.name == "bulk_release_phone_numbers":
                raise errors.forbidden(errors.BULK_CARRIER_RETURN_FORBIDDEN)
            if op.name == "release_phone_number" and ADMIN_SCOPE not in granted:
                raise errors.forbidden(errors.CARRIER_RETURN_FORBIDDEN)

    def parse_body(self, exchange: Exchange, data: bytes) -> Any:
        """A JSON object (no body at all reads as {}: required fields are then reported by name). Malformed
        JSON, another type or a field the route does not take is a 400 before any value is checked."""
        op = exchange.operation
        assert op is not None and op.body is not None
        if not data.strip():
            return {}
        try:
            body = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise errors.invalid_input({"body": f"must be valid JSON ({exc})"}) from None
        if not isinstance(body, dict):
            raise errors.invalid_input({"body": "must be a JSON object"})
        schema = self.schemas[op.body].document
        if schema.get("additionalProperties") is False:
            allowed = schema["properties"]
            unknown = {name: "is not a field this endpoint accepts" for name in body if name not in allowed}
            if unknown:
                raise errors.invalid_input(unknown)
        return body

    def invalid_input(self, exchange: Exchange, violations: list[Violation]) -> ApiError:
        """422 VALIDATION_FAILED naming every bad field: path id, Idempotency-Key, query and body together."""
        details: dict[str, str] = {}
        for violation in violations:
            details.setdefault(violation.field or _DEFAULT_FIELD.get(violation.part, violation.part), violation.message)
        return errors.validation_failed(details)

    def not_found(self, exchange: Exchange) -> ApiError:
        return errors.not_found()

    def method_not_allowed(self, exchange: Exchange) -> ApiError:
        return ApiError(405, f"method {exchange.method} not allowed", code="METHOD_NOT_ALLOWED")

    # -- timed work -------------------------------------------------------------------------------

    def next_due(self, world: World) -> datetime | None:
        dues = [org.due for org in (a.states.get(self.name) for a in world) if org is not None and org.due]
        return min(dues, default=None)

    def catch_up(self, world: World) -> None:
        """Quarantines that ended and bulk orders due, in every org whose time has come: they change the
        shared inventory, so the World runs this before a request to any provider."""
        now = world.clock.peek()
        for account in world:
            org = account.states.get(self.name)
            if org is not None and org.due is not None and org.due <= now:
                handlers.catch_up(world.scope(account, self.name))

    # -- response side ----------------------------------------------------------------------------

    def render(self, reply: Reply, exchange: Exchange) -> Response:
        if exchange.request_id is not None:
            reply.headers["X-Request-Id"] = exchange.request_id
        return super().render(reply, exchange)

    def render_error(self, error: ApiError, exchange: Exchange, world: World) -> Response:
        request_id = exchange.request_id or self.new_request_id(world)
        document = errors.error_document(error, request_id)
        return Response(json.dumps(document, separators=(",", ":")), status=error.status,
                        headers={**error.headers, "X-Request-Id": request_id}, content_type=self.content_type)

    # -- state ------------------------------------------------------------------------------------

    def credential_keys(self, state: Organization) -> Iterable[Any]:
        return list(state.api_keys)

    def public_credentials(self, state: Organization) -> dict[str, Any] | None:
        if not state.api_keys:
            return None
        return {
            "org_id": state.org_id,
            "api_keys": [{"key": k.key, "label": k.label, "scopes": list(k.scopes)} for k in state.api_keys.values()],
        }

    # -- clients ----------------------------------------------------------------------------------

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        """The account's first API key as a bearer token."""
        return {"Authorization": f"Bearer {credentials['api_keys'][0]['key']}"}


def _bearer(exchange: Exchange) -> str | None:
    header = exchange.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
