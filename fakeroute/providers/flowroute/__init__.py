"""Flowroute Numbers v2 (numbers, routes, E911, CNAM, CDR exports, porting) and Messages v2.1 on
api.flowroute.com, HTTP basic auth accessKey:secretKey."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Response

from ...accounts import Account
from ...errors import ApiError
from ...messaging import DeliveryRule
from ...outbox import Webhook
from ...validation import Violation
from ..base import Exchange, Provider, Reply
from . import handlers, rendering, scenario
from . import models as m
from .errors import UNAUTHORIZED_DETAIL, error_document
from .models import FlowrouteAccount, Message
from .routes import FORM_BODIES, OPERATIONS, PRESIGNED
from .schemas import SCHEMAS

if TYPE_CHECKING:
    from ...world import World

FORM = "application/x-www-form-urlencoded"


class FlowrouteProvider(Provider):
    name = "flowroute"
    hosts = ("api.flowroute.com",)
    path_prefixes = ("/v2/", "/v2.1/")
    operations = OPERATIONS
    schemas = SCHEMAS
    scenario = scenario
    title = "Flowroute Numbers v2 and Messages v2.1"
    content_type = rendering.MEDIA_TYPE

    # -- request side -----------------------------------------------------------------------------

    def authenticate(self, exchange: Exchange, world: World) -> Account:
        if exchange.operation is not None and exchange.operation.name in PRESIGNED:
            owner = handlers.export_owner(world, exchange.path_args["export_id"], exchange.path_args["signature"])
            if owner is None:
                raise ApiError(403, "The request signature we calculated does not match the signature you provided")
            return owner
        account = self.basic_auth_account(exchange, world)
        if account is None:
            raise ApiError(401, UNAUTHORIZED_DETAIL)
        return account

    def parse_body(self, exchange: Exchange, data: bytes) -> Any:
        # The SDK sends application/json, application/vnd.api+json or no Content-Type at all
        # depending on the call: the body is read as JSON whatever the header says, but for the two
        # calls whose body the SDK form-encodes (a CNAM value, the numbers of a portability check).
        if not data.strip():
            return None
        try:
            if exchange.operation.name in FORM_BODIES and exchange.request.mimetype == FORM:
                return self._form(exchange, data.decode())
            return json.loads(data)
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"Request body is not valid JSON: {exc}") from None

    def _form(self, exchange: Exchange, text: str) -> dict[str, Any]:
        """A form as the SDK's dict becomes one (``numbers=1425...&numbers=1882...``): a repeated field, or one
        the body's schema says is an array, is a list."""
        arrays = {name for name, spec in self.schemas[exchange.operation.body].document.get("properties", {}).items()
                  if spec.get("type") == "array"}
        form: dict[str, Any] = {}
        for name, value in parse_qsl(text, keep_blank_values=True):
            if name in arrays or name in form:
                previous = form.get(name, [])
                form[name] = [*(previous if isinstance(previous, list) else [previous]), value]
            else:
                form[name] = value
        return form

    def invalid_input(self, exchange: Exchange, violations: list[Violation]) -> ApiError:
        """A bad query parameter is a 400 naming it (JSON:API ``source.parameter``); a body that breaks
        its schema a 422 pointing at the attribute."""
        error = super().invalid_input(exchange, violations)
        if violations[0].part == "query":
            error.extra["source"] = {"parameter": error.field}
        else:
            error.status = 422
        return error

    # -- timed work -------------------------------------------------------------------------------

    def due(self, state: FlowrouteAccount) -> datetime | None:
        return state.due

    def catch_up(self, world: World, account: Account) -> None:
        """CNAM reviews that ended and CDR exports that completed in the account, when its time has come."""
        handlers.catch_up(world.scope(account, self.name))

    # -- response side ----------------------------------------------------------------------------

    def render(self, reply: Reply, exchange: Exchange) -> Response:
        if isinstance(reply.document, bytes):  # a CDR export's file, its Content-Type in the headers
            return Response(reply.document, status=reply.status, headers=reply.headers)
        return super().render(reply, exchange)

    def render_error(self, error: ApiError, exchange: Exchange, world: World) -> Response:
        document = error_document(error, world.ids.uuid("flowroute.error"))
        return Response(json.dumps(document), status=error.status, headers=error.headers,
                        content_type=self.content_type)

    # -- state ------------------------------------------------------------------------------------

    def credential_keys(self, state: FlowrouteAccount) -> Iterable[Any]:
        return [] if state.access_key is None else [(state.access_key, state.secret_key)]

    def public_credentials(self, state: FlowrouteAccount) -> dict[str, Any] | None:
        if state.access_key is None:
            return None
        return {"access_key": state.access_key, "secret_key": state.secret_key}

    # -- clients ----------------------------------------------------------------------------------

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        token = base64.b64encode(f"{credentials['access_key']}:{credentials['secret_key']}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    # -- simulation -------------------------------------------------------------------------------

    def receive_inbound(self, world: World, document: Mapping[str, Any]) -> dict[str, Any]:
        """POST /_fakeroute/inbound: a message arrives at an owned number (see ``receive_message``)."""
        account_id, message, webhook = _receive(world, **handlers.inbound_fields(document))
        return {
            "provider": self.name,
            "account": account_id,
            "message": rendering.mdr_resource(message, message.timestamp),
            "webhook": webhook.id if webhook else None,
        }


    delivery_outcomes = tuple(m.OUTCOMES)

    def add_delivery_rule(self, world: World, account: str, to: str, outcome: str) -> dict[str, str]:
        rule = add_delivery_rule(world, to, outcome, account=account)
        return {"to": rule.to, "outcome": rule.outcome}


def receive_message(
    world: World,
    *,
    to: str,
    from_: str,
    body: str = "",
    media_urls: Sequence[str] = (),
    is_mms: bool = False,
) -> Message:
    """Simulate an SMS (or, with ``media_urls`` or ``is_mms``, an MMS) from ``from_`` arriving at ``to``, a
    number some account owns: its inbound MDR appears in look-ups and its SMS/MMS callback gets the webhook.

    Raises ``ApiError`` (404: nobody owns ``to``; 422: a bad number, an empty SMS) and changes nothing then.
    """
    return _receive(world, to=to.lstrip("+"), sender=from_.lstrip("+"), body=body, media_urls=tuple(media_urls),
                    is_mms=is_mms)[1]


def add_delivery_rule(world: World, to: str, outcome: str, *, account: str = "default") -> DeliveryRule:
    """From now until the next reset, messages ``account`` sends to numbers matching ``to`` (11 digits,
    ``*``/``?`` wildcards) end with ``outcome``: one of ``models.OUTCOMES`` ("undeliverable", "rejected"...)."""
    if outcome not in m.OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}: one of {', '.join(m.OUTCOMES)}")
    with world.lock:
        return world.accounts[account].state("flowroute").delivery_rules.add(to.lstrip("+"), outcome)


def _owner(world: World, number: str) -> tuple[str, FlowrouteAccount]:
    for account in world:
        state: FlowrouteAccount = account.state("flowroute")
        if number in state.numbers:
            return account.id, state
    raise ApiError(404, f"Number {number} is not on any account", field="to")


def _receive(world: World, *, to: str, sender: str, body: str, media_urls: tuple[str, ...],
             is_mms: bool) -> tuple[str, Message, Webhook | None]:
    """The receiving account's id, the inbound MDR and its webhook (if the account has a callback)."""
    with world.lock:
        account_id, state = _owner(world, to)
        handlers.north_american(sender, "from")
        handlers.check_content(body, media_urls, is_mms or bool(media_urls), "")
        message, webhook = handlers.receive(
            account_id, state, clock=world.clock, ids=world.ids, outbox=world.outbox,
            to=to, sender=sender, body=body, media_urls=media_urls, is_mms=is_mms, keep=world.max_messages_per_account,
        )
        return account_id, message, webhook
