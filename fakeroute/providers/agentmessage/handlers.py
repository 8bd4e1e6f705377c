"""AgentMessage v1: what each endpoint does to the org and the inventory (numbers, messages, brands and campaigns,
consent, API keys, org webhooks), the timed work of the fake clock, and the simulated arrival of inbound messages.

Handlers get input already checked (auth, scope, JSON Schemas); every remaining check that can fail
(429, 404, the campaign gate, 409, 422, 453, 502) runs before the first change, so a refused request leaves
state untouched.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ... import magic
from ...accounts import Scope
from ...inventory import AvailableNumber, Inventory
from ...limits import Limit
from ...messaging import Keyword, delivery_delays, segments
from ..base import Call, Reply
from . import errors, rendering
from .models import (
    ALL_SCOPES,
    API_VERSION,
    BRAND_FEE_CENTS,
    BRAND_REVIEW_DELAY,
    BULK_FULFILMENT_DELAY,
    CAMPAIGN_REVIEW_DELAY,
    CONFIRM_WORDS,
    CONSENT_CHALLENGE_LIFETIME,
    EVENT_RETENTION,
    GRANT_WORDS,
    HOSTED_CONSENT_LIFETIME,
    IDEMPOTENCY_WINDOW,
    MAGIC_REPLY_DELAY,
    MAX_WEBHOOK_ENDPOINTS,
    QUARANTINE,
    ROUTING_FIELDS,
    TRUE_WORDS,
    VERIFIED_IDENTITIES,
    ApiKey,
    Brand,
    BulkOrder,
    Campaign,
    Consent,
    ConsentChallenge,
    Delivery,
    HostedConsent,
    InboundMessage,
    MagicReply,
    Message,
    Organization,
    PhoneNumber,
    ReleasedNumber,
    StoredReply,
    WebhookEndpoint,
    bare_word,
    campaign_findings,
    campaign_keywords,
    send_tier,
)
from .schemas import SCHEMAS

DEFAULT_SEARCH_QUANTITY = 10
MAX_SEARCH_QUANTITY = 100  # larger quantities are clamped, as the docs say ("capped at 100")
DEFAULT_LIMIT = 20
PROVIDER = "agentmessage"
# The fields a client sets when it creates a brand or a campaign (the rest are the registry's): its body schema's.
BRAND_INPUT = frozenset(SCHEMAS["body_create_brand"].document["properties"])
CAMPAIGN_INPUT = frozenset(SCHEMAS["body_create_campaign"].document["properties"]) - {"brand_id"}

T = TypeVar("T")


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
    if number.campaign_id is not None:
        emit(call_scope, "phone_number.campaign.assigned", {"phone_number": rendering.number_resource(number)}, now)
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
    """Apply what the fake clock has made due in one org: quarantines ending, bulk orders settling, brand and
    campaign reviews completing, double opt-in challenges expiring. Each happens at its own due time."""
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
    for brand in sorted(org.brands.values(), key=lambda b: (b.review_at or now, b.id)):
        if brand.review_at is not None and brand.review_at <= now:
            review_brand(scope, brand, "VERIFIED", None, brand.review_at)
    for campaign in sorted(org.campaigns.values(), key=lambda c: (c.review_at or now, c.id)):
        if campaign.review_at is not None and campaign.review_at <= now:
            reasons = [f["message"] for f in campaign_findings(campaign.fields) if f["severity"] == "block"]
            review_campaign(scope, campaign, "REJECTED" if reasons else "ACTIVE", reasons, campaign.review_at)
    for challenge in list(org.challenges.values()):
        if challenge.open and challenge.expires_at <= now:
            org.challenges[challenge.id] = dataclasses.replace(challenge, status="expired")
            emit(scope, "consent_pending.expired", _challenge_event(challenge), challenge.expires_at)
    due = [r for r in org.replies if r.at <= now]
    org.replies = [r for r in org.replies if r.at > now]
    for reply in sorted(due, key=lambda r: (r.at, r.sender)):
        number = org.numbers.get(reply.phone_number_id)
        if number is not None:  # a number released since gets no inbound message
            receive(scope, number, reply.sender, reply.body, (), at=reply.at)
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
    emit(scope, "phone_number.bulk_order.completed", {"bulk_order": rendering.bulk_order_resource(order)}, now)


# -- phone numbers ----------------------------------------------------------------------------------


def search_phone_numbers(call: Call) -> Reply:
    """POST /v1/phone-numbers/search: a preview of purchasable numbers; reserves nothing."""
    quantity = min(call.body.get("quantity") or DEFAULT_SEARCH_QUANTITY, MAX_SEARCH_QUANTITY)
    found = search_inventory(call.scope.inventory, call.body, quantity)
    data = [{"number": "+" + n.value, "number_type": n.number_type} for n in found]
    return Reply(200, rendering.ok(data))


def order_phone_numbers(call: Call) -> Reply:
    """POST /v1/phone-numbers/orders: all of the listed numbers or none (409 naming the missing ones; 502 when the
    carrier fails the order). A magic just-taken number (555-0151) is one no longer available; a magic carrier-error
    one (555-0152) is offered, and the carrier fails its order."""
    org, inventory = _org(call), call.scope.inventory
    routing = _routing(org, call.body)
    requested = list(dict.fromkeys(call.body["numbers"]))  # duplicates dropped silently
    outcomes = {n: magic.purchase_outcome(n) for n in requested}
    # The inventory never holds a 555 number: a magic one that the carrier fails is available until it is asked.
    unavailable = [n for n in requested if outcomes[n] != "carrier_error" and not inventory.is_available(n[1:])]
    if unavailable:
        raise errors.insufficient_inventory(len(requested) - len(unavailable), unavailable)
    if "carrier_error" in outcomes.values():
        raise errors.carrier_error()
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


def _query_time(query: Mapping[str, Any], name: str) -> datetime | None:
    """A date-time query parameter the schema let through (its shape): a day that does not exist is still 422."""
    if name not in query:
        return None
    try:
        return rendering.parse_time(query[name])
    except ValueError:
        raise errors.validation_failed({name: "is not a real date-time"}) from None


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
    assigned = "campaign_id" in changes and changes["campaign_id"] != number.campaign_id
    for name, value in changes.items():
        setattr(number, name, value)
    number.updated_at = call.scope.clock.now()
    if assigned:
        emit(call.scope, "phone_number.campaign.assigned", {"phone_number": rendering.number_resource(number)},
             number.updated_at)
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
    replay = _replayed(call, "bulk_order_phone_numbers")
    if replay is not None:  # a retry within 24 h: the first answer again, no second order
        return replay
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
    return _remembered(call, "bulk_order_phone_numbers", Reply(status, document))


def get_bulk_order(call: Call) -> Reply:
    """GET /v1/phone-numbers/bulk/{id}"""
    order = _org(call).bulk_orders.get(_path_id(call))
    if order is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.bulk_order_resource(order)))


# -- campaigns and brands ---------------------------------------------------------------------------


def _keyset(call: Call, items: Iterable[T], default_limit: int,
            key: Callable[[T], tuple[datetime, str]], ordered: bool) -> tuple[list[T], str | None, int]:
    """One page, newest first by ``key`` (``(created_at, id)``): its rows, the next page's cursor, the limit.
    ``ordered``: ``items`` already come newest first from below the cursor (read lazily, up to the page's end)."""
    limit = call.query.get("limit", default_limit)
    rows: Iterable[T] = items
    if not ordered:
        after = _cursor(call.query)
        rows = sorted(items, key=key, reverse=True)
        if after is not None:
            rows = [i for i in rows if key(i) < after]
    taken = list(itertools.islice(rows, limit + 1))
    shown = taken[:limit]
    next_cursor = rendering.encode_cursor(*key(shown[-1])) if len(taken) > limit else None
    return shown, next_cursor, limit


def _created(item: Any) -> tuple[datetime, str]:
    return (item.created_at, item.id)


def _listing(call: Call, items: Iterable[T], render: Callable[[T], dict[str, Any]], *,
             default_limit: int = DEFAULT_LIMIT, key: Callable[[T], tuple[datetime, str]] = _created,
             ordered: bool = False) -> Reply:
    """Newest first; the next page's cursor goes in the X-Next-Cursor header, absent on the last page."""
    shown, next_cursor, limit = _keyset(call, items, default_limit, key, ordered)
    headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
    return Reply(200, rendering.page([render(i) for i in shown], limit), headers)


def _meta_listing(call: Call, items: Iterable[T], render: Callable[[T], dict[str, Any]], *,
                  default_limit: int = DEFAULT_LIMIT, key: Callable[[T], tuple[datetime, str]] = _created,
                  ordered: bool = False) -> Reply:
    """Newest first; the next page's cursor in ``meta.next_cursor``, null on the last page."""
    shown, next_cursor, limit = _keyset(call, items, default_limit, key, ordered)
    return Reply(200, rendering.page([render(i) for i in shown], limit, next_cursor))


def list_campaigns(call: Call) -> Reply:
    """GET /v1/campaigns"""
    q = call.query
    brand_id = q.get("brand_id", "").lower()
    items = [
        c for c in _org(call).campaigns.values()
        if ("status" not in q or c.status == q["status"]) and (not brand_id or c.brand_id == brand_id)
    ]
    org_id = _org(call).org_id
    return _listing(call, items, lambda c: rendering.campaign_resource(c, org_id))


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
    org_id = _org(call).org_id
    return _listing(call, items, lambda b: rendering.brand_resource(b, org_id))


def get_brand(call: Call) -> Reply:
    """GET /v1/brands/{id}"""
    org = _org(call)
    brand = org.brands.get(_path_id(call))
    if brand is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.brand_resource(brand, org.org_id)))


