"""Flowroute's JSON:API documents: numbers, routes, available numbers, MDRs, webhooks, paginated lists."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from ...inventory import AvailableNumber
from .models import NUMBER_TYPES, Media, Message, Number, Receipt, Route, amount_display, mdr_time

MEDIA_TYPE = "application/vnd.api+json"


def route_resource(route: Route, base: str) -> dict[str, Any]:
    return {
        "type": "route",
        "id": route.id,
        "attributes": {"route_type": route.route_type, "alias": route.alias, "value": route.value},
        "links": {"self": f"{base}/v2/routes/{route.id}"},
    }


def created_route_document(route: Route, base: str) -> dict[str, Any]:
    # The real answer (tutorial and spec example) links to /routes/<id>, without /v2.
    self_link = f"{base}/routes/{route.id}"
    resource = route_resource(route, base)
    resource["links"] = {"self": self_link}
    return {"data": resource, "links": {"self": self_link}}


def number_resource(number: Number, base: str) -> dict[str, Any]:
    return {
        "type": "number",
        "id": number.value,
        "attributes": {
            "rate_center": number.rate_center,
            "value": number.value,
            "alias": number.alias,
            "state": number.state,
            "number_type": number.number_type,
            "cnam_lookups_enabled": number.cnam_lookups_enabled,
        },
        "links": {"self": f"{base}/v2/numbers/{number.value}"},
    }


def _route_link(route_id: str | None) -> dict[str, Any]:
    return {"data": None if route_id is None else {"type": "route", "id": route_id}}


def number_document(number: Number, routes: Mapping[str, Route], base: str) -> dict[str, Any]:
    """GET /v2/numbers/{id}: the number with its relationships and the routes they point to."""
    resource = number_resource(number, base)
    resource["relationships"] = {
        "cnam_preset": {"data": None},
        "e911_address": {"data": None},
        "failover_route": _route_link(number.failover_route),
        "primary_route": _route_link(number.primary_route),
    }
    included_ids = dict.fromkeys(r for r in (number.primary_route, number.failover_route) if r is not None)
    return {
        "data": resource,
        "included": [route_resource(routes[r], base) for r in included_ids if r in routes],
        "links": {"self": f"{base}/v2/numbers/{number.value}"},
    }


def available_number_resource(number: AvailableNumber, base: str) -> dict[str, Any]:
    return {
        "type": "number",
        "id": number.value,
        "attributes": {
            "rate_center": number.rate_center,
            "value": number.value,
            "monthly_cost": number.monthly_cost,
            "state": number.state,
            "number_type": NUMBER_TYPES[number.number_type],
            "setup_cost": number.setup_cost,
        },
        "links": {"related": f"{base}/v2/numbers/{number.value}"},
    }


def area_code_resource(code: str, base: str) -> dict[str, Any]:
    return {
        "type": "areacode",
        "id": code,
        "links": {"related": f"{base}/v2/numbers/available/exchanges?areacode={code}"},
    }


def exchange_resource(code: str, base: str) -> dict[str, Any]:
    return {
        "type": "exchange",
        "id": code,
        "links": {"related": f"{base}/v2/numbers/available?starts_with=1{code}"},
    }


def page_document(
    items: list[dict[str, Any]],
    *,
    base: str,
    path: str,
    filters: Iterable[tuple[str, Any]],
    limit: int,
    offset: int,
    has_more: bool,
) -> dict[str, Any]:
    """A list with ``links.self`` and, when more items follow, ``links.next`` (offset + limit)."""

    def link(at: int) -> str:
        query = [*((k, _text(v)) for k, v in filters), ("limit", limit), ("offset", at)]
        return f"{base}{path}?{urlencode(query, quote_via=quote, safe='')}"

    links = {"self": link(offset)}
    if has_more:
        links["next"] = link(offset + limit)
    return {"data": items, "links": links}


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- messages (v2.1) ------------------------------------------------------------------------------


def message_link(message_id: str, base: str) -> str:
    return f"{base}/v2.1/messages/{message_id}"


def message_accepted_document(message: Message, base: str) -> dict[str, Any]:
    """POST /v2.1/messages → 202: the new MDR's id and where to look it up."""
    return {"data": {"type": "message", "id": message.id, "links": {"self": message_link(message.id, base)}}}


