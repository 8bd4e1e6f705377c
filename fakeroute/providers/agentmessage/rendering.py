"""AgentMessage documents: the success envelope, resources, webhook payloads, timestamps, opaque keyset cursors,
request ids."""

from __future__ import annotations

import base64
import binascii
import functools
import json
from datetime import UTC, datetime
from typing import Any

from ...clock import parse_utc
from ...outbox import Webhook
from .models import (
    ApiKey,
    Brand,
    BulkOrder,
    Campaign,
    Delivery,
    InboundMessage,
    Message,
    Organization,
    PhoneNumber,
    WebhookEndpoint,
)

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the ULID alphabet
_CROCKFORD_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)  # every 10 bits as its two characters


def iso(when: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``; milliseconds only when the clock has them."""
    return None if when is None else _iso(when)


@functools.lru_cache(maxsize=4096)  # a list renders the same stored times again and again
def _iso(when: datetime) -> str:
    if when.tzinfo is not UTC:
        when = when.astimezone(UTC)
    return when.replace(tzinfo=None).isoformat(timespec="milliseconds" if when.microsecond else "seconds") + "Z"


def parse_time(text: str) -> datetime:
    return parse_utc(text)


def ulid(when: datetime, randomness: int) -> str:
    """A ULID (26 Crockford base-32 characters): 48 bits of milliseconds, then 80 given bits."""
    value = (int(when.timestamp() * 1000) & ((1 << 48) - 1)) << 80 | (randomness & ((1 << 80) - 1))
    return "".join([_CROCKFORD_PAIRS[(value >> shift) & 1023] for shift in range(120, -1, -10)])


# -- envelope ---------------------------------------------------------------------------------------


def ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def bare_example(data: Any) -> dict[str, Any]:
    """The answer of a route whose docs show a bare object (API-key and webhook creation, replay, consent): the
    errors page says every /v1 answer is enveloped, so it is (reference question 21). The one place to flip."""
    return ok(data)


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


# -- messages ---------------------------------------------------------------------------------------


def bandwidth_message_id(message_id: str, handed_over: datetime) -> str:
    """The carrier's id, shaped as the docs' ``bw-1700000000-abc``: the hand-over second, then three characters
    of the message id (fixed by the seed like the id itself)."""
    return f"bw-{int(handed_over.timestamp())}-{message_id[-3:]}"


def message_resource(message: Message, now: datetime) -> dict[str, Any]:
    """The Message as it stands at ``now`` on the fake clock; ``media_urls`` only on an MMS."""
    handed_over = message.reached_at("sending", now)
    document: dict[str, Any] = {
        "id": message.id,
        "from": message.sender,
        "to": message.to,
        "text": message.text,
        "channel": message.channel,
        "priority": message.priority,
        "status": message.status_at(now),
        "bandwidth_message_id": bandwidth_message_id(message.id, handed_over) if handed_over else None,
        "segment_count": message.segment_count,
        "tag": message.tag,
        "created_at": iso(message.created_at),
        "sent_at": iso(message.reached_at("sent", now)),
        "delivered_at": iso(message.reached_at("delivered", now)),
    }
    if message.channel == "mms":
        document["media_urls"] = list(message.media_urls)
    return document


def inbound_resource(message: InboundMessage, org_id: str) -> dict[str, Any]:
    return {
        "id": message.id,
        "org_id": org_id,
        "phone_number_id": message.phone_number_id,
        "from": message.sender,
        "to": message.to,
        "body": message.body,
        "channel": message.channel,
        "media_urls": list(message.media_urls),
        "segment_count": message.segment_count,
        "opt_out": {"detected": message.opt_out_keyword is not None, "keyword": message.opt_out_keyword},
        "bandwidth_message_id": bandwidth_message_id(message.id, message.received_at),
        "bandwidth_received_at": iso(message.received_at),
        "received_at": iso(message.received_at),
    }


# -- keys, webhooks, events --------------------------------------------------------------------------


def api_key_resource(key: ApiKey, org: Organization, *, plaintext: bool = False) -> dict[str, Any]:
    """Metadata only; the secret (``plaintext``) only in the answer that mints it."""
    document: dict[str, Any] = {
        "id": key.id,
        "org_id": org.org_id,
        "label": key.label,
        "prefix": key.prefix,
        "scopes": list(key.scopes),
        "created_at": iso(key.created_at),
        "last_used_at": iso(org.key_last_used.get(key.id)),
        "revoked_at": iso(key.revoked_at),
    }
    if plaintext:
        document["plaintext"] = key.key
    return document


def webhook_endpoint_resource(endpoint: WebhookEndpoint, org_id: str, *, secret: bool = False) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": endpoint.id,
        "org_id": org_id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "active": endpoint.active,
        "api_version": endpoint.api_version,
        "created_at": iso(endpoint.created_at),
        "updated_at": iso(endpoint.updated_at),
        "deleted_at": iso(endpoint.deleted_at),
    }
    if secret:
        document["secret"] = endpoint.secret
        document["secret_displayed_once"] = True
    return document


def event_document(event_id: str, event_type: str, org_id: str, api_version: str, when: datetime,
                   data: dict[str, Any]) -> dict[str, Any]:
    """What an org webhook endpoint receives (the shape is the fake's: the docs name the events, not the body)."""
    return {"id": event_id, "type": event_type, "api_version": api_version, "created_at": iso(when),
            "org_id": org_id, "data": data}


def delivery_outcome(webhook: Webhook | None) -> str | None:
    """``success``, ``retry`` or ``dead`` from the outbox's attempts; None while nothing was attempted (in-process
    the outbox only records, so deliveries stay without an outcome)."""
    if webhook is None:
        return None
    if webhook.state == "delivered":
        return "success"
    if webhook.state in ("failed", "blocked"):
        return "dead"
    return "retry" if webhook.attempts else None


def delivery_resource(delivery: Delivery, webhook: Webhook | None) -> dict[str, Any]:
    attempts = list(webhook.attempts) if webhook is not None else []
    last = attempts[-1] if attempts else None
    return {
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "outcome": delivery_outcome(webhook),
        "http_status": last.status if last is not None else None,
        "attempt_count": len(attempts),
        "created_at": iso(delivery.created_at),
        "last_attempt_at": iso(last.at) if last is not None else None,
    }
