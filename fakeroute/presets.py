"""Scenario state generated from the seed: an account's ``generate`` block expanded into ordinary provider
sections when a World loads the scenario (the busy preset's hundreds of numbers and thousands of MDRs).

A generator per provider section appends records in that provider's scenario format, drawn from a
random source fixed by (seed, account id, provider), with realistic names, places and texts from
data/words.json (made once with Faker, which is not a dependency), so the same seed gives
the same world in any process and one provider's counts never shift another's records. The suite checks
every generator's output against the scenario schema for several seeds (tests/test_presets.py); a World
validates the document as written, generate block included, and trusts the expansion (validating thousands
of generated records with jsonschema would take seconds). Documented in docs/scenarios.md.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from .inventory import PLAN, VALID_NXX
from .messaging import DELIVERY, delivery_delays

DEFAULT_HISTORY_DAYS = 90
POOL_SIZE = 24  # distinct values per kind and provider section: enough variety for a page of results
@lru_cache(maxsize=1)
def _words() -> dict[str, list[str]]:
    return json.loads(resources.files("fakeroute.data").joinpath("words.json").read_text(encoding="utf-8"))


_GEOGRAPHIC = tuple(npa for npa in PLAN.npas if PLAN.states[npa] is not None)
_TOLL_FREE = tuple(npa for npa in PLAN.npas if PLAN.states[npa] is None)


@dataclass
class _Source:
    """What one provider's generator draws from: seeded randomness, the word lists, the time span, the numbers
    in use."""

    rng: random.Random
    seed: int
    label: str  # "<seed>|<account id>|<provider>": what every draw is fixed by
    start: datetime  # the World clock's start: history ends just before it
    days: int
    taken: set[str]  # 11-digit numbers owned anywhere in the document (or generated so far)
    _pools: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def pool(self, kind: str, size: int = POOL_SIZE) -> list[str]:
        """``size`` values of ``kind`` ("city", "company"...) drawn once from data/words.json for this section."""
        key = f"{kind}/{size}"
        if key not in self._pools:
            words = _words()[kind]
            self._pools[key] = self.rng.sample(words, min(size, len(words)))
        return self._pools[key]

    def pick(self, kind: str) -> str:
        return self.rng.choice(self.pool(kind))

    def number(self, toll_free: bool = False) -> str:
        """A fresh valid US number (no 555 exchange, so never a magic one) nobody in the document owns."""
        while True:
            npa = self.rng.choice(_TOLL_FREE if toll_free else _GEOGRAPHIC)
            value = f"1{npa}{self.rng.choice(VALID_NXX)}{self.rng.randrange(10_000):04d}"
            if value not in self.taken:
                self.taken.add(value)
                return value

    def contact(self) -> str:
        """A number outside the document (the other end of a message), not reserved for anyone."""
        while True:
            value = f"1{self.rng.choice(_GEOGRAPHIC)}{self.rng.choice(VALID_NXX)}{self.rng.randrange(10_000):04d}"
            if value not in self.taken:
                return value

    def moment(self) -> datetime:
        """A moment in the history: within ``days`` before the clock's start, to the hundredth of a second."""
        seconds = self.rng.uniform(60, self.days * 86_400)
        return (self.start - timedelta(seconds=seconds)).replace(microsecond=0) + \
            timedelta(milliseconds=10 * self.rng.randrange(100))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, digits: int = 32) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def code(self, prefix: str, length: int) -> str:
        return prefix + "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(length))


def _z(moment: datetime) -> str:
    """RFC 3339 UTC with Z, to the second (every provider's scenario schema reads it)."""
    return moment.isoformat(timespec="seconds")[:19] + "Z"  # isoformat: a fifth of strftime's cost


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")[:40].strip("-")


# -- Flowroute: routes, numbers, MDRs with their receipts -----------------------------------------