def receipt_resource(receipt: Receipt) -> dict[str, Any]:
    return {
        "status": receipt.status,
        "status_code": receipt.status_code,
        "status_code_description": receipt.status_code_description,
        "timestamp": mdr_time(receipt.timestamp),
        "level": receipt.level,
    }


def mdr_attributes(message: Message, now: datetime) -> dict[str, Any]:
    """The MDR2 attributes in the order Flowroute's README shows them; receipts newest first."""
    return {
        "body": message.body,
        "status": message.status_at(now),
        "direction": message.direction,
        "amount_nanodollars": message.amount_nanodollars,
        "to": message.to,
        "message_encoding": message.message_encoding,
        "timestamp": mdr_time(message.timestamp),
        "delivery_receipts": [receipt_resource(r) for r in reversed(message.receipts_at(now))],
        "amount_display": amount_display(message.amount_nanodollars),
        "from": message.sender,
        "is_mms": message.is_mms,
        "message_type": message.message_type,
    }


def mdr_resource(message: Message, now: datetime) -> dict[str, Any]:
    resource: dict[str, Any] = {"type": "message", "id": message.id, "attributes": mdr_attributes(message, now)}
    if message.is_mms:
        resource["relationships"] = {"media": {"data": [{"id": m.id, "type": "media"} for m in message.media]}}
    return resource


def mdr_document(message: Message, now: datetime) -> dict[str, Any]:
    """GET /v2.1/messages/{id}: the record alone (the README's answer has no links)."""
    return {"data": mdr_resource(message, now)}


def mdr_page_document(
    items: list[dict[str, Any]], *, base: str, query: list[tuple[str, Any]], next_offset: int | None,
) -> dict[str, Any]:
    """GET /v2.1/messages: like the README's answer, ``links`` holds only ``next``, and only when more follow.

    The link repeats the query as ``limit``, ``start_date``, ``end_date``, ``offset`` with the dates in their
    UTC ISO form (``2017-12-01T00:00:00+00:00``), percent-encoded.
    """
    links: dict[str, str] = {}
    if next_offset is not None:
        pairs = [*query, ("offset", next_offset)]
        links["next"] = f"{base}/v2.1/messages?{urlencode(pairs, quote_via=quote, safe='')}"
    return {"data": items, "links": links}


def media_resource(media: Media) -> dict[str, Any]:
    name = media.url.rsplit("/", 1)[-1].split("?", 1)[0] or "media"
    return {
        "type": "media",
        "id": media.id,
        "attributes": {"file_name": name, "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
                       "url": media.url},
    }


def inbound_webhook_document(message: Message, callback_url: str) -> dict[str, Any]:
    """What an SMS/MMS callback URL receives: the inbound MDR plus ``message_callback_url``; for an MMS the
    media relationships and, in ``included``, each media object with its URL."""
    attributes = mdr_attributes(message, message.timestamp)
    attributes["message_callback_url"] = callback_url
    resource: dict[str, Any] = {"type": "message", "id": message.id, "attributes": dict(sorted(attributes.items()))}
    document: dict[str, Any] = {"data": resource}
    if message.is_mms:
        resource["relationships"] = {"media": {"data": [{"id": m.id, "type": "media"} for m in message.media]}}
        document["included"] = [media_resource(m) for m in message.media]
    return document


def dlr_webhook_document(message: Message, receipt: Receipt, base: str) -> dict[str, Any]:
    """What a DLR callback URL receives for one receipt (``body`` is empty for an MMS)."""
    return {
        "data": {
            "attributes": {
                "body": "" if message.is_mms else message.body,
                "level": receipt.level,
                "status": receipt.status,
                "status_code": receipt.status_code,
                "status_code_description": receipt.status_code_description,
                "timestamp": receipt.timestamp.astimezone(UTC).isoformat(timespec="seconds"),
            },
            "id": message.id,
            "links": {"related": message_link(message.id, base)},
            "type": "delivery_receipt",
        }
    }
