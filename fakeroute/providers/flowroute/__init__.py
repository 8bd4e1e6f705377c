"""Flowroute Numbers v2 and Messages v2.1 on api.flowroute.com, HTTP basic auth accessKey:secretKey."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ...errors import ApiError
from ...outbox import Webhook
from ...validation import SchemaStore, Violation
from ..base import Operation, Provider
from . import message_handlers, rendering
from . import messages as msg
from .errors import UNAUTHORIZED_DETAIL, error_document
from .messages import DeliveryRule, Message
from .models import SIP_REG_ROUTE_ID, FlowrouteAccount, Number, Route
from .routes import OPERATIONS

if TYPE_CHECKING:
    from ...world import Account, World

SCHEMAS = SchemaStore(Path(__file__).parent / "schemas")


class FlowrouteProvider(Provider):
    name = "flowroute"
    hosts = ("api.flowroute.com",)
    path_prefixes = ("/v2/", "/v2.1/")
    operations = OPERATIONS
    schemas = SCHEMAS
    content_type = rendering.MEDIA_TYPE

    # -- request side -----------------------------------------------------------------------------

    def authenticate(self, request: Request, world: World, op: Operation, path: dict[str, str]) -> Account:
        account = self.basic_auth_account(request, world)
        if account is None:
            raise ApiError(401, UNAUTHORIZED_DETAIL)
        return account

    def parse_body(self, request: Request, data: bytes, op: Operation) -> Any:
        # The SDK sends application/json, application/vnd.api+json or no Content-Type at all
        # depending on the call: the body is read as JSON whatever the header says.
        if not data.strip():
            return None
        try:
            return json.loads(data)
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"Request body is not valid JSON: {exc}") from None

    def invalid_query(self, violations: list[Violation]) -> ApiError:
        error = super().invalid_query(violations)
        error.extra["source"] = {"parameter": error.field}
        return error

    def invalid_body(self, violations: list[Violation]) -> ApiError:
        error = super().invalid_body(violations)
        error.status = 422
        return error

    # -- response side ----------------------------------------------------------------------------

    def render_error(self, error: ApiError, request: Request, world: World) -> Response:
        document = error_document(error, world.ids.uuid("flowroute.error"))
        return Response(json.dumps(document), status=error.status, headers=error.headers,
                        content_type=self.content_type)

    # -- state ------------------------------------------------------------------------------------

    def load_state(self, section: Mapping[str, Any] | None, world: World) -> FlowrouteAccount:
        from ...world import ScenarioError

        if section is None:  # an account without Flowroute credentials: nobody can call as it
            return FlowrouteAccount(None, None)
        account = FlowrouteAccount(section["access_key"], section["secret_key"])
        for i, doc in enumerate(section.get("routes", [])):
            if doc["id"] in account.routes:
                raise ScenarioError(f"routes[{i}].id: duplicate route id {doc['id']!r}")
            if account.route_with_alias(doc["alias"]):
                raise ScenarioError(f"routes[{i}].alias: duplicate alias {doc['alias']!r}")
            account.routes[doc["id"]] = Route(doc["id"], doc["route_type"], doc.get("value"), doc["alias"])
        for i, doc in enumerate(section.get("numbers", [])):
            value = doc["value"]
            if value in account.numbers:
                raise ScenarioError(f"numbers[{i}].value: {value} is listed twice")
            for relationship in ("primary_route", "failover_route"):
                route_id = doc.get(relationship)
                if route_id is not None and route_id not in account.routes:
                    raise ScenarioError(f"numbers[{i}].{relationship}: no route with id {route_id!r}")
            described = world.inventory.describe(value)
            account.numbers[value] = Number(
                value,
                described.number_type,
                described.rate_center,
                described.state,
                alias=doc.get("alias"),
                cnam_lookups_enabled=doc.get("cnam_lookups_enabled", True),
                primary_route=doc.get("primary_route", SIP_REG_ROUTE_ID),
                failover_route=doc.get("failover_route"),
                dlr_callback=doc.get("dlr_callback"),
                messaging_enabled=doc.get("messaging_enabled", True),
            )
        account.callbacks.update(section.get("callbacks", {}))
        account.delivery_rules.extend(
            DeliveryRule(doc["to"].lstrip("+"), doc["outcome"]) for doc in section.get("delivery_rules", [])
        )
        for i, doc in enumerate(section.get("messages", [])):
            if doc["id"] in account.messages:
                raise ScenarioError(f"messages[{i}].id: duplicate message id {doc['id']!r}")
            try:
                account.messages[doc["id"]] = _load_message(doc, world)
            except ValueError as exc:  # a timestamp of the right shape that is no real time (month 13)
                raise ScenarioError(f"messages[{i}]: {exc}") from None
        return account

    def copy_state(self, state: FlowrouteAccount) -> FlowrouteAccount:
        return FlowrouteAccount(
            state.access_key,
            state.secret_key,
            routes={k: dataclasses.replace(r) for k, r in state.routes.items()},
            numbers={k: dataclasses.replace(n) for k, n in state.numbers.items()},
            messages=dict(state.messages),  # messages are immutable: shared, not copied
            callbacks=dict(state.callbacks),
            delivery_rules=list(state.delivery_rules),
        )

    def dump_state(self, state: FlowrouteAccount) -> dict[str, Any] | None:
        if state.access_key is None:
            return None
        section: dict[str, Any] = {
            "access_key": state.access_key,
            "secret_key": state.secret_key,
            "routes": [
                {"id": r.id, "route_type": r.route_type, "value": r.value, "alias": r.alias}
                for r in state.routes.values() if r.id != SIP_REG_ROUTE_ID
            ],
            "numbers": [_dump_number(n) for n in state.sorted_numbers()],
        }
        # Messaging parts appear only when there is something to say, so a numbers-only dump stays as it was.
        if state.callbacks:
            section["callbacks"] = dict(state.callbacks)
        if state.delivery_rules:
            section["delivery_rules"] = [{"to": r.to, "outcome": r.outcome} for r in state.delivery_rules]
        if state.messages:
            section["messages"] = [_dump_message(message) for message in state.messages.values()]
        return section

    def new_section(self, world: World, serial: int) -> dict[str, Any]:
        return {
            "access_key": str(10_000_000 + serial),
            "secret_key": world.ids.token("flowroute.secret", serial),
        }

    def credential_keys(self, state: FlowrouteAccount) -> Iterable[Any]:
        return [] if state.access_key is None else [(state.access_key, state.secret_key)]

    def public_credentials(self, state: FlowrouteAccount) -> dict[str, Any] | None:
        if state.access_key is None:
            return None
        return {"access_key": state.access_key, "secret_key": state.secret_key}

    def owned_numbers(self, section: Mapping[str, Any] | None) -> list[str]:
        return [n["value"] for n in (section or {}).get("numbers", [])]

    # -- simulation -------------------------------------------------------------------------------

    def inbound(self, world: World, document: Any) -> dict[str, Any]:
        """POST /_fakeroute/inbound: a message arrives at an owned number (see ``receive_message``)."""
        problems = SCHEMAS["inbound"].violations(document)
        if problems:
            raise self.invalid_body(problems)
        account_id, message, webhook = _receive(world, **message_handlers.inbound_fields(document))
        return {
            "provider": self.name,
            "account": account_id,
            "message": rendering.mdr_resource(message, message.timestamp),
            "webhook": webhook.id if webhook else None,
        }


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
    ``*``/``?`` wildcards) end with ``outcome``: one of ``messages.OUTCOMES`` ("undeliverable", "rejected"...)."""
    if outcome not in msg.OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}: one of {', '.join(msg.OUTCOMES)}")
    rule = DeliveryRule(to.lstrip("+"), outcome)
    with world.lock:
        world.accounts[account].state("flowroute").delivery_rules.insert(0, rule)  # the newest rule wins
    return rule


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
        message_handlers.north_american(sender, "from")
        message_handlers.check_content(body, media_urls, is_mms or bool(media_urls), "")
        message, webhook = message_handlers.receive(
            account_id, state, clock=world.clock, ids=world.ids, outbox=world.outbox,
            to=to, sender=sender, body=body, media_urls=media_urls, is_mms=is_mms,
        )
        return account_id, message, webhook


