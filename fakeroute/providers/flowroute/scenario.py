"""Flowroute scenario sections: load, copy, dump, and the section of a brand-new account."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...clock import parse_utc
from ...indexes import record_copy
from ...messaging import DeliveryRules, OptOuts, split
from ...scenario import ScenarioError
from . import handlers, rendering
from . import models as m
from .models import (
    E911,
    NUMBER_TYPES,
    SIP_REG_ROUTE_ID,
    CdrExport,
    Cnam,
    FlowrouteAccount,
    Message,
    Number,
    Route,
)

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
        edge = doc.get("edge_strategy")
        if edge is not None and edge not in m.EDGE_STRATEGIES:
            raise ScenarioError(f"routes[{i}].edge_strategy: no edge strategy {edge}")
        account.routes[doc["id"]] = Route(doc["id"], doc["route_type"], doc.get("value"), doc["alias"], edge)
    _load_records(section, account)
    for i, doc in enumerate(section.get("numbers", [])):
        value = doc["value"]
        if value in account.numbers:
            raise ScenarioError(f"numbers[{i}].value: {value} is listed twice")
        for relationship in ("primary_route", "failover_route"):
            route_id = doc.get(relationship)
            if route_id is not None and route_id not in account.routes:
                raise ScenarioError(f"numbers[{i}].{relationship}: no route with id {route_id!r}")
        for relationship, records in (("e911", account.e911s), ("cnam", account.cnams)):
            if doc.get(relationship) is not None and doc[relationship] not in records:
                raise ScenarioError(f"numbers[{i}].{relationship}: no {relationship} record with id "
                                    f"{doc[relationship]!r}")
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
            e911=doc.get("e911"),
            cnam=doc.get("cnam"),
        )
    account.callbacks.update(section.get("callbacks", {}))
    account.delivery_rules = DeliveryRules.load(
        {"to": doc["to"].lstrip("+"), "outcome": doc["outcome"]} for doc in section.get("delivery_rules", [])
    )
    account.opt_outs = OptOuts((doc["from"].lstrip("+"), doc["to"].lstrip("+")) for doc in section.get("opt_outs", []))
    for i, doc in enumerate(section.get("messages", [])):
        if doc["id"] in account.messages:
            raise ScenarioError(f"messages[{i}].id: duplicate message id {doc['id']!r}")
        try:
            account.messages[doc["id"]] = _load_message(doc, world)
        except ValueError as exc:  # a timestamp of the right shape that is no real time (month 13)
            raise ScenarioError(f"messages[{i}]: {exc}") from None
    _load_exports(section, account, world)
    account.recompute_due()
    return account


def _load_records(section: Mapping[str, Any], account: FlowrouteAccount) -> None:
    """E911 addresses and CNAM records, before the numbers that name them."""
    for i, doc in enumerate(section.get("e911s", [])):
        if doc["id"] in account.e911s:
            raise ScenarioError(f"e911s[{i}].id: duplicate E911 record id {doc['id']!r}")
        address = E911(doc["id"], **{name: str(doc.get(name) or "") for name in m.E911_PARTS},
                       address_type=doc.get("address_type"), address_type_number=doc.get("address_type_number"))
        if not m.geocodes(address):
            raise ScenarioError(f"e911s[{i}]: {m.GEOCODE_FAILED}")
        account.e911s[address.id] = address
    for i, doc in enumerate(section.get("cnams", [])):
        if doc["id"] in account.cnams:
            raise ScenarioError(f"cnams[{i}].id: duplicate CNAM record id {doc['id']!r}")
        problem = m.cnam_problem(doc["value"])
        if problem:
            raise ScenarioError(f"cnams[{i}].value: {problem}")
        try:
            created = _time(doc["created_at"])
            decided = _time(doc["decided_at"]) if "decided_at" in doc else created + m.CNAM_REVIEW
        except ValueError as exc:
            raise ScenarioError(f"cnams[{i}]: {exc}") from None
        status = doc.get("status", m.APPROVED)
        reason = doc.get("rejection_reason")
        if status == m.REJECTED and not reason:
            reason = m.review(doc["value"]) or "Rejected by Flowroute's review"
        account.cnams[doc["id"]] = Cnam(doc["id"], doc["value"].upper(), created, decided, status, reason)


def _load_exports(section: Mapping[str, Any], account: FlowrouteAccount, world: World) -> None:
    """CDR exports: their calls follow from the seed, the account's key and its numbers, as when requested."""
    for i, doc in enumerate(section.get("cdr_exports", [])):
        if doc["id"] in account.cdr_exports:
            raise ScenarioError(f"cdr_exports[{i}].id: duplicate CDR export id {doc['id']}")
        filters = dict(doc["filter_parameters"])
        try:
            start = _time(filters["start_call_start_time"])
            end = _time(filters["start_call_end_time"])
            requested = _time(doc["requested_at"])
            complete = _time(doc["complete_at"]) if "complete_at" in doc else requested + m.CDR_EXPORT_TIME
        except ValueError as exc:
            raise ScenarioError(f"cdr_exports[{i}]: {exc}") from None
        if not start < end <= start + m.CDR_MAX_WINDOW:
            raise ScenarioError(f"cdr_exports[{i}].filter_parameters: the window must end after it starts, "
                                f"at most {m.CDR_MAX_WINDOW.days} days later")
        filters.update(start_call_start_time=rendering.cdr_time(start), start_call_end_time=rendering.cdr_time(end))
        records = tuple(r for r in m.call_records(world.seed, account.access_key or "", account.sorted_numbers(),
                                                  start, end) if m.matches_filters(r, filters))
        account.cdr_exports[doc["id"]] = CdrExport(doc["id"], filters, doc.get("callback_url"), requested, complete,
                                                   records, doc.get("status", m.COMPLETED))


