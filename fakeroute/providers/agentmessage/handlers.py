"""AgentMessage v1 phone numbers, campaigns and brands: what each endpoint does to the org and the inventory.

Handlers get input already checked (auth, scope, JSON Schemas); every remaining check that can fail
(404, campaign gate, 409) runs before the first change, so a refused request leaves state untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from ...accounts import Scope
from ...inventory import AvailableNumber, Inventory
from ..base import Call, Reply
from . import errors, rendering
from .models import (
    BULK_FULFILMENT_DELAY,
    IDEMPOTENCY_WINDOW,
    QUARANTINE,
    ROUTING_FIELDS,
    TRUE_WORDS,
    Brand,
    BulkOrder,
    Campaign,
    Organization,
    PhoneNumber,
    ReleasedNumber,
    StoredReply,
)

DEFAULT_SEARCH_QUANTITY = 10
MAX_SEARCH_QUANTITY = 100  # larger quantities are clamped, as the docs say ("capped at 100")
DEFAULT_LIMIT = 20

T = TypeVar("T", Brand, Campaign)


def _org(call: Call) -> Organization:
    return call.scope.state


def _path_id(call: Call) -> str:
    # Ids are compared lowercase: the schema accepted either case, the scenario stores lowercase.
    return call.path["id"].lower()


def _owned_number(call: Call) -> PhoneNumber:
    number = _org(call).numbers.get(_path_id(call))
    if number is None:  # unknown, released, or another organization's: the same 404
        raise errors.not_found()
    return number


# -- campaigns gate numbers -------------------------------------------------------------------------


def check_attachable(org: Organization, campaign_id: str) -> None:
    """A number may carry a campaign of its own org that is ACTIVE and whose brand is verified."""
    campaign = org.campaigns.get(campaign_id)
    if campaign is None:
        raise errors.not_found()  # no details: the reference gives them on validation errors only
    if campaign.status != "ACTIVE":
        raise errors.validation_failed({"campaign_id": f"campaign must be ACTIVE, not {campaign.status}"})
    brand = org.brands.get(campaign.brand_id)
    if brand is None or not brand.verified:
        identity = brand.identity_status if brand is not None else None
        raise errors.validation_failed({
            "campaign_id": f"campaign's brand must be VERIFIED or VETTED_VERIFIED, not {identity or 'unverified'}"
        })


def _routing(org: Organization, body: Mapping[str, Any]) -> dict[str, Any]:
    """Routing given with an order: empty strings and nulls mean not set; a campaign must pass the gate."""
    routing = {name: body.get(name) or None for name in ROUTING_FIELDS}
    if routing["campaign_id"] is not None:
        routing["campaign_id"] = routing["campaign_id"].lower()
        check_attachable(org, routing["campaign_id"])
    return routing


# -- inventory --------------------------------------------------------------------------------------


def search_inventory(inventory: Inventory, criteria: Mapping[str, Any], quantity: int) -> list[AvailableNumber]:
    """Available numbers matching area_code, number_type and pattern (a substring of the E.164 form)."""
    number_type = criteria.get("number_type")
    if number_type == "short_code":
        return []
    starts = "1" + criteria["area_code"] if criteria.get("area_code") else ""
    contains = criteria.get("pattern") or ""
    if contains.startswith("+"):
        # "+1415..." can only match at the start of "+1NPANXXXXXX": it is a prefix of the digits.
        anchored, contains = contains[1:], ""
        if anchored.startswith(starts):
            starts = anchored
        elif not starts.startswith(anchored):
            return []
    if len(starts) > 11 or len(contains) > 11:
        return []
    found, _ = inventory.search(
        starts_with=starts, contains=contains, number_type=number_type, limit=quantity,
    )
    return found


def _assign(org: Organization, call_scope: Scope, offered: AvailableNumber, routing: Mapping[str, Any],
            now: datetime) -> PhoneNumber:
    number = PhoneNumber(
        id=call_scope.ids.uuid("agentmessage.number"),
        number="+" + offered.value,
        number_type=offered.number_type,  # the inventory's neutral words are AgentMessage's own
        created_at=now,
        updated_at=now,
        inbound_url=routing.get("inbound_url"),
        status_url=routing.get("status_url"),
        label=routing.get("label"),
        campaign_id=routing.get("campaign_id"),
        carrier_line_option_status="pending" if routing.get("campaign_id") else None,
    )
    org.add_number(number)
    return number


def _release(org: Organization, scope: Scope, number: PhoneNumber, now: datetime, to_carrier: bool) -> None:
    """Routing goes with the assignment; the number sits out its quarantine (or leaves for good)."""
    org.remove_number(number.id)
    available_at = None if to_carrier else now + QUARANTINE
    org.released[number.id] = ReleasedNumber(number.id, number.number, now, available_at)
    if available_at is not None:
        org.schedule(available_at)
        scope.schedule(available_at)


def catch_up(scope: Scope) -> None:
    """Apply what the fake clock has made due in one org: quarantines ending, bulk orders settling."""
    org: Organization = scope.state
    now = scope.clock.peek()
    if org.due is None or org.due > now:
        return
    for record in org.released.values():
        if record.quarantined and record.available_at is not None and record.available_at <= now:
            scope.inventory.put_back(record.number[1:])
            record.returned = True
    for order in sorted((o for o in org.bulk_orders.values() if o.pending), key=lambda o: (o.ready_at, o.id)):
        if order.ready_at <= now:
            _settle(org, scope, order)
    org.recompute_due()


def _settle(org: Organization, scope: Scope, order: BulkOrder) -> None:
    """The carrier's answer to a shortfall: numbers of the right type and area, the pattern only preferred."""
    wanted = order.quantity
    picked = search_inventory(scope.inventory, order.criteria, wanted)
    if len(picked) < wanted and order.criteria.get("pattern"):
        seen = {n.value for n in picked}
        relaxed = search_inventory(scope.inventory, {**order.criteria, "pattern": None}, wanted)
        picked += [n for n in relaxed if n.value not in seen][:wanted - len(picked)]
    now = scope.clock.now()
    for offered in picked:
        taken = scope.inventory.take(offered.value)
        if taken is not None:
            order.assigned_numbers.append(_assign(org, scope, taken, order.routing, now).number)
    assigned = len(order.assigned_numbers)
    order.status = "complete" if assigned == wanted else "partial" if assigned else "failed"
    order.updated_at = now


