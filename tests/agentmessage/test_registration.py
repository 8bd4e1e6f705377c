"""AgentMessage 10DLC registration: brands and campaigns created (202), their reviews on the fake clock or by a
test call, the campaign pre-check, and the cross-resource rules (reference §5.5)."""

from __future__ import annotations

import pytest

from fakeroute.app import FakerouteApp
from fakeroute.providers.agentmessage import review_brand, review_campaign
from fakeroute.world import World
from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    PENDING_CAMPAIGN,
    UNKNOWN_ID,
    UNVERIFIED_BRAND,
    VERIFIED_BRAND,
    agentmessage,
    consent,
    fresh_org,
    order,
    search,
    send,
    webhooks_of,
)
from tests.support.errors import details_of, error_of
from tests.support.harness import Target

BRAND = {"entity_type": "PRIVATE_PROFIT", "brand_relationship": "BASIC_ACCOUNT", "display_name": "Bloom Dental",
         "country": "US", "company_name": "Bloom Dental LLC", "email": "ops@bloom.example"}
CAMPAIGN = {"usecase": "CUSTOMER_CARE", "description": "Appointment reminders for Bloom Dental patients.",
            "message_flow": "Patients opt in by ticking a box on the booking form at https://bloom.example/book",
            "sample1": "Bloom Dental: your cleaning is tomorrow at 9:00. Reply STOP to opt out.",
            "sample2": "Bloom Dental: reply HELP for help."}
BRAND_REVIEW, CAMPAIGN_REVIEW = 5 * 60, 60 * 60  # seconds of fake clock (docs/agentmessage.md)


def events_of(api, event_type):
    return [w.payload for w in webhooks_of(api, "event") if w.payload["type"] == event_type]


def subscribe(api, *events):
    return api.post("/v1/webhooks", json={"url": "https://hooks.bloom.example/am", "events": list(events)}).data


# -- brands -----------------------------------------------------------------------------------------


def test_a_new_brand_is_pending_then_verified_on_the_clock(am):
    bloom = fresh_org(am)
    subscribe(bloom, "brand.vetted")
    answer = bloom.post("/v1/brands", json=BRAND)
    assert answer.status_code == 202
    brand = answer.data
    assert (brand["status"], brand["identity_status"], brand["tcr_brand_id"]) == ("PENDING", None, None)
    assert brand["submitted_at"] is None and brand["verified_at"] is None
    assert brand["display_name"] == "Bloom Dental" and brand["company_name"] == "Bloom Dental LLC"
    assert bloom.get(f"/v1/brands/{brand['id']}").data["status"] == "PENDING"
    am.world.clock.advance(BRAND_REVIEW)
    verified = bloom.get(f"/v1/brands/{brand['id']}").data
    assert (verified["status"], verified["identity_status"]) == ("ACTIVE", "VERIFIED")
    assert verified["tcr_brand_id"].startswith("B") and verified["verified_at"] == verified["submitted_at"]
    (event,) = events_of(bloom, "brand.vetted")
    assert event["data"]["brand"]["id"] == brand["id"] and event["id"].startswith("evt_")
    assert [b["id"] for b in bloom.get("/v1/brands", params={"identity_status": "VERIFIED"}).data] == [brand["id"]]


def test_one_brand_per_org_unless_reseller_and_the_fee_comes_from_the_wallet(am):
    bloom = fresh_org(am)
    assert bloom.post("/v1/brands", json=BRAND).status_code == 202
    error_of(bloom.post("/v1/brands", json=BRAND), 422, "RESELLER_REQUIRED")
    assert len(bloom.get("/v1/brands").data) == 1
    org = next(a for a in am.world if a.name == "fresh").state("agentmessage")
    assert (org.wallet_cents, org.lifetime_spend_cents) == (0, 500)  # the $5 credit paid the $5 fee


def test_a_reseller_without_credit_gets_402_and_no_brand():
    scenario = {"accounts": [{"id": "reseller", "agentmessage": {
        "api_keys": [{"key": "am_test_reseller", "scopes": ["brands:read", "brands:write"]}],
        "reseller": True, "wallet_cents": 999}}]}
    api = agentmessage(Target.wsgi(FakerouteApp(World(scenario=scenario, inventory_size=100))), "am_test_reseller")
    assert api.post("/v1/brands", json=BRAND).status_code == 202
    error_of(api.post("/v1/brands", json={**BRAND, "display_name": "Second"}), 402, "INSUFFICIENT_CREDIT")
    assert [b["display_name"] for b in api.get("/v1/brands").data] == ["Bloom Dental"]


