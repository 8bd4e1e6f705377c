"""AgentMessage v1 on api.agentmsg.io (numbers, messages, brands and campaigns, consent, API keys, org webhooks),
bearer API keys with scopes, and the Python API a test uses to move what the real service moves by itself."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from ...accounts import Account, Scope
from ...errors import ApiError
from ...messaging import DeliveryRule
from ...validation import Violation
from ..base import Exchange, Provider, Reply
from . import errors, handlers, rendering, scenario
from .models import (
    ADMIN_SCOPE,
    ALL_SCOPES,
    OUTCOMES,
    TRUE_WORDS,
    ApiKey,
    Consent,
    InboundMessage,
    Organization,
)
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
        """The organization of a live key: one of the scenario's (indexed by the World), or one minted since
        through the API (looked up in each org). Revoked keys and the old secret of a rotated one are 401."""
        token = _bearer(exchange.request.environ)
        if token is None:
            raise errors.unauthorized()
        account = world.find_account(self.name, token) or next(
            (a for a in world if token in a.states[self.name].api_keys), None)
        key: ApiKey | None = account.states[self.name].api_keys.get(token) if account is not None else None
        if account is None or key is None or key.revoked_at is not None:
            raise errors.unauthorized()
        return account

    def note_use(self, world: World, account: Account, headers: Mapping[str, str]) -> None:
        """The key's last use, shown by ``GET /v1/api-keys`` (whose reply is volatile for it)."""
        org: Organization = account.state(self.name)
        key = org.api_keys.get(_bearer(headers) or "")
        if key is not None:
            org.key_last_used[key.id] = world.clock.peek()

    def authorize(self, exchange: Exchange, account: Account) -> None:
        """The key must hold the operation's scope (403); ``return_to_carrier=true`` needs more, and a new key may
        only get scopes its creator holds. Checked before any input, as the real API does: a refused release
        leaves the number untouched."""
        op = exchange.operation
        assert op is not None
        org: Organization = account.state(self.name)
        granted = org.api_keys[_bearer(exchange.request.environ) or ""].scopes
        if op.scope is not None and op.scope not in granted:
            raise errors.forbidden()
        query = exchange.request.environ.get("QUERY_STRING", "")
        # Parsing the query costs more than this whole check: only one that may name the flag is parsed.
        if ("return_to_carrier" in query or "%" in query) and \
                exchange.request.args.get("return_to_carrier") in TRUE_WORDS:
            if op.name == "bulk_release_phone_numbers":
                raise errors.forbidden(errors.BULK_CARRIER_RETURN_FORBIDDEN)
            if op.name == "release_phone_number" and ADMIN_SCOPE not in granted:
                raise errors.forbidden(errors.CARRIER_RETURN_FORBIDDEN)
        if op.name == "create_api_key":
            wanted = _requested_scopes(exchange.request.get_data())
            # Known scopes the caller lacks are its 403; unknown ones are left to the handler's 400.
            if any(scope in ALL_SCOPES and scope not in granted for scope in wanted):
                raise errors.forbidden("requested scopes exceed the caller's: forbidden")

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

    def due(self, state: Organization) -> datetime | None:
        return state.due

    def catch_up(self, world: World, account: Account) -> None:
        """Quarantines that ended and bulk orders due in the org, when its time has come: they change the
        shared inventory, so the World runs this before a request to any provider."""
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
        live = [k for k in state.api_keys.values() if k.revoked_at is None]
        if not live:
            return None
        return {
            "org_id": state.org_id,
            "api_keys": [{"key": k.key, "label": k.label, "scopes": list(k.scopes)} for k in live],
        }

    # -- clients ----------------------------------------------------------------------------------

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        """The account's first API key as a bearer token."""
        return {"Authorization": f"Bearer {credentials['api_keys'][0]['key']}"}

    # -- simulation -------------------------------------------------------------------------------

    def receive_inbound(self, world: World, document: Mapping[str, Any]) -> dict[str, Any]:
        """POST /_fakeroute/inbound: a message arrives at an org's number (see ``receive_message``)."""
        with world.lock:
            account, message, webhook_id = _receive(world, document["to"], document["from"], document.get("body", ""),
                                                    tuple(document.get("media_urls", ())))
            org: Organization = account.state(self.name)
            return {"provider": self.name, "account": account.id,
                    "message": rendering.inbound_resource(message, org.org_id), "webhook": webhook_id}

    delivery_outcomes = tuple(OUTCOMES)

    def add_delivery_rule(self, world: World, account: str, to: str, outcome: str) -> dict[str, str]:
        # AgentMessage numbers are E.164: a pattern given without its "+" gets one, as the admin API promises.
        rule = add_delivery_rule(world, to if to.startswith(("+", "*")) else f"+{to}", outcome, account=account)
        return {"to": rule.to, "outcome": rule.outcome}


NAME = AgentMessageProvider.name


