"""AgentMessage access: bearer keys (401), the scope matrix (403), tenant isolation (404), the envelope."""

from __future__ import annotations

import pytest

from fakeroute.providers import PROVIDERS
from fakeroute.providers.agentmessage.models import DEFAULT_SCOPES
from tests.support.agentmessage import (
    ADMIN_KEY,
    DEFAULT_KEY,
    OTHER_CAMPAIGN,
    OTHER_KEY,
    OTHER_NUMBER,
    OTHER_NUMBER_ID,
    READONLY_KEY,
    SUPPORT_ID,
    ULID,
    UNKNOWN_ID,
    VERIFIED_BRAND,
    order,
    search,
    walk,
)
from tests.support.errors import details_of, error_of

# -- authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer am_live_nobody_has_this_key", "Basic YW1fdGVzdDp4",
     f"Token {DEFAULT_KEY}", f"Bearer {DEFAULT_KEY}x"],
)
def test_a_missing_or_unknown_key_is_401(am, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    error = error_of(am.as_key(None).get("/v1/phone-numbers", headers=headers), 401, "UNAUTHORIZED")
    assert error["message"] == "authentication failed" and "details" not in error


def test_the_bearer_scheme_is_case_insensitive(api):
    answer = api.as_key(None).get("/v1/phone-numbers", headers={"Authorization": f"bearer {DEFAULT_KEY}"})
    assert answer.status_code == 200


def test_authentication_comes_before_everything_else(api):
    anonymous = api.as_key(None)
    error_of(anonymous.get("/v1/phone-numbers/not-a-uuid"), 401, "UNAUTHORIZED")
    error_of(anonymous.patch(f"/v1/phone-numbers/{SUPPORT_ID}", json={"number": "x"}), 401, "UNAUTHORIZED")
    error_of(anonymous.post("/v1/phone-numbers/orders", data=b"{oops"), 401, "UNAUTHORIZED")


# -- envelope and request ids -----------------------------------------------------------------------


def test_every_answer_carries_a_unique_request_id_header(am):
    answers = [
        am.get("/v1/phone-numbers"),
        am.get(f"/v1/phone-numbers/{SUPPORT_ID}"),
        am.get("/v1/phone-numbers/nope"),
        am.as_key(None).get("/v1/phone-numbers"),
        am.get("/v1/phone-numbers"),
    ]
    ids = [a.headers["x-request-id"] for a in answers]
    assert all(ULID.match(i) for i in ids) and len(set(ids)) == len(ids)
    for answer in answers[2:4]:
        assert answer.json()["error"]["request_id"] == answer.headers["x-request-id"]


def test_request_ids_follow_the_seed(api, world):
    """The same calls against a fresh World of the same seed give the same ids."""
    first = [api.get("/v1/phone-numbers").headers["x-request-id"] for _ in range(3)]
    world.reset()
    again = [api.get("/v1/phone-numbers").headers["x-request-id"] for _ in range(3)]
    assert first == again


def test_success_envelopes_have_no_error_and_errors_have_no_data_unless_typed(api):
    ok = api.get(f"/v1/phone-numbers/{SUPPORT_ID}").json()
    assert list(ok) == ["success", "data"]
    listed = api.get("/v1/phone-numbers").json()
    assert list(listed) == ["success", "data", "meta"]
    missing = api.get(f"/v1/phone-numbers/{OTHER_NUMBER_ID}").json()
    assert list(missing) == ["success", "error"]
    conflict = api.post("/v1/phone-numbers/orders", json={"numbers": [OTHER_NUMBER]}).json()
    assert list(conflict) == ["success", "data", "error"]


def test_unknown_v1_paths_and_methods_answer_in_the_envelope(api):
    error_of(api.get("/v1/nothing-here"), 404, "NOT_FOUND")
    error_of(api.request("PUT", f"/v1/phone-numbers/{SUPPORT_ID}"), 405, "METHOD_NOT_ALLOWED")


def test_an_oversized_body_is_refused_in_the_envelope(api):
    too_big = b"x" * ((1 << 20) + 1)
    answer = api.post("/v1/phone-numbers/orders", data=too_big, headers={"Content-Type": "application/json"})
    error_of(answer, 413, "PAYLOAD_TOO_LARGE")


# -- the scope matrix -------------------------------------------------------------------------------

ENDPOINTS = {
    # operation: (method, path, body, scope)
    "search_phone_numbers": ("POST", "/v1/phone-numbers/search", {}, "numbers:write"),
    "order_phone_numbers": ("POST", "/v1/phone-numbers/orders", {"numbers": []}, "numbers:write"),
    "list_phone_numbers": ("GET", "/v1/phone-numbers", None, "numbers:read"),
    "get_phone_number": ("GET", f"/v1/phone-numbers/{SUPPORT_ID}", None, "numbers:read"),
    "update_phone_number": ("PATCH", f"/v1/phone-numbers/{SUPPORT_ID}", {}, "numbers:write"),
    "release_phone_number": ("DELETE", f"/v1/phone-numbers/{SUPPORT_ID}", None, "numbers:write"),
    "bulk_release_phone_numbers": ("POST", "/v1/phone-numbers/bulk/release", {"ids": []}, "numbers:write"),
    "bulk_order_phone_numbers": ("POST", "/v1/phone-numbers/bulk", {"quantity": 0}, "numbers:write"),
    "get_bulk_order": ("GET", f"/v1/phone-numbers/bulk/{UNKNOWN_ID}", None, "numbers:read"),
    "send_message": ("POST", "/v1/messages", {}, "messages:send"),
    "list_messages": ("GET", "/v1/messages", None, "messages:read"),
    "get_message": ("GET", f"/v1/messages/{UNKNOWN_ID}", None, "messages:read"),
    "list_inbound_messages": ("GET", "/v1/inbound-messages", None, "messages:read"),
    "get_inbound_message": ("GET", f"/v1/inbound-messages/{UNKNOWN_ID}", None, "messages:read"),
    "create_campaign": ("POST", "/v1/campaigns", {}, "campaigns:write"),
    "list_campaigns": ("GET", "/v1/campaigns", None, "campaigns:read"),
    "review_campaign_draft": ("POST", "/v1/campaigns/review", {"usecase": 1}, "campaigns:write"),
    "get_campaign": ("GET", f"/v1/campaigns/{OTHER_CAMPAIGN}", None, "campaigns:read"),
    "create_brand": ("POST", "/v1/brands", {}, "brands:write"),
    "list_brands": ("GET", "/v1/brands", None, "brands:read"),
    "get_brand": ("GET", f"/v1/brands/{VERIFIED_BRAND}", None, "brands:read"),
    "create_api_key": ("POST", "/v1/api-keys", {"scopes": []}, "apikeys:write"),
    "list_api_keys": ("GET", "/v1/api-keys", None, "apikeys:read"),
    "revoke_api_key": ("DELETE", f"/v1/api-keys/{UNKNOWN_ID}", None, "apikeys:write"),
    "rotate_api_key": ("POST", f"/v1/api-keys/{UNKNOWN_ID}/rotate", None, "apikeys:write"),
    "create_webhook_endpoint": ("POST", "/v1/webhooks", {}, "webhooks:write"),
    "list_webhook_endpoints": ("GET", "/v1/webhooks", None, "webhooks:read"),
    "list_webhook_deliveries": ("GET", "/v1/webhooks/deliveries", None, "webhooks:read"),
    "replay_webhook_delivery": ("POST", f"/v1/webhooks/deliveries/{UNKNOWN_ID}/replay", None, "webhooks:write"),
    "delete_webhook_endpoint": ("DELETE", f"/v1/webhooks/{UNKNOWN_ID}", None, "webhooks:write"),
    "capture_attested_consent": ("POST", "/v1/consent", {}, "consent:write"),
    "initiate_double_opt_in": ("POST", "/v1/consent/double-opt-in", {}, "consent:write"),
    "mint_hosted_consent_token": ("POST", "/v1/consent/hosted", {}, "consent:write"),
}
KEY_SCOPES = {
    DEFAULT_KEY: set(DEFAULT_SCOPES),
    READONLY_KEY: {"numbers:read"},
    ADMIN_KEY: {"numbers:read", "numbers:write", "campaigns:read", "brands:read"},
}


def test_the_matrix_covers_every_operation_with_its_documented_scope():
    provider = next(p for p in PROVIDERS if p.name == "agentmessage")
    assert {op.name: op.scope for op in provider.operations} == {name: e[3] for name, e in ENDPOINTS.items()}


@pytest.mark.parametrize("operation", list(ENDPOINTS))
def test_a_key_lacking_exactly_the_scope_gets_403_in_process_and_over_http(am, operation):
    method, path, body, scope = ENDPOINTS[operation]
    scopes = [s for s in DEFAULT_SCOPES if s != scope]
    key = am.post("/v1/api-keys", json={"label": f"all but {scope}", "scopes": scopes}).data["plaintext"]
    answer = am.as_key(key).request(method, path, json=body)
    assert error_of(answer, 403, "FORBIDDEN")["message"] == "missing required scope"


@pytest.mark.parametrize("key", list(KEY_SCOPES))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_scope_matrix(api, key, endpoint):
    """Each endpoint needs its documented scope; without it, 403 before the input is even looked at
    (the bodies above are deliberately invalid where the endpoint takes one)."""
    method, path, body, scope = ENDPOINTS[endpoint]
    answer = api.as_key(key).request(method, path, json=body)
    if scope in KEY_SCOPES[key]:
        assert answer.status_code != 403, answer
    else:
        assert error_of(answer, 403, "FORBIDDEN")["message"] == "missing required scope"


def test_a_scope_refusal_changes_nothing(api):
    reader = api.as_key(READONLY_KEY)
    wanted = search(api, quantity=1)
    error_of(reader.post("/v1/phone-numbers/orders", json={"numbers": wanted}), 403, "FORBIDDEN")
    error_of(reader.delete(f"/v1/phone-numbers/{SUPPORT_ID}"), 403, "FORBIDDEN")
    assert search(api, quantity=1) == wanted and len(walk(api)) == 3


def test_a_new_accounts_key_gets_the_default_scopes_and_an_empty_org(client, api):
    created = client.post("/_fakeroute/accounts", json={"name": "fresh"}).json["agentmessage"]
    (key,) = created["api_keys"]
    assert key["key"].startswith("am_test_") and "platform:inventory:write" not in key["scopes"]
    assert {"numbers:read", "numbers:write", "campaigns:read", "brands:read"} <= set(key["scopes"])
    fresh = api.as_key(key["key"])
    assert fresh.get("/v1/phone-numbers").data == []
    assert fresh.get("/v1/campaigns").data == [] and fresh.get("/v1/brands").data == []
    (bought,) = order(fresh, search(fresh, quantity=1))
    assert [n["id"] for n in fresh.get("/v1/phone-numbers").data] == [bought["id"]]


def test_the_admin_api_lists_each_orgs_keys_and_scopes(client):
    accounts = {a["id"]: a["agentmessage"] for a in client.get("/_fakeroute/accounts").json["accounts"]}
    keys = {k["key"]: k["scopes"] for k in accounts["default"]["api_keys"]}
    assert keys[READONLY_KEY] == ["numbers:read"] and "platform:inventory:write" in keys[ADMIN_KEY]
    assert [k["key"] for k in accounts["other"]["api_keys"]] == [OTHER_KEY]


# -- tenant isolation -------------------------------------------------------------------------------


def test_each_org_sees_only_its_own_numbers(am):
    other = am.as_key(OTHER_KEY)
    assert [n["id"] for n in walk(other)] == [OTHER_NUMBER_ID]
    assert OTHER_NUMBER_ID not in [n["id"] for n in walk(am)]
    (bought,) = order(am, search(am, quantity=1))
    assert [n["id"] for n in walk(other)] == [OTHER_NUMBER_ID]
    error_of(other.get(f"/v1/phone-numbers/{bought['id']}"), 404, "NOT_FOUND")
    error_of(other.patch(f"/v1/phone-numbers/{bought['id']}", json={"label": "x"}), 404, "NOT_FOUND")
    error_of(other.delete(f"/v1/phone-numbers/{bought['id']}"), 404, "NOT_FOUND")
    assert am.get(f"/v1/phone-numbers/{bought['id']}").data == bought


def test_another_orgs_campaigns_brands_and_bulk_orders_are_404(api):
    other = api.as_key(OTHER_KEY)
    error_of(api.get(f"/v1/campaigns/{OTHER_CAMPAIGN}"), 404, "NOT_FOUND")
    error_of(other.get(f"/v1/brands/{VERIFIED_BRAND}"), 404, "NOT_FOUND")
    pending = api.post("/v1/phone-numbers/bulk", json={"quantity": 3, "area_code": "999"})
    order_id = pending.data["order_id"]
    error_of(other.get(f"/v1/phone-numbers/bulk/{order_id}"), 404, "NOT_FOUND")
    assert api.get(f"/v1/phone-numbers/bulk/{order_id}").data["order_id"] == order_id


def test_another_orgs_number_lands_in_unknown_on_bulk_release_and_stays_theirs(api):
    released = api.post("/v1/phone-numbers/bulk/release", json={"ids": [OTHER_NUMBER_ID]}).data
    assert released == {"released": [], "unknown": [OTHER_NUMBER_ID], "already_released": []}
    assert api.as_key(OTHER_KEY).get(f"/v1/phone-numbers/{OTHER_NUMBER_ID}").status_code == 200


def test_a_details_free_404_does_not_reveal_who_owns_a_number(api):
    assert details_of(api.patch(f"/v1/phone-numbers/{OTHER_NUMBER_ID}", json={"inbound_url": "http://x"}), 422,
                      "VALIDATION_FAILED") == {"inbound_url": "must use https://"}
    assert "details" not in error_of(api.patch(f"/v1/phone-numbers/{OTHER_NUMBER_ID}", json={"label": "x"}), 404,
                                     "NOT_FOUND")


# -- unmodified client code against the real host ---------------------------------------------------


def test_httpx_and_requests_reach_the_fake_at_the_real_host(app):
    """Downstream code keeps calling https://api.agentmsg.io; in-process interception answers it."""
    import httpx
    import requests

    from fakeroute.transport import Interceptor

    headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    with Interceptor(app):
        with httpx.Client(base_url="https://api.agentmsg.io", headers=headers) as am_http:
            found = am_http.post("/v1/phone-numbers/search", json={"area_code": "415", "quantity": 1}).json()
            ordered = am_http.post("/v1/phone-numbers/orders", json={"numbers": [found["data"][0]["number"]]})
            assert ordered.status_code == 200 and ordered.headers["X-Request-Id"]
        listed = requests.get("https://api.agentmsg.io/v1/phone-numbers", headers=headers, timeout=5).json()
        assert listed["data"][0]["id"] == ordered.json()["data"][0]["id"]
        denied = requests.delete(f"https://api.agentmsg.io/v1/phone-numbers/{SUPPORT_ID}",
                                 params={"return_to_carrier": True}, headers=headers, timeout=5)
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "FORBIDDEN"
