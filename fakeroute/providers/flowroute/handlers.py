"""Flowroute Numbers v2, routes, Messages v2.1, E911 addresses, CNAM records, CDR exports and porting: what
each endpoint does to the caller's account and the inventory, and the simulated arrival of inbound messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ... import magic
from ...accounts import Account, Scope
from ...clock import parse_utc
from ...errors import ApiError
from ...ids import Ids
from ...limits import Limit
from ...messaging import DELAYED_DELIVERY, DELIVERY, Split, split
from ...outbox import Outbox, Webhook
from ...phone import is_valid
from ..base import Call, Reply
from . import models as m
from . import rendering
from .models import NUMBER_TYPES, FlowrouteAccount, Number, Route

if TYPE_CHECKING:
    from ...world import World

DEFAULT_LIMIT = 10  # not documented; what the API is commonly observed to return without a limit (MDRs too)
DLR_CALLBACKS = {False: "sms_dlr_callback", True: "mms_dlr_callback"}  # account-level, by is_mms
INBOUND_CALLBACKS = {False: "sms_callback", True: "mms_callback"}
FIRST_E911_ID = 21_300  # new ids count up from here, above any id of the README's samples
FIRST_CNAM_ID = 23_500
FIRST_CDR_EXPORT_ID = 203_500
# "You are limited on the number of messages that you can send as measured in transmissions per second",
# counted per attempt (developer.flowroute.com, Flowroute Messaging Rate Limits): 5 SMS and 1 MMS a second.
SMS_LIMIT = Limit(5, 1.0)
MMS_LIMIT = Limit(1, 1.0)
# Flowroute's support page: a send to a subscriber who texted STOP gets "a 400 response with error code 1110".
OPTED_OUT_CODE = "Error 1110 (Message accepted by the SMSC but the phone rejected the message)"


def _page_args(call: Call) -> tuple[int, int]:
    return call.query.get("limit", DEFAULT_LIMIT), call.query.get("offset", 0)


def _page(call: Call, items: list[dict[str, Any]], has_more: bool, filters: Mapping[str, Any] | None = None) -> Reply:
    """A paginated answer; ``filters`` are the query's filters in the normal form the links write them in
    (default: every query parameter but ``limit`` and ``offset``, as sent)."""
    limit, offset = _page_args(call)
    if filters is None:
        filters = {k: v for k, v in call.query.items() if k not in ("limit", "offset")}
    document = rendering.page_document(
        items, base=call.base_url, path=call.path_info, filters=filters,
        limit=limit, offset=offset, has_more=has_more,
    )
    return Reply(200, document)


def _listed(call: Call, records: Sequence[Any], render: Any, filters: Mapping[str, Any] | None = None) -> Reply:
    """One page of ``records`` (each rendered with ``render``) and its links."""
    limit, offset = _page_args(call)
    items = [render(r) for r in records[offset:offset + limit]]
    return _page(call, items, offset + limit < len(records), filters)


def nanp_prefix(digits: str) -> str:
    """A ``starts_with`` as Flowroute reads it: a NANP prefix, so ``206`` means ``1206`` (no area code begins
    with 1, so a prefix that does already carries the country code)."""
    return digits if not digits or digits.startswith("1") else "1" + digits


def _number_filters(query: Mapping[str, Any]) -> dict[str, Any]:
    filters = {k: query[k] for k in ("starts_with", "contains", "ends_with") if k in query}
    if "starts_with" in filters:
        filters["starts_with"] = nanp_prefix(filters["starts_with"])
    return filters


def _whole_dollars(query: Mapping[str, Any]) -> dict[str, Any]:
    """``max_setup_cost`` as Flowroute reads it: whole dollars (3.25 is 3, the README's links say)."""
    filters = {k: v for k, v in query.items() if k not in ("limit", "offset")}
    if "max_setup_cost" in filters:
        filters["max_setup_cost"] = int(filters["max_setup_cost"])
    return filters


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
    """GET /v2/numbers/available: ``starts_with`` is a NANP prefix (206 finds 1206...)."""
    q = call.query
    limit, offset = _page_args(call)
    filters = {**{k: q[k] for k in ("rate_center", "state") if k in q}, **_number_filters(q)}
    found, has_more = call.scope.inventory.search(
        starts_with=filters.get("starts_with", ""),
        contains=q.get("contains", ""),
        ends_with=q.get("ends_with", ""),
        state=q.get("state"),
        rate_center=q.get("rate_center"),
        offset=offset,
        limit=limit,
    )
    return _page(call, [rendering.available_number_resource(n, call.base_url) for n in found], has_more, filters)


def list_available_area_codes(call: Call) -> Reply:
    """GET /v2/numbers/available/areacodes"""
    filters = _whole_dollars(call.query)
    codes = call.scope.inventory.area_codes(filters.get("max_setup_cost"))
    return _listed(call, codes, lambda c: rendering.area_code_resource(c, call.base_url), filters)


def list_available_exchange_codes(call: Call) -> Reply:
    """GET /v2/numbers/available/exchanges"""
    filters = _whole_dollars(call.query)
    codes = call.scope.inventory.exchanges(filters.get("areacode"), filters.get("max_setup_cost"))
    return _listed(call, codes, lambda c: rendering.exchange_resource(c, call.base_url), filters)


# -- account numbers ------------------------------------------------------------------------------


def list_account_phone_numbers(call: Call) -> Reply:
    """GET /v2/numbers: ``starts_with`` is a NANP prefix, as in the search."""
    filters = _number_filters(call.query)
    contains, ends = filters.get("contains", ""), filters.get("ends_with", "")
    numbers = _account(call).numbers
    keys = numbers.starting_with(filters.get("starts_with", ""))  # ascending, found by bisection
    if contains or ends:
        keys = [key for key in keys if contains in key and key.endswith(ends)]
    limit, offset = _page_args(call)
    items = [rendering.number_resource(numbers[key], call.base_url) for key in keys[offset:offset + limit]]
    return _page(call, items, offset + limit < len(keys), filters)


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
    outcome = magic.purchase_outcome(number_id)
    if outcome == "carrier_error":
        raise ApiError(503, f"Number {number_id} could not be purchased: the carrier failed the order. Nothing was "
                       "purchased or charged; try again later", field="id")
    # A magic number "just taken" is one someone else bought a moment ago: as unavailable as any sold number.
    offered = None if outcome == "just_taken" else call.scope.inventory.take(number_id)
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
    body = call.body
    alias = body["data"]["attributes"]["alias"] if "data" in body else body["alias"]
    number = _account(call).change_number(_owned(call), alias=alias)
    return Reply(200, rendering.number_document(number, _account(call).routes, call.base_url))


# -- routes ---------------------------------------------------------------------------------------


def list_inbound_routes(call: Call) -> Reply:
    """GET /v2/routes: the built-in route "0" first, then the account's routes oldest first."""
    route_type = call.query.get("route_type")
    routes = [r for r in _account(call).routes.values() if route_type is None or r.route_type == route_type]
    return _listed(call, routes, lambda r: rendering.route_resource(r, call.base_url))


def list_edge_strategies(call: Call) -> Reply:
    """GET /v2/routes/edge_strategies: the PoPs a route can name, by id."""
    return Reply(200, rendering.edge_strategies_document(m.EDGE_STRATEGIES.values()))


def create_an_inbound_route(call: Call) -> Reply:
    """POST /v2/routes → 201. The alias must be unique in the account; number routes must be dialable; an
    ``edge_strategy`` (its id, a number or a string of digits) must be one of the edge strategies."""
    attributes = call.body["data"]["attributes"]
    account = _account(call)
    route_type, value, alias = attributes["route_type"], attributes["value"], attributes["alias"]
    if account.route_with_alias(alias) is not None:
        raise ApiError(422, f"Invalid data.attributes.alias: a route with alias {alias!r} already exists",
                       field="data.attributes.alias")
    edge = None if attributes.get("edge_strategy") is None else int(attributes["edge_strategy"])
    if edge is not None and edge not in m.EDGE_STRATEGIES:
        raise ApiError(422, f"Invalid data.attributes.edge_strategy: {edge} is not an edge strategy (one of "
                       f"{', '.join(map(str, m.EDGE_STRATEGIES))}: GET /v2/routes/edge_strategies)",
                       field="data.attributes.edge_strategy")
    if route_type == "number" and not is_valid(value):
        raise ApiError(422, f"Invalid data.attributes.value: {value} is not a valid phone number "
                       "(E.164 without '+', e.g. 12065551212)", field="data.attributes.value")
    route_id = str(call.scope.ids.next("flowroute.route", start=account.routes.next_id()))
    while route_id in account.routes:  # a scenario may have used ids above the counter
        route_id = str(call.scope.ids.next("flowroute.route"))
    route = Route(route_id, route_type, value, alias, edge)
    account.routes[route_id] = route
    return Reply(201, rendering.created_route_document(route, call.base_url))


def _set_route(call: Call, relationship: str) -> Reply:
    number = _owned(call, "number_id")
    route_id = str(call.body["data"]["id"])
    if route_id not in _account(call).routes:
        raise ApiError(404, f"Route {route_id} not found on your account", field="data.id")
    _account(call).change_number(number, **{relationship: route_id})
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
    """POST /v2.1/messages → 202. The rate limit counts every attempt (429); then every check comes before
    anything changes: a refused message leaves no trace. A magic ``to`` (fakeroute/magic.py) forces the outcome."""
    account = _account(call)
    wrapped = "data" in call.body
    attributes = call.body["data"]["attributes"] if wrapped else call.body
    prefix = "data.attributes." if wrapped else ""
    media_urls = tuple(attributes.get("media_urls", ()))
    is_mms = attributes.get("is_mms", False) in (True, "true") or bool(media_urls)
    scope = call.scope
    sent = scope.clock.peek()  # a burst of sends is one instant on the clock: the rate limit counts it
    _rate_limited(scope, account, is_mms, sent)
    to = north_american(attributes["to"], prefix + "to")
    sender = attributes["from"].lstrip("+")
    body = attributes.get("body", "")
    check_content(body, media_urls, is_mms, prefix)
    number = account.numbers.get(sender)
    if number is None:
        raise ApiError(403, f"{prefix}from {sender} is not a number on your account: messages can only be sent "
                       "from your Flowroute numbers", field=prefix + "from")
    if not number.messaging_enabled:
        raise ApiError(403, f"{prefix}from {sender} is not enabled for messaging", field=prefix + "from")
    magic_outcome = magic.send_outcome(to)
    if magic_outcome == "opted_out" or account.opt_outs.is_opted_out(sender, to):
        raise ApiError(400, f"{OPTED_OUT_CODE}: {to} has opted out of messages from {sender} (replied STOP); "
                       "a message to it is refused until it replies UNSTOP", field=prefix + "to")

    message_id = new_message_id(scope.ids, account)
    outcome = m.MAGIC_OUTCOMES[magic_outcome] if magic_outcome else account.delivery_rules.outcome_for(to)
    profile = DELAYED_DELIVERY if magic_outcome == "delayed_receipts" else DELIVERY
    encoded = split(body)
    parts = 1 if is_mms else encoded.segments
    message = new_message(
        scope.ids, account, m.OUTBOUND, sender, to, body, sent, is_mms, media_urls,
        encoded=encoded,
        receipts=m.plan_receipts(outcome, sent, scope.ids.seed, message_id, parts, profile),
        status="message buffered",
        dlr_callback=attributes.get("dlr_callback"),
        keep=scope.max_messages,
        message_id=message_id,
    )
    target = message.dlr_callback or number.dlr_callback or account.callbacks.get(DLR_CALLBACKS[is_mms])
    if target:
        # Every receipt is a webhook at its own time on the clock: the outbox shows (and the server sends)
        # each one once the World's clock reaches it.
        for receipt in message.receipts:
            scope.outbox.record("flowroute", scope.account_id, "dlr", target,
                                rendering.dlr_webhook_document(message, receipt, call.base_url), at=receipt.timestamp)
    reply = magic.inbound_keyword(to)
    if reply is not None and not _has_written(account, to, sender):
        # The magic number answers its first message: through the inbound path, as a real reply arrives.
        receive(scope.account_id, account, clock=scope.clock, ids=scope.ids, outbox=scope.outbox, to=sender,
                sender=to, body=reply, keep=scope.max_messages)
    return Reply(202, rendering.message_accepted_document(message, call.base_url))


def _rate_limited(scope: Scope, account: FlowrouteAccount, is_mms: bool, now: datetime) -> None:
    """Count the attempt against the credential's SMS or MMS throughput; 429 with Retry-After when over."""
    name, limit = ("flowroute.mms", MMS_LIMIT) if is_mms else ("flowroute.sms", SMS_LIMIT)
    wait = scope.limits.hit_named(scope.account_id, name, limit, now, per=account.access_key)
    if wait is not None:
        allowed = scope.limits.limit(name, limit)
        kind = "MMS" if is_mms else "SMS"
        raise ApiError(429, f"Too many requests: your {kind} sending rate is limited to {allowed.count} messages "
                       f"per {allowed.window:g} second(s); retry after {wait} second(s)",
                       headers={"Retry-After": str(wait)})


def _has_written(account: FlowrouteAccount, sender: str, to: str) -> bool:
    """Whether ``sender`` has ever sent a message to the account's number ``to`` (an inbound MDR of it)."""
    return any(msg.direction == m.INBOUND and msg.sender == sender and msg.to == to
               for msg in account.messages.values())


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
    message_id: str | None = None,
    encoded: Split | None = None,
) -> m.Message:
    """A new MDR of the account, its id (unless given), media, type (of the account's own number), encoding and
    price derived (``messaging.split``: GSM-7 or UCS-2, price per segment; ``encoded``: the body's split when the
    caller has made it already)."""
    message_id = message_id or new_message_id(ids, account)
    parts = split(body) if encoded is None else encoded
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
        message_encoding=parts.data_coding,
        amount_nanodollars=m.amount_for(parts, is_mms),
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
    # A day's midnight as end_date (a bare date, or the naive midnight the SDK makes of one) covers that whole
    # day: the SDK's demo asks for "the last 30 days" with today's date as end_date and expects today's messages.
    before = None  # the first moment past the range
    if end is not None:
        before = end + (timedelta(days=1) if _whole_day(q["end_date"]) else timedelta(microseconds=1))
    limit, offset = q.get("limit", DEFAULT_LIMIT), q.get("offset", 0)
    # Newest first, as the README's answer lists them; among equal timestamps the later one first.
    page, found = _account(call).messages.newest_between(start, before, offset, limit)
    query: list[tuple[str, Any]] = [("limit", limit), ("start_date", start.isoformat())]
    if end is not None:
        query.append(("end_date", end.isoformat()))
    next_offset = offset + limit if offset + limit < found else None
    return Reply(200, rendering.mdr_page_document(page, call.scope.clock.peek(),
                                                  base=call.base_url, query=query, next_offset=next_offset))


