"""Seeded, bounded random input for any provider's operations (no extra dependency): random paths, queries,
bodies (mutated from valid ones) and headers, authenticated as the provider itself says (``auth_headers``)."""

from __future__ import annotations

import json
import random
import re

from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers.base import Operation, Provider
from fakeroute.world import World

ODD_STRINGS = ["", " ", "0", "-1", "1e9", "9" * 40, "null", "true", "+12065550100", "12065550100", "%00", "\u0000",
               "é", "😀", "a" * 300, "https://example.com/x", "http://127.0.0.1:1/", "sip:a@b", "../..", "[]", "{}",
               # ids that exist in the default scenario, so that random input also reaches deep into handlers
               "98396", "16465550123", "7c1f0a2d-9e8b-4c3a-9d2e-1f0a2b3c4d5e", "b5d3c4e2-7f7e-44a1-8c12-2bcd9e3f0a01",
               "fakeroute.sip.twilio.com", "fakeroute.pstn.twilio.com", "us1", "ie1", "local", "toll_free", "206", "https://hooks.example/in"]
# Well-formed bodies of the busiest operations: mutating one place of them probes past the schemas.
GOOD_BODIES = [
    {"data": {"type": "route", "attributes": {"route_type": "host", "value": "a.example.com", "alias": "r"}}},
    {"data": {"type": "route", "id": "98396"}},
    {"type": "number", "alias": "x"},
    {"data": {"type": "message", "attributes": {"to": "12065551234", "from": "12065550100", "body": "hi",
                                                "media_urls": ["https://example.com/a.png"], "is_mms": "true",
                                                "dlr_callback": "http://127.0.0.1:9/dlr"}}},
    {"data": {"attributes": {"callback_url": "http://127.0.0.1:9/cb"}}},
    {"area_code": "206", "number_type": "local", "quantity": 2, "pattern": "55"},
    {"numbers": ["+12065710004"], "inbound_url": "https://hooks.example/in", "label": "l",
     "campaign_id": "b5d3c4e2-7f7e-44a1-8c12-2bcd9e3f0a01"},
    {"inbound_url": "", "status_url": None, "label": "desk", "campaign_id": "b5d3c4e2-7f7e-44a1-8c12-2bcd9e3f0a01"},
    {"quantity": 3, "area_code": "212", "mode": "atomic"},
    {"ids": ["7c1f0a2d-9e8b-4c3a-9d2e-1f0a2b3c4d5e"]},
]
KEYS = ["data", "type", "attributes", "id", "to", "from", "body", "alias", "value", "route_type", "numbers",
        "quantity", "area_code", "label", "campaign_id", "inbound_url", "status_url", "media_urls", "is_mms",
        "callback_url", "limit", "offset", "cursor", "FriendlyName", "VoiceRegion", "number_type", "pattern"]


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice(ODD_STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 1, 2**63, 3.5, float("1e308")])
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return "".join(rng.choice("0123456789+-abc ") for _ in range(rng.randrange(15)))
    if kind == 4:
        return rng.choice(KEYS)
    if kind == 5:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def fill_path(path: str, rng: random.Random) -> str:
    def value(_: re.Match) -> str:
        text = rng.choice(ODD_STRINGS) if rng.random() < 0.5 else str(random_value(rng, 2))
        return text.replace("%", "%25").replace("/", "%2F").replace("?", "%3F").replace("#", "%23") or "x"

    return re.sub(r"<[^>]+>", value, path)


def mutated(rng: random.Random, document):
    """A copy of a JSON document with one value somewhere replaced (or kept, one time in four)."""
    if rng.random() < 0.25:
        return document
    if isinstance(document, dict) and document and rng.random() < 0.7:
        key = rng.choice(list(document))
        return {**document, key: mutated(rng, document[key])}
    if isinstance(document, list) and document and rng.random() < 0.7:
        i = rng.randrange(len(document))
        return [*document[:i], mutated(rng, document[i]), *document[i + 1:]]
    return random_value(rng, 1)


def random_body(rng: random.Random) -> bytes:
    roll = rng.randrange(8)
    if roll == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
    if roll == 1:
        return b"&".join(f"{rng.choice(KEYS)}={rng.choice(ODD_STRINGS)}".encode() for _ in range(3))
    if roll < 5:
        return json.dumps(mutated(rng, rng.choice(GOOD_BODIES))).encode()
    return json.dumps(random_value(rng)).encode()


def fuzz_operation(world: World, provider: Provider, op: Operation, rounds: int = 200,
                   account: str = "default") -> None:
    """Send ``rounds`` random requests to ``op`` as ``account``: every answer is below 500 and a JSON document
    (or a 204), no handler exception escapes, and a refused request leaves ``GET /_fakeroute/state`` as it was."""
    rng = random.Random(f"{provider.name}{op.method}{op.path}")
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    auth = provider.auth_headers(provider.public_credentials(world.accounts[account].state(provider.name)))
    before = client.get("/_fakeroute/state").get_data()  # a refused request must leave it as it was
    for _ in range(rounds):
        query = "&".join(f"{rng.choice(KEYS)}={rng.choice(ODD_STRINGS)}" for _ in range(rng.randrange(4)))
        content_type = rng.choice([None, "application/json", "application/x-www-form-urlencoded", "text/plain"])
        headers = {**auth, **({"Content-Type": content_type} if content_type else {})}
        if rng.random() < 0.3:
            headers["Idempotency-Key"] = rng.choice(ODD_STRINGS[:12])
        response = client.open(fill_path(op.path, rng), method=op.method, query_string=query,
                               data=random_body(rng), headers=headers, base_url=f"https://{provider.hosts[0]}")
        assert response.status_code < 500, (op.path, query, response.get_data(as_text=True)[:300])
        if response.status_code != 204:
            json.loads(response.get_data())  # always a JSON document in the provider's format
        if response.status_code >= 400:
            after = client.get("/_fakeroute/state").get_data()
            assert after == before, (op.path, query, response.get_data(as_text=True)[:300])
        else:
            before = client.get("/_fakeroute/state").get_data()