def _dump_number(number: Number) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "value": number.value, "alias": number.alias, "cnam_lookups_enabled": number.cnam_lookups_enabled,
        "primary_route": number.primary_route, "failover_route": number.failover_route,
    }
    if number.dlr_callback is not None:
        doc["dlr_callback"] = number.dlr_callback
    if not number.messaging_enabled:
        doc["messaging_enabled"] = False
    return doc


def _load_message(doc: Mapping[str, Any], world: World) -> Message:
    body = doc.get("body", "")
    media_urls = tuple(doc.get("media_urls", ()))
    is_mms = doc.get("is_mms", bool(media_urls))
    # Scenario receipts are listed newest first, as look-ups show them; kept oldest first.
    receipts = sorted(
        (msg.Receipt(r["level"], r["status"], r.get("status_code"), r.get("status_code_description", ""),
                     _time(r["timestamp"])) for r in reversed(doc.get("delivery_receipts", []))),
        key=lambda r: r.timestamp,
    )
    direction = doc["direction"]
    return Message(
        id=doc["id"],
        direction=direction,
        sender=doc["from"],
        to=doc["to"],
        body=body,
        timestamp=_time(doc["timestamp"]),
        is_mms=is_mms,
        media=message_handlers.media_for(world.ids, doc["id"], media_urls),
        message_type=doc.get("message_type", msg.message_type(doc["to" if direction == msg.INBOUND else "from"])),
        message_encoding=doc.get("message_encoding", msg.encoding(body)),
        amount_nanodollars=doc.get("amount_nanodollars", msg.amount_for(body, is_mms)),
        receipts=tuple(receipts),
        status=doc.get("status", "delivered"),
        dlr_callback=doc.get("dlr_callback"),
    )


def _dump_message(message: Message) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": message.id,
        "direction": message.direction,
        "from": message.sender,
        "to": message.to,
        "body": message.body,
        "timestamp": message.timestamp.isoformat(),
        "is_mms": message.is_mms,
        "media_urls": [media.url for media in message.media],
        "status": message.status,
        "delivery_receipts": [
            {"level": r.level, "status": r.status, "status_code": r.status_code,
             "status_code_description": r.status_code_description, "timestamp": r.timestamp.isoformat()}
            for r in reversed(message.receipts)
        ],
        "amount_nanodollars": message.amount_nanodollars,
        "message_encoding": message.message_encoding,
        "message_type": message.message_type,
    }
    if message.dlr_callback is not None:
        doc["dlr_callback"] = message.dlr_callback
    return doc


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
