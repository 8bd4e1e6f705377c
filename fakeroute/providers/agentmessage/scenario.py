"""AgentMessage scenario sections: load, copy, dump, and the section of a brand-new account."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...scenario import ScenarioError
from . import rendering
from .models import (
    DEFAULT_SCOPES,
    ApiKey,
    Brand,
    BulkOrder,
    Campaign,
    Organization,
    PhoneNumber,
    ReleasedNumber,
    StoredReply,
)

if TYPE_CHECKING:
    from ...world import World


def _uuid(hex_digits: str) -> str:
    return str(uuid.UUID(hex_digits, version=4))


def _time(text: str | None, default: datetime | None) -> datetime | None:
    return rendering.parse_time(text) if text else default


def load(section: Mapping[str, Any] | None, world: World) -> Organization:
    section = section or {}
    keys = section.get("api_keys", [])
    start = world.clock.start
    org_id = section.get("org_id") or _uuid(world.ids.token("agentmessage.org", *(k["key"] for k in keys)))
    org = Organization(org_id)
    for i, doc in enumerate(keys):
        if doc["key"] in org.api_keys:
            raise ScenarioError(f"api_keys[{i}].key: {doc['key']!r} is listed twice")
        org.api_keys[doc["key"]] = ApiKey(
            doc["key"], doc.get("id") or _uuid(world.ids.token("agentmessage.key", doc["key"])),
            doc.get("label", ""), tuple(doc["scopes"]), _time(doc.get("created_at"), start),
        )
    for i, doc in enumerate(section.get("brands", [])):
        if doc["id"] in org.brands:
            raise ScenarioError(f"brands[{i}].id: duplicate brand id {doc['id']!r}")
        created = _time(doc.get("created_at"), start)
        fields = {k: v for k, v in doc.items() if k in rendering.BRAND_FIELDS}
        org.brands[doc["id"]] = Brand(doc["id"], doc["status"], doc.get("identity_status"), created,
                                      _time(doc.get("updated_at"), created), fields)
    for i, doc in enumerate(section.get("campaigns", [])):
        if doc["id"] in org.campaigns:
            raise ScenarioError(f"campaigns[{i}].id: duplicate campaign id {doc['id']!r}")
        if doc["brand_id"] not in org.brands:
            raise ScenarioError(f"campaigns[{i}].brand_id: no brand with id {doc['brand_id']!r}")
        created = _time(doc.get("created_at"), start)
        fields = {k: v for k, v in doc.items() if k in rendering.CAMPAIGN_FIELDS}
        org.campaigns[doc["id"]] = Campaign(doc["id"], doc["brand_id"], doc["status"], created,
                                            _time(doc.get("updated_at"), created), fields)
    numbers = section.get("numbers", [])
    seen: set[str] = set()
    for i, doc in enumerate(numbers):
        if doc["id"] in org.numbers or doc["id"] in seen:
            raise ScenarioError(f"numbers[{i}].id: duplicate number id {doc['id']!r}")
        if doc["number"] in seen:
            raise ScenarioError(f"numbers[{i}].number: {doc['number']} is listed twice")
        seen.update((doc["id"], doc["number"]))
        campaign_id = doc.get("campaign_id")
        if campaign_id is not None and campaign_id not in org.campaigns:
            raise ScenarioError(f"numbers[{i}].campaign_id: no campaign with id {campaign_id!r}")
        described = world.inventory.describe(doc["number"][1:])
        created = _time(doc.get("created_at"), start - timedelta(days=len(numbers) - i))
        org.add_number(PhoneNumber(
            doc["id"], doc["number"],
            described.number_type if described else "local",
            created, _time(doc.get("updated_at"), created),
            inbound_url=doc.get("inbound_url"), status_url=doc.get("status_url"), label=doc.get("label"),
            campaign_id=campaign_id,
            carrier_line_option_status=doc.get("carrier_line_option_status"),
            carrier_line_option_propagated_at=_time(doc.get("carrier_line_option_propagated_at"), None),
            sms_enabled=doc.get("sms_enabled", True), mms_enabled=doc.get("mms_enabled", True),
        ))
    for doc in section.get("released", []):
        available_at = doc.get("available_at")
        org.released[doc["id"]] = ReleasedNumber(
            doc["id"], doc["number"], rendering.parse_time(doc["released_at"]),
            rendering.parse_time(available_at) if available_at else None, doc.get("returned", False),
        )
    for doc in section.get("bulk_orders", []):
        org.bulk_orders[doc["id"]] = BulkOrder(
            doc["id"], doc["quantity"], dict(doc.get("criteria", {})), dict(doc.get("routing", {})),
            rendering.parse_time(doc["created_at"]), rendering.parse_time(doc["ready_at"]), doc["status"],
            list(doc.get("assigned_numbers", [])), _time(doc.get("updated_at"), None),
        )
    for doc in section.get("idempotency_keys", []):
        org.idempotency[doc["key"]] = StoredReply(doc["key"], doc["status"], doc["document"],
                                                  rendering.parse_time(doc["expires_at"]))
    org.recompute_due()
    return org

def copy(state: Organization) -> Organization:
    """What a World reset copies: the records requests change. Keys, brands, campaigns and stored
    idempotent replies are never changed in place, so the copy shares them."""
    return Organization(
        state.org_id,
        api_keys=dict(state.api_keys),
        brands=dict(state.brands),
        campaigns=dict(state.campaigns),
        numbers={k: dataclasses.replace(n) for k, n in state.numbers.items()},
        released={k: dataclasses.replace(r) for k, r in state.released.items()},
        bulk_orders={k: dataclasses.replace(o, assigned_numbers=list(o.assigned_numbers))
                     for k, o in state.bulk_orders.items()},
        idempotency=dict(state.idempotency),
        _index=list(state._index),
        due=state.due,
    )

def dump(state: Organization) -> dict[str, Any] | None:
    org = state
    if not org.api_keys and not org.numbers and not org.brands:
        return None
    return {
        "org_id": org.org_id,
        "api_keys": [
            {"key": k.key, "id": k.id, "label": k.label, "scopes": list(k.scopes),
             "created_at": rendering.iso(k.created_at)}
            for k in org.api_keys.values()
        ],
        "brands": [
            {"id": b.id, "status": b.status, "identity_status": b.identity_status, **b.fields,
             "created_at": rendering.iso(b.created_at), "updated_at": rendering.iso(b.updated_at)}
            for b in org.brands.values()
        ],
        "campaigns": [
            {"id": c.id, "brand_id": c.brand_id, "status": c.status, **c.fields,
             "created_at": rendering.iso(c.created_at), "updated_at": rendering.iso(c.updated_at)}
            for c in org.campaigns.values()
        ],
        "numbers": [_number_section(n) for n in sorted(org.numbers.values(), key=lambda n: n.sort_key)],
        "released": [
            {"id": r.id, "number": r.number, "released_at": rendering.iso(r.released_at),
             "available_at": rendering.iso(r.available_at), "returned": r.returned}
            for r in org.released.values()
        ],
        "bulk_orders": [
            {"id": o.id, "quantity": o.quantity, "status": o.status, "criteria": o.criteria,
             "routing": o.routing, "assigned_numbers": list(o.assigned_numbers),
             "created_at": rendering.iso(o.created_at), "ready_at": rendering.iso(o.ready_at),
             "updated_at": rendering.iso(o.updated_at)}
            for o in org.bulk_orders.values()
        ],
        "idempotency_keys": [
            {"key": s.key, "status": s.status, "document": s.document, "expires_at": rendering.iso(s.expires_at)}
            for s in org.idempotency.values()
        ],
    }

def new_section(world: World, serial: int) -> dict[str, Any]:
    return {
        "org_id": _uuid(world.ids.token("agentmessage.new_org", serial)),
        "api_keys": [{
            "key": "am_test_" + world.ids.token("agentmessage.new_key", serial),
            "label": "default",
            "scopes": list(DEFAULT_SCOPES),
        }],
    }


def owned_numbers(section: Mapping[str, Any] | None) -> list[str]:
    """Owned numbers, and released ones still out of the inventory (quarantined or given back)."""
    section = section or {}
    owned = [n["number"][1:] for n in section.get("numbers", [])]
    owned += [r["number"][1:] for r in section.get("released", []) if not r.get("returned", False)]
    return owned


def _number_section(number: PhoneNumber) -> dict[str, Any]:
    """The API's rendering of the number, less number_type, which a scenario takes from the inventory."""
    section = rendering.number_resource(number)
    del section["number_type"]
    return section