# -- phone numbers ----------------------------------------------------------------------------------


def search_phone_numbers(call: Call) -> Reply:
    """POST /v1/phone-numbers/search: a preview of purchasable numbers; reserves nothing."""
    quantity = min(call.body.get("quantity") or DEFAULT_SEARCH_QUANTITY, MAX_SEARCH_QUANTITY)
    found = search_inventory(call.scope.inventory, call.body, quantity)
    data = [{"number": "+" + n.value, "number_type": n.number_type} for n in found]
    return Reply(200, rendering.ok(data))


def order_phone_numbers(call: Call) -> Reply:
    """POST /v1/phone-numbers/orders: all of the listed numbers or none (409 naming the missing ones)."""
    org, inventory = _org(call), call.scope.inventory
    routing = _routing(org, call.body)
    requested = list(dict.fromkeys(call.body["numbers"]))  # duplicates dropped silently
    unavailable = [n for n in requested if not inventory.is_available(n[1:])]
    if unavailable:
        raise errors.insufficient_inventory(len(requested) - len(unavailable), unavailable)
    now = call.scope.clock.now()  # one order, one moment: its numbers share created_at
    created = []
    for e164 in requested:
        offered = inventory.take(e164[1:])
        assert offered is not None  # checked above, under the World's lock
        created.append(_assign(org, call.scope, offered, routing, now))
    return Reply(200, rendering.ok([rendering.number_resource(n) for n in created]))