def _book(scope: Scope, org: Organization, when: datetime) -> datetime:
    """Book timed work of the org at ``when`` on the fake clock (its catch_up does it then); returns ``when``."""
    org.schedule(when)
    scope.schedule(when)
    return when


def create_brand(call: Call) -> Reply:
    """POST /v1/brands → 202 PENDING. One brand per org unless reseller (422), $5.00 from the wallet (402); all
    gating before any change. The identity check completes on the fake clock (VERIFIED) or by ``review_brand``."""
    org, scope = _org(call), call.scope
    if not org.reseller and any(b.status != "DELETED" for b in org.brands.values()):
        raise errors.reseller_required()
    if org.wallet_cents < BRAND_FEE_CENTS:
        raise errors.insufficient_credit()
    now = scope.clock.now()
    fields = {name: value for name, value in call.body.items() if name in BRAND_INPUT and value is not None}
    brand = Brand(scope.ids.uuid("agentmessage.brand"), "PENDING", None, now, now, fields,
                  _book(scope, org, now + BRAND_REVIEW_DELAY))
    org.brands[brand.id] = brand
    org.wallet_cents -= BRAND_FEE_CENTS
    org.lifetime_spend_cents += BRAND_FEE_CENTS
    if org.wallet_cents == 0:
        emit(scope, "wallet.balance_zero", {"balance_cents": 0}, now)
    return Reply(202, rendering.ok(rendering.brand_resource(brand, org.org_id)))


