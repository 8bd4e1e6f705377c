"""AgentMessage organization webhooks: endpoints registered, listed and deleted, events delivered (over real HTTP
to a local receiver), the delivery feed with its filters, and replays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakeroute.providers.agentmessage.models import EVENT_TYPES
from tests.support.agentmessage import OTHER_KEY, UNKNOWN_ID, agentmessage, fresh_org
from tests.support.errors import details_of, error_of
from tests.support.harness import Target
from tests.support.receiver import Receiver, free_port_url

HOOK = "https://hooks.example/agentmessage"


def register(api, url=HOOK, events=("api_key.created",), **fields):
    return api.post("/v1/webhooks", json={"url": url, "events": list(events), **fields})


def make_key(api, label="ci"):
    assert api.post("/v1/api-keys", json={"label": label, "scopes": ["messages:read"]}).status_code == 201


def deliveries(api, **params):
    answer = api.get("/v1/webhooks/deliveries", params=params)
    assert answer.status_code == 200, answer
    return answer.data


# -- endpoints --------------------------------------------------------------------------------------


def test_an_endpoint_shows_its_secret_once_and_is_listed_without_it(am):
    answer = register(am, events=["campaign.approved", "campaign.rejected"], description="10DLC status")
    assert answer.status_code == 201
    endpoint = answer.data
    assert endpoint["secret_displayed_once"] is True and len(endpoint["secret"]) == 44  # base64 of 32 bytes
    assert (endpoint["url"], endpoint["events"], endpoint["active"], endpoint["api_version"]) == (
        HOOK, ["campaign.approved", "campaign.rejected"], True, "2026-04-01")
    (listed,) = am.get("/v1/webhooks").data
    assert "secret" not in listed and listed["id"] == endpoint["id"]
    assert am.get("/v1/webhooks").json()["meta"]["next_cursor"] is None


def test_a_deleted_endpoint_gets_no_more_events_and_is_gone(api):
    endpoint = register(api).data
    make_key(api)
    deleted = api.delete(f"/v1/webhooks/{endpoint['id']}")
    assert deleted.status_code == 200 and deleted.data["active"] is False and deleted.data["deleted_at"]
    make_key(api, "after")
    assert len(deliveries(api)) == 1  # the event before the delete
    assert api.get("/v1/webhooks").data == []
    error_of(api.delete(f"/v1/webhooks/{endpoint['id']}"), 404, "NOT_FOUND")
    error_of(api.as_key(OTHER_KEY).delete(f"/v1/webhooks/{UNKNOWN_ID}"), 404, "NOT_FOUND")


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"url": "http://hooks.example/x", "events": ["brand.vetted"]}, "url", "must use https://"),
    ({"url": HOOK, "events": []}, "events", "1 to 50"),
    ({"url": HOOK, "events": ["brand.vetted", "brand.vetted"]}, "events", "each once"),
    ({"url": HOOK, "events": ["brand.verified"]}, "events[0]", "not a known event type"),
    ({"url": HOOK, "events": ["brand.vetted"], "description": "d" * 201}, "description", "at most 200"),
    ({"url": HOOK, "events": ["brand.vetted"], "api_version": "2020-01-01"}, "api_version", "2026-04-01"),
    ({"events": ["brand.vetted"]}, "url", "required"),
])
def test_a_bad_endpoint_is_422_naming_the_field(api, body, field, words):
    assert words in details_of(api.post("/v1/webhooks", json=body), 422, "VALIDATION_FAILED")[field]


def test_fifty_active_endpoints_at_most(api):
    made = [register(api).data["id"] for _ in range(50)]
    error_of(register(api), 409, "LIMIT_EXCEEDED")
    api.delete(f"/v1/webhooks/{made[0]}")
    assert register(api).status_code == 201


def test_the_catalog_is_the_documented_one():
    assert len(EVENT_TYPES) == 17 and "lookup.completed" in EVENT_TYPES and "message.received" not in EVENT_TYPES


# -- events and the delivery feed -------------------------------------------------------------------


def test_events_go_to_each_subscribed_endpoint_once(api):
    keys = register(api, events=["api_key.created", "api_key.revoked"]).data
    register(api, url="https://other.example/hook", events=["brand.vetted"])
    make_key(api)
    (row,) = deliveries(api)
    assert (row["endpoint_id"], row["event_type"], row["outcome"], row["attempt_count"]) == (
        keys["id"], "api_key.created", None, 0)  # in-process the outbox records: nothing was attempted
    (webhook,) = api.world.outbox.webhooks(provider="agentmessage", kind="event")
    assert webhook.url == HOOK and webhook.payload["id"] == row["event_id"]
    assert webhook.payload["type"] == "api_key.created" and webhook.payload["data"]["api_key"]["label"] == "ci"
    assert "plaintext" not in webhook.payload["data"]["api_key"]


def test_deliveries_over_http_show_their_outcome_and_status(server_url, live_world):
    am = agentmessage(Target.http(server_url, live_world))
    with Receiver(statuses=(200,)) as receiver:
        good = register(am, url=receiver.url + "/am").data
        bad = register(am, url=free_port_url()).data
        make_key(am)
        (arrived,) = receiver.wait_for(1)
        assert live_world.outbox.drain()
    assert arrived["path"] == "/am" and arrived["json"]["type"] == "api_key.created"
    rows = {r["endpoint_id"]: r for r in deliveries(am)}
    assert (rows[good["id"]]["outcome"], rows[good["id"]]["http_status"]) == ("success", 200)
    assert rows[good["id"]]["attempt_count"] == 1 and rows[good["id"]]["last_attempt_at"]
    assert (rows[bad["id"]]["outcome"], rows[bad["id"]]["http_status"]) == ("dead", None)
    assert [r["endpoint_id"] for r in deliveries(am, outcome="success")] == [good["id"]]
    assert [r["endpoint_id"] for r in deliveries(am, http_status_min=200, http_status_max=299)] == [good["id"]]
    assert deliveries(am, outcome="retry") == []


def test_a_receiver_answering_500_is_retried_then_succeeds(server_url, live_world):
    am = agentmessage(Target.http(server_url, live_world))
    with Receiver(statuses=(500,)) as receiver:
        register(am, url=receiver.url + "/flaky")
        make_key(am)
        answered = receiver.wait_for(2)
        assert live_world.outbox.drain()
    assert [r["answered"] for r in answered] == [500, 200]
    (row,) = deliveries(am)
    assert (row["outcome"], row["http_status"], row["attempt_count"]) == ("success", 200, 2)


def test_the_delivery_feed_pages_and_filters(am):
    keys = register(am).data
    register(am, url="https://other.example/hook", events=["api_key.created", "api_key.revoked"])
    for label in ("a", "b", "c"):
        make_key(am, label)
        am.world.clock.advance(1)
    rows = deliveries(am)
    assert len(rows) == 6 and [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)
    seen, params = [], {"limit": 4}
    while True:
        page = am.get("/v1/webhooks/deliveries", params=params).json()
        seen += [r["id"] for r in page["data"]]
        if page["meta"]["next_cursor"] is None:
            break
        params["cursor"] = page["meta"]["next_cursor"]
    assert seen == [r["id"] for r in rows]
    assert len(deliveries(am, endpoint_id=keys["id"])) == 3
    assert deliveries(am, event_type="api_key.revoked") == []
    assert len(deliveries(am, since=rows[2]["created_at"])) == 4  # two events, each to two endpoints
    assert len(deliveries(am, until=rows[-1]["created_at"])) == 2


@pytest.mark.parametrize(("params", "field"), [
    ({"event_type": "api_key.creatd"}, "event_type"), ({"outcome": "failed"}, "outcome"),
    ({"http_status_min": 99}, "http_status_min"), ({"http_status_max": 600}, "http_status_max"),
    ({"http_status_min": 500, "http_status_max": 400}, "http_status_min"), ({"limit": 201}, "limit"),
    ({"since": "2026-13-01T00:00:00Z"}, "since"),
])
def test_the_delivery_feed_validates_its_filters(api, params, field):
    assert list(details_of(api.get("/v1/webhooks/deliveries", params=params), 422, "VALIDATION_FAILED")) == [field]


# -- replay -----------------------------------------------------------------------------------------


def test_a_replay_sends_the_same_data_under_a_new_event_id(am):
    register(am)
    make_key(am)
    (original,) = deliveries(am)
    answer = am.post(f"/v1/webhooks/deliveries/{original['id']}/replay", json={"reason": "receiver was down"})
    assert answer.status_code == 202
    replay = answer.data
    assert (replay["delivery_id"], replay["endpoint_id"], replay["event_type"]) == (
        original["id"], original["endpoint_id"], "api_key.created")
    assert replay["new_event_id"].startswith("evt_") and replay["new_event_id"] != original["event_id"]
    first, second = am.world.outbox.webhooks(provider="agentmessage", kind="event")
    assert second.payload == {**first.payload, "id": replay["new_event_id"]}
    assert [r["event_id"] for r in deliveries(am)] == [replay["new_event_id"], original["event_id"]]
    assert am.post(f"/v1/webhooks/deliveries/{original['id']}/replay").status_code == 202  # no body is fine


def test_replays_are_limited_to_ten_a_minute(am):
    register(am)
    make_key(am)
    (original,) = deliveries(am)
    path = f"/v1/webhooks/deliveries/{original['id']}/replay"
    assert [am.post(path).status_code for _ in range(10)] == [202] * 10
    refused = am.post(path)
    error_of(refused, 429, "RATE_LIMITED")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(deliveries(am)) == 11  # listing is not throttled


def test_an_event_past_retention_cannot_be_replayed(api):
    register(api)
    make_key(api)
    (original,) = deliveries(api)
    api.world.clock.advance(timedelta(days=30).total_seconds())
    error_of(api.post(f"/v1/webhooks/deliveries/{original['id']}/replay"), 410, "EVENT_EXPIRED")


def test_replay_errors(api):
    endpoint = register(api).data
    make_key(api)
    (original,) = deliveries(api)
    error_of(api.post(f"/v1/webhooks/deliveries/{UNKNOWN_ID}/replay"), 404, "NOT_FOUND")
    error_of(api.as_key(OTHER_KEY).post(f"/v1/webhooks/deliveries/{original['id']}/replay"), 404, "NOT_FOUND")
    assert "reason" in details_of(api.post(f"/v1/webhooks/deliveries/{original['id']}/replay",
                                           json={"reason": "r" * 501}), 422, "VALIDATION_FAILED")
    api.delete(f"/v1/webhooks/{endpoint['id']}")
    error_of(api.post(f"/v1/webhooks/deliveries/{original['id']}/replay"), 409, "CONFLICT")


def test_an_org_sees_only_its_own_endpoints_and_deliveries(api):
    register(api)
    make_key(api)
    other = fresh_org(api, "another")
    assert other.get("/v1/webhooks").data == [] and deliveries(other) == []
