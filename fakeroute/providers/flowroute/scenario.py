"""Flowroute scenario sections: load, copy, dump, and the section of a brand-new account."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...clock import parse_utc
from ...scenario import ScenarioError
from . import handlers
from . import models as m
from .models import NUMBER_TYPES, SIP_REG_ROUTE_ID, DeliveryRule, FlowrouteAccount, Message, Number, Route

if TYPE_CHECKING:
    from ...world import World


def load(section: Mapping[str, Any] | None, world: World) -> FlowrouteAccount:
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
            NUMBER_TYPES[described.number_type],
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


def copy(state: FlowrouteAccount) -> FlowrouteAccount:
    return FlowrouteAccount(
        state.access_key,
        state.secret_key,
        routes={k: dataclasses.replace(r) for k, r in state.routes.items()},
        numbers={k: dataclasses.replace(n) for k, n in state.numbers.items()},
        messages=dict(state.messages),  # messages are immutable: shared, not copied
        callbacks=dict(state.callbacks),
        delivery_rules=list(state.delivery_rules),
    )


def dump(state: FlowrouteAccount) -> dict[str, Any] | None:
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


def new_section(world: World, serial: int) -> dict[str, Any]:
    return {
        "access_key": str(10_000_000 + serial),
        "secret_key": world.ids.token("flowroute.secret", serial),
    }


def owned_numbers(section: Mapping[str, Any] | None) -> list[str]:
    return [n["value"] for n in (section or {}).get("numbers", [])]


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
        (m.Receipt(r["level"], r["status"], r.get("status_code"), r.get("status_code_description", ""),
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
        media=handlers.media_for(world.ids, doc["id"], media_urls),
        message_type=doc.get("message_type", m.message_type(doc["to" if direction == m.INBOUND else "from"])),
        message_encoding=doc.get("message_encoding", m.encoding(body)),
        amount_nanodollars=doc.get("amount_nanodollars", m.amount_for(body, is_mms)),
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
    return parse_utc(text)