def create_campaign(call: Call) -> Reply:
    """POST /v1/campaigns → 202 PENDING: the brand must be the org's (404) and verified (409). The carrier review
    completes on the fake clock (ACTIVE, or REJECTED when the pre-check blocks) or by ``review_campaign``."""
    org, scope, body = _org(call), call.scope, call.body
    brand = org.brands.get(body["brand_id"].lower())
    if brand is None:
        raise errors.not_found()
    if not brand.verified:
        raise errors.brand_not_verified()
    now = scope.clock.now()
    fields = {name: value for name, value in body.items() if name in CAMPAIGN_INPUT and value is not None}
    fields["submitted_at"] = rendering.iso(now)
    campaign = Campaign(scope.ids.uuid("agentmessage.campaign"), brand.id, "PENDING", now, now, fields,
                        _book(scope, org, now + CAMPAIGN_REVIEW_DELAY))
    org.campaigns[campaign.id] = campaign
    return Reply(202, rendering.ok(rendering.campaign_resource(campaign, org.org_id)))


def review_campaign_draft(call: Call) -> Reply:
    """POST /v1/campaigns/review: the pre-check of a draft; persists nothing. Only ``block`` findings gate."""
    org, draft = _org(call), call.body
    findings = campaign_findings(draft)
    brand_id = draft.get("brand_id")
    if not brand_id:
        findings.insert(0, {"severity": "block", "code": "MISSING_FIELD", "field": "brand_id",
                            "message": "brand_id is required"})
    else:
        brand = org.brands.get(brand_id.lower())
        if brand is None or not brand.verified:
            findings.insert(0, {"severity": "block", "code": "BRAND_NOT_VERIFIED", "field": "brand_id",
                                "message": "the brand must be this organization's, VERIFIED or VETTED_VERIFIED"})
    counts = {severity: sum(f["severity"] == severity for f in findings) for severity in ("block", "warn", "info")}
    return Reply(200, rendering.ok({
        "can_submit": counts["block"] == 0, "llm_used": False, "generated_at": rendering.iso(call.scope.clock.peek()),
        "counts": counts, "findings": findings,
    }))


def review_brand(scope: Scope, brand: Brand, identity_status: str, reason: str | None, when: datetime) -> None:
    """The brand's identity check completes: ACTIVE with ``identity_status``; an event either way."""
    org: Organization = scope.state
    fields = dict(brand.fields)
    fields.setdefault("tcr_brand_id", "B" + scope.ids.token("agentmessage.tcr_brand", brand.id, length=6).upper())
    fields["submitted_at"] = rendering.iso(when)
    fields["verified_at"] = rendering.iso(when) if identity_status in VERIFIED_IDENTITIES else None
    brand = org.brands[brand.id] = dataclasses.replace(brand, status="ACTIVE", identity_status=identity_status,
                                                       fields=fields, updated_at=when, review_at=None)
    data: dict[str, Any] = {"brand": rendering.brand_resource(brand, org.org_id)}
    if not brand.verified:
        data["reason"] = reason or "identity could not be verified"
    emit(scope, "brand.vetted" if brand.verified else "brand.vetting_failed", data, when)


def review_campaign(scope: Scope, campaign: Campaign, status: str, reasons: list[str], when: datetime) -> None:
    """The campaign's carrier review completes: ACTIVE (approved) or REJECTED with reasons, or any other status a
    test gives it (EXPIRED); approval and rejection send their events."""
    org: Organization = scope.state
    fields = dict(campaign.fields)
    if status == "ACTIVE":
        fields.setdefault("tcr_campaign_id",
                          "C" + scope.ids.token("agentmessage.tcr_campaign", campaign.id, length=7).upper())
        fields["mno_metadata"] = {"10017": {"mno": "AT&T", "mnoSupport": True, "mnoReview": False, "qualify": True,
                                            "tpm": 90}}
        fields["billed_date"] = rendering.iso(when)
        fields["next_renewal_or_expiration_date"] = (when + timedelta(days=30)).date().isoformat()
        fields["rejection_reasons"], fields["rejected_at"] = [], None
    elif status == "REJECTED":
        fields["rejection_reasons"] = list(reasons) or ["rejected by carrier review"]
        fields["rejected_at"] = rendering.iso(when)
    elif status == "EXPIRED":
        fields["expiration_date"] = rendering.iso(when)
    campaign = org.campaigns[campaign.id] = dataclasses.replace(campaign, status=status, fields=fields,
                                                                updated_at=when, review_at=None)
    event = {"ACTIVE": "campaign.approved", "REJECTED": "campaign.rejected"}.get(status)
    if event is not None:
        emit(scope, event, {"campaign": rendering.campaign_resource(campaign, org.org_id)}, when)


# -- outbound messages ------------------------------------------------------------------------------


def _uuid7(scope: Scope, kind: str, when: datetime) -> str:
    """A UUIDv7 as the docs' example ids look: the milliseconds, then a counter (messages of one instant sort in
    the order they were made), then bits fixed by the seed."""
    serial = scope.ids.next(kind)
    rand = int(scope.ids.token(kind, serial, length=16), 16) & ((1 << 62) - 1)
    millis = int(when.timestamp() * 1000) & ((1 << 48) - 1)
    return str(uuid.UUID(int=millis << 80 | 0x7 << 76 | (serial & 0xFFF) << 64 | 0b10 << 62 | rand))