def list_phone_numbers(call: Call) -> Reply:
    """GET /v1/phone-numbers: newest first by keyset cursor; filters apply to each page after it is cut."""
    q = call.query
    limit = q.get("limit", DEFAULT_LIMIT)
    after = _cursor(q)
    rows, more = _org(call).newest_before(after, limit)
    next_cursor = rendering.encode_cursor(*rows[-1].sort_key) if more and rows else None
    campaign_id = q.get("campaign_id", "").lower()
    search = q.get("search", "").strip().lower()  # a raw "+1888" in a URL arrives as " 1888"
    data = [
        rendering.number_resource(n)
        for n in rows
        if ("number_type" not in q or n.number_type == q["number_type"])
        and (not campaign_id or n.campaign_id == campaign_id)
        and (not search or search in n.number or search in (n.label or "").lower())
    ]
    return Reply(200, rendering.page(data, limit, next_cursor))


def _cursor(query: Mapping[str, Any]) -> tuple[datetime, str] | None:
    if "cursor" not in query:
        return None
    position = rendering.decode_cursor(query["cursor"])
    if position is None:
        raise errors.validation_failed({"cursor": "is not a valid cursor"})
    return position


def get_phone_number(call: Call) -> Reply:
    """GET /v1/phone-numbers/{id}"""
    return Reply(200, rendering.ok(rendering.number_resource(_owned_number(call))))


def update_phone_number(call: Call) -> Reply:
    """PATCH /v1/phone-numbers/{id}: null or omitted leaves a field alone, "" clears a URL or the label."""
    org = _org(call)
    number = _owned_number(call)
    changes: dict[str, Any] = {}
    for name in ROUTING_FIELDS:
        value = call.body.get(name)
        if value is None:
            continue
        if name == "campaign_id":
            value = value.lower()
            check_attachable(org, value)
        changes[name] = value or None
    if not changes:  # {} or all nulls: a no-op, updated_at included
        return Reply(200, rendering.ok(rendering.number_resource(number)))
    if "campaign_id" in changes and changes["campaign_id"] != number.campaign_id:
        # The new campaign has to reach the carrier; nothing in the fake propagates it further.
        number.carrier_line_option_status = "pending"
        number.carrier_line_option_propagated_at = None
    for name, value in changes.items():
        setattr(number, name, value)
    number.updated_at = call.scope.clock.now()
    return Reply(200, rendering.ok(rendering.number_resource(number)))


def release_phone_number(call: Call) -> Reply:
    """DELETE /v1/phone-numbers/{id}: recycle (30-day quarantine) or, admin only, return to the carrier."""
    number = _owned_number(call)
    to_carrier = call.query.get("return_to_carrier") in TRUE_WORDS
    _release(_org(call), call.scope, number, call.scope.clock.now(), to_carrier)
    return Reply(200, rendering.ok({"status": "released"}))


def bulk_release_phone_numbers(call: Call) -> Reply:
    """POST /v1/phone-numbers/bulk/release: each id lands in exactly one of three buckets."""
    org = _org(call)
    unique: dict[str, str] = {}
    for given in call.body["ids"]:
        unique.setdefault(given.lower(), given)
    buckets: dict[str, list[str]] = {"released": [], "unknown": [], "already_released": []}
    now: datetime | None = None
    for number_id, given in unique.items():
        number = org.numbers.get(number_id)
        if number is not None:
            now = now or call.scope.clock.now()
            _release(org, call.scope, number, now, to_carrier=False)
            buckets["released"].append(given)
        elif number_id in org.released:
            buckets["already_released"].append(given)
        else:  # never assigned, available, or another org's: grouped so ownership cannot be probed
            buckets["unknown"].append(given)
    return Reply(200, rendering.ok(buckets))


