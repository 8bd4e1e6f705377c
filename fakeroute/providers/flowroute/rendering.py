"""Flowroute's JSON:API documents: numbers, routes, available numbers and codes, paginated lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from ...inventory import AvailableNumber
from .models import Number, Route

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
            "number_type": number.number_type,
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