def copy(state: FlowrouteAccount) -> FlowrouteAccount:
    return FlowrouteAccount(
        state.access_key,
        state.secret_key,
        # Routes, numbers and messages are frozen: the records are shared, their dicts (and indexes) copied.
        routes=state.routes.copy(),
        numbers=state.numbers.copy(),
        messages=state.messages.copy(),
        callbacks=dict(state.callbacks),
        delivery_rules=state.delivery_rules.copy(),
        opt_outs=state.opt_outs.copy(),
        e911s={k: record_copy(e) for k, e in state.e911s.items()},
        cnams={k: record_copy(c) for k, c in state.cnams.items()},
        # An export's filters and calls never change after it is made: only its status does.
        cdr_exports={k: record_copy(e) for k, e in state.cdr_exports.items()},
        due=state.due,
    )


def dump(state: FlowrouteAccount) -> dict[str, Any] | None:
    if state.access_key is None:
        return None
    section: dict[str, Any] = {
        "access_key": state.access_key,
        "secret_key": state.secret_key,
        "routes": [_dump_route(r) for r in state.routes.values() if r.id != SIP_REG_ROUTE_ID],
        "numbers": [_dump_number(n) for n in state.sorted_numbers()],
    }
    # Messaging parts appear only when there is something to say, so a numbers-only dump stays as it was.
    if state.callbacks:
        section["callbacks"] = dict(state.callbacks)
    if state.delivery_rules:
        section["delivery_rules"] = state.delivery_rules.dump()
    if state.opt_outs:
        section["opt_outs"] = [{"from": sender, "to": to} for sender, to in state.opt_outs]
    if state.messages:
        section["messages"] = [_dump_message(message) for message in state.messages.values()]
    if state.e911s:
        section["e911s"] = [_dump_e911(e) for e in state.e911s.values()]
    if state.cnams:
        section["cnams"] = [_dump_cnam(c) for c in state.cnams.values()]
    if state.cdr_exports:
        section["cdr_exports"] = [_dump_export(e) for e in state.cdr_exports.values()]
    return section


def new_section(world: World, serial: int) -> dict[str, Any]:
    return {
        "access_key": str(10_000_000 + serial),
        "secret_key": world.ids.token("flowroute.secret", serial),
    }


def owned_numbers(section: Mapping[str, Any] | None) -> list[str]:
    return [n["value"] for n in (section or {}).get("numbers", [])]


def _dump_route(route: Route) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": route.id, "route_type": route.route_type, "value": route.value, "alias": route.alias}
    if route.edge_strategy is not None:
        doc["edge_strategy"] = route.edge_strategy
    return doc


def _dump_number(number: Number) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "value": number.value, "alias": number.alias, "cnam_lookups_enabled": number.cnam_lookups_enabled,
        "primary_route": number.primary_route, "failover_route": number.failover_route,
    }
    if number.dlr_callback is not None:
        doc["dlr_callback"] = number.dlr_callback
    if not number.messaging_enabled:
        doc["messaging_enabled"] = False
    for relationship in ("e911", "cnam"):
        if getattr(number, relationship) is not None:
            doc[relationship] = getattr(number, relationship)
    return doc


def _dump_e911(address: E911) -> dict[str, Any]:
    doc = {name: getattr(address, name) for name in ("id", *m.E911_ATTRIBUTES)}
    return {k: v for k, v in doc.items() if v is not None}


def _dump_cnam(cnam: Cnam) -> dict[str, Any]:
    doc = {"id": cnam.id, "value": cnam.value, "status": cnam.status, "created_at": cnam.created_at.isoformat(),
           "decided_at": cnam.decided_at.isoformat()}
    if cnam.rejection_reason is not None:
        doc["rejection_reason"] = cnam.rejection_reason
    return doc


def _dump_export(export: CdrExport) -> dict[str, Any]:
    doc = {"id": export.id, "filter_parameters": export.filter_parameters, "status": export.status,
           "requested_at": export.requested_at.isoformat(), "complete_at": export.complete_at.isoformat()}
    if export.callback_url is not None:
        doc["callback_url"] = export.callback_url
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
    parts = split(body)
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
        message_encoding=doc.get("message_encoding", parts.data_coding),
        amount_nanodollars=doc.get("amount_nanodollars", m.amount_for(parts, is_mms)),
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
