"""AgentMessage phone numbers: search, order, get, update routing (seed 003) and release, in-process and over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    ADMIN_KEY,
    OTHER_CAMPAIGN,
    OTHER_NUMBER,
    OTHER_NUMBER_ID,
    PENDING_CAMPAIGN,
    PLAIN_ID,
    READONLY_KEY,
    REJECTED_CAMPAIGN,
    SUPPORT_ID,
    TOLL_FREE_ID,
    UNKNOWN_ID,
    UNVERIFIED_CAMPAIGN,
    VETTED_CAMPAIGN,
    order,
    search,
    walk,
)
from tests.support.errors import details_of, error_of
from tests.support.flowroute import FLOWROUTE_AUTH

NUMBER_FIELDS = [
    "id", "number", "number_type", "inbound_url", "status_url", "label", "campaign_id",
    "carrier_line_option_status", "carrier_line_option_propagated_at", "sms_enabled", "mms_enabled",
    "created_at", "updated_at",
]


def number_path(number_id: str) -> str:
    return f"/v1/phone-numbers/{number_id}"


# -- search -----------------------------------------------------------------------------------------


def test_search_previews_ten_purchasable_numbers_by_default(am):
    answer = am.post("/v1/phone-numbers/search", json={})
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == ["success", "data"]  # no meta on search, as documented
    assert len(body["data"]) == 10
    for item in body["data"]:
        assert list(item) == ["number", "number_type"]
        assert item["number"].startswith("+1") and len(item["number"]) == 12
        assert item["number_type"] in ("local", "toll_free")


def test_search_by_area_code_number_type_and_substring_pattern(am):
    in_415 = search(am, area_code="415", number_type="local", quantity=5)
    assert len(in_415) == 5 and all(n.startswith("+1415") for n in in_415)
    with_77 = search(am, pattern="77", quantity=20)
    assert with_77 and all("77" in n for n in with_77)
    # A pattern with "+" matches the start of the E.164 form, like a substring of "+1206...".
    seattle = search(am, pattern="+1206", quantity=20)
    assert seattle and all(n.startswith("+1206") for n in seattle)
    toll_free = am.post("/v1/phone-numbers/search", json={"number_type": "toll_free", "quantity": 20}).data
    assert toll_free and all(i["number_type"] == "toll_free" and i["number"][2:5] in
                             ("800", "833", "844", "855", "866", "877", "888") for i in toll_free)


def test_search_quantity_is_capped_at_100(am):
    assert len(search(am, quantity=150)) == 100
    assert len(search(am, quantity=100)) == 100


def test_search_with_no_match_is_an_empty_list(am):
    assert search(am, number_type="short_code") == []  # the shared inventory holds no short codes
    assert search(am, area_code="415", pattern="+1206") == []
    assert search(am, area_code="999") == []


def test_search_reserves_nothing_and_hides_numbers_someone_owns(am):
    first = search(am, area_code="212", quantity=3)
    assert search(am, area_code="212", quantity=3) == first  # a preview: nothing was held back
    assert search(am, pattern="+14155550123") == []  # owned by the default org
    assert search(am, pattern=OTHER_NUMBER) == []  # owned by another org
    order(am, first[:1])
    assert first[0] not in search(am, area_code="212", quantity=3)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"quantity": 0}, "quantity", "at least 1"),
        ({"quantity": -3}, "quantity", "at least 1"),
        ({"quantity": 2.5}, "quantity", "must be an integer"),
        ({"quantity": "ten"}, "quantity", "must be an integer"),
        ({"area_code": "41"}, "area_code", "3-digit area code"),
        ({"area_code": 415}, "area_code", "must be a string"),
        ({"number_type": "mobile"}, "number_type", "local, toll_free, short_code"),
        ({"pattern": "555-1234"}, "pattern", "digits"),
    ],
)
def test_search_refuses_bad_criteria_naming_the_field(api, body, field, words):
    details = details_of(api.post("/v1/phone-numbers/search", json=body), 422, "VALIDATION_FAILED")
    assert list(details) == [field] and words in details[field]


def test_search_names_every_bad_field_at_once(api):
    answer = api.post("/v1/phone-numbers/search", json={"area_code": "4", "quantity": 0, "pattern": "x"})
    assert set(details_of(answer, 422, "VALIDATION_FAILED")) == {"area_code", "quantity", "pattern"}


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b'"415"', b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_invalid_input(api, data):
    answer = api.post("/v1/phone-numbers/search", data=data, headers={"Content-Type": "application/json"})
    assert "body" in details_of(answer, 400, "INVALID_INPUT")


# -- order ------------------------------------------------------------------------------------------


def test_order_assigns_the_listed_numbers_to_the_org(am):
    wanted = search(am, area_code="646", quantity=2)
    created = order(am, wanted)
    assert [n["number"] for n in created] == wanted
    for number in created:
        assert list(number) == NUMBER_FIELDS
        assert number["number_type"] == "local" and number["sms_enabled"] and number["mms_enabled"]
        assert number["inbound_url"] is None and number["campaign_id"] is None
        assert number["created_at"] == number["updated_at"] == created[0]["created_at"]  # one order, one moment
        assert am.get(number_path(number["id"])).data == number
    assert [n["id"] for n in walk(am)][:2] == sorted((n["id"] for n in created), reverse=True)
    assert not set(wanted) & set(search(am, area_code="646", quantity=100))


def test_order_sets_routing_and_a_campaign_at_order_time(am):
    wanted = search(am, area_code="303", quantity=1)
    routing = {"inbound_url": "https://customer.example/inbound", "status_url": "https://customer.example/status",
               "label": "support-line", "campaign_id": VETTED_CAMPAIGN}
    (number,) = order(am, wanted, **routing)
    assert {k: number[k] for k in routing} == routing
    assert number["carrier_line_option_status"] == "pending"  # the campaign still has to reach the carrier


def test_order_with_empty_strings_for_urls_and_label_sets_nothing(api):
    (number,) = order(api, search(api, quantity=1), inbound_url="", status_url="", label="")
    assert number["inbound_url"] is None and number["status_url"] is None and number["label"] is None


def test_order_drops_duplicate_numbers_silently(api):
    wanted = search(api, quantity=1)
    assert len(order(api, wanted * 3)) == 1


def test_order_is_all_or_nothing_409_names_the_unavailable_numbers(am):
    free = search(am, area_code="718", quantity=2)
    before = walk(am)
    answer = am.post("/v1/phone-numbers/orders", json={"numbers": [free[0], OTHER_NUMBER, free[1], "+447911123456"]})
    error = error_of(answer, 409, "INSUFFICIENT_INVENTORY")
    assert error["message"] == "insufficient inventory"
    assert answer.json()["data"] == {"available_count": 2, "unavailable": [OTHER_NUMBER, "+447911123456"]}
    assert walk(am) == before  # nothing bought
    assert set(free) <= set(search(am, area_code="718", quantity=100))


def test_ordering_a_number_the_org_already_owns_is_409(api):
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": ["+14155550123"]})
    error_of(answer, 409, "INSUFFICIENT_INVENTORY")
    assert answer.json()["data"] == {"available_count": 0, "unavailable": ["+14155550123"]}


def test_a_number_bought_here_is_gone_from_flowroute_too(api, client):
    (number,) = search(api, area_code="512", quantity=1)
    listed = client.get("/v2/numbers/available", query_string={"starts_with": number[1:], "limit": 1},
                        headers=FLOWROUTE_AUTH).json["data"]
    assert [n["id"] for n in listed] == [number[1:]]
    order(api, [number])
    assert client.get("/v2/numbers/available", query_string={"starts_with": number[1:]},
                      headers=FLOWROUTE_AUTH).json["data"] == []


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "numbers", "is required"),
        ({"numbers": []}, "numbers", "at least 1"),
        ({"numbers": "+14155550199"}, "numbers", "must be an array"),
        ({"numbers": ["4155550199"]}, "numbers[0]", "must be E.164"),
        ({"numbers": [f"+1415555{i:04d}" for i in range(101)]}, "numbers", "at most 100"),
        ({"numbers": ["+14155550199"], "inbound_url": "http://customer.example/in"}, "inbound_url", "https://"),
        ({"numbers": ["+14155550199"], "status_url": "ftp://customer.example"}, "status_url", "https://"),
        ({"numbers": ["+14155550199"], "campaign_id": ""}, "campaign_id", "must not be empty"),
        ({"numbers": ["+14155550199"], "campaign_id": "cmp-1"}, "campaign_id", "must be a uuid"),
        ({"numbers": ["+14155550199"], "label": 7}, "label", "must be a string"),
    ],
)
def test_order_refuses_bad_fields_naming_them(api, body, field, words):
    details = details_of(api.post("/v1/phone-numbers/orders", json=body), 422, "VALIDATION_FAILED")
    assert words in details[field]


@pytest.mark.parametrize(
    ("campaign_id", "words"),
    [
        (PENDING_CAMPAIGN, "must be ACTIVE, not PENDING"),
        (REJECTED_CAMPAIGN, "must be ACTIVE, not REJECTED"),
        (UNVERIFIED_CAMPAIGN, "VERIFIED or VETTED_VERIFIED, not UNVERIFIED"),
    ],
)
def test_order_needs_an_active_campaign_with_a_verified_brand(api, campaign_id, words):
    wanted = search(api, quantity=1)
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": wanted, "campaign_id": campaign_id})
    assert words in details_of(answer, 422, "VALIDATION_FAILED")["campaign_id"]
    assert search(api, quantity=1) == wanted  # nothing bought


@pytest.mark.parametrize("campaign_id", [UNKNOWN_ID, OTHER_CAMPAIGN])
def test_order_with_a_campaign_not_in_the_org_is_404_whoever_owns_it(api, campaign_id):
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": search(api, quantity=1), "campaign_id": campaign_id})
    assert "details" not in error_of(answer, 404, "NOT_FOUND")  # details only on validation errors (reference §0)


def test_order_checks_fields_then_the_campaign_then_availability(api):
    body = {"numbers": [OTHER_NUMBER], "campaign_id": UNKNOWN_ID}
    details_of(api.post("/v1/phone-numbers/orders", json={**body, "inbound_url": "http://x"}), 422,
               "VALIDATION_FAILED")
    error_of(api.post("/v1/phone-numbers/orders", json=body), 404, "NOT_FOUND")
    error_of(api.post("/v1/phone-numbers/orders", json={"numbers": [OTHER_NUMBER]}), 409, "INSUFFICIENT_INVENTORY")


# -- get --------------------------------------------------------------------------------------------


def test_get_returns_the_number_by_its_resource_id(am):
    number = am.get(number_path(SUPPORT_ID)).data
    assert number == {
        "id": SUPPORT_ID,
        "number": "+14155550123",
        "number_type": "local",
        "inbound_url": "https://customer.example/inbound",
        "status_url": "https://customer.example/status",
        "label": "support-line",
        "campaign_id": ACTIVE_CAMPAIGN,
        "carrier_line_option_status": None,
        "carrier_line_option_propagated_at": None,
        "sms_enabled": True,
        "mms_enabled": True,
        "created_at": "2025-12-01T10:30:00Z",
        "updated_at": "2025-12-02T08:00:00Z",
    }
    assert am.get(number_path(SUPPORT_ID.upper())).data == number


def test_get_another_orgs_number_is_the_same_404_as_an_unknown_id(am):
    mine = error_of(am.get(number_path(UNKNOWN_ID)), 404, "NOT_FOUND")
    theirs = error_of(am.get(number_path(OTHER_NUMBER_ID)), 404, "NOT_FOUND")
    assert {**mine, "request_id": None} == {**theirs, "request_id": None} == {
        "code": "NOT_FOUND", "message": "not found", "request_id": None,
    }


@pytest.mark.parametrize("bad_id", ["123", "+14155550123", "7c1f0a2d-9e8b-4c3a-9d2e-1f0a2b3c4d5", "bulk"])
def test_a_malformed_id_is_422_not_404(api, bad_id):
    assert details_of(api.get(number_path(bad_id)), 422, "VALIDATION_FAILED") == {"id": "must be a uuid"}


# -- update routing (PATCH), exactly as seed 003 describes it -------------------------------------


def test_patch_updates_a_field_and_moves_updated_at(am):
    before = am.get(number_path(SUPPORT_ID)).data
    after = am.patch(number_path(SUPPORT_ID), json={"inbound_url": "https://customer.example/v2/inbound"}).data
    assert after["inbound_url"] == "https://customer.example/v2/inbound"
    assert after["updated_at"] > before["updated_at"] and after["created_at"] == before["created_at"]
    untouched = {k: v for k, v in after.items() if k not in ("inbound_url", "updated_at")}
    assert untouched == {k: v for k, v in before.items() if k not in ("inbound_url", "updated_at")}
    assert am.get(number_path(SUPPORT_ID)).data == after


def test_patch_null_or_omitted_leaves_fields_unchanged(am):
    before = am.get(number_path(SUPPORT_ID)).data
    after = am.patch(number_path(SUPPORT_ID), json={"label": "renamed", "inbound_url": None}).data
    assert after["label"] == "renamed"
    assert after["inbound_url"] == before["inbound_url"] and after["status_url"] == before["status_url"]
    assert after["campaign_id"] == before["campaign_id"]


@pytest.mark.parametrize("body", [{}, {"inbound_url": None, "status_url": None, "label": None, "campaign_id": None}])
def test_patch_with_nothing_to_change_is_a_no_op(api, body):
    before = api.get(number_path(SUPPORT_ID)).data
    assert api.patch(number_path(SUPPORT_ID), json=body).data == before


def test_patch_empty_strings_clear_inbound_url_status_url_and_label(am):
    after = am.patch(number_path(SUPPORT_ID), json={"inbound_url": "", "status_url": "", "label": ""}).data
    assert after["inbound_url"] is None and after["status_url"] is None and after["label"] is None
    assert after["campaign_id"] == ACTIVE_CAMPAIGN


def test_patch_empty_campaign_id_is_422_and_changes_nothing(am):
    before = am.get(number_path(SUPPORT_ID)).data
    answer = am.patch(number_path(SUPPORT_ID), json={"campaign_id": "", "label": "x"})
    details = details_of(answer, 422, "VALIDATION_FAILED")
    assert list(details) == ["campaign_id"] and "must not be empty" in details["campaign_id"]
    assert am.get(number_path(SUPPORT_ID)).data == before


def test_patch_attaches_or_changes_the_campaign(am):
    attached = am.patch(number_path(PLAIN_ID), json={"campaign_id": ACTIVE_CAMPAIGN}).data
    assert attached["campaign_id"] == ACTIVE_CAMPAIGN and attached["carrier_line_option_status"] == "pending"
    changed = am.patch(number_path(PLAIN_ID), json={"campaign_id": VETTED_CAMPAIGN.upper()}).data
    assert changed["campaign_id"] == VETTED_CAMPAIGN


@pytest.mark.parametrize(
    ("campaign_id", "status", "code"),
    [
        (PENDING_CAMPAIGN, 422, "VALIDATION_FAILED"),
        (UNVERIFIED_CAMPAIGN, 422, "VALIDATION_FAILED"),
        (REJECTED_CAMPAIGN, 422, "VALIDATION_FAILED"),
        (UNKNOWN_ID, 404, "NOT_FOUND"),
        (OTHER_CAMPAIGN, 404, "NOT_FOUND"),
    ],
)
def test_patch_campaign_must_be_attachable(api, campaign_id, status, code):
    before = api.get(number_path(PLAIN_ID)).data
    answer = api.patch(number_path(PLAIN_ID), json={"campaign_id": campaign_id, "label": "x"})
    if status == 404:  # details only on validation errors (reference §0)
        assert "details" not in error_of(answer, status, code)
    else:
        assert "campaign_id" in details_of(answer, status, code)
    assert api.get(number_path(PLAIN_ID)).data == before


@pytest.mark.parametrize("field", ["number", "id", "number_type", "sms_enabled", "created_at", "friendly_name"])
def test_patch_any_other_field_is_400_invalid_input(api, field):
    before = api.get(number_path(SUPPORT_ID)).data
    answer = api.patch(number_path(SUPPORT_ID), json={"label": "ok", field: before.get(field, "x")})
    assert list(details_of(answer, 400, "INVALID_INPUT")) == [field]
    assert api.get(number_path(SUPPORT_ID)).data == before


def test_patch_names_every_unsupported_field(api):
    answer = api.patch(number_path(SUPPORT_ID), json={"number": "+1", "voice_url": "https://x", "label": "ok"})
    assert set(details_of(answer, 400, "INVALID_INPUT")) == {"number", "voice_url"}


@pytest.mark.parametrize(
    "url", ["http://customer.example/in", "ftp://customer.example", "customer.example/in", "https://", "https:// x"],
)
def test_patch_urls_must_use_https(api, url):
    answer = api.patch(number_path(SUPPORT_ID), json={"inbound_url": url, "status_url": url})
    assert details_of(answer, 422, "VALIDATION_FAILED") == {
        "inbound_url": "must use https://", "status_url": "must use https://",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [({"label": 5}, "label"), ({"label": "x" * 256}, "label"), ({"inbound_url": ["https://x"]}, "inbound_url"),
     ({"campaign_id": 12}, "campaign_id"), ({"campaign_id": "not-a-uuid"}, "campaign_id")],
)
def test_patch_wrong_types_are_422(api, body, field):
    assert list(details_of(api.patch(number_path(SUPPORT_ID), json=body), 422, "VALIDATION_FAILED")) == [field]


def test_patch_structure_is_checked_before_field_values(api):
    answer = api.patch(number_path("nope"), json={"number": "+1", "inbound_url": "http://x"})
    assert list(details_of(answer, 400, "INVALID_INPUT")) == ["number"]
    answer = api.patch(number_path("nope"), json={"inbound_url": "http://x"})
    assert details_of(answer, 422, "VALIDATION_FAILED") == {"id": "must be a uuid", "inbound_url": "must use https://"}


def test_patch_another_orgs_number_is_404(api):
    error_of(api.patch(number_path(OTHER_NUMBER_ID), json={"label": "mine now"}), 404, "NOT_FOUND")
    assert api.as_key("am_test_fakeroute_other").get(number_path(OTHER_NUMBER_ID)).data["label"] == "Chicago support"


def test_patch_needs_numbers_write(api):
    error = error_of(api.as_key(READONLY_KEY).patch(number_path(SUPPORT_ID), json={"label": "x"}), 403, "FORBIDDEN")
    assert error == {**error, "message": "missing required scope"} and "details" not in error


# -- release ----------------------------------------------------------------------------------------


def test_release_recycles_the_number_and_it_is_gone(am):
    assert am.delete(number_path(SUPPORT_ID)).json() == {"success": True, "data": {"status": "released"}}
    error_of(am.get(number_path(SUPPORT_ID)), 404, "NOT_FOUND")
    assert SUPPORT_ID not in [n["id"] for n in walk(am)]
    error_of(am.delete(number_path(SUPPORT_ID)), 404, "NOT_FOUND")  # releasing twice


def test_a_released_number_sits_out_a_30_day_quarantine_then_returns_without_routing(am):
    am.delete(number_path(SUPPORT_ID))
    assert search(am, pattern="+14155550123") == []
    error_of(am.post("/v1/phone-numbers/orders", json={"numbers": ["+14155550123"]}), 409, "INSUFFICIENT_INVENTORY")
    am.world.clock.advance(timedelta(days=30).total_seconds() - 5)
    assert search(am, pattern="+14155550123") == []
    am.world.clock.advance(10)
    assert search(am, pattern="+14155550123") == ["+14155550123"]
    (again,) = order(am, ["+14155550123"])
    assert again["id"] != SUPPORT_ID
    assert again["inbound_url"] is None and again["label"] is None and again["campaign_id"] is None


def test_return_to_carrier_is_admin_only(am):
    error = error_of(am.delete(number_path(SUPPORT_ID), params={"return_to_carrier": "true"}), 403, "FORBIDDEN")
    assert error["message"] == "return_to_carrier is admin-only: forbidden"
    assert am.get(number_path(SUPPORT_ID)).status_code == 200  # left untouched


@pytest.mark.parametrize("flag", ["True", "1", "t"])
def test_return_to_carrier_reads_booleans_as_clients_send_them(api, flag):
    """``requests`` sends ``params={"return_to_carrier": True}`` as ``True``: still the admin-only flag."""
    error_of(api.delete(number_path(SUPPORT_ID), params={"return_to_carrier": flag}), 403, "FORBIDDEN")


def test_return_to_carrier_with_the_admin_scope_gives_the_number_up_for_good(am):
    admin = am.as_key(ADMIN_KEY)
    assert admin.delete(number_path(SUPPORT_ID), params={"return_to_carrier": "true"}).data == {"status": "released"}
    am.world.clock.advance(timedelta(days=365).total_seconds())
    assert search(am, pattern="+14155550123") == []


def test_release_with_return_to_carrier_false_is_an_ordinary_release(api):
    assert api.delete(number_path(PLAIN_ID), params={"return_to_carrier": "false"}).data == {"status": "released"}


@pytest.mark.parametrize(
    ("key", "path", "params", "status", "code"),
    [
        (READONLY_KEY, number_path(SUPPORT_ID), None, 403, "FORBIDDEN"),
        (None, number_path(OTHER_NUMBER_ID), None, 404, "NOT_FOUND"),
        (None, number_path(UNKNOWN_ID), None, 404, "NOT_FOUND"),
        (None, number_path("x"), None, 422, "VALIDATION_FAILED"),
        (None, number_path(SUPPORT_ID), {"return_to_carrier": "yes"}, 422, "VALIDATION_FAILED"),
    ],
)
def test_release_refusals_leave_the_number_alone(api, key, path, params, status, code):
    caller = api.as_key(key) if key else api
    error_of(caller.delete(path, params=params), status, code)
    assert len(walk(api)) == 3
    assert api.as_key("am_test_fakeroute_other").get(number_path(OTHER_NUMBER_ID)).status_code == 200


# -- the PhoneNumber list ---------------------------------------------------------------------------


def test_list_is_newest_first_with_the_documented_meta(am):
    body = am.get("/v1/phone-numbers").json()
    assert [n["id"] for n in body["data"]] == [TOLL_FREE_ID, PLAIN_ID, SUPPORT_ID]
    assert body["meta"] == {"total": 0, "limit": 20, "offset": 0, "next_cursor": None}
    assert body["data"][0]["number_type"] == "toll_free"


def test_list_cursor_is_the_documented_opaque_base64_keyset(am):
    body = am.get("/v1/phone-numbers", params={"limit": 1}).json()
    cursor = body["meta"]["next_cursor"]
    decoded = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert decoded == {"created_at": "2025-12-10T14:00:00Z", "id": TOLL_FREE_ID}
    second = am.get("/v1/phone-numbers", params={"limit": 1, "cursor": cursor}).json()
    assert [n["id"] for n in second["data"]] == [PLAIN_ID] and second["meta"]["limit"] == 1
    third = am.get("/v1/phone-numbers", params={"limit": 1, "cursor": second["meta"]["next_cursor"]}).json()
    assert [n["id"] for n in third["data"]] == [SUPPORT_ID] and third["meta"]["next_cursor"] is None


def test_list_filters_by_number_type_campaign_and_search(am):
    def ids(**params):
        return [n["id"] for n in walk(am, **params)]

    assert ids(number_type="toll_free") == [TOLL_FREE_ID]
    assert ids(number_type="local") == [PLAIN_ID, SUPPORT_ID]
    assert ids(number_type="short_code") == []
    assert ids(campaign_id=ACTIVE_CAMPAIGN) == [SUPPORT_ID]
    assert ids(search="SUPPORT") == [SUPPORT_ID]  # the label, case-insensitive
    assert ids(search="5550124") == [PLAIN_ID]  # the number
    assert ids(search="+1888") == [TOLL_FREE_ID]
    assert ids(search=" 1888") == [TOLL_FREE_ID]  # what a raw ?search=+1888 decodes to


def test_a_filtered_page_may_be_short_while_the_cursor_still_advances(am):
    """As documented: the filter applies after the page is cut, so iterate until next_cursor is null."""
    first = am.get("/v1/phone-numbers", params={"limit": 1, "number_type": "local"}).json()
    assert first["data"] == [] and first["meta"]["next_cursor"] is not None
    assert [n["id"] for n in walk(am, limit=1, number_type="local")] == [PLAIN_ID, SUPPORT_ID]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"number_type": "mobile"}, "number_type"),
        ({"campaign_id": "abc"}, "campaign_id"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": base64.b64encode(b'{"id": 1}').decode()}, "cursor"),
        ({"cursor": base64.b64encode(b'{"created_at": 5, "id": "x"}').decode()}, "cursor"),
        ({"cursor": base64.b64encode(b'{"created_at": "yesterday", "id": "x"}').decode()}, "cursor"),
    ],
)
def test_list_refuses_bad_query_parameters(api, params, field):
    assert list(details_of(api.get("/v1/phone-numbers", params=params), 422, "VALIDATION_FAILED")) == [field]


def test_list_names_every_bad_query_parameter(api):
    answer = api.get("/v1/phone-numbers", params={"limit": "0", "number_type": "x", "campaign_id": "y"})
    assert set(details_of(answer, 422, "VALIDATION_FAILED")) == {"limit", "number_type", "campaign_id"}


def test_a_read_only_key_lists_and_gets_but_cannot_order(am):
    reader = am.as_key(READONLY_KEY)
    assert len(reader.get("/v1/phone-numbers").data) == 3
    assert reader.get(number_path(SUPPORT_ID)).data["number"] == "+14155550123"
    error_of(reader.post("/v1/phone-numbers/orders", json={"numbers": search(am, quantity=1)}), 403, "FORBIDDEN")
    error_of(reader.post("/v1/phone-numbers/search", json={}), 403, "FORBIDDEN")  # search needs numbers:write
