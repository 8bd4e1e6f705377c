"""AgentMessage campaigns and brands, read-only here: lists (X-Next-Cursor header), filters, single reads."""

from __future__ import annotations

import pytest

from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    OTHER_CAMPAIGN,
    OTHER_KEY,
    PENDING_CAMPAIGN,
    REJECTED_CAMPAIGN,
    UNKNOWN_ID,
    UNVERIFIED_BRAND,
    UNVERIFIED_CAMPAIGN,
    VERIFIED_BRAND,
    VETTED_BRAND,
    VETTED_CAMPAIGN,
)
from tests.support.errors import details_of, error_of

ORG_ID = "0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b"  # the default org


def ids(answer) -> list[str]:
    return [item["id"] for item in answer.data]


def test_campaigns_list_newest_first(am):
    answer = am.get("/v1/campaigns")
    assert ids(answer) == [PENDING_CAMPAIGN, REJECTED_CAMPAIGN, VETTED_CAMPAIGN, UNVERIFIED_CAMPAIGN, ACTIVE_CAMPAIGN]
    assert answer.json()["meta"] == {"total": 0, "limit": 20, "offset": 0, "next_cursor": None}
    assert "x-next-cursor" not in answer.headers


def test_campaigns_pages_come_through_the_x_next_cursor_header(am):
    seen: list[str] = []
    params = {"limit": 2}
    pages = 0
    while True:
        answer = am.get("/v1/campaigns", params=params)
        seen += ids(answer)
        pages += 1
        assert answer.json()["meta"]["next_cursor"] is None  # documented: the header carries it
        if "x-next-cursor" not in answer.headers:
            break
        params = {"limit": 2, "cursor": answer.headers["x-next-cursor"]}
    assert pages == 3 and len(seen) == len(set(seen)) == 5


def test_campaigns_filter_by_status_and_brand(am):
    assert ids(am.get("/v1/campaigns", params={"status": "ACTIVE"})) == [
        VETTED_CAMPAIGN, UNVERIFIED_CAMPAIGN, ACTIVE_CAMPAIGN,
    ]
    assert ids(am.get("/v1/campaigns", params={"brand_id": VETTED_BRAND})) == [REJECTED_CAMPAIGN, VETTED_CAMPAIGN]
    assert ids(am.get("/v1/campaigns", params={"status": "EXPIRED"})) == []


def test_a_campaign_reads_as_the_documented_resource(am):
    campaign = am.get(f"/v1/campaigns/{ACTIVE_CAMPAIGN}").data
    assert campaign["id"] == ACTIVE_CAMPAIGN and campaign["org_id"] == ORG_ID
    assert campaign["brand_id"] == VERIFIED_BRAND and campaign["status"] == "ACTIVE"
    assert campaign["tcr_campaign_id"] == "CMA1B2C3" and campaign["usecase"] == "CUSTOMER_CARE"
    assert campaign["rejection_reasons"] == [] and campaign["created_at"] == "2025-11-04T10:00:00Z"
    assert {"message_flow", "sample1", "subscriber_optout", "mno_metadata", "monthly_fee"} <= set(campaign)
    rejected = am.get(f"/v1/campaigns/{REJECTED_CAMPAIGN}").data
    assert rejected["rejection_reasons"] == ["opt-in flow not verifiable"] and rejected["rejected_at"]


def test_brands_list_filter_and_read(am):
    assert ids(am.get("/v1/brands")) == [VETTED_BRAND, UNVERIFIED_BRAND, VERIFIED_BRAND]
    assert ids(am.get("/v1/brands", params={"identity_status": "UNVERIFIED"})) == [UNVERIFIED_BRAND]
    assert ids(am.get("/v1/brands", params={"status": "PENDING"})) == []
    first = am.get("/v1/brands", params={"limit": 1})
    assert ids(first) == [VETTED_BRAND] and first.headers["x-next-cursor"]
    brand = am.get(f"/v1/brands/{VERIFIED_BRAND}").data
    assert brand["org_id"] == ORG_ID and brand["identity_status"] == "VERIFIED" and brand["status"] == "ACTIVE"
    assert brand["display_name"] == "Acme Health" and brand["verified_at"] == "2025-11-03T15:20:00Z"
    assert brand["phone"] is None  # unset fields are null


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/campaigns", {"status": "active"}, "status"),
        ("/v1/campaigns", {"brand_id": "x"}, "brand_id"),
        ("/v1/campaigns", {"limit": "0"}, "limit"),
        ("/v1/campaigns", {"cursor": "!!"}, "cursor"),
        ("/v1/brands", {"identity_status": "verified"}, "identity_status"),
        ("/v1/brands", {"limit": "101"}, "limit"),
        ("/v1/campaigns/nope", None, "id"),
        ("/v1/brands/nope", None, "id"),
    ],
)
def test_campaign_and_brand_reads_validate_their_input(api, path, params, field):
    assert list(details_of(api.get(path, params=params), 422, "VALIDATION_FAILED")) == [field]


@pytest.mark.parametrize("path", [f"/v1/campaigns/{UNKNOWN_ID}", f"/v1/campaigns/{OTHER_CAMPAIGN}",
                                  f"/v1/brands/{UNKNOWN_ID}"])
def test_unknown_or_other_orgs_campaigns_and_brands_are_404(api, path):
    error_of(api.get(path), 404, "NOT_FOUND")


def test_the_other_org_sees_its_own_campaign_only(api):
    other = api.as_key(OTHER_KEY)
    assert ids(other.get("/v1/campaigns")) == [OTHER_CAMPAIGN]
    assert other.get(f"/v1/campaigns/{OTHER_CAMPAIGN}").data["status"] == "ACTIVE"