def test_a_brand_that_fails_vetting_cannot_back_a_campaign(api):
    bloom = fresh_org(api)
    subscribe(bloom, "brand.vetting_failed")
    brand = bloom.post("/v1/brands", json=BRAND).data
    review_brand(api.world, brand["id"], "UNVERIFIED", reason="EIN does not match the company name")
    shown = bloom.get(f"/v1/brands/{brand['id']}").data
    assert (shown["status"], shown["identity_status"], shown["verified_at"]) == ("ACTIVE", "UNVERIFIED", None)
    (event,) = events_of(bloom, "brand.vetting_failed")
    assert event["data"]["reason"] == "EIN does not match the company name"
    error_of(bloom.post("/v1/campaigns", json={**CAMPAIGN, "brand_id": brand["id"]}), 409, "BRAND_NOT_VERIFIED")
    api.world.clock.advance(BRAND_REVIEW)  # the review is over: the clock changes nothing more
    assert bloom.get(f"/v1/brands/{brand['id']}").data["identity_status"] == "UNVERIFIED"


@pytest.mark.parametrize(("body", "field"), [
    ({**BRAND, "entity_type": "LLC"}, "entity_type"),
    ({**BRAND, "country": "usa"}, "country"),
    ({**BRAND, "email": "not-an-email"}, "email"),
    ({k: v for k, v in BRAND.items() if k != "display_name"}, "display_name"),
])
def test_a_brand_with_bad_fields_is_422_and_costs_nothing(api, body, field):
    bloom = fresh_org(api)
    assert field in details_of(bloom.post("/v1/brands", json=body), 422, "VALIDATION_FAILED")
    assert bloom.get("/v1/brands").data == []
    assert bloom.post("/v1/brands", json=BRAND).status_code == 202  # the credit is still there


# -- campaigns --------------------------------------------------------------------------------------


def test_a_campaign_goes_from_pending_to_active_and_then_carries_numbers(am):
    subscribe(am, "campaign.approved", "phone_number.campaign.assigned")
    answer = am.post("/v1/campaigns", json={**CAMPAIGN, "brand_id": VERIFIED_BRAND})
    assert answer.status_code == 202
    campaign = answer.data
    assert (campaign["status"], campaign["tcr_campaign_id"], campaign["brand_id"]) == ("PENDING", None, VERIFIED_BRAND)
    assert campaign["submitted_at"] == campaign["created_at"] and campaign["sample2"] == CAMPAIGN["sample2"]
    error_of(am.post("/v1/phone-numbers/orders", json={"numbers": search(am, quantity=1),
                                                       "campaign_id": campaign["id"]}), 422, "VALIDATION_FAILED")
    am.world.clock.advance(CAMPAIGN_REVIEW)
    active = am.get(f"/v1/campaigns/{campaign['id']}").data
    assert active["status"] == "ACTIVE" and active["tcr_campaign_id"].startswith("C")
    assert active["mno_metadata"]["10017"]["mno"] == "AT&T" and active["billed_date"]
    (number,) = order(am, search(am, quantity=1), campaign_id=campaign["id"])
    assert number["campaign_id"] == campaign["id"]
    assert [e["data"]["campaign"]["id"] for e in events_of(am, "campaign.approved")] == [campaign["id"]]
    assert [e["data"]["phone_number"]["id"] for e in events_of(am, "phone_number.campaign.assigned")] == [number["id"]]


def test_a_campaign_the_pre_check_blocks_is_rejected_by_the_review(api):
    subscribe(api, "campaign.rejected")
    body = {**CAMPAIGN, "brand_id": VERIFIED_BRAND, "sample1": "Book at https://bloom.example/b. Reply STOP to end."}
    campaign = api.post("/v1/campaigns", json=body).data
    api.world.clock.advance(CAMPAIGN_REVIEW)
    rejected = api.get(f"/v1/campaigns/{campaign['id']}").data
    assert rejected["status"] == "REJECTED" and rejected["rejected_at"]
    assert rejected["rejection_reasons"] == ["a sample message has a link, but embedded_link is not true"]
    (event,) = events_of(api, "campaign.rejected")
    assert event["data"]["campaign"]["rejection_reasons"] == rejected["rejection_reasons"]
    declared = api.post("/v1/campaigns", json={**body, "embedded_link": True}).data
    api.world.clock.advance(CAMPAIGN_REVIEW)
    assert api.get(f"/v1/campaigns/{declared['id']}").data["status"] == "ACTIVE"


def test_a_test_call_decides_a_review_at_once(api):
    campaign = api.post("/v1/campaigns", json={**CAMPAIGN, "brand_id": VERIFIED_BRAND}).data
    review_campaign(api.world, campaign["id"], "REJECTED", reasons=["opt-in flow not verifiable"])
    shown = api.get(f"/v1/campaigns/{campaign['id']}").data
    assert shown["status"] == "REJECTED" and shown["rejection_reasons"] == ["opt-in flow not verifiable"]
    api.world.clock.advance(CAMPAIGN_REVIEW)  # the review is over: the clock changes nothing more
    assert api.get(f"/v1/campaigns/{campaign['id']}").data["status"] == "REJECTED"
    review_campaign(api.world, PENDING_CAMPAIGN)  # a scenario's pending campaign too
    assert api.get(f"/v1/campaigns/{PENDING_CAMPAIGN}").data["status"] == "ACTIVE"
    with pytest.raises(ValueError, match="ACTIVE, REJECTED or EXPIRED"):
        review_campaign(api.world, PENDING_CAMPAIGN, "PAUSED")