def _whole_day(text: str) -> bool:
    """``2026-03-05`` or ``2026-03-05T00:00:00`` (no fraction, no zone): a day, not a moment."""
    return len(text) == 10 or (len(text) == 19 and text.endswith("00:00:00"))


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
    _account(call).change_number(_owned(call), dlr_callback=call.body["data"]["attributes"]["callback_url"])
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
    account, and its SMS or MMS callback URL (when set) gets Flowroute's inbound webhook. A keyword applies as
    Flowroute documents: STOP (and the other opt-out words) blocks ``to`` → ``sender``, UNSTOP (START, YES) lifts
    it; the keyword message itself still reaches the account and its callback; HELP is an ordinary message."""
    is_mms = is_mms or bool(media_urls)
    arrived = clock.now()
    account.opt_outs.apply(sender, to, body)
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


# -- ids ------------------------------------------------------------------------------------------


def _new_id(ids: Ids, kind: str, existing: Mapping[Any, Any], first: int) -> int:
    """The next id of a kind, counting up from ``first`` (or above the account's highest), never one in use."""
    start = max([first, *(int(k) + 1 for k in existing)])
    new = ids.next(kind, start=start)
    while new in existing or str(new) in existing:  # a scenario may have used ids above the counter
        new = ids.next(kind)
    return new


# -- E911 addresses -------------------------------------------------------------------------------


def _e911(call: Call) -> m.E911:
    record_id = call.path["e911_id"]
    record = _account(call).e911s.get(record_id)
    if record is None:
        raise ApiError(404, f"E911 record {record_id} not found on your account", field="e911_id")
    return record


def _part(value: Any) -> str:
    """An address part as Flowroute keeps it: numbers (street_number: 1218, zip: 98101) become strings."""
    return "" if value is None else str(value).strip()


def _address(attributes: Mapping[str, Any], record_id: str, over: m.E911 | None = None) -> m.E911:
    """The address ``attributes`` describe (laid over ``over``'s for an update): 422 for a bad address type,
    400 "Could not geocode this address" for an incomplete or implausible address."""
    prefix = "data.attributes."
    fields = {} if over is None else {name: getattr(over, name) for name in m.E911_ATTRIBUTES}
    for name in m.E911_ATTRIBUTES:
        if name in attributes:
            value = attributes[name]
            fields[name] = None if value is None and name.startswith("address_type") else _part(value)
    address_type, number = fields.get("address_type"), fields.get("address_type_number")
    if address_type:
        known = next((t for t in m.ADDRESS_TYPES if t.lower() == address_type.lower()), None)
        if known is None:
            raise ApiError(422, f"Invalid {prefix}address_type: must be one of {', '.join(m.ADDRESS_TYPES)}, "
                           f"got {address_type!r}", field=prefix + "address_type")
        if not number:
            raise ApiError(422, f"Invalid {prefix}address_type_number: is required with an address_type",
                           field=prefix + "address_type_number")
        fields["address_type"] = known
    elif number:
        raise ApiError(422, f"Invalid {prefix}address_type: is required with an address_type_number",
                       field=prefix + "address_type")
    else:
        fields["address_type"] = fields["address_type_number"] = None
    for name in ("label", "first_name", "last_name"):
        if not fields.get(name):
            raise ApiError(422, f"Invalid {prefix}{name}: must not be empty", field=prefix + name)
    fields["state"] = fields.get("state", "").upper()
    fields["country"] = fields.get("country", "").upper()
    address = m.E911(record_id, **{name: fields.get(name, "") for name in m.E911_PARTS},
                     address_type=fields["address_type"], address_type_number=fields["address_type_number"])
    if not m.geocodes(address):
        raise ApiError(400, m.GEOCODE_FAILED)
    return address


def list_e911s(call: Call) -> Reply:
    """GET /v2/e911s: the account's E911 records, newest first, optionally of one ``state``."""
    filters = {"state": call.query["state"].upper()} if "state" in call.query else {}
    records = [r for r in reversed(_account(call).e911s.values()) if r.state == filters.get("state", r.state)]
    return _listed(call, records, lambda r: rendering.e911_resource(r, call.base_url), filters)


def get_e911(call: Call) -> Reply:
    """GET /v2/e911s/{e911_id}"""
    return Reply(200, rendering.e911_document(_e911(call), call.base_url))


def validate_address(call: Call) -> Reply:
    """POST /v2/e911s/validate → 204 for an address the geocoder finds, else 400; nothing is kept."""
    _address(call.body["data"]["attributes"], "0")
    return Reply(204)


def create_address(call: Call) -> Reply:
    """POST /v2/e911s → 201: a validated address joins the account (labels need not be unique: the SDK's
    e911_demo creates two records labelled "E911 Test")."""
    account = _account(call)
    record_id = str(_new_id(call.scope.ids, "flowroute.e911", account.e911s, FIRST_E911_ID))
    address = _address(call.body["data"]["attributes"], record_id)
    account.e911s[record_id] = address
    return Reply(201, rendering.e911_document(address, call.base_url))


def update_address(call: Call) -> Reply:
    """PATCH /v2/e911s/{e911_id} → 200: the attributes sent replace the record's, and the result is validated
    again. A null address_type (what the SDK's update_address sends unless told otherwise) removes the type."""
    record = _e911(call)
    data = call.body["data"]
    if "id" in data and str(data["id"]) != record.id:
        raise ApiError(422, f"Invalid data.id: {data['id']} is not the E911 record of the path ({record.id})",
                       field="data.id")
    updated = _address(data.get("attributes", {}), record.id, over=record)
    _account(call).e911s[record.id] = updated
    return Reply(200, rendering.e911_document(updated, call.base_url))


def delete_address(call: Call) -> Reply:
    """DELETE /v2/e911s/{e911_id} → 204, once no number uses the address (else 403, as Flowroute answers for a
    route still in use)."""
    record = _e911(call)
    account = _account(call)
    if account.numbers_with("e911", record.id):
        raise ApiError(403, f"E911 record {record.id} is still assigned to a number: please disassociate all "
                       "numbers before deleting.")
    del account.e911s[record.id]
    return Reply(204)


def associate(call: Call) -> Reply:
    """PATCH /v2/numbers/{number_id}/relationships/e911s/{e911_id} → 204: the number's E911 address (again
    the same one is no error; another one replaces it). Toll-free numbers support no emergency services."""
    number = _owned(call, "number_id")
    record = _e911(call)
    if number.is_toll_free:
        raise ApiError(422, "Cannot assign an E911 record to a number that does not support emergency services.",
                       field="number_id")
    _account(call).change_number(number, e911=record.id)
    return Reply(204)


def disconnect(call: Call) -> Reply:
    """DELETE /v2/numbers/{number_id}/relationships/e911s → 204: the number has no E911 address any more
    (also when it had none)."""
    _account(call).change_number(_owned(call, "number_id"), e911=None)
    return Reply(204)


def list_dids_for_e911(call: Call) -> Reply:
    """GET /v2/e911s/{e911_id}/relationships/numbers: the numbers using the address, ascending."""
    record = _e911(call)
    numbers = _account(call).numbers_with("e911", record.id)
    return _listed(call, numbers, lambda n: rendering.related_number_resource(n, call.base_url))


# -- CNAM records ---------------------------------------------------------------------------------


def _cnam(call: Call) -> m.Cnam:
    cnam_id = call.path["cnam_id"]
    cnam = _account(call).cnams.get(cnam_id)
    if cnam is None:
        raise ApiError(404, f"CNAM record {cnam_id} not found on your account", field="cnam_id")
    return cnam


def list_cnams(call: Call) -> Reply:
    """GET /v2/cnams: oldest first; ``is_approved`` (true/false, any case) and ``value`` (a part of the value,
    any case) filter."""
    q = call.query
    filters: dict[str, Any] = {}
    if "is_approved" in q:
        filters["is_approved"] = q["is_approved"].lower() in ("true", "1")
    if "value" in q:
        filters["value"] = q["value"]
    records = [c for c in _account(call).cnams.values()
               if c.is_approved == filters.get("is_approved", c.is_approved)
               and filters.get("value", "").upper() in c.value]
    return _listed(call, records, lambda c: rendering.cnam_resource(c, call.base_url), filters)


def get_cnam(call: Call) -> Reply:
    """GET /v2/cnams/{cnam_id}"""
    return Reply(200, rendering.cnam_document(_cnam(call), call.base_url))


def create_cnam_record(call: Call) -> Reply:
    """POST /v2/cnams → 201 (``value=...`` form-encoded, as the SDK sends it, or JSON): a pending record, which
    Flowroute's review approves or rejects ``CNAM_REVIEW`` later on the clock."""
    body = call.body
    wrapped = "data" in body
    given = body["data"]["attributes"]["value"] if wrapped else body["value"]
    field = "data.attributes.value" if wrapped else "value"
    problem = m.cnam_problem(given)
    if problem:
        raise ApiError(422, f"Invalid {field}: {problem}", field=field)
    value = given.strip().upper()
    account = _account(call)
    if any(c.value == value for c in account.cnams.values()):
        raise ApiError(422, f"Invalid {field}: a CNAM record {value!r} is already on your account", field=field)
    cnam_id = str(_new_id(call.scope.ids, "flowroute.cnam", account.cnams, FIRST_CNAM_ID))
    created = call.scope.clock.now()
    cnam = m.Cnam(cnam_id, value, created, created + m.CNAM_REVIEW)
    account.cnams[cnam_id] = cnam
    _schedule(call.scope, cnam.decided_at)
    return Reply(201, rendering.cnam_document(cnam, call.base_url))


def associate_cnam(call: Call) -> Reply:
    """PATCH /v2/numbers/{number_id}/relationships/cnam/{cnam_id} (the SDK's path; Flowroute's pages write
    ``cnams``) → 202: an approved record becomes the long code number's caller ID name."""
    number = _owned(call, "number_id")
    cnam = _cnam(call)
    if not cnam.is_approved:
        state = "was rejected" if cnam.status == m.REJECTED else "is not approved yet"
        raise ApiError(422, f"CNAM record {cnam.id} {state}: only an approved CNAM record can be assigned",
                       field="cnam_id")
    if number.is_toll_free:
        raise ApiError(422, f"Number {number.value} is toll-free: CNAM records can be assigned to long code "
                       "numbers only", field="number_id")
    _account(call).change_number(number, cnam=cnam.id)
    return Reply(202, rendering.cnam_association_document(cnam.id, call.scope.clock.now()))


def unassociate_cnam(call: Call) -> Reply:
    """DELETE /v2/numbers/{number_id}/relationships/cnam → 202 with a null id (also when none was assigned)."""
    _account(call).change_number(_owned(call, "number_id"), cnam=None)
    return Reply(202, rendering.cnam_association_document(None, call.scope.clock.now()))


def remove_cnam(call: Call) -> Reply:
    """DELETE /v2/cnams/{cnam_id} → 204: the numbers using it lose it."""
    cnam = _cnam(call)
    account = _account(call)
    for number in account.numbers_with("cnam", cnam.id):
        account.change_number(number, cnam=None)
    del account.cnams[cnam.id]
    account.recompute_due()
    return Reply(204)


# -- CDR exports ----------------------------------------------------------------------------------


def _export(call: Call) -> m.CdrExport:
    export_id = call.path["export_id"]
    export = _account(call).cdr_exports.get(int(export_id)) if export_id.isdigit() else None
    if export is None:
        raise ApiError(404, f"CDR export {export_id} not found on your account", field="export_id")
    return export


def download_signature(ids: Ids, account_id: str, export_id: int) -> str:
    """What makes a download URL work without credentials, like the presigned S3 URL Flowroute hands out."""
    return ids.token("flowroute.cdr_download", account_id, export_id)


def download_url(scope: Scope, export: m.CdrExport, base: str) -> str:
    signature = download_signature(scope.ids, scope.account_id, export.id)
    return f"{base}/v2/cdrs/exports/{export.id}/download/{signature}.csv.gz"


def list_cdrs(call: Call) -> Reply:
    """GET /v2/cdrs/exports: newest first, optionally of one ``status``; each item wrapped in ``data``."""
    status = call.query.get("status")
    exports = [e for e in reversed(_account(call).cdr_exports.values()) if status in (None, e.status)]
    return _listed(call, exports, lambda e: rendering.cdr_list_item(e, download_url(call.scope, e, call.base_url)))


def get_cdr_export_status(call: Call) -> Reply:
    """GET /v2/cdrs/exports/{id}"""
    export = _export(call)
    return Reply(200, rendering.cdr_export_document(export, call.base_url, download_url(call.scope, export,
                                                                                         call.base_url)))


def _filter_time(filters: Mapping[str, Any], name: str) -> datetime:
    try:
        return parse_utc(filters[name])
    except ValueError:
        field = f"data.attributes.filter_parameters.{name}"
        raise ApiError(422, f"Invalid {field}: {filters[name]!r} is not a real date and time", field=field) from None


def create_cdr_export(call: Call) -> Reply:
    """POST /v2/cdrs/exports → 201: an export of the calls that started in the window and pass the filters,
    ``processing`` until ``CDR_EXPORT_TIME`` later on the clock, when its ``callback_url`` (if any) hears."""
    attributes = call.body["data"]["attributes"]
    given = attributes["filter_parameters"]
    start, end = _filter_time(given, "start_call_start_time"), _filter_time(given, "start_call_end_time")
    field = "data.attributes.filter_parameters.start_call_end_time"
    if end <= start:
        raise ApiError(422, f"Invalid {field}: must be after start_call_start_time", field=field)
    if end - start > m.CDR_MAX_WINDOW:
        raise ApiError(422, f"Invalid {field}: an export covers at most {m.CDR_MAX_WINDOW.days} days of calls",
                       field=field)
    filters = {**given, "start_call_start_time": rendering.cdr_time(start),
               "start_call_end_time": rendering.cdr_time(end)}
    scope, account = call.scope, _account(call)
    records = tuple(r for r in m.call_records(scope.ids.seed, account.access_key or "", account.sorted_numbers(),
                                                 start, end)
                    if m.matches_filters(r, filters))
    export_id = _new_id(scope.ids, "flowroute.cdr_export", account.cdr_exports, FIRST_CDR_EXPORT_ID)
    requested = scope.clock.now()
    export = m.CdrExport(export_id, filters, attributes.get("callback_url"), requested,
                         requested + m.CDR_EXPORT_TIME, records)
    account.cdr_exports[export_id] = export
    _schedule(scope, export.complete_at)
    url = download_url(scope, export, call.base_url)
    if export.callback_url:
        done = dataclasses.replace(export, status=m.COMPLETED)
        scope.outbox.record("flowroute", scope.account_id, "cdr_export", export.callback_url,
                            rendering.cdr_export_document(done, call.base_url, url), at=export.complete_at)
    return Reply(201, rendering.cdr_export_document(export, call.base_url, url))


def download_cdr_export(call: Call) -> Reply:
    """GET <download_url>: the completed export's gzipped CSV, until the URL expires (403, as S3 answers)."""
    export = _export(call)
    if export.status != m.COMPLETED:
        raise ApiError(404, f"CDR export {export.id} has no file yet: it is {export.status}")
    if call.scope.clock.peek() >= export.expires_at:
        raise ApiError(403, f"Request has expired: the download URL of CDR export {export.id} expired at "
                       f"{rendering.cdr_time(export.expires_at)}")
    headers = {"Content-Type": "application/gzip",
               "Content-Disposition": f'attachment; filename="cdr-export-{export.id}.csv.gz"'}
    return Reply(200, rendering.cdr_file(export.records), headers)


def export_owner(world: World, export_id: str, signature: str) -> Account | None:
    """The account whose CDR export a download URL names, when its signature is right (None otherwise): the
    URL is its own credential, as a presigned S3 URL is."""
    if not export_id.isdigit():
        return None
    for account in world:
        export = account.state("flowroute").cdr_exports.get(int(export_id))
        if export is not None and signature == download_signature(world.ids, account.id, export.id):
            return account
    return None


# -- porting --------------------------------------------------------------------------------------


def check_portability(call: Call) -> Reply:
    """POST /v2/portorders/portability → 200: each number (as sent, with or without +) grouped as portable or
    not, and whether it is on Flowroute's HyperNetwork. Not portable: numbers that are no real North American
    number, numbers already yours, numbers Flowroute already holds (its inventory, other customers')."""
    scope, account = call.scope, _account(call)
    portable: list[str] = []
    nonportable: list[str] = []
    hypernetwork: list[str] = []
    for sent in call.body["numbers"]:
        digits = sent.lstrip("+")
        known = len(digits) == 11 and digits.startswith("1") and is_valid(digits)
        if not known or digits in account.numbers or scope.inventory.describe(digits) is not None:
            nonportable.append(sent)
            continue
        can_port, on_hypernetwork = m.portability(scope.ids.seed, digits)
        (portable if can_port else nonportable).append(sent)
        if on_hypernetwork:
            hypernetwork.append(sent)
    return Reply(200, rendering.portability_document(portable, nonportable, hypernetwork))


# -- timed work -----------------------------------------------------------------------------------


def _schedule(scope: Scope, when: datetime) -> None:
    scope.state.schedule(when)
    scope.schedule(when)


def catch_up(scope: Scope) -> None:
    """Apply what the clock has made due in one account: CNAM reviews ending, CDR exports completing."""
    account: FlowrouteAccount = scope.state
    now = scope.clock.peek()
    if account.due is None or account.due > now:
        return
    for cnam in account.cnams.values():
        if cnam.status == m.PENDING and cnam.decided_at <= now:
            cnam.rejection_reason = m.review(cnam.value)
            cnam.status = m.APPROVED if cnam.rejection_reason is None else m.REJECTED
    for export in account.cdr_exports.values():
        if export.status == m.PROCESSING and export.complete_at <= now:
            export.status = m.COMPLETED
    account.recompute_due()