# The receipts an outcome leaves on an MDR, after the level-1 "smsc submit" (as Flowroute's docs show them;
# the final codes are the fake's own, docs/flowroute.md). Weighted: most messages are delivered.
_FLOWROUTE_FINALS: tuple[tuple[int, tuple[tuple[int, str, int | None, str], ...]], ...] = (
    (90, ((2, "message buffered", 1003, "Message accepted by Carrier"),
          (2, "delivered", 1000, "Message delivered to handset"))),
    (4, ((2, "message buffered", 1003, "Message accepted by Carrier"),
         (2, "undeliverable", 1005, "Message undeliverable: the handset could not be reached"))),
    (3, ((2, "rejected", 1008, "Message rejected by Carrier"),)),
    (2, ((2, "message buffered", 1003, "Message accepted by Carrier"),
         (2, "expired", 1006, "Message expired before it could be delivered"))),
    (1, ()),  # never reported back: only the level-1 receipt
)
_INBOUND_REPLIES = ("Thanks!", "What time?", "Can I reschedule to Friday?", "ok see you then", "Got it 👍",
                    "Who is this?", "Is the store open on Sunday?", "Perfect, thank you", "On my way",
                    "Sounds good — see you tomorrow", "Where do I park?", "Can you call me back?")


def _message_bodies(source: _Source) -> Callable[[bool], str]:
    """Realistic texts from small pools of the word lists: GSM-7, extension characters, UCS-2 and multi-part."""
    names = source.pool("first_name")
    companies = source.pool("company", 12)
    sentences = source.pool("sentence")
    rng = source.rng
    days = [(source.start + timedelta(days=n)).strftime("%b %d") for n in range(-7, 30)]

    def outbound() -> str:
        name, company, day = rng.choice(names), rng.choice(companies), rng.choice(days)
        kind = rng.randrange(10)
        if kind < 4:
            return f"Hi {name}, your appointment with {company} is on {day} at {rng.randrange(8, 18)}:00. " \
                   "Reply C to confirm or STOP to opt out."
        if kind < 6:
            return f"{company}: your order #{rng.randrange(10_000, 99_999)} has shipped. Track it at " \
                   f"https://{_slug(company)}.example/t/{source.hex(8)}"
        if kind == 6:
            return f"{company}: use code [SAVE{rng.randrange(10, 50)}] at checkout | ends {day}. Total due €" \
                   f"{rng.randrange(5, 500)}.{rng.randrange(100):02d}"
        if kind == 7:
            return f"Thanks {name}! 🎉 Your {company} rewards balance is {rng.randrange(100, 5000)} points."
        return " ".join(rng.sample(sentences, rng.randrange(2, 6)))  # often longer than one segment

    def body(is_outbound: bool) -> str:
        if is_outbound:
            return outbound()
        return rng.choice(_INBOUND_REPLIES) if rng.random() < 0.8 else rng.choice(sentences)

    return body


