"""One inventory behind every provider: what one buys the others stop offering, releases come back to all."""

from __future__ import annotations

from tests.support.flowroute import FLOWROUTE_AUTH

AGENTMESSAGE_AUTH = {"Authorization": "Bearer am_test_fakeroute_default"}
QUARANTINED_ID = "7c1f0a2d-9e8b-4c3a-9d2e-1f0a2b3c4d5e"  # +14155550123 in the default scenario
QUARANTINED = "14155550123"


def flowroute_offers(client, number: str) -> bool:
    page = client.get(f"/v2/numbers/available?starts_with={number}", headers=FLOWROUTE_AUTH).json
    return [n["id"] for n in page["data"]] == [number]


def test_an_agentmessage_release_returns_to_flowroute_after_the_quarantine(client, world):
    assert not flowroute_offers(client, QUARANTINED)
    released = client.delete(f"/v1/phone-numbers/{QUARANTINED_ID}", headers=AGENTMESSAGE_AUTH)
    assert released.status_code == 200, released.get_data(as_text=True)
    world.clock.advance(days=29)
    assert not flowroute_offers(client, QUARANTINED)
    world.clock.advance(days=2)
    # No AgentMessage call in between: the quarantine ends for every provider's next request.
    assert flowroute_offers(client, QUARANTINED)


def test_a_number_flowroute_buys_is_gone_for_agentmessage(client):
    number = client.get("/v2/numbers/available?starts_with=1206&limit=1", headers=FLOWROUTE_AUTH).json["data"][0]
    assert client.post(f"/v2/numbers/{number['id']}", headers=FLOWROUTE_AUTH).status_code == 201
    order = client.post("/v1/phone-numbers/orders", headers=AGENTMESSAGE_AUTH, json={"numbers": ["+" + number["id"]]})
    assert order.status_code == 409
    assert order.json["error"]["code"] == "INSUFFICIENT_INVENTORY"