def test_numbers_on_a_campaign_that_is_no_longer_active_cannot_send(am):
    consent(am)
    review_campaign(am.world, ACTIVE_CAMPAIGN, "EXPIRED")
    details = details_of(send(am), 422, "VALIDATION_FAILED")
    assert details == {"from": "+14155550123's campaign is EXPIRED: outbound messages need an ACTIVE campaign"}
    review_campaign(am.world, ACTIVE_CAMPAIGN, "ACTIVE")
    assert send(am).status_code == 202


def test_a_campaign_needs_a_brand_of_the_org_that_is_verified(api):
    for brand_id in (UNKNOWN_ID, "9d4e5f60-7b8c-4d9e-bf00-1b2c3d4e5f60"):  # unknown; the other org's
        assert "details" not in error_of(api.post("/v1/campaigns", json={**CAMPAIGN, "brand_id": brand_id}), 404,
                                         "NOT_FOUND")
    error_of(api.post("/v1/campaigns", json={**CAMPAIGN, "brand_id": UNVERIFIED_BRAND}), 409, "BRAND_NOT_VERIFIED")
    assert len(api.get("/v1/campaigns").data) == 5  # nothing created


@pytest.mark.parametrize(("change", "field"), [
    ({"sample1": None}, "sample1"),
    ({"usecase": "SPAM"}, "usecase"),
    ({"subscriber_optout": True}, "optout_keywords"),
    ({"subscriber_help": True, "help_keywords": 7}, "help_keywords"),
    ({"brand_id": "nope"}, "brand_id"),
])
def test_a_campaign_with_bad_fields_is_422(api, change, field):
    body = {k: v for k, v in {**CAMPAIGN, "brand_id": VERIFIED_BRAND, **change}.items() if v is not None}
    assert field in details_of(api.post("/v1/campaigns", json=body), 422, "VALIDATION_FAILED")


# -- the pre-check ----------------------------------------------------------------------------------


def test_the_campaign_review_is_routed_and_persists_nothing(am):
    answer = am.post("/v1/campaigns/review", json={**CAMPAIGN, "brand_id": VERIFIED_BRAND})
    assert answer.status_code == 200
    review = answer.data
    assert review["can_submit"] is True and review["llm_used"] is False and review["generated_at"]
    assert review["counts"] == {"block": 0, "warn": 0, "info": 0} and review["findings"] == []
    assert len(am.get("/v1/campaigns").data) == 5


def test_the_pre_check_blocks_what_a_carrier_would_refuse(api):
    draft = {"brand_id": UNVERIFIED_BRAND, "usecase": "MARKETING", "sample1": "Sale! Visit www.bloom.example",
             "subscriber_optout": True, "message_flow": "Website"}
    review = api.post("/v1/campaigns/review", json=draft).data
    assert review["can_submit"] is False
    codes = [(f["severity"], f["code"], f["field"]) for f in review["findings"]]
    assert codes == [
        ("block", "BRAND_NOT_VERIFIED", "brand_id"), ("block", "MISSING_FIELD", "description"),
        ("block", "KEYWORDS_MISSING", "optout_keywords"), ("block", "EMBEDDED_LINK_UNDECLARED", "embedded_link"),
        ("warn", "SAMPLE_WITHOUT_OPT_OUT", "sample1"), ("warn", "MESSAGE_FLOW_TOO_SHORT", "message_flow"),
        ("info", "SINGLE_SAMPLE", "sample2"),
    ]
    assert review["counts"] == {"block": 4, "warn": 2, "info": 1}
    warned = api.post("/v1/campaigns/review", json={**CAMPAIGN, "brand_id": VERIFIED_BRAND,
                                                    "sample2": "Call us at (415) 555-0100."}).data
    assert warned["can_submit"] is True and warned["counts"]["warn"] == 1  # only blocks gate


def test_the_pre_check_still_validates_types_and_its_scope(api):
    assert details_of(api.post("/v1/campaigns/review", json={"embedded_link": "yes"}), 422,
                      "VALIDATION_FAILED") == {"embedded_link": "must be a boolean, got 'yes'"}
    reader = fresh_org(api)
    read_only = reader.post("/v1/api-keys", json={"label": "r", "scopes": ["campaigns:read"]}).data["plaintext"]
    error_of(reader.as_key(read_only).post("/v1/campaigns/review", json={}), 403, "FORBIDDEN")

