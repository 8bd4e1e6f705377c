"""AgentMessage documents: the success envelope, resources, timestamps, opaque keyset cursors, request ids."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from ...clock import parse_utc
from .models import Brand, BulkOrder, Campaign, PhoneNumber

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the ULID alphabet


def iso(when: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``; milliseconds only when the clock has them."""
    if when is None:
        return None
    if when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    return when.replace(tzinfo=None).isoformat(timespec="milliseconds" if when.microsecond else "seconds") + "Z"


def parse_time(text: str) -> datetime:
    return parse_utc(text)


def ulid(when: datetime, randomness: int) -> str:
    """A ULID (26 Crockford base-32 characters): 48 bits of milliseconds, then 80 given bits."""
    value = (int(when.timestamp() * 1000) & ((1 << 48) - 1)) << 80 | (randomness & ((1 << 80) - 1))
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


# -- envelope ---------------------------------------------------------------------------------------


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def page(data: list[Any], limit: int, next_cursor: str | None = None) -> dict[str, Any]:
    """A list answer. ``total`` and ``offset`` are 0 as in every documented example (cursor lists)."""
    return {
        "success": True,
        "data": data,
        "meta": {"total": 0, "limit": limit, "offset": 0, "next_cursor": next_cursor},
    }


# -- cursors ----------------------------------------------------------------------------------------


def encode_cursor(created_at: datetime, item_id: str) -> str:
    """Base64 of ``{"created_at","id"}`` as in the docs' example; microseconds kept so it round-trips."""
    when = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if created_at.microsecond:
        when += f".{created_at.microsecond:06d}"
    text = json.dumps({"created_at": when + "Z", "id": item_id}, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    """The keyset position a cursor names, or None when it is not one of ours."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), validate=True)
        document = json.loads(raw)
        if not isinstance(document, dict) or not all(isinstance(document.get(k), str) for k in ("id", "created_at")):
            return None
        return parse_time(document["created_at"]), document["id"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None


# -- resources --------------------------------------------------------------------------------------


def number_resource(number: PhoneNumber) -> dict[str, Any]:
    return {
        "id": number.id,
        "number": number.number,
        "number_type": number.number_type,
        "inbound_url": number.inbound_url,
        "status_url": number.status_url,
        "label": number.label,
        "campaign_id": number.campaign_id,
        "carrier_line_option_status": number.carrier_line_option_status,
        "carrier_line_option_propagated_at": iso(number.carrier_line_option_propagated_at),
        "sms_enabled": number.sms_enabled,
        "mms_enabled": number.mms_enabled,
        "created_at": iso(number.created_at),
        "updated_at": iso(number.updated_at),
    }


BRAND_FIELDS: dict[str, Any] = {  # descriptive brand fields and their value when the scenario omits them
    "tcr_brand_id": None,
    "reference_id": None,
    "entity_type": "PRIVATE_PROFIT",
    "brand_relationship": "BASIC_ACCOUNT",
    "display_name": None,
    "company_name": None,
    "email": None,
    "phone": None,
    "street": None,
    "city": None,
    "state": None,
    "postal_code": None,
    "country": "US",
    "vertical": None,
    "website": None,
    "submitted_at": None,
    "verified_at": None,
}

CAMPAIGN_FIELDS: dict[str, Any] = {  # the same for campaigns, in the order of the docs' example
    "tcr_campaign_id": None,
    "usecase": "MIXED",
    "sub_usecases": [],
    "description": None,
    "message_flow": None,
    "embedded_link": False,
    "embedded_phone": False,
    "terms_and_conditions": True,
    "number_pool": False,
    "age_gated": False,
    "direct_lending": False,
    "subscriber_optin": True,
    "subscriber_optout": True,
    "subscriber_help": True,
    "sample1": None,
    "sample2": None,
    "sample3": None,
    "optout_keywords": "STOP",
    "help_keywords": "HELP",
    "mno_metadata": {},
    "monthly_fee": 10,
    "submitted_at": None,
    "billed_date": None,
    "next_renewal_or_expiration_date": None,
    "expiration_date": None,
    "rejection_reasons": [],
    "rejected_at": None,
}


def brand_resource(brand: Brand, org_id: str) -> dict[str, Any]:
    document: dict[str, Any] = {"id": brand.id, "org_id": org_id}
    for name, default in BRAND_FIELDS.items():
        document[name] = brand.fields.get(name, default)
        if name == "reference_id":
            document["status"] = brand.status
            document["identity_status"] = brand.identity_status
    document["created_at"] = iso(brand.created_at)
    document["updated_at"] = iso(brand.updated_at)
    return document


def campaign_resource(campaign: Campaign, org_id: str) -> dict[str, Any]:
    document: dict[str, Any] = {"id": campaign.id, "org_id": org_id, "brand_id": campaign.brand_id}
    for name, default in CAMPAIGN_FIELDS.items():
        document[name] = campaign.fields.get(name, default)
        if name == "tcr_campaign_id":
            document["status"] = campaign.status
    document["created_at"] = iso(campaign.created_at)
    document["updated_at"] = iso(campaign.updated_at)
    return document


def bulk_order_resource(order: BulkOrder) -> dict[str, Any]:
    """The order summary; ``failed_count`` only on partial and failed orders, as the docs say."""
    assigned = len(order.assigned_numbers)
    document: dict[str, Any] = {
        "order_id": order.id,
        "status": order.status,
        "quantity": order.quantity,
        "assigned_count": assigned,
        "pending_count": order.quantity if order.pending else 0,
        "assigned_numbers": list(order.assigned_numbers),
    }
    if order.status in ("partial", "failed"):
        document["failed_count"] = order.quantity - assigned
    return document