def receive_message(world: World, *, to: str, from_: str, body: str = "",
                    media_urls: Sequence[str] = ()) -> InboundMessage:
    """Simulate an SMS (an MMS with ``media_urls``) from ``from_`` arriving at ``to``, a number some organization
    owns (E.164; the "+" may be left out): it is listed by GET /v1/inbound-messages, its keyword (STOP, START,
    YES...) changes that sender's consent for that number, and the number's inbound_url gets it.

    Raises ``ApiError`` (404: nobody owns ``to``; 422: an empty SMS) and changes nothing then.
    """
    if not body and not media_urls:
        raise ApiError(422, "Invalid body: an SMS needs a body", field="body")
    with world.lock:
        return _receive(world, to, from_, body, tuple(media_urls))[1]


def review_brand(world: World, brand_id: str, identity_status: str = "VERIFIED", *,
                 reason: str | None = None) -> None:
    """Complete a brand's identity check now (instead of waiting for the fake clock): ACTIVE with
    ``identity_status`` (VERIFIED or VETTED_VERIFIED: ``brand.vetted``; UNVERIFIED or SELF_DECLARED:
    ``brand.vetting_failed`` carrying ``reason``). Works on any brand of any organization."""
    if identity_status not in ("VERIFIED", "VETTED_VERIFIED", "UNVERIFIED", "SELF_DECLARED"):
        raise ValueError(f"unknown identity_status {identity_status!r}")
    with world.lock:
        scope, org = _holder(world, lambda o: brand_id in o.brands, f"no organization has brand {brand_id!r}")
        handlers.review_brand(scope, org.brands[brand_id], identity_status, reason, world.clock.now())
        org.recompute_due()


def review_campaign(world: World, campaign_id: str, status: str = "ACTIVE", *, reasons: Sequence[str] = ()) -> None:
    """Complete (or change) a campaign's carrier review now: ACTIVE (``campaign.approved``), REJECTED with
    ``reasons`` (``campaign.rejected``), or EXPIRED. Numbers on a campaign that is not ACTIVE cannot send."""
    if status not in ("ACTIVE", "REJECTED", "EXPIRED"):
        raise ValueError(f"unknown campaign status {status!r}: ACTIVE, REJECTED or EXPIRED")
    with world.lock:
        scope, org = _holder(world, lambda o: campaign_id in o.campaigns,
                             f"no organization has campaign {campaign_id!r}")
        handlers.review_campaign(scope, org.campaigns[campaign_id], status, list(reasons), world.clock.now())
        org.recompute_due()


def add_delivery_rule(world: World, to: str, outcome: str, *, account: str = "default") -> DeliveryRule:
    """From now until the next reset, messages ``account`` sends to numbers matching ``to`` (E.164, ``*``/``?``
    wildcards) end with ``outcome``: delivered, undelivered, failed or no_receipt (the newest matching rule wins;
    a magic recipient beats every rule)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
    with world.lock:
        return world.accounts[account].state(NAME).delivery_rules.add(to, outcome)


def record_lookup(world: World, number: str, line_type: str, *, account: str = "default") -> None:
    """What a recent number lookup of ``account`` found: a send to a ``fixed`` line is refused with
    422 LINE_TYPE_BLOCKED (also: mobile, voip, toll_free, unknown)."""
    if line_type not in ("fixed", "mobile", "voip", "toll_free", "unknown"):
        raise ValueError(f"unknown line type {line_type!r}")
    with world.lock:
        world.accounts[account].state(NAME).line_types[number] = line_type


def submit_hosted_consent(world: World, token: str) -> Consent:
    """The contact submits the hosted consent form of ``token`` (POST /v1/consent/hosted): consent recorded with
    method hosted_form. Submitting again changes nothing; an expired token raises ``ApiError`` (409)."""
    with world.lock:
        scope, org = _holder(world, lambda o: token in o.hosted, "no organization minted this hosted consent token")
        return handlers.submit_hosted_form(scope, org.hosted[token])


def _holder(world: World, holds: Any, missing: str) -> tuple[Scope, Organization]:
    world.catch_up()  # what the clock has made due happens before what the test does now
    for account in world:
        org: Organization = account.state(NAME)
        if holds(org):
            return world.scope(account, NAME), org
    raise KeyError(missing)


def _receive(world: World, to: str, sender: str, body: str,
             media_urls: tuple[str, ...]) -> tuple[Account, InboundMessage, str | None]:
    to, sender = "+" + to.lstrip("+"), "+" + sender.lstrip("+")
    world.catch_up()  # a challenge past its expiry must not be confirmed by a late YES
    for account in world:
        number = account.state(NAME).number_by_e164(to)
        if number is not None:
            message, webhook_id = handlers.receive(world.scope(account, NAME), number, sender, body, media_urls)
            return account, message, webhook_id
    raise ApiError(404, f"Number {to} is not on any organization", field="to")


def _requested_scopes(data: bytes) -> list[str]:
    """The ``scopes`` a POST /v1/api-keys body asks for, when it is shaped so (else none: validation says why)."""
    try:
        body = json.loads(data or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return []
    scopes = body.get("scopes") if isinstance(body, dict) else None
    return [s for s in scopes if isinstance(s, str)] if isinstance(scopes, list) else []


def _bearer(environ: Mapping[str, str]) -> str | None:
    """The bearer token of a WSGI environ's (or raw headers') ``Authorization``."""
    header = environ.get("HTTP_AUTHORIZATION", "")  # as headers.get, without building them
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