def bulk_order_phone_numbers(call: Call) -> Reply:
    """POST /v1/phone-numbers/bulk: 200 when the quantity is there now, else 202 and an order to poll."""
    org, scope, body = _org(call), call.scope, call.body
    key = call.idempotency_key
    org.expire_idempotency(scope.clock.peek())
    if key is not None and key in org.idempotency:
        stored = org.idempotency[key]  # a retry within 24 h: the first answer again, no second order
        return Reply(stored.status, stored.document)
    routing = _routing(org, body)
    quantity = body["quantity"]
    criteria = {name: body.get(name) for name in ("number_type", "area_code", "pattern")}
    found = search_inventory(scope.inventory, criteria, quantity)
    now = scope.clock.now()
    if len(found) == quantity:
        numbers = []
        for offered in found:
            taken = scope.inventory.take(offered.value)
            assert taken is not None
            numbers.append(_assign(org, scope, taken, routing, now).number)
        status, document = 200, rendering.ok({
            "order_id": None, "status": "complete", "quantity": quantity, "assigned_count": quantity,
            "pending_count": 0, "assigned_numbers": numbers,
        })
    else:
        order = BulkOrder(scope.ids.uuid("agentmessage.bulk_order"), quantity, criteria, routing,
                          created_at=now, ready_at=now + BULK_FULFILMENT_DELAY)
        org.bulk_orders[order.id] = order
        org.schedule(order.ready_at)
        scope.schedule(order.ready_at)
        status, document = 202, rendering.ok(rendering.bulk_order_resource(order))
    if key is not None:
        org.idempotency[key] = StoredReply(key, status, document, now + IDEMPOTENCY_WINDOW)
    return Reply(status, document)


def get_bulk_order(call: Call) -> Reply:
    """GET /v1/phone-numbers/bulk/{id}"""
    order = _org(call).bulk_orders.get(_path_id(call))
    if order is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.bulk_order_resource(order)))


# -- campaigns and brands (read-only here) ---------------------------------------------------------


def _listing(call: Call, items: Iterable[T], render: Callable[[T, str], dict[str, Any]]) -> Reply:
    """Newest first; the next page's cursor goes in the X-Next-Cursor header, absent on the last page."""
    limit = call.query.get("limit", DEFAULT_LIMIT)
    after = _cursor(call.query)
    rows = sorted(items, key=lambda i: (i.created_at, i.id), reverse=True)
    if after is not None:
        rows = [i for i in rows if (i.created_at, i.id) < after]
    shown = rows[:limit]
    headers = {}
    if len(rows) > limit:
        headers["X-Next-Cursor"] = rendering.encode_cursor(shown[-1].created_at, shown[-1].id)
    org_id = _org(call).org_id
    return Reply(200, rendering.page([render(i, org_id) for i in shown], limit), headers)


def list_campaigns(call: Call) -> Reply:
    """GET /v1/campaigns"""
    q = call.query
    brand_id = q.get("brand_id", "").lower()
    items = [
        c for c in _org(call).campaigns.values()
        if ("status" not in q or c.status == q["status"]) and (not brand_id or c.brand_id == brand_id)
    ]
    return _listing(call, items, rendering.campaign_resource)


def get_campaign(call: Call) -> Reply:
    """GET /v1/campaigns/{id}"""
    org = _org(call)
    campaign = org.campaigns.get(_path_id(call))
    if campaign is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.campaign_resource(campaign, org.org_id)))


def list_brands(call: Call) -> Reply:
    """GET /v1/brands"""
    q = call.query
    items = [
        b for b in _org(call).brands.values()
        if ("status" not in q or b.status == q["status"])
        and ("identity_status" not in q or b.identity_status == q["identity_status"])
    ]
    return _listing(call, items, rendering.brand_resource)


def get_brand(call: Call) -> Reply:
    """GET /v1/brands/{id}"""
    org = _org(call)
    brand = org.brands.get(_path_id(call))
    if brand is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.brand_resource(brand, org.org_id)))
