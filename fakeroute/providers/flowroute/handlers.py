"""Flowroute Numbers v2, routes and Messages v2.1: what each endpoint does to the caller's account and the
inventory, and the simulated arrival of inbound messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ...clock import parse_utc
from ...errors import ApiError
from ...ids import Ids
from ...outbox import Outbox, Webhook
from ...phone import is_valid
from ..base import Call, Reply
from . import models as m
from . import rendering
from .models import FIRST_ROUTE_ID, NUMBER_TYPES, FlowrouteAccount, Number, Route

DEFAULT_LIMIT = 10  # not documented; what the API is commonly observed to return without a limit (MDRs too)
DLR_CALLBACKS = {False: "sms_dlr_callback", True: "mms_dlr_callback"}  # account-level, by is_mms
INBOUND_CALLBACKS = {False: "sms_callback", True: "mms_callback"}


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
    """The caller's number named by the path; another account's is as unknown as one never bought."""
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
    number = Number(offered.value, NUMBER_TYPES[offered.number_type], offered.rate_center, offered.state)
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
    if route_type == "number" and not is_valid(value):
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


# -- messages (v2.1) ------------------------------------------------------------------------------


# -- sending --------------------------------------------------------------------------------------


def send_a_message(call: Call) -> Reply:
    """POST /v2.1/messages → 202. Every check comes before anything changes: a refused message leaves no trace."""
    account = _account(call)
    wrapped = "data" in call.body
    attributes = call.body["data"]["attributes"] if wrapped else call.body
    prefix = "data.attributes." if wrapped else ""
    to = north_american(attributes["to"], prefix + "to")
    sender = attributes["from"].lstrip("+")
    media_urls = tuple(attributes.get("media_urls", ()))
    is_mms = attributes.get("is_mms", False) in (True, "true") or bool(media_urls)
    body = attributes.get("body", "")
    check_content(body, media_urls, is_mms, prefix)
    number = account.numbers.get(sender)
    if number is None:
        raise ApiError(403, f"{prefix}from {sender} is not a number on your account: messages can only be sent "
                       "from your Flowroute numbers", field=prefix + "from")
    if not number.messaging_enabled:
        raise ApiError(403, f"{prefix}from {sender} is not enabled for messaging", field=prefix + "from")

    scope = call.scope
    sent = scope.clock.now()
    message = new_message(
        scope.ids, account, m.OUTBOUND, sender, to, body, sent, is_mms, media_urls,
        receipts=m.plan_receipts(m.outcome_for(account.delivery_rules, to), sent),
        status="message buffered",
        dlr_callback=attributes.get("dlr_callback"),
        keep=scope.max_messages,
    )
    target = message.dlr_callback or number.dlr_callback or account.callbacks.get(DLR_CALLBACKS[is_mms])
    if target:
        # Every receipt is a webhook at its own time on the clock: the outbox shows (and the server sends)
        # each one once the World's clock reaches it.
        for receipt in message.receipts:
            scope.outbox.record("flowroute", scope.account_id, "dlr", target,
                                rendering.dlr_webhook_document(message, receipt, call.base_url), at=receipt.timestamp)
    return Reply(202, rendering.message_accepted_document(message, call.base_url))


def check_content(body: str, media_urls: Sequence[str], is_mms: bool, prefix: str) -> None:
    if is_mms:
        if not body and not media_urls:
            raise ApiError(422, f"Invalid {prefix}body: an MMS needs a body or media_urls", field=prefix + "body")
        if len(body.encode()) > m.MMS_MAX_BYTES:
            raise ApiError(422, f"Invalid {prefix}body: an MMS may hold at most {m.MMS_MAX_BYTES} bytes of text",
                           field=prefix + "body")
    else:
        if not body:
            raise ApiError(422, f"Invalid {prefix}body: is required for an SMS (send media with media_urls)",
                           field=prefix + "body")
        if len(body) > m.SMS_MAX_CHARACTERS:
            raise ApiError(422, f"Invalid {prefix}body: an SMS may be at most {m.SMS_MAX_CHARACTERS} characters "
                           f"long, got {len(body)}", field=prefix + "body")


def north_american(value: str, field: str) -> str:
    """11 digits without '+', or a 422 when libphonenumber does not know the number as a real one."""
    digits = value.lstrip("+")
    if not is_valid(digits):
        raise ApiError(422, f"Invalid {field}: {value} is not a valid North American phone number", field=field)
    return digits


def new_message(
    ids: Ids,
    account: FlowrouteAccount,
    direction: str,
    sender: str,
    to: str,
    body: str,
    at: datetime,
    is_mms: bool,
    media_urls: Sequence[str],
    *,
    receipts: tuple[m.Receipt, ...],
    status: str,
    dlr_callback: str | None = None,
    keep: int | None = None,
) -> m.Message:
    """A new MDR of the account, its id, media, type (of the account's own number), encoding and price derived."""
    message_id = new_message_id(ids, account)
    message = m.Message(
        id=message_id,
        direction=direction,
        sender=sender,
        to=to,
        body=body,
        timestamp=at,
        is_mms=is_mms,
        media=media_for(ids, message_id, media_urls),
        message_type=m.message_type(sender if direction == m.OUTBOUND else to),
        message_encoding=m.encoding(body),
        amount_nanodollars=m.amount_for(body, is_mms),
        receipts=receipts,
        status=status,
        dlr_callback=dlr_callback,
    )
    account.messages[message_id] = message
    while keep is not None and len(account.messages) > keep:  # the World's max_messages_per_account
        del account.messages[next(iter(account.messages))]  # the oldest first: they are kept in order
    return message


def new_message_id(ids: Ids, account: FlowrouteAccount) -> str:
    """``mdr2-`` and 32 hex digits, fixed by the seed and the count of messages so far."""
    while True:  # a scenario's MDR could, however unlikely, already hold the next id
        message_id = "mdr2-" + ids.token("flowroute.mdr", ids.next("flowroute.mdr"))
        if message_id not in account.messages:
            return message_id


def media_for(ids: Ids, message_id: str, urls: Sequence[str]) -> tuple[m.Media, ...]:
    """Media ids follow from the MDR id, so a scenario reloaded from a state dump keeps them."""
    return tuple(m.Media(ids.token("flowroute.media", message_id, i), url) for i, url in enumerate(urls))


# -- look-ups -------------------------------------------------------------------------------------


def look_up_a_message_detail_record(call: Call) -> Reply:
    """GET /v2.1/messages/{id}: another account's MDR is as unknown as one that does not exist."""
    message_id = call.path["id"]
    message = _account(call).messages.get(message_id)
    if message is None:
        raise ApiError(404, f"Message {message_id} not found", field="id")
    return Reply(200, rendering.mdr_document(message, call.scope.clock.peek()))


def look_up_a_set_of_messages(call: Call) -> Reply:
    """GET /v2.1/messages: MDRs with start_date <= timestamp <= end_date (UTC), newest first."""
    q = call.query
    start = parse_date(q["start_date"], "start_date")
    end = parse_date(q["end_date"], "end_date") if "end_date" in q else None
    if end is not None and end < start:
        raise _bad_query("end_date", f"end_date {q['end_date']} is before start_date {q['start_date']}")
    limit, offset = q.get("limit", DEFAULT_LIMIT), q.get("offset", 0)
    # Newest first, as the README's answer lists them; among equal timestamps the later one first.
    found = [msg for msg in reversed(_account(call).messages.values())
             if msg.timestamp >= start and (end is None or msg.timestamp <= end)]
    found.sort(key=lambda msg: msg.timestamp, reverse=True)
    now = call.scope.clock.peek()
    items = [rendering.mdr_resource(msg, now) for msg in found[offset:offset + limit]]
    query: list[tuple[str, Any]] = [("limit", limit), ("start_date", start.isoformat())]
    if end is not None:
        query.append(("end_date", end.isoformat()))
    next_offset = offset + limit if offset + limit < len(found) else None
    return Reply(200, rendering.mdr_page_document(items, base=call.base_url, query=query, next_offset=next_offset))


def parse_date(text: str, field: str) -> datetime:
    """A UTC moment from a bare date, a naive date-time (taken as UTC), ``Z`` or an offset."""
    try:
        return parse_utc(text)
    except ValueError:
        raise _bad_query(field, f"Invalid query parameter {field}: {text!r} is not a real date or time") from None


def _bad_query(field: str, detail: str) -> ApiError:
    return ApiError(400, detail, field=field, extra={"source": {"parameter": field}})


# -- callbacks ------------------------------------------------------------------------------------


def set_account_level_callback(call: Call) -> Reply:
    """PUT /v2.1/messages/{sms_callback|mms_callback|dlr_callback|sms_dlr_callback|mms_dlr_callback} → 204.

    ``dlr_callback`` is Flowroute's older name of ``sms_dlr_callback``, which it still honours for SMS.
    """
    kind = call.path["callback_type"]
    key = "sms_dlr_callback" if kind == "dlr_callback" else kind
    _set_callback(_account(call).callbacks, key, call.body["data"]["attributes"]["callback_url"])
    return Reply(204)


def set_did_level_dlr_callback(call: Call) -> Reply:
    """POST /v2/numbers/{id}/relationships/dlr_callback → 204: this number's DLRs go there, before the account's."""
    number = _owned(call)
    number.dlr_callback = call.body["data"]["attributes"]["callback_url"]
    return Reply(204)


def _set_callback(callbacks: dict[str, str], key: str, url: str | None) -> None:
    if url is None:
        callbacks.pop(key, None)
    else:
        callbacks[key] = url


# -- inbound --------------------------------------------------------------------------------------


def receive(
    account_id: str,
    account: FlowrouteAccount,
    *,
    clock: Any,
    ids: Ids,
    outbox: Outbox,
    to: str,
    sender: str,
    body: str = "",
    media_urls: Sequence[str] = (),
    is_mms: bool = False,
    keep: int | None = None,
) -> tuple[m.Message, Webhook | None]:
    """An SMS or MMS from ``sender`` arrives at ``to``, one of the account's numbers: an inbound MDR joins the
    account, and its SMS or MMS callback URL (when set) gets Flowroute's inbound webhook."""
    is_mms = is_mms or bool(media_urls)
    arrived = clock.now()
    message = new_message(ids, account, m.INBOUND, sender, to, body, arrived, is_mms, media_urls, receipts=(),
                          status="delivered", keep=keep)
    callback = account.callbacks.get(INBOUND_CALLBACKS[is_mms])
    if not callback:
        return message, None
    webhook = outbox.record("flowroute", account_id, "inbound_mms" if is_mms else "inbound_sms", callback,
                            rendering.inbound_webhook_document(message, callback), at=arrived)
    return message, webhook


def inbound_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``receive`` from an (already schema-checked) admin request body."""
    return {
        "to": document["to"].lstrip("+"),
        "sender": document["from"].lstrip("+"),
        "body": document.get("body", ""),
        "media_urls": tuple(document.get("media_urls", ())),
        "is_mms": document.get("is_mms", False),
    }
