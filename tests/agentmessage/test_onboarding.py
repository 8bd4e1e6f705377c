"""A new AgentMessage customer's whole onboarding, over real HTTP against the server, with a local webhook receiver:
brand → verified → campaign → active → numbers on it → consent → send → status webhooks in order → a reply →
STOP → the next send refused."""

from __future__ import annotations

import requests

from tests.support.receiver import Receiver

CUSTOMER = "+12065550188"


def test_a_realistic_onboarding_over_http(server_url, live_world):
    base = server_url
    created = requests.post(f"{base}/_fakeroute/accounts", json={"name": "Bloom Dental"}, timeout=5).json()
    am = requests.Session()
    am.headers["Authorization"] = f"Bearer {created['agentmessage']['api_keys'][0]['key']}"

    def advance(seconds: int) -> None:
        assert requests.post(f"{base}/_fakeroute/clock", json={"advance": seconds}, timeout=5).status_code == 200

    def inbound(body: str) -> dict:
        answer = requests.post(f"{base}/_fakeroute/inbound", timeout=5, json={
            "provider": "agentmessage", "to": number["number"], "from": CUSTOMER, "body": body})
        assert answer.status_code == 201, answer.text
        return answer.json()["message"]

    with Receiver() as receiver:
        hook = am.post(f"{base}/v1/webhooks", json={
            "url": receiver.url + "/events",
            "events": ["brand.vetted", "campaign.approved", "phone_number.campaign.assigned"]})
        assert hook.status_code == 201

        # Brand: 202 PENDING, verified once the identity check is done on the fake clock.
        brand = am.post(f"{base}/v1/brands", json={
            "entity_type": "PRIVATE_PROFIT", "brand_relationship": "BASIC_ACCOUNT", "display_name": "Bloom Dental",
            "country": "US", "website": "https://bloom.example"})
        assert brand.status_code == 202 and brand.json()["data"]["status"] == "PENDING"
        brand_id = brand.json()["data"]["id"]
        advance(5 * 60)
        assert am.get(f"{base}/v1/brands/{brand_id}").json()["data"]["identity_status"] == "VERIFIED"

        # Campaign: 202 PENDING, ACTIVE after the carrier review.
        campaign = am.post(f"{base}/v1/campaigns", json={
            "brand_id": brand_id, "usecase": "CUSTOMER_CARE",
            "description": "Appointment reminders and replies for Bloom Dental patients.",
            "message_flow": "Patients opt in by ticking a box on the booking form at https://bloom.example/book",
            "sample1": "Bloom Dental: your cleaning is tomorrow at 9:00. Reply STOP to opt out.",
            "sample2": "Bloom Dental: reply HELP for help, STOP to opt out."})
        assert campaign.status_code == 202
        campaign_id = campaign.json()["data"]["id"]
        advance(60 * 60)
        assert am.get(f"{base}/v1/campaigns/{campaign_id}").json()["data"]["status"] == "ACTIVE"

        # A number on the campaign, routed to the receiver.
        found = am.post(f"{base}/v1/phone-numbers/search", json={"area_code": "206", "quantity": 1}).json()["data"]
        ordered = am.post(f"{base}/v1/phone-numbers/orders", json={
            "numbers": [found[0]["number"]], "campaign_id": campaign_id,
            "inbound_url": receiver.url + "/inbound", "status_url": receiver.url + "/status"})
        assert ordered.status_code == 200
        (number,) = ordered.json()["data"]

        # Consent, then a message whose three status changes arrive in order.
        agreed = am.post(f"{base}/v1/consent", headers={"Idempotency-Key": "booking-form-7421"}, json={
            "phone_number_id": number["id"], "contact_number": CUSTOMER, "opted_in": True,
            "evidence": {"captured_at": "2026-01-01T00:00:00Z", "form_url": "https://bloom.example/book",
                         "agreement_text": "I agree to appointment texts from Bloom Dental."}})
        assert agreed.status_code == 201
        sent = am.post(f"{base}/v1/messages", json={"from": number["number"], "to": CUSTOMER,
                                                    "text": "Bloom Dental: your cleaning is tomorrow at 9:00."})
        assert sent.status_code == 202 and sent.json()["data"]["status"] == "queued"
        message_id = sent.json()["data"]["id"]
        advance(12)  # the longest delivery: 1 + 3 + 8 seconds (messaging.DELIVERY)
        received = receiver.wait_for(3 + 3)  # three events, three statuses
        statuses = [r["json"]["status"] for r in received if r["path"] == "/status"]
        assert statuses == ["sending", "sent", "delivered"]
        assert all(r["json"]["id"] == message_id for r in received if r["path"] == "/status")
        events = [r["json"]["type"] for r in received if r["path"] == "/events"]
        assert events == ["brand.vetted", "campaign.approved", "phone_number.campaign.assigned"]
        assert am.get(f"{base}/v1/messages/{message_id}").json()["data"]["status"] == "delivered"

        # A reply reaches inbound_url and the list; then STOP.
        reply = inbound("Thanks, see you then!")
        stop = inbound("STOP")
        received = receiver.wait_for(8)
        assert [r["json"]["body"] for r in received if r["path"] == "/inbound"] == ["Thanks, see you then!", "STOP"]
        listed = am.get(f"{base}/v1/inbound-messages").json()
        assert [m["id"] for m in listed["data"]] == [stop["id"], reply["id"]]
        assert listed["data"][0]["opt_out"] == {"detected": True, "keyword": "STOP"}

        # The next send is refused: the customer opted out.
        refused = am.post(f"{base}/v1/messages", json={"from": number["number"], "to": CUSTOMER, "text": "Reminder"})
        assert refused.status_code == 453 and refused.json()["error"]["code"] == "CONSENT_REQUIRED"
        assert live_world.outbox.drain()
    assert [r["answered"] for r in receiver.received] == [200] * 8