def _limited(scope: Scope, *limits: tuple[str, Limit]) -> None:
    """Count one request against each of the org's named limits (``"messages.per_second"``: the scenario's
    ``agentmessage.messages.per_second`` replaces the default given); 429 with the longest wait when any is full."""
    now = scope.clock.peek()
    waits = [scope.limits.hit_named(scope.account_id, f"{PROVIDER}.{name}", limit, now) for name, limit in limits]
    refused = [w for w in waits if w is not None]
    if refused:
        raise errors.rate_limited(max(refused))


def sending_number(org: Organization, number: PhoneNumber | None, field: str, *, mms: bool = False) -> PhoneNumber:
    """The org's number that may send: owned, enabled, on an ACTIVE campaign of a verified brand (else 422)."""
    if number is None:
        raise errors.validation_failed({field: "must be a phone number of your organization"})
    if not (number.mms_enabled if mms else number.sms_enabled):
        raise errors.validation_failed({field: f"{number.number} is not enabled for {'MMS' if mms else 'SMS'}"})
    campaign = org.campaigns.get(number.campaign_id or "")
    if campaign is None:
        raise errors.validation_failed({field: f"{number.number} has no campaign: outbound messages need an "
                                               "ACTIVE campaign"})
    if campaign.status != "ACTIVE":
        raise errors.validation_failed({field: f"{number.number}'s campaign is {campaign.status}: outbound messages "
                                               "need an ACTIVE campaign"})
    brand = org.brands.get(campaign.brand_id)
    if brand is None or not brand.verified:
        raise errors.validation_failed({field: f"{number.number}'s campaign has an unverified brand"})
    return number


def check_recipient(org: Organization, number: PhoneNumber, to: str) -> None:
    """What refuses any text from ``number`` to ``to``: a fixed line (422 LINE_TYPE_BLOCKED), an opt-out (453)."""
    if org.landline(to):
        raise errors.line_type_blocked()
    if org.opted_out(number, to):
        raise errors.consent_required()


def new_message(scope: Scope, org: Organization, number: PhoneNumber, to: str, text: str, *,
                media_urls: tuple[str, ...] = (), priority: str = "default", tag: str | None = None) -> Message:
    """A message queued now (the clock does not move: a burst of sends is one instant), its statuses planned at
    times drawn from the seed and its id, each status change a webhook to the number's status_url at its time on
    the clock. A magic inbound recipient (555-0131, 555-0132) answers the first message it gets."""
    now = scope.clock.peek()
    message_id = _uuid7(scope, "agentmessage.message", now)
    outcome, profile = org.outcome_for(to)
    message = Message(
        message_id, number.id, number.number, to, text, "mms" if media_urls else "sms", media_urls, priority, tag,
        segments(text), now, outcome, delivery_delays(scope.ids.seed, message_id, profile),
    )
    org.messages[message.id] = message
    if number.status_url:
        for when, _ in message.timeline():
            scope.outbox.record(PROVIDER, scope.account_id, "message_status", number.status_url,
                                rendering.message_resource(message, when), at=when)
    _magic_reply(scope, org, number, message)
    return message


def _magic_reply(scope: Scope, org: Organization, number: PhoneNumber, message: Message) -> None:
    """A magic inbound number texts its keyword back once the first message from ``number`` reaches it: booked on
    the clock, it then arrives by the normal inbound path (listed, POSTed to inbound_url, the opt-out applied)."""
    word = magic.inbound_keyword(message.to)
    delivered = message.planned_at("delivered")
    if word is None or delivered is None:
        return
    answered = any(r.phone_number_id == number.id and r.sender == message.to for r in org.replies) or any(
        m.sender == message.to and m.to == number.number for m in org.inbound.values())
    if answered:
        return
    (after,) = delivery_delays(scope.ids.seed, f"{message.id}/reply", MAGIC_REPLY_DELAY)
    org.replies.append(MagicReply(delivered + timedelta(seconds=after), number.id, message.to, word))
    _book(scope, org, org.replies[-1].at)


def send_message(call: Call) -> Reply:
    """POST /v1/messages → 202 queued. Rate limits (429), then the sending number (422), the recipient's line type
    (422 LINE_TYPE_BLOCKED), an opt-out or no consent (453 CONSENT_REQUIRED). Nothing is charged (no price is
    documented) and a refused send leaves nothing behind."""
    org, scope, body = _org(call), call.scope, call.body
    per_second, per_minute = send_tier(org.lifetime_spend_cents)
    _limited(scope, ("messages.per_second", Limit(per_second, 1)), ("messages.per_minute", Limit(per_minute, 60)))
    media = tuple(body.get("media_urls") or ())
    number = sending_number(org, org.number_by_e164(body["from"]), "from", mms=bool(media))
    to = body["to"]
    check_recipient(org, number, to)
    if not org.may_text(number, to):
        raise errors.consent_required()
    message = new_message(scope, org, number, to, body.get("text") or "", media_urls=media,
                          priority=body.get("priority") or "default", tag=body.get("tag"))
    return Reply(202, rendering.ok(rendering.message_resource(message, scope.clock.peek())))


def list_messages(call: Call) -> Reply:
    """GET /v1/messages: newest first, filters before the page is cut; the next cursor in X-Next-Cursor."""
    q, now = call.query, call.scope.clock.peek()
    items = (
        m for m in _org(call).messages.newest_first(_cursor(q))
        if ("status" not in q or m.status_at(now) == q["status"]) and ("from" not in q or m.sender == q["from"])
        and ("to" not in q or m.to == q["to"]) and ("tag" not in q or m.tag == q["tag"])
    )
    return _listing(call, items, lambda m: rendering.message_resource(m, now), default_limit=50, ordered=True,
                    key=lambda m: m.sort_key)


