"""AgentMessage API keys: create (the secret once), list (never the secret), revoke, rotate, the scope rules,
and the 10 per minute of creation."""

from __future__ import annotations

import pytest

from tests.support.agentmessage import READONLY_KEY, ULID, UNKNOWN_ID
from tests.support.errors import error_of


def create(am, label="reporting", scopes=("messages:read",)):
    return am.post("/v1/api-keys", json={"label": label, "scopes": list(scopes)})


def test_a_new_key_shows_its_secret_once_and_works_at_once(am):
    answer = create(am, scopes=["messages:read", "numbers:read"])
    assert answer.status_code == 201
    key = answer.data
    assert key["plaintext"].startswith("am_test_") and key["prefix"] == key["plaintext"][:12]
    assert key["scopes"] == ["messages:read", "numbers:read"] and key["label"] == "reporting"
    assert key["revoked_at"] is None and key["last_used_at"] is None and key["created_at"]
    fresh = am.as_key(key["plaintext"])
    assert fresh.get("/v1/messages").status_code == 200
    error_of(fresh.get("/v1/brands"), 403, "FORBIDDEN")  # only the scopes it was given
    listed = {k["id"]: k for k in am.get("/v1/api-keys").data}
    assert "plaintext" not in listed[key["id"]] and listed[key["id"]]["last_used_at"] is not None
    assert all("plaintext" not in k for k in listed.values())


def test_keys_are_listed_newest_first_with_meta_next_cursor(am):
    am.world.clock.advance(1)  # the scenario's keys were made at the clock's start
    made = [create(am, label=f"k{i}").data["id"] for i in range(3)]
    first = am.get("/v1/api-keys", params={"limit": 2}).json()
    assert [k["id"] for k in first["data"]] == made[::-1][:2] and first["meta"]["limit"] == 2
    rest = am.get("/v1/api-keys", params={"limit": 2, "cursor": first["meta"]["next_cursor"]}).json()
    assert rest["data"][0]["id"] == made[0]
    everything = am.get("/v1/api-keys").json()
    assert everything["meta"]["limit"] == 50 and everything["meta"]["next_cursor"] is None
    assert len(everything["data"]) == 3 + 3  # and the scenario's three keys


def test_a_revoked_key_is_401_and_stays_listed_unless_asked_not_to(am):
    key = create(am).data
    revoked = am.delete(f"/v1/api-keys/{key['id']}")
    assert revoked.status_code == 200 and revoked.data["revoked_at"] and "plaintext" not in revoked.data
    error_of(am.as_key(key["plaintext"]).get("/v1/messages"), 401, "UNAUTHORIZED")
    assert am.delete(f"/v1/api-keys/{key['id']}").data["revoked_at"] == revoked.data["revoked_at"]  # twice: same
    assert key["id"] in [k["id"] for k in am.get("/v1/api-keys").data]
    live = am.get("/v1/api-keys", params={"include_revoked": "false"}).data
    assert key["id"] not in [k["id"] for k in live]


def test_a_key_may_revoke_itself(am):
    key = create(am, scopes=["apikeys:write"]).data
    own = am.as_key(key["plaintext"])
    assert own.delete(f"/v1/api-keys/{key['id']}").status_code == 200
    error_of(own.delete(f"/v1/api-keys/{key['id']}"), 401, "UNAUTHORIZED")


def test_revoking_a_scenario_key_takes_it_out_of_the_admin_credentials(api, client):
    readonly = next(k for k in api.get("/v1/api-keys").data if k["label"] == "read-only numbers")
    api.delete(f"/v1/api-keys/{readonly['id']}")
    error_of(api.as_key(READONLY_KEY).get("/v1/phone-numbers"), 401, "UNAUTHORIZED")
    accounts = {a["id"]: a["agentmessage"] for a in client.get("/_fakeroute/accounts").json["accounts"]}
    assert READONLY_KEY not in [k["key"] for k in accounts["default"]["api_keys"]]


