"""AgentMessage bulk endpoints: release by ids (three buckets) and order by quantity (200 or 202, Idempotency-Key)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    ADMIN_KEY,
    PENDING_CAMPAIGN,
    PLAIN_ID,
    READONLY_KEY,
    SUPPORT_ID,
    TOLL_FREE_ID,
    UNKNOWN_ID,
    search,
    walk,
)
from tests.support.errors import details_of, error_of

FULFILMENT = timedelta(minutes=15).total_seconds()  # when a 202 bulk order settles, on the fake clock


# -- bulk release -----------------------------------------------------------------------------------


def test_bulk_release_sorts_each_unique_id_into_one_bucket(am):
    am.delete(f"/v1/phone-numbers/{TOLL_FREE_ID}")
    ids = [SUPPORT_ID, PLAIN_ID, SUPPORT_ID, UNKNOWN_ID, TOLL_FREE_ID, PLAIN_ID.upper()]
    answer = am.post("/v1/phone-numbers/bulk/release", json={"ids": ids})
    assert answer.data == {"released": [SUPPORT_ID, PLAIN_ID], "unknown": [UNKNOWN_ID],
                           "already_released": [TOLL_FREE_ID]}
    assert walk(am) == []
    again = am.post("/v1/phone-numbers/bulk/release", json={"ids": [SUPPORT_ID]}).data
    assert again == {"released": [], "unknown": [], "already_released": [SUPPORT_ID]}


def test_bulk_released_numbers_are_quarantined_like_single_releases(am):
    am.post("/v1/phone-numbers/bulk/release", json={"ids": [SUPPORT_ID]})
    assert search(am, pattern="+14155550123") == []
    am.world.clock.advance(timedelta(days=30, seconds=5).total_seconds())
    assert search(am, pattern="+14155550123") == ["+14155550123"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"ids": [SUPPORT_ID, "not-a-uuid"]}, "ids[1]", "must be a uuid"),
        ({"ids": []}, "ids", "at least 1"),
        ({"ids": [UNKNOWN_ID] * 101}, "ids", "at most 100"),
        ({}, "ids", "is required"),
        ({"ids": SUPPORT_ID}, "ids", "must be an array"),
    ],
)
def test_bulk_release_refuses_the_whole_call_for_one_bad_id(api, body, field, words):
    assert words in details_of(api.post("/v1/phone-numbers/bulk/release", json=body), 422, "VALIDATION_FAILED")[field]
    assert len(walk(api)) == 3


@pytest.mark.parametrize("key", [None, ADMIN_KEY])
def test_bulk_release_never_returns_numbers_to_the_carrier(api, key):
    caller = api.as_key(key) if key else api
    answer = caller.post("/v1/phone-numbers/bulk/release", params={"return_to_carrier": "true"},
                         json={"ids": [SUPPORT_ID]})
    assert "bulk release" in error_of(answer, 403, "FORBIDDEN")["message"]
    assert len(walk(api)) == 3


def test_bulk_release_needs_numbers_write(api):
    answer = api.as_key(READONLY_KEY).post("/v1/phone-numbers/bulk/release", json={"ids": [SUPPORT_ID]})
    error_of(answer, 403, "FORBIDDEN")


# -- bulk order -------------------------------------------------------------------------------------


def test_a_bulk_order_the_inventory_can_fill_completes_at_once(am):
    body = {"quantity": 3, "number_type": "local", "area_code": "415", "inbound_url": "https://customer.example/in",
            "status_url": "https://customer.example/status", "label": "support-pool", "mode": "atomic"}
    answer = am.post("/v1/phone-numbers/bulk", json=body)
    assert answer.status_code == 200
    data = answer.data
    assert {k: v for k, v in data.items() if k != "assigned_numbers"} == {
        "order_id": None, "status": "complete", "quantity": 3, "assigned_count": 3, "pending_count": 0,
    }
    assert all(n.startswith("+1415") for n in data["assigned_numbers"])
    newest = walk(am)[:3]
    assert sorted(n["number"] for n in newest) == sorted(data["assigned_numbers"])
    assert all(n["label"] == "support-pool" and n["inbound_url"] == body["inbound_url"] for n in newest)


def test_a_bulk_order_the_inventory_cannot_fill_is_202_then_settles(am):
    answer = am.post("/v1/phone-numbers/bulk", json={"quantity": 4, "area_code": "415", "pattern": "+1415999999"})
    assert answer.status_code == 202
    accepted = answer.data
    order_id = accepted["order_id"]
    assert accepted == {"order_id": order_id, "status": "pending", "quantity": 4, "assigned_count": 0,
                        "pending_count": 4, "assigned_numbers": []}
    assert am.as_key(READONLY_KEY).get(f"/v1/phone-numbers/bulk/{order_id}").data == accepted
    am.world.clock.advance(FULFILMENT)
    settled = am.get(f"/v1/phone-numbers/bulk/{order_id}").data
    # The shortfall is ordered from the carrier: numbers in 415, not necessarily matching the pattern.
    assert settled["status"] == "complete" and settled["assigned_count"] == 4 and settled["pending_count"] == 0
    assert "failed_count" not in settled
    assert all(n.startswith("+1415") for n in settled["assigned_numbers"])
    assert {n["number"] for n in walk(am)} >= set(settled["assigned_numbers"])


def test_a_bulk_order_nobody_can_fill_ends_failed(api, world):
    order_id = api.post("/v1/phone-numbers/bulk", json={"quantity": 2, "area_code": "999"}).data["order_id"]
    world.clock.advance(FULFILMENT)
    failed = api.get(f"/v1/phone-numbers/bulk/{order_id}").data
    assert failed == {"order_id": order_id, "status": "failed", "quantity": 2, "assigned_count": 0,
                      "pending_count": 0, "assigned_numbers": [], "failed_count": 2}


def test_a_bulk_order_partly_filled_ends_partial(api, world):
    available = search(api, area_code="212", quantity=100)
    assert 0 < len(available) < 100  # a small area in the default inventory
    wanted = len(available) + 2
    order_id = api.post("/v1/phone-numbers/bulk", json={"quantity": wanted, "area_code": "212"}).data["order_id"]
    world.clock.advance(FULFILMENT)
    partial = api.get(f"/v1/phone-numbers/bulk/{order_id}").data
    assert partial["status"] == "partial" and partial["assigned_count"] == len(available)
    assert partial["failed_count"] == 2 and partial["pending_count"] == 0
    assert search(api, area_code="212") == []


def test_a_pending_order_settles_at_its_time_not_before(api, world):
    order_id = api.post("/v1/phone-numbers/bulk", json={"quantity": 1, "area_code": "415", "pattern": "+14159999999"}
                        ).data["order_id"]
    world.clock.advance(FULFILMENT - 10)
    assert api.get(f"/v1/phone-numbers/bulk/{order_id}").data["status"] == "pending"
    world.clock.advance(10)
    assert api.get(f"/v1/phone-numbers/bulk/{order_id}").data["status"] == "complete"


def test_idempotency_key_replays_the_first_answer_for_24_hours(am):
    headers = {"Idempotency-Key": "order-2026-01-01-a"}
    body = {"quantity": 2, "area_code": "646"}
    first = am.post("/v1/phone-numbers/bulk", json=body, headers=headers)
    count = len(walk(am))
    retry = am.post("/v1/phone-numbers/bulk", json=body, headers=headers)
    assert retry.status_code == first.status_code == 200 and retry.data == first.data
    assert len(walk(am)) == count  # no second order
    other_key = am.post("/v1/phone-numbers/bulk", json=body, headers={"Idempotency-Key": "order-2026-01-01-b"})
    assert other_key.data["assigned_numbers"] != first.data["assigned_numbers"]
    am.world.clock.advance(timedelta(hours=24).total_seconds())
    expired = am.post("/v1/phone-numbers/bulk", json=body, headers=headers)
    assert expired.data["assigned_numbers"] != first.data["assigned_numbers"]
    assert len(walk(am)) == count + 4


def test_idempotency_key_replays_a_202_with_the_same_order_id(api):
    headers = {"Idempotency-Key": "pending-order"}
    first = api.post("/v1/phone-numbers/bulk", json={"quantity": 1, "area_code": "999"}, headers=headers)
    retry = api.post("/v1/phone-numbers/bulk", json={"quantity": 1, "area_code": "999"}, headers=headers)
    assert first.status_code == retry.status_code == 202 and retry.data["order_id"] == first.data["order_id"]


def test_a_refused_bulk_order_does_not_burn_its_idempotency_key(api):
    headers = {"Idempotency-Key": "k"}
    error_of(api.post("/v1/phone-numbers/bulk", json={"quantity": 1, "campaign_id": PENDING_CAMPAIGN},
                      headers=headers), 422, "VALIDATION_FAILED")
    answer = api.post("/v1/phone-numbers/bulk", json={"quantity": 1, "campaign_id": ACTIVE_CAMPAIGN}, headers=headers)
    assert answer.status_code == 200 and answer.data["assigned_count"] == 1


@pytest.mark.parametrize(
    ("body", "headers", "field", "words"),
    [
        ({"quantity": 5, "mode": "immediate_partial"}, {}, "mode", "not yet available"),
        ({"quantity": 0}, {}, "quantity", "at least 1"),
        ({"quantity": 1001}, {}, "quantity", "at most 1000"),
        ({}, {}, "quantity", "is required"),
        ({"quantity": 1, "inbound_url": "http://x"}, {}, "inbound_url", "https://"),
        ({"quantity": 1, "campaign_id": ""}, {}, "campaign_id", "must not be empty"),
        ({"quantity": 1}, {"Idempotency-Key": "k" * 256}, "Idempotency-Key", "255 bytes"),
    ],
)
def test_bulk_order_refuses_bad_input(api, body, headers, field, words):
    answer = api.post("/v1/phone-numbers/bulk", json=body, headers=headers)
    assert words in details_of(answer, 422, "VALIDATION_FAILED")[field]
    assert len(walk(api)) == 3


def test_get_bulk_order_errors(api):
    error_of(api.get(f"/v1/phone-numbers/bulk/{UNKNOWN_ID}"), 404, "NOT_FOUND")
    assert details_of(api.get("/v1/phone-numbers/bulk/release"), 422, "VALIDATION_FAILED") == {"id": "must be a uuid"}