def get_message(call: Call) -> Reply:
    """GET /v1/messages/{id}"""
    message = _org(call).messages.get(_path_id(call))
    if message is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.message_resource(message, call.scope.clock.peek())))


# -- inbound messages -------------------------------------------------------------------------------


def list_inbound_messages(call: Call) -> Reply:
    """GET /v1/inbound-messages: newest first by received_at, cursor in meta.next_cursor."""
    q, org = call.query, _org(call)
    since = _query_time(q, "since")
    opt_out = q["opt_out"] in TRUE_WORDS if "opt_out" in q else None
    items = (
        m for m in org.inbound.newest_first(_cursor(q))
        if ("from" not in q or m.sender == q["from"]) and ("to" not in q or m.to == q["to"])
        and ("phone_number_id" not in q or m.phone_number_id == q["phone_number_id"].lower())
        and ("channel" not in q or m.channel == q["channel"])
        and (opt_out is None or (m.opt_out_keyword is not None) == opt_out)
        and (since is None or m.received_at >= since)
    )
    return _meta_listing(call, items, lambda m: rendering.inbound_resource(m, org.org_id),
                         key=lambda m: m.sort_key, ordered=True)


def get_inbound_message(call: Call) -> Reply:
    """GET /v1/inbound-messages/{id} (not in the docs: the fake's, with the same 404 rules as every single GET)."""
    org = _org(call)
    message = org.inbound.get(_path_id(call))
    if message is None:
        raise errors.not_found()
    return Reply(200, rendering.ok(rendering.inbound_resource(message, org.org_id)))


def receive(scope: Scope, number: PhoneNumber, sender: str, body: str, media_urls: tuple[str, ...], *,
            at: datetime | None = None) -> tuple[InboundMessage, str | None]:
    """A message from ``sender`` arrives at ``number``, one of the org's (now, or ``at`` for timed work): it joins
    the inbound messages, a keyword acts on the pair (STOP and its kin, read by messaging.keyword, and the
    campaign's own opt-out words opt the sender out; START, UNSTOP and YES lift an opt-out, START and UNSTOP being
    consent on their own; YES or CONFIRM answers an open double opt-in; HELP changes nothing), and the number's
    inbound_url gets it. Returns the message and the webhook's id (None without an inbound_url)."""
    org: Organization = scope.state
    at = at or scope.clock.now()
    campaign = org.campaigns.get(number.campaign_id or "")
    word = bare_word(body)
    kind = org.opt_outs.apply(sender, number.number, body)
    if kind is not Keyword.OPT_OUT and campaign is not None and word in campaign_keywords(
            campaign.fields.get("optout_keywords")):
        org.opt_outs.opt_out(number.number, sender)
        kind = Keyword.OPT_OUT
    message = InboundMessage(
        _uuid7(scope, "agentmessage.inbound", at), number.id, sender, number.number, body,
        "mms" if media_urls else "sms", media_urls, segments(body), word if kind is Keyword.OPT_OUT else None, at,
    )
    org.inbound[message.id] = message
    challenge = _open_challenge(org, number.id, sender) if word in CONFIRM_WORDS else None
    if challenge is not None:
        org.challenges[challenge.id] = dataclasses.replace(challenge, status="confirmed")
        granted = _grant(scope, org, number.id, sender, "double_opt_in", challenge.agreement_text_hash,
                         {"keyword": word}, at)
        emit(scope, "consent_pending.confirmed", {**_challenge_event(challenge), "consent_id": granted.id}, at)
        org.recompute_due()
    elif kind is Keyword.OPT_IN and word in GRANT_WORDS:
        _grant(scope, org, number.id, sender, "keyword", None, {"keyword": word}, at)
    # HELP and any other text: listed and delivered, consent unchanged (AgentMessage documents no auto-reply).
    webhook_id = None
    if number.inbound_url:
        webhook_id = scope.outbox.record(PROVIDER, scope.account_id, "inbound_message", number.inbound_url,
                                         rendering.inbound_resource(message, org.org_id), at=at).id
    return message, webhook_id


# -- consent ----------------------------------------------------------------------------------------


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _consent_number(org: Organization, phone_number_id: str) -> PhoneNumber:
    number = org.numbers.get(phone_number_id.lower())
    if number is None:  # unknown, released or another org's
        raise errors.not_found()
    return number


def _grant(scope: Scope, org: Organization, phone_number_id: str, contact: str, method: str, agreement_hash: str | None,
           evidence: dict[str, Any], at: datetime) -> Consent:
    """Consent for the pair, lifting any opt-out of it (the contact agreed again): a new record, or for a keyword
    (START) the pair's record as it was."""
    number = org.numbers.get(phone_number_id)
    if number is not None:
        org.opt_outs.opt_in(number.number, contact)
    consent = org.consents.get((phone_number_id, contact))
    if consent is not None and method == "keyword":
        return consent
    consent = Consent(scope.ids.uuid("agentmessage.consent"), phone_number_id, contact, method, agreement_hash,
                      at, at, evidence)
    org.consents[phone_number_id, contact] = consent
    return consent


def _open_challenge(org: Organization, phone_number_id: str, contact: str) -> ConsentChallenge | None:
    return next((c for c in org.challenges.values()
                 if c.open and c.phone_number_id == phone_number_id and c.contact_number == contact), None)


def _challenge_event(challenge: ConsentChallenge) -> dict[str, Any]:
    return {"consent_pending_id": challenge.id, "phone_number_id": challenge.phone_number_id,
            "contact_number": challenge.contact_number}