def generate_flowroute(source: _Source, section: MutableMapping[str, Any], spec: dict[str, int]) -> None:
    rng = source.rng
    routes = section.setdefault("routes", [])
    next_id = max([100_000, *(int(r["id"]) + 1 for r in routes)])
    for n in range(spec.get("routes", 0)):
        route_type = ("host", "uri", "number")[n % 3]
        value = {"host": lambda: f"sip.{source.pick('domain_name')}",
                 "uri": lambda: f"sip:{source.pick('user_name')}@pbx.{source.pick('domain_name')}",
                 "number": source.contact}[route_type]()
        routes.append({"id": str(next_id + n), "route_type": route_type, "value": value,
                       "alias": f"{source.pick('city')} {route_type} {next_id + n}"})
    route_ids = ["0", *(r["id"] for r in routes)]
    numbers = section.setdefault("numbers", [])
    for _ in range(spec.get("numbers", 0)):
        number: dict[str, Any] = {"value": source.number(toll_free=rng.random() < 0.05),
                                  "alias": f"{source.pick('city')} line" if rng.random() < 0.6 else None,
                                  "primary_route": rng.choice(route_ids),
                                  "cnam_lookups_enabled": rng.random() < 0.8}
        if rng.random() < 0.3:
            number["failover_route"] = rng.choice(route_ids)
        if rng.random() < 0.02:
            number["messaging_enabled"] = False
        numbers.append(number)
    count = spec.get("messages", 0)
    if not count:
        return
    senders = [n["value"] for n in numbers if n.get("messaging_enabled", True)]
    if not senders:
        raise ValueError("flowroute.messages: the account has no number to exchange messages on")
    contacts = [source.contact() for _ in range(max(10, count // 8))]
    body = _message_bodies(source)
    finals = [steps for _, steps in _FLOWROUTE_FINALS]
    weights = list(itertools.accumulate(weight for weight, _ in _FLOWROUTE_FINALS))
    moments = sorted(source.moment() for _ in range(count))
    messages = section.setdefault("messages", [])
    for sent in moments:
        outbound = rng.random() < 0.7
        own, other = rng.choice(senders), rng.choice(contacts)
        message_id = "mdr2-" + source.hex()
        message: dict[str, Any] = {
            "id": message_id, "direction": "outbound" if outbound else "inbound",
            "from": own if outbound else other, "to": other if outbound else own,
            "body": body(outbound), "timestamp": sent.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if rng.random() < 0.04:
            message["media_urls"] = [f"https://media.example/{source.hex(12)}.jpg"]
        if outbound:
            final = rng.choices(finals, cum_weights=weights)[0]
            message["delivery_receipts"] = _receipts(source, message_id, sent, final)
        messages.append(message)


def _receipts(source: _Source, message_id: str, sent: datetime,
              finals: tuple[tuple[int, str, int | None, str], ...]) -> list[dict[str, Any]]:
    offsets = delivery_delays(source.seed, message_id, DELIVERY)
    steps = ((1, "smsc submit", None, "Message has been sent"), *finals)
    receipts = [
        {"level": level, "status": status, "status_code": code, "status_code_description": text,
         "timestamp": _z(sent + timedelta(seconds=offset))}
        for (level, status, code, text), offset in zip(steps, offsets, strict=False)
    ]
    return receipts[::-1]  # newest first, as look-ups show them


# -- AgentMessage: brands, campaigns in every state, numbers -----------------------------------------

_BRAND_STATES = (("ACTIVE", "VERIFIED"), ("ACTIVE", "VETTED_VERIFIED"), ("PENDING", None),
                 ("ACTIVE", "UNVERIFIED"), ("ACTIVE", "VERIFIED"), ("DELETED", "VERIFIED"))
CAMPAIGN_STATES = ("ACTIVE", "PENDING", "REJECTED", "EXPIRED")
_USECASES = ("CUSTOMER_CARE", "ACCOUNT_NOTIFICATION", "MARKETING", "MIXED", "2FA", "DELIVERY_NOTIFICATION")
_VERTICALS = ("HEALTHCARE", "RETAIL", "REAL_ESTATE", "PROFESSIONAL", "TECHNOLOGY", "HOSPITALITY")


def generate_agentmessage(source: _Source, section: MutableMapping[str, Any], spec: dict[str, int]) -> None:
    rng = source.rng
    brands = section.setdefault("brands", [])
    for n in range(spec.get("brands", 0)):
        status, identity = _BRAND_STATES[n % len(_BRAND_STATES)]
        company = source.pick("company")
        created = source.moment()
        brand: dict[str, Any] = {
            "id": source.uuid(), "status": status, "identity_status": identity,
            "display_name": company, "company_name": f"{company} {rng.choice(('Inc.', 'LLC', 'Corp.'))}",
            "entity_type": rng.choice(("PRIVATE_PROFIT", "PUBLIC_PROFIT", "NON_PROFIT")),
            "vertical": rng.choice(_VERTICALS), "website": f"https://{_slug(company)}.example",
            "email": f"compliance@{_slug(company)}.example", "street": source.pick("street_address"),
            "city": source.pick("city"), "state": source.pick("state_abbr"), "postal_code": source.pick("postcode"),
            "country": "US",
            "created_at": _z(created), "updated_at": _z(created + timedelta(days=1)),
        }
        if status != "PENDING":
            brand["tcr_brand_id"] = source.code("B", 6)
            brand["submitted_at"] = _z(created)
        brands.append(brand)
    campaigns = section.setdefault("campaigns", [])
    count = spec.get("campaigns", 0)
    if count and not brands:
        raise ValueError("agentmessage.campaigns: the account has no brand to register campaigns under")
    active_brands = [b for b in brands if b["status"] == "ACTIVE"] or brands
    for n in range(count):
        status = CAMPAIGN_STATES[n % len(CAMPAIGN_STATES)]
        brand = rng.choice(active_brands if status == "ACTIVE" else brands)
        name = brand.get("display_name") or "Acme"
        created = source.moment()
        campaign: dict[str, Any] = {
            "id": source.uuid(), "brand_id": brand["id"], "status": status, "usecase": rng.choice(_USECASES),
            "description": f"{name}: {source.pick('catch_phrase').lower()} for customers.",
            "message_flow": f"Customers opt in at https://{_slug(name)}.example/sms",
            "sample1": f"{name}: {source.pick('sentence')} Reply STOP to opt out.",
            "created_at": _z(created), "updated_at": _z(created + timedelta(days=2)),
        }
        if status != "PENDING":
            campaign["tcr_campaign_id"] = source.code("C", 7)
        if status == "REJECTED":
            campaign["rejection_reasons"] = [rng.choice(("opt-in flow not verifiable", "sample messages missing "
                                                         "opt-out language", "website not reachable"))]
            campaign["rejected_at"] = _z(created + timedelta(days=2))
        if status == "EXPIRED":
            campaign["expiration_date"] = _z(created + timedelta(days=rng.randrange(30, 60)))
        campaigns.append(campaign)
    verified = {b["id"] for b in brands if b["status"] == "ACTIVE" and b["identity_status"] in
                ("VERIFIED", "VETTED_VERIFIED")}
    usable = [c["id"] for c in campaigns if c["status"] == "ACTIVE" and c["brand_id"] in verified]
    numbers = section.setdefault("numbers", [])
    for _ in range(spec.get("numbers", 0)):
        created = source.moment()
        number: dict[str, Any] = {"id": source.uuid(), "number": "+" + source.number(toll_free=rng.random() < 0.05),
                                  "created_at": _z(created), "updated_at": _z(created)}
        if usable and rng.random() < 0.7:
            domain = f"{_slug(source.pick('company'))}.example"
            number.update(campaign_id=rng.choice(usable), label=f"{source.pick('city')} line",
                          inbound_url=f"https://{domain}/sms/inbound", status_url=f"https://{domain}/sms/status")
        numbers.append(number)


# -- Twilio Routes v2: region assignments of phone numbers, SIP domains, trunks ---------------------

_VOICE_REGIONS = ("us1", "ie1", "au1")


def generate_twilio(source: _Source, section: MutableMapping[str, Any], spec: dict[str, int]) -> None:
    rng = source.rng

    def dates() -> dict[str, str]:
        created = source.moment()
        return {"date_created": _z(created), "date_updated": _z(created + timedelta(hours=rng.randrange(1, 200)))}

    phone_numbers = section.setdefault("phone_numbers", [])
    for n in range(spec.get("phone_numbers", 0)):
        phone_numbers.append({"phone_number": "+" + source.number(), "friendly_name": f"{source.pick('city')} office",
                              "voice_region": _VOICE_REGIONS[n % 3], **dates()})
    for kind, suffix in (("sip_domains", "sip"), ("trunks", "pstn")):
        key = "sip_domain" if kind == "sip_domains" else "sip_trunk_domain"
        items = section.setdefault(kind, [])
        for n in range(spec.get(kind, 0)):
            name = _slug(source.pick("company")) or "domain"
            items.append({key: f"{name}-{source.hex(4)}.{suffix}.twilio.com", "friendly_name": name[:64],
                          "voice_region": _VOICE_REGIONS[n % 3], **dates()})


GENERATORS: dict[str, Callable[[_Source, MutableMapping[str, Any], dict[str, int]], None]] = {
    "flowroute": generate_flowroute,
    "agentmessage": generate_agentmessage,
    "twilio": generate_twilio,
}


def expand(document: MutableMapping[str, Any], *, seed: int, start: datetime, owned: Iterable[str]) -> None:
    """Replace each account's ``generate`` block, in place, by the records it asks for (appended to the
    account's provider sections). ``owned``: the numbers the document already owns (never generated again).
    Raises ValueError naming the block when it asks for what the account cannot hold."""
    taken = set(owned)
    for i, account in enumerate(document["accounts"]):
        spec = account.pop("generate", None)
        if spec is None:
            continue
        days = spec.get("history_days", DEFAULT_HISTORY_DAYS)
        for provider, generate in GENERATORS.items():
            if provider not in spec:
                continue
            where = f"accounts[{i}].generate.{provider}"
            section = account.get(provider)
            if section is None:
                raise ValueError(f"{where}: the account has no {provider} section (credentials) to add to")
            label = f"{seed}|{account['id']}|{provider}"
            source = _Source(random.Random(f"fakeroute.presets|{label}"), seed, label, start, days, taken)
            try:
                generate(source, section, spec[provider])
            except ValueError as exc:
                raise ValueError(f"accounts[{i}].generate.{exc}") from None

