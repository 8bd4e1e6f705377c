"""AgentMessage scenario sections: load, copy, dump, and the section of a brand-new account."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...indexes import record_copy
from ...messaging import DeliveryRules, OptOuts, delivery_delays, segments
from ...scenario import ScenarioError
from . import rendering
from .models import (
    API_VERSION,
    DEFAULT_SCOPES,
    NEW_ORG_CREDIT_CENTS,
    OUTCOMES,
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
    org = Organization(org_id, reseller=section.get("reseller", False), plan=section.get("plan", "payg"),
                       wallet_cents=section.get("wallet_cents", NEW_ORG_CREDIT_CENTS),
                       lifetime_spend_cents=section.get("lifetime_spend_cents", 0))
    for i, doc in enumerate(keys):
        if doc["key"] in org.api_keys:
            raise ScenarioError(f"api_keys[{i}].key: {doc['key']!r} is listed twice")
        org.api_keys[doc["key"]] = ApiKey(
            doc["key"], doc.get("id") or _uuid(world.ids.token("agentmessage.key", doc["key"])),
            doc.get("label", ""), tuple(doc["scopes"]), _time(doc.get("created_at"), start),
            revoked_at=_time(doc.get("revoked_at"), None),
        )
    for i, doc in enumerate(section.get("brands", [])):
        if doc["id"] in org.brands:
            raise ScenarioError(f"brands[{i}].id: duplicate brand id {doc['id']!r}")
        created = _time(doc.get("created_at"), start)
        fields = {k: v for k, v in doc.items() if k in rendering.BRAND_FIELDS}
        org.brands[doc["id"]] = Brand(doc["id"], doc["status"], doc.get("identity_status"), created,
                                      _time(doc.get("updated_at"), created), fields,
                                      _time(doc.get("review_at"), None))
    for i, doc in enumerate(section.get("campaigns", [])):
        if doc["id"] in org.campaigns:
            raise ScenarioError(f"campaigns[{i}].id: duplicate campaign id {doc['id']!r}")
        if doc["brand_id"] not in org.brands:
            raise ScenarioError(f"campaigns[{i}].brand_id: no brand with id {doc['brand_id']!r}")
        created = _time(doc.get("created_at"), start)
        fields = {k: v for k, v in doc.items() if k in rendering.CAMPAIGN_FIELDS}
        org.campaigns[doc["id"]] = Campaign(doc["id"], doc["brand_id"], doc["status"], created,
                                            _time(doc.get("updated_at"), created), fields,
                                            _time(doc.get("review_at"), None))
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
        operation = doc.get("operation", "bulk_order_phone_numbers")  # the first route that took a key
        org.idempotency[operation, doc["key"]] = StoredReply(
            operation, doc["key"], doc["status"], doc["document"], rendering.parse_time(doc["expires_at"]),
            doc.get("fingerprint", ""),
        )
    _load_messaging(section, org, start, world.ids.seed)
    org.recompute_due()
    return org


def _load_messaging(section: Mapping[str, Any], org: Organization, start: datetime, seed: int) -> None:
    """Messages, consent, webhooks and the test knobs of a section (numbers are loaded already)."""
    for i, doc in enumerate(section.get("messages", [])):
        text = doc.get("text", "")
        media = tuple(doc.get("media_urls", ()))
        outcome = doc.get("outcome", "delivered")
        delays = tuple(doc["delays"]) if "delays" in doc else delivery_delays(seed, doc["id"])
        if len(delays) < len(OUTCOMES[outcome]) or list(delays) != sorted(delays):
            raise ScenarioError(f"messages[{i}].delays: {outcome} needs {len(OUTCOMES[outcome])} rising delays, "
                                f"one per status after queued")
        org.messages[doc["id"]] = Message(
            doc["id"], doc["phone_number_id"], doc["from"], doc["to"], text,
            doc.get("channel", "mms" if media else "sms"), media, doc.get("priority", "default"), doc.get("tag"),
            doc.get("segment_count", segments(text)), rendering.parse_time(doc["created_at"]), outcome, delays,
        )
    for doc in section.get("inbound_messages", []):
        body = doc.get("body", "")
        media = tuple(doc.get("media_urls", ()))
        org.inbound[doc["id"]] = InboundMessage(
            doc["id"], doc["phone_number_id"], doc["from"], doc["to"], body,
            doc.get("channel", "mms" if media else "sms"), media, doc.get("segment_count", segments(body)),
            doc.get("opt_out_keyword"),
            rendering.parse_time(doc["received_at"]),
        )
    for i, doc in enumerate(section.get("consents", [])):
        pair = (doc["phone_number_id"], doc["contact_number"])
        if pair in org.consents:
            raise ScenarioError(f"consents[{i}]: {pair[1]} on {pair[0]} is listed twice")
        created = _time(doc.get("created_at"), start)
        org.consents[pair] = Consent(
            doc["id"], *pair, doc.get("method", "attested"), doc.get("agreement_text_hash"),
            created, _time(doc.get("updated_at"), created), dict(doc.get("evidence", {})),
        )
    org.opt_outs = OptOuts((doc["number"], doc["contact_number"]) for doc in section.get("opt_outs", []))
    org.replies = [MagicReply(rendering.parse_time(doc["at"]), doc["phone_number_id"], doc["from"], doc["body"])
                   for doc in section.get("magic_replies", [])]
    for doc in section.get("consent_challenges", []):
        org.challenges[doc["id"]] = ConsentChallenge(
            doc["id"], doc["phone_number_id"], doc["contact_number"], doc["confirmation_message_id"],
            doc.get("agreement_text_hash", ""), rendering.parse_time(doc["created_at"]),
            rendering.parse_time(doc["expires_at"]), doc.get("status", "pending"),
        )
    for doc in section.get("hosted_consents", []):
        org.hosted[doc["token"]] = HostedConsent(
            doc["token"], doc["id"], doc["phone_number_id"], doc["contact_number"], doc.get("agreement_text_hash", ""),
            rendering.parse_time(doc["created_at"]), rendering.parse_time(doc["expires_at"]), doc.get("consent_id"),
        )
    for doc in section.get("webhook_endpoints", []):
        created = _time(doc.get("created_at"), start)
        org.webhook_endpoints[doc["id"]] = WebhookEndpoint(
            doc["id"], doc["url"], tuple(doc["events"]), doc.get("description"), doc.get("api_version", API_VERSION),
            doc["secret"], created, _time(doc.get("updated_at"), created), _time(doc.get("deleted_at"), None),
        )
    for doc in section.get("deliveries", []):
        org.deliveries[doc["id"]] = Delivery(doc["id"], doc["event_id"], doc["endpoint_id"], doc["event_type"],
                                             doc["payload"], rendering.parse_time(doc["created_at"]))
    org.delivery_rules = DeliveryRules.load(section.get("delivery_rules", []))
    org.line_types = {doc["number"]: doc["line_type"] for doc in section.get("lookups", [])}


def copy(state: Organization) -> Organization:
    """What a World reset copies: every dict and list of the org, and the records requests change in place
    (numbers, releases, bulk orders); every other record is frozen (a change replaces it), so the copy shares it."""
    copied = object.__new__(Organization)
    copied.__dict__.update({name: value.copy() if isinstance(value, dict | list) else value  # indexes too
                            for name, value in vars(state).items()})
    copied.opt_outs = state.opt_outs.copy()
    copied.delivery_rules = state.delivery_rules.copy()
    copied.numbers = {k: record_copy(n) for k, n in state.numbers.items()}
    copied.released = {k: record_copy(r) for k, r in state.released.items()}
    copied.bulk_orders = {k: dataclasses.replace(o, assigned_numbers=list(o.assigned_numbers))
                          for k, o in state.bulk_orders.items()}
    return copied


def dump(state: Organization) -> dict[str, Any] | None:
    org, iso = state, rendering.iso
    if not org.api_keys and not org.numbers and not org.brands and not org.released:
        return None
    return {
        "org_id": org.org_id,
        "reseller": org.reseller,
        "plan": org.plan,
        "wallet_cents": org.wallet_cents,
        "lifetime_spend_cents": org.lifetime_spend_cents,
        "api_keys": [
            # last_used_at is left out: every request moves it, a refused one too, and a refused request
            # leaves the state as it was.
            {"key": k.key, "id": k.id, "label": k.label, "scopes": list(k.scopes), "created_at": iso(k.created_at),
             "revoked_at": iso(k.revoked_at)}
            for k in org.api_keys.values()
        ],
        "brands": [
            {"id": b.id, "status": b.status, "identity_status": b.identity_status, **b.fields,
             "created_at": iso(b.created_at), "updated_at": iso(b.updated_at), "review_at": iso(b.review_at)}
            for b in org.brands.values()
        ],
        "campaigns": [
            {"id": c.id, "brand_id": c.brand_id, "status": c.status, **c.fields,
             "created_at": iso(c.created_at), "updated_at": iso(c.updated_at), "review_at": iso(c.review_at)}
            for c in org.campaigns.values()
        ],
        "numbers": [_number_section(n) for n in sorted(org.numbers.values(), key=lambda n: n.sort_key)],
        "released": [
            {"id": r.id, "number": r.number, "released_at": iso(r.released_at),
             "available_at": iso(r.available_at), "returned": r.returned}
            for r in org.released.values()
        ],
        "bulk_orders": [
            {"id": o.id, "quantity": o.quantity, "status": o.status, "criteria": o.criteria,
             "routing": o.routing, "assigned_numbers": list(o.assigned_numbers),
             "created_at": iso(o.created_at), "ready_at": iso(o.ready_at), "updated_at": iso(o.updated_at)}
            for o in org.bulk_orders.values()
        ],
        "idempotency_keys": [
            {"operation": r.operation, "key": r.key, "status": r.status, "document": r.document,
             "expires_at": iso(r.expires_at), "fingerprint": r.fingerprint}
            for r in org.idempotency.values()
        ],
        "messages": [
            {"id": m.id, "phone_number_id": m.phone_number_id, "from": m.sender, "to": m.to, "text": m.text,
             "channel": m.channel, "media_urls": list(m.media_urls), "priority": m.priority, "tag": m.tag,
             "segment_count": m.segment_count, "created_at": iso(m.created_at), "outcome": m.outcome,
             "delays": list(m.delays)}
            for m in org.messages.values()
        ],
        "inbound_messages": [
            {"id": m.id, "phone_number_id": m.phone_number_id, "from": m.sender, "to": m.to, "body": m.body,
             "channel": m.channel, "media_urls": list(m.media_urls), "segment_count": m.segment_count,
             "opt_out_keyword": m.opt_out_keyword, "received_at": iso(m.received_at)}
            for m in org.inbound.values()
        ],
        "consents": [
            {"id": c.id, "phone_number_id": c.phone_number_id, "contact_number": c.contact_number,
             "method": c.method, "agreement_text_hash": c.agreement_text_hash,
             "evidence": c.evidence, "created_at": iso(c.created_at), "updated_at": iso(c.updated_at)}
            for c in org.consents.values()
        ],
        "opt_outs": [{"number": number, "contact_number": contact} for number, contact in org.opt_outs],
        "magic_replies": [{"at": iso(r.at), "phone_number_id": r.phone_number_id, "from": r.sender, "body": r.body}
                          for r in org.replies],
        "consent_challenges": [
            {"id": c.id, "phone_number_id": c.phone_number_id, "contact_number": c.contact_number,
             "confirmation_message_id": c.confirmation_message_id, "agreement_text_hash": c.agreement_text_hash,
             "created_at": iso(c.created_at), "expires_at": iso(c.expires_at), "status": c.status}
            for c in org.challenges.values()
        ],
        "hosted_consents": [
            {"token": h.token, "id": h.id, "phone_number_id": h.phone_number_id, "contact_number": h.contact_number,
             "agreement_text_hash": h.agreement_text_hash, "created_at": iso(h.created_at),
             "expires_at": iso(h.expires_at), "consent_id": h.consent_id}
            for h in org.hosted.values()
        ],
        "webhook_endpoints": [
            {"id": e.id, "url": e.url, "events": list(e.events), "description": e.description,
             "api_version": e.api_version, "secret": e.secret, "created_at": iso(e.created_at),
             "updated_at": iso(e.updated_at), "deleted_at": iso(e.deleted_at)}
            for e in org.webhook_endpoints.values()
        ],
        "deliveries": [
            {"id": d.id, "event_id": d.event_id, "endpoint_id": d.endpoint_id, "event_type": d.event_type,
             "payload": d.payload, "created_at": iso(d.created_at)}
            for d in org.deliveries.values()
        ],
        "delivery_rules": org.delivery_rules.dump(),
        "lookups": [{"number": number, "line_type": kind} for number, kind in org.line_types.items()],
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