def test_rotation_keeps_the_key_and_replaces_its_secret(am):
    key = create(am).data
    rotated = am.post(f"/v1/api-keys/{key['id']}/rotate")
    assert rotated.status_code == 200
    assert rotated.data["id"] == key["id"] and rotated.data["scopes"] == key["scopes"]
    assert rotated.data["plaintext"] != key["plaintext"]
    error_of(am.as_key(key["plaintext"]).get("/v1/messages"), 401, "UNAUTHORIZED")
    assert am.as_key(rotated.data["plaintext"]).get("/v1/messages").status_code == 200


def test_rotating_the_default_key_keeps_it_first_in_the_credentials(api, client):
    default = next(k for k in api.get("/v1/api-keys").data if k["label"].startswith("default"))
    secret = api.post(f"/v1/api-keys/{default['id']}/rotate").data["plaintext"]
    (first, *_) = next(a for a in client.get("/_fakeroute/accounts").json["accounts"]
                       if a["id"] == "default")["agentmessage"]["api_keys"]
    assert first["key"] == secret


def test_a_revoked_key_cannot_be_rotated_and_unknown_ids_are_404(api):
    key = create(api).data
    api.delete(f"/v1/api-keys/{key['id']}")
    error_of(api.post(f"/v1/api-keys/{key['id']}/rotate"), 409, "CONFLICT")
    error_of(api.post(f"/v1/api-keys/{UNKNOWN_ID}/rotate"), 404, "NOT_FOUND")
    error_of(api.delete(f"/v1/api-keys/{UNKNOWN_ID}"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        (["messages:write"], 'api key: unknown scope "messages:write": UNKNOWN_SCOPE: invalid input'),
        ([""], 'api key: unknown scope "": UNKNOWN_SCOPE: invalid input'),
        ([], "api key: no scopes: EMPTY_SCOPES: invalid input"),
        (["messages:read", "messages:read"],
         'api key: duplicate scope "messages:read": DUPLICATE_SCOPE: invalid input'),
    ],
)
def test_unknown_empty_or_duplicate_scopes_are_400(api, scopes, message):
    error = error_of(create(api, scopes=scopes), 400, "INVALID_INPUT")
    assert error["message"] == message and list(error["details"]) == ["scopes"]


def test_a_key_cannot_grant_scopes_it_does_not_hold(api):
    """The default key lacks the admin scope; the admin key holds it but not apikeys:write."""
    error = error_of(create(api, scopes=["numbers:read", "platform:inventory:write"]), 403, "FORBIDDEN")
    assert "exceed" in error["message"]
    limited = api.as_key(create(api, scopes=["apikeys:write", "numbers:read"]).data["plaintext"])
    error_of(limited.post("/v1/api-keys", json={"label": "x", "scopes": ["messages:send"]}), 403, "FORBIDDEN")
    assert limited.post("/v1/api-keys", json={"label": "x", "scopes": ["numbers:read"]}).status_code == 201


@pytest.mark.parametrize(("body", "field"), [({"scopes": ["numbers:read"]}, "label"), ({"label": ""}, "label"),
                                             ({"label": "x", "scopes": "numbers:read"}, "scopes")])
def test_a_malformed_key_request_is_422(api, body, field):
    assert field in error_of(api.post("/v1/api-keys", json=body), 422, "VALIDATION_FAILED")["details"]


def test_creating_and_rotating_keys_share_ten_per_minute(am):
    made = [create(am).data for _ in range(9)]
    assert am.post(f"/v1/api-keys/{made[0]['id']}/rotate").status_code == 200  # the tenth of the minute
    refused = create(am)
    error = error_of(refused, 429, "RATE_LIMITED")
    assert error["message"] == "rate limited" and ULID.match(error["request_id"])
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    error_of(am.post(f"/v1/api-keys/{made[1]['id']}/rotate"), 429, "RATE_LIMITED")
    assert am.get("/v1/api-keys").status_code == 200  # reads are not limited
    am.world.clock.advance(wait)
    assert create(am).status_code == 201