def capture_attested_consent(call: Call) -> Reply:
    """POST /v1/consent: 201 with a new consent id, or 200 and the existing one (``already_opted_in``) for a
    contact already opted in; idempotent on (org, number, contact) and on Idempotency-Key."""
    replay = _replayed(call, "capture_attested_consent")
    if replay is not None:
        return replay
    org, scope, body = _org(call), call.scope, call.body
    if org.plan == "starter":
        raise errors.plan_required()
    _limited(scope, ("consent", Limit(60, 60)))
    number = _consent_number(org, body["phone_number_id"])
    contact = body["contact_number"]
    existing = org.consents.get((number.id, contact))
    # A magic opted-out recipient's consent is recorded like any other: what refuses its texts is the send.
    if existing is not None and not org.opt_outs.is_opted_out(number.number, contact):
        reply = Reply(200, rendering.bare_example({"consent_id": existing.id,
                                                   "agreement_text_hash": existing.agreement_text_hash,
                                                   "already_opted_in": True}))
    else:
        evidence = dict(body["evidence"])
        consent = _grant(scope, org, number.id, contact, "attested", _hash(evidence["agreement_text"]), evidence,
                         scope.clock.now())
        reply = Reply(201, rendering.bare_example({"consent_id": consent.id,
                                                   "agreement_text_hash": consent.agreement_text_hash,
                                                   "already_opted_in": False}))
    return _remembered(call, "capture_attested_consent", reply)


def initiate_double_opt_in(call: Call) -> Reply:
    """POST /v1/consent/double-opt-in: 202 and a YES/CONFIRM challenge SMS; 200 with the open challenge
    (``reused``) or for a contact already opted in, with no second SMS."""
    replay = _replayed(call, "initiate_double_opt_in")
    if replay is not None:
        return replay
    org, scope, body = _org(call), call.scope, call.body
    number = _consent_number(org, body["phone_number_id"])
    contact = body["contact_number"]
    if org.may_text(number, contact):
        document = {"consent_pending_id": None, "confirmation_message_id": None, "expires_at": None,
                    "reused": False, "already_opted_in": True}
        return _remembered(call, "initiate_double_opt_in", Reply(200, rendering.bare_example(document)))
    challenge = _open_challenge(org, number.id, contact)
    reused = challenge is not None
    if challenge is None:
        sending_number(org, number, "phone_number_id")
        check_recipient(org, number, contact)
        message = new_message(scope, org, number, contact, body["confirmation_text"])
        now = scope.clock.now()
        challenge = ConsentChallenge(scope.ids.uuid("agentmessage.consent_pending"), number.id, contact, message.id,
                                     _hash(body["agreement_text"]), now,
                                     _book(scope, org, now + CONSENT_CHALLENGE_LIFETIME))
        org.challenges[challenge.id] = challenge
    document = {"consent_pending_id": challenge.id, "confirmation_message_id": challenge.confirmation_message_id,
                "expires_at": rendering.iso(challenge.expires_at), "reused": reused, "already_opted_in": False}
    return _remembered(call, "initiate_double_opt_in", Reply(200 if reused else 202, rendering.bare_example(document)))


def mint_hosted_consent_token(call: Call) -> Reply:
    """POST /v1/consent/hosted → 201: a token and the URL of the hosted consent form, valid for an hour.
    Submitting the form is simulated with ``submit_hosted_consent``."""
    org, scope, body = _org(call), call.scope, call.body
    number = _consent_number(org, body["phone_number_id"])
    now = scope.clock.now()
    form_id, expires_at = scope.ids.uuid("agentmessage.hosted_consent"), now + HOSTED_CONSENT_LIFETIME
    token = _jwt_like(scope, org, form_id, expires_at)
    org.hosted[token] = HostedConsent(token, form_id, number.id, body["contact_number"], _hash(body["agreement_text"]),
                                      now, expires_at)
    return Reply(201, rendering.bare_example({"token": token, "url": f"https://api.agentmsg.io/consent/{token}",
                                              "expires_at": rendering.iso(expires_at)}))


def _jwt_like(scope: Scope, org: Organization, form_id: str, expires_at: datetime) -> str:
    """header.payload.signature in base64url, as a JWT looks; the signature is bits fixed by the seed."""
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    header = json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode()
    claims = json.dumps({"sub": form_id, "org": org.org_id, "exp": int(expires_at.timestamp())},
                        separators=(",", ":")).encode()
    signature = bytes.fromhex(scope.ids.token("agentmessage.hosted_consent_signature", form_id, length=64))
    return f"{part(header)}.{part(claims)}.{part(signature)}"


def submit_hosted_form(scope: Scope, form: HostedConsent) -> Consent:
    """The contact submits the hosted form: consent with method hosted_form. A second submit changes nothing."""
    org: Organization = scope.state
    if form.consent_id is not None:
        existing = next((c for c in org.consents.values() if c.id == form.consent_id), None)
        if existing is not None:
            return existing
    now = scope.clock.now()
    if now >= form.expires_at:
        raise errors.conflict("the hosted consent token has expired")
    consent = _grant(scope, org, form.phone_number_id, form.contact_number, "hosted_form", form.agreement_text_hash,
                     {"token_id": form.id}, now)
    org.hosted[form.token] = dataclasses.replace(form, consent_id=consent.id)
    return consent


# -- API keys ---------------------------------------------------------------------------------------


def _key_token(scope: Scope) -> str:
    return "am_test_" + scope.ids.token("agentmessage.api_key", scope.ids.next("agentmessage.api_key"))


