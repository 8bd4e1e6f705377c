"""Flowroute Numbers v2 and routes: what each endpoint does to the caller's account and the inventory."""

from __future__ import annotations

from typing import Any

import phonenumbers

from ...errors import ApiError
from ..base import Call, Reply
from . import rendering
from .models import FIRST_ROUTE_ID, FlowrouteAccount, Number, Route

DEFAULT_LIMIT = 10  # not documented; what the API is commonly observed to return without a limit


def _page_args(call: Call) -> tuple[int, int, list[tuple[str, Any]]]:
    limit = call.query.get("limit", DEFAULT_LIMIT)
    offset = call.query.get("offset", 0)
    filters = [(k, v) for k, v in call.query.items() if k not in ("limit", "offset")]
    return limit, offset, filters


def _page(call: Call, items: list[dict[str, Any]], has_more: bool) -> Reply:
    limit, offset, filters = _page_args(call)
    document = rendering.page_document(
        items, base=call.base_url, path=call.path_info, filters=filters,
        limit=limit, offset=offset, has_more=has_more,
    )
    return Reply(200, document)


def _account(call: Call) -> FlowrouteAccount:
    return call.scope.state


def _owned(call: Call, field: str = "id") -> Number:
    number_id = call.path[field]
    number = _account(call).numbers.get(number_id)
    if number is None:
        raise ApiError(404, f"Number {number_id} not found on your account", field=field)
    return number


# -- inventory ------------------------------------------------------------------------------------


def search_available_numbers(call: Call) -> Reply:
    """GET /v2/numbers/available"""
    q = call.query
    limit, offset, _ = _page_args(call)
    found, has_more = call.scope.inventory.search(
        starts_with=q.get("starts_with", ""),
        contains=q.get("contains", ""),
        ends_with=q.get("ends_with", ""),
        state=q.get("state"),
        rate_center=q.get("rate_center"),
        offset=offset,
        limit=limit,
    )
    return _page(call, [rendering.available_number_resource(n, call.base_url) for n in found], has_more)


def list_available_area_codes(call: Call) -> Reply:
    """GET /v2/numbers/available/areacodes"""
    limit, offset, _ = _page_args(call)
    codes = call.scope.inventory.area_codes(call.query.get("max_setup_cost"))
    page = codes[offset:offset + limit]
    items = [rendering.area_code_resource(c, call.base_url) for c in page]
    return _page(call, items, offset + limit < len(codes))


def list_available_exchange_codes(call: Call) -> Reply:
    """GET /v2/numbers/available/exchanges"""
    limit, offset, _ = _page_args(call)
    codes = call.scope.inventory.exchanges(call.query.get("areacode"), call.query.get("max_setup_cost"))
    page = codes[offset:offset + limit]
    items = [rendering.exchange_resource(c, call.base_url) for c in page]
    return _page(call, items, offset + limit < len(codes))


# -- account numbers ------------------------------------------------------------------------------


def list_account_phone_numbers(call: Call) -> Reply:
    """GET /v2/numbers"""
    q = call.query
    limit, offset, _ = _page_args(call)
    starts, contains, ends = q.get("starts_with", ""), q.get("contains", ""), q.get("ends_with", "")
    matching = [
        n for n in _account(call).sorted_numbers()
        if n.value.startswith(starts) and contains in n.value and n.value.endswith(ends)
    ]
    page = matching[offset:offset + limit]
    items = [rendering.number_resource(n, call.base_url) for n in page]
    return _page(call, items, offset + limit < len(matching))


def list_phone_number_details(call: Call) -> Reply:
    """GET /v2/numbers/{id}"""
    number = _owned(call)
    return Reply(200, rendering.number_document(number, _account(call).routes, call.base_url))


def purchase_a_phone_number(call: Call) -> Reply:
    """POST /v2/numbers/{id}: only a number the inventory offers; it moves into the account."""
    number_id = call.path["id"]
    account = _account(call)
    if number_id in account.numbers:
        raise ApiError(404, f"Number {number_id} is already on your account and cannot be purchased again",
                       field="id")
    offered = call.scope.inventory.take(number_id)
    if offered is None:
        raise ApiError(404, f"Number {number_id} is not available for purchase", field="id")
    number = Number(offered.value, offered.number_type, offered.rate_center, offered.state)
    account.numbers[number.value] = number
    return Reply(201, rendering.number_document(number, account.routes, call.base_url))


def release_a_did(call: Call) -> Reply:
    """DELETE /v2/numbers/{id}: the number leaves the account and returns to the inventory."""
    number = _owned(call)
    del _account(call).numbers[number.value]
    call.scope.inventory.put_back(number.value)
    return Reply(204)


def set_did_alias(call: Call) -> Reply:
    """PATCH /v2/numbers/{id}: flat ``{"type": "number", "alias": ...}`` as the SDK sends it."""
    number = _owned(call)
    body = call.body
    number.alias = body["data"]["attributes"]["alias"] if "data" in body else body["alias"]
    return Reply(200, rendering.number_document(number, _account(call).routes, call.base_url))


# -- routes ---------------------------------------------------------------------------------------


def list_inbound_routes(call: Call) -> Reply:
    """GET /v2/routes: the built-in route "0" first, then the account's routes oldest first."""
    limit, offset, _ = _page_args(call)
    route_type = call.query.get("route_type")
    routes = [r for r in _account(call).routes.values() if route_type is None or r.route_type == route_type]
    page = routes[offset:offset + limit]
    items = [rendering.route_resource(r, call.base_url) for r in page]
    return _page(call, items, offset + limit < len(routes))


def create_an_inbound_route(call: Call) -> Reply:
    """POST /v2/routes → 201. The alias must be unique in the account; number routes must be dialable."""
    attributes = call.body["data"]["attributes"]
    account = _account(call)
    route_type, value, alias = attributes["route_type"], attributes["value"], attributes["alias"]
    if account.route_with_alias(alias) is not None:
        raise ApiError(422, f"Invalid data.attributes.alias: a route with alias {alias!r} already exists",
                       field="data.attributes.alias")
    if route_type == "number" and not _dialable(value):
        raise ApiError(422, f"Invalid data.attributes.value: {value} is not a valid phone number "
                       "(E.164 without '+', e.g. 12065551212)", field="data.attributes.value")
    route_id = str(call.scope.ids.next("flowroute.route", start=_next_route_id(account)))
    while route_id in account.routes:  # a scenario may have used ids above the counter
        route_id = str(call.scope.ids.next("flowroute.route"))
    route = Route(route_id, route_type, value, alias)
    account.routes[route_id] = route
    return Reply(201, rendering.created_route_document(route, call.base_url))


def _next_route_id(account: FlowrouteAccount) -> int:
    return max([FIRST_ROUTE_ID, *(int(r) + 1 for r in account.routes)])


def _dialable(value: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + value))
    except phonenumbers.NumberParseException:
        return False


def _set_route(call: Call, relationship: str) -> Reply:
    number = _owned(call, "number_id")
    route_id = str(call.body["data"]["id"])
    if route_id not in _account(call).routes:
        raise ApiError(404, f"Route {route_id} not found on your account", field="data.id")
    setattr(number, relationship, route_id)
    return Reply(204)


def update_primary_voice_route(call: Call) -> Reply:
    """PATCH /v2/numbers/{number_id}/relationships/primary_route → 204"""
    return _set_route(call, "primary_route")


def update_failover_voice_route(call: Call) -> Reply:
    """PATCH /v2/numbers/{number_id}/relationships/failover_route → 204"""
    return _set_route(call, "failover_route")