def create_api_key(call: Call) -> Reply:
    """POST /v1/api-keys → 201, the secret (``plaintext``) shown this once. The scopes were checked against the
    caller's own before (403, ``authorize``); unknown, empty or duplicate ones are 400 INVALID_INPUT."""
    org, scope, body = _org(call), call.scope, call.body
    _limited(scope, ("api_keys", Limit(10, 60)))
    scopes: list[str] = body["scopes"]
    if not scopes:
        raise errors.invalid_input({"scopes": "must not be empty"},
                                   "api key: no scopes: EMPTY_SCOPES: invalid input")
    for given in scopes:
        if given not in ALL_SCOPES:
            raise errors.invalid_input({"scopes": f"unknown scope {given!r}"},
                                       f'api key: unknown scope "{given}": UNKNOWN_SCOPE: invalid input')
    if len(set(scopes)) != len(scopes):
        twice = next(s for s in scopes if scopes.count(s) > 1)
        raise errors.invalid_input({"scopes": f"{twice!r} is listed twice"},
                                   f'api key: duplicate scope "{twice}": DUPLICATE_SCOPE: invalid input')
    now = scope.clock.now()
    key = ApiKey(_key_token(scope), scope.ids.uuid("agentmessage.api_key_id"), body["label"], tuple(scopes), now)
    org.api_keys[key.key] = key
    emit(scope, "api_key.created", {"api_key": rendering.api_key_resource(key, org)}, now)
    return Reply(201, rendering.bare_example(rendering.api_key_resource(key, org, plaintext=True)))


def list_api_keys(call: Call) -> Reply:
    """GET /v1/api-keys: metadata only, newest first; revoked keys too unless ``include_revoked=false``."""
    org = _org(call)
    include_revoked = call.query.get("include_revoked", "true") in TRUE_WORDS
    items = [k for k in org.api_keys.values() if include_revoked or k.revoked_at is None]
    listed = _meta_listing(call, items, lambda k: rendering.api_key_resource(k, org), default_limit=50)
    listed.volatile = True  # last_used_at moves with every call (note_use)
    return listed


def _owned_key(call: Call) -> ApiKey:
    key = _org(call).api_key_by_id(_path_id(call))
    if key is None:
        raise errors.not_found()
    return key


def revoke_api_key(call: Call) -> Reply:
    """DELETE /v1/api-keys/{id}: the key answers 401 from now on (even to itself). Revoking twice changes nothing."""
    org, key = _org(call), _owned_key(call)
    if key.revoked_at is None:
        key = org.api_keys[key.key] = dataclasses.replace(key, revoked_at=call.scope.clock.now())
        emit(call.scope, "api_key.revoked", {"api_key": rendering.api_key_resource(key, org)}, key.revoked_at)
    return Reply(200, rendering.ok(rendering.api_key_resource(key, org)))


def rotate_api_key(call: Call) -> Reply:
    """POST /v1/api-keys/{id}/rotate: the same key (id, label, scopes) with a new secret, shown once; the old
    secret answers 401 at once. Shares the 10 per minute of key creation."""
    org, scope = _org(call), call.scope
    _limited(scope, ("api_keys", Limit(10, 60)))
    key = _owned_key(call)
    if key.revoked_at is not None:
        raise errors.conflict("api key is revoked: it cannot be rotated")
    key = dataclasses.replace(key, key=_key_token(scope))
    org.api_keys = {(key.key if k.id == key.id else plaintext): (key if k.id == key.id else k)
                    for plaintext, k in org.api_keys.items()}
    now = scope.clock.now()
    emit(scope, "api_key.rotated", {"api_key": rendering.api_key_resource(key, org)}, now)
    return Reply(200, rendering.bare_example(rendering.api_key_resource(key, org, plaintext=True)))


# -- org webhooks -----------------------------------------------------------------------------------


def emit(scope: Scope, event_type: str, data: dict[str, Any], at: datetime) -> None:
    """An org event at ``at``: one delivery to each active endpoint subscribed to ``event_type``."""
    org: Organization = scope.state
    subscribed = [e for e in org.webhook_endpoints.values() if e.active and event_type in e.events]
    if not subscribed:
        return
    event_id = "evt_" + scope.ids.uuid("agentmessage.event")
    for endpoint in subscribed:
        payload = rendering.event_document(event_id, event_type, org.org_id, endpoint.api_version, at, data)
        _deliver(scope, org, endpoint, event_id, event_type, payload, at)


def _deliver(scope: Scope, org: Organization, endpoint: WebhookEndpoint, event_id: str, event_type: str,
             payload: dict[str, Any], at: datetime) -> Delivery:
    webhook = scope.outbox.record(PROVIDER, scope.account_id, "event", endpoint.url, payload, at=at)
    delivery = Delivery(scope.ids.uuid("agentmessage.delivery"), event_id, endpoint.id, event_type, payload, at,
                        webhook.id)
    org.deliveries[delivery.id] = delivery
    return delivery


def create_webhook_endpoint(call: Call) -> Reply:
    """POST /v1/webhooks → 201 with the signing secret, shown this once. At most 50 active endpoints (409)."""
    org, scope, body = _org(call), call.scope, call.body
    if sum(e.active for e in org.webhook_endpoints.values()) >= MAX_WEBHOOK_ENDPOINTS:
        raise errors.limit_exceeded(f"limit exceeded: at most {MAX_WEBHOOK_ENDPOINTS} active webhook endpoints")
    now = scope.clock.now()
    endpoint_id = scope.ids.uuid("agentmessage.webhook_endpoint")
    secret = base64.b64encode(bytes.fromhex(scope.ids.token("agentmessage.webhook_secret", endpoint_id, length=64)))
    endpoint = WebhookEndpoint(endpoint_id, body["url"], tuple(body["events"]), body.get("description"),
                               body.get("api_version") or API_VERSION, secret.decode(), now, now)
    org.webhook_endpoints[endpoint.id] = endpoint
    return Reply(201, rendering.bare_example(rendering.webhook_endpoint_resource(endpoint, org.org_id, secret=True)))


def list_webhook_endpoints(call: Call) -> Reply:
    """GET /v1/webhooks: the active endpoints, newest first, never their secrets."""
    org = _org(call)
    items = [e for e in org.webhook_endpoints.values() if e.active]
    return _meta_listing(call, items, lambda e: rendering.webhook_endpoint_resource(e, org.org_id), default_limit=50)


def delete_webhook_endpoint(call: Call) -> Reply:
    """DELETE /v1/webhooks/{id}: no more events go there; its past deliveries stay listed."""
    org = _org(call)
    endpoint = org.webhook_endpoints.get(_path_id(call))
    if endpoint is None or not endpoint.active:
        raise errors.not_found()
    now = call.scope.clock.now()
    endpoint = org.webhook_endpoints[endpoint.id] = dataclasses.replace(endpoint, deleted_at=now, updated_at=now)
    return Reply(200, rendering.ok(rendering.webhook_endpoint_resource(endpoint, org.org_id)))


def list_webhook_deliveries(call: Call) -> Reply:
    """GET /v1/webhooks/deliveries: newest first, filters ANDed, cursor in meta.next_cursor. Not rate limited."""
    q, org, scope = call.query, _org(call), call.scope
    low, high = q.get("http_status_min"), q.get("http_status_max")
    if low is not None and high is not None and low > high:
        raise errors.validation_failed({"http_status_min": "must not be greater than http_status_max"})
    since, until = _query_time(q, "since"), _query_time(q, "until")
    webhooks = {w.id: w for w in scope.outbox.webhooks(provider=PROVIDER, account=scope.account_id, kind="event",
                                                       scheduled=True)}

    def wanted(delivery: Delivery) -> bool:
        webhook = webhooks.get(delivery.webhook_id or "")
        status = webhook.attempts[-1].status if webhook is not None and webhook.attempts else None
        return (("endpoint_id" not in q or delivery.endpoint_id == q["endpoint_id"].lower())
                and ("event_type" not in q or delivery.event_type == q["event_type"])
                and ("outcome" not in q or rendering.delivery_outcome(webhook) == q["outcome"])
                and (since is None or delivery.created_at >= since) and (until is None or delivery.created_at <= until)
                and (low is None or (status is not None and status >= low))
                and (high is None or (status is not None and status <= high)))

    items = [d for d in org.deliveries.values() if wanted(d)]
    return _meta_listing(call, items, lambda d: rendering.delivery_resource(d, webhooks.get(d.webhook_id or "")),
                         default_limit=50, key=lambda d: d.sort_key)


def replay_webhook_delivery(call: Call) -> Reply:
    """POST /v1/webhooks/deliveries/{id}/replay → 202: the event's data again, to the same endpoint, under a new
    event id (publish-time filters are not run again). 10 per minute; 410 past the 30-day retention."""
    org, scope = _org(call), call.scope
    _limited(scope, ("webhook_replays", Limit(10, 60)))
    delivery = org.deliveries.get(_path_id(call))
    if delivery is None:
        raise errors.not_found()
    now = scope.clock.now()
    if delivery.created_at + EVENT_RETENTION <= now:
        raise errors.event_expired()
    endpoint = org.webhook_endpoints[delivery.endpoint_id]
    if not endpoint.active:
        raise errors.conflict("the delivery's webhook endpoint was deleted")
    event_id = "evt_" + scope.ids.uuid("agentmessage.event")
    _deliver(scope, org, endpoint, event_id, delivery.event_type, {**delivery.payload, "id": event_id}, now)
    return Reply(202, rendering.bare_example({
        "delivery_id": delivery.id, "endpoint_id": endpoint.id, "event_type": delivery.event_type,
        "new_event_id": event_id, "audit_log_id": scope.ids.uuid("agentmessage.audit_log"),
        "enqueued_at": rendering.iso(now),
    }))


# -- Idempotency-Key --------------------------------------------------------------------------------


def _fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _replayed(call: Call, operation: str) -> Reply | None:
    """The stored first answer to this Idempotency-Key (within 24 h), or None to go on. The same key with another
    body is refused (422), as the IETF Idempotency-Key draft says, rather than replayed."""
    key = call.idempotency_key
    if key is None:
        return None
    org = _org(call)
    org.expire_idempotency(call.scope.clock.peek())
    stored = org.idempotency.get((operation, key))
    if stored is None:
        return None
    if stored.fingerprint != _fingerprint(call.body):
        raise errors.validation_failed({"Idempotency-Key": "was already used with a different request body"})
    return Reply(stored.status, stored.document)


def _remembered(call: Call, operation: str, reply: Reply) -> Reply:
    """Keep a successful answer for its key's retries (a refused request never gets here: its key stays free)."""
    key = call.idempotency_key
    if key is not None:
        expires = call.scope.clock.peek() + IDEMPOTENCY_WINDOW
        _org(call).idempotency[operation, key] = StoredReply(operation, key, reply.status, reply.document, expires,
                                                             _fingerprint(call.body))
    return reply
