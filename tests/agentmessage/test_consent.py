"""AgentMessage consent (reference §9): attested consent with Idempotency-Key, double opt-in answered by YES,
hosted consent tokens, and consent keyed on (org, number, contact)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from fakeroute.app import FakerouteApp
from fakeroute.errors import ApiError
from fakeroute.providers.agentmessage import submit_hosted_consent
from fakeroute.world import World
from tests.support.agentmessage import (
    AGREEMENT,
    MOBILE,
    OTHER_KEY,
    OTHER_MOBILE,
    OTHER_NUMBER,
    OTHER_NUMBER_ID,
    PLAIN_ID,
    SUPPORT_ID,
    UNKNOWN_ID,
    agentmessage,
    consent,
    send,
    webhooks_of,
)
from tests.support.errors import details_of, error_of
from tests.support.harness import Target

CONFIRMATION = "Acme Health: reply YES to get appointment texts. Msg&data rates may apply."


def double_opt_in(api, contact=MOBILE, phone_number_id=SUPPORT_ID, **headers):
    return api.post("/v1/consent/double-opt-in", headers=headers, json={
        "phone_number_id": phone_number_id, "contact_number": contact, "confirmation_text": CONFIRMATION,
        "agreement_text": AGREEMENT})


def reply(api, body, sender=MOBILE):
    answer = api.post("/_fakeroute/inbound", json={"provider": "agentmessage", "to": "+14155550123", "from": sender,
                                                   "body": body})
    assert answer.status_code == 201, answer


def subscribe(api, *events):
    api.post("/v1/webhooks", json={"url": "https://hooks.example/consent", "events": list(events)})


def events_of(api, event_type):
    return [w.payload for w in webhooks_of(api, "event") if w.payload["type"] == event_type]


# -- attested consent -------------------------------------------------------------------------------


def test_attested_consent_is_created_once_per_number_and_contact(am):
    first = consent(am)
    assert first.status_code == 201
    assert first.data == {"consent_id": first.data["consent_id"], "already_opted_in": False,
                          "agreement_text_hash": hashlib.sha256(AGREEMENT.encode()).hexdigest()}
    again = consent(am)
    assert again.status_code == 200 and again.data == {**first.data, "already_opted_in": True}
    assert send(am).status_code == 202


def test_consent_is_per_org_number_and_contact(api):
    consent(api)
    error_of(send(api, to=OTHER_MOBILE), 453, "CONSENT_REQUIRED")
    error_of(send(api.as_key(OTHER_KEY), sender=OTHER_NUMBER), 453, "CONSENT_REQUIRED")  # the other org's number
    assert consent(api.as_key(OTHER_KEY), OTHER_NUMBER_ID).status_code == 201  # its own consent is separate


@pytest.mark.parametrize("phone_number_id", [UNKNOWN_ID, OTHER_NUMBER_ID])
def test_consent_for_a_number_that_is_not_the_orgs_is_404(api, phone_number_id):
    assert "details" not in error_of(consent(api, phone_number_id), 404, "NOT_FOUND")


@pytest.mark.parametrize(("change", "field"), [
    ({"opted_in": False}, "opted_in"),
    ({"contact_number": "2065551234"}, "contact_number"),
    ({"evidence": {"captured_at": "2025-12-31T12:00:00Z"}}, "evidence.agreement_text"),
    ({"evidence": {"captured_at": "last week", "agreement_text": "yes"}}, "evidence.captured_at"),
    ({"phone_number_id": "7c1f"}, "phone_number_id"),
])
def test_bad_consent_fields_are_422(api, change, field):
    body = {"phone_number_id": SUPPORT_ID, "contact_number": MOBILE, "opted_in": True,
            "evidence": {"captured_at": "2025-12-31T12:00:00Z", "agreement_text": AGREEMENT}, **change}
    assert field in details_of(api.post("/v1/consent", json=body), 422, "VALIDATION_FAILED")
    error_of(send(api), 453, "CONSENT_REQUIRED")


def test_a_legacy_starter_org_may_not_attest_consent():
    scenario = World(seed=0).scenario
    for account in scenario["accounts"]:
        if account["id"] == "default":
            account["agentmessage"]["plan"] = "starter"
    api = agentmessage(Target.wsgi(FakerouteApp(World(seed=0, scenario=scenario))))
    error_of(consent(api), 403, "PLAN_REQUIRED")
    assert double_opt_in(api).status_code == 202  # double opt-in is not refused


def test_attested_consent_is_rate_limited_per_org(api):
    consent(api)
    answers = [consent(api).status_code for _ in range(60)]  # "already opted in" does not move the clock
    assert answers == [200] * 59 + [429]


# -- Idempotency-Key --------------------------------------------------------------------------------


def test_a_replay_returns_the_first_answer_and_a_new_body_is_refused(am):
    first = consent(am, **{"Idempotency-Key": "signup-7421"})
    replay = consent(am, **{"Idempotency-Key": "signup-7421"})
    assert (replay.status_code, replay.data) == (201, first.data)  # not 200 "already opted in": the first answer
    other_body = consent(am, contact=OTHER_MOBILE, **{"Idempotency-Key": "signup-7421"})
    assert details_of(other_body, 422, "VALIDATION_FAILED") == {
        "Idempotency-Key": "was already used with a different request body"}
    error_of(send(am, to=OTHER_MOBILE), 453, "CONSENT_REQUIRED")  # the refused request did nothing
    assert consent(am, contact=OTHER_MOBILE, **{"Idempotency-Key": "signup-7422"}).status_code == 201


def test_keys_last_24_hours_and_belong_to_one_route(api):
    first = consent(api, **{"Idempotency-Key": "k"})
    challenge = double_opt_in(api, OTHER_MOBILE, **{"Idempotency-Key": "k"})  # another route: another key space
    assert challenge.status_code == 202
    api.world.clock.advance(timedelta(hours=24).total_seconds())
    later = consent(api, **{"Idempotency-Key": "k"})
    assert later.status_code == 200 and later.data["consent_id"] == first.data["consent_id"]  # not a replay now


def test_a_refused_request_does_not_burn_its_key(api):
    error_of(consent(api, OTHER_NUMBER_ID, **{"Idempotency-Key": "k"}), 404, "NOT_FOUND")
    assert consent(api, **{"Idempotency-Key": "k"}).status_code == 201


@pytest.mark.parametrize("key", ["k" * 256, ""])
def test_a_key_is_1_to_255_bytes(api, key):
    assert list(details_of(consent(api, **{"Idempotency-Key": key}), 422, "VALIDATION_FAILED")) == ["Idempotency-Key"]
    assert consent(api, **{"Idempotency-Key": "k" * 255}).status_code == 201


# -- double opt-in ----------------------------------------------------------------------------------


def test_double_opt_in_sends_a_challenge_that_yes_confirms(am):
    subscribe(am, "consent_pending.confirmed")
    answer = double_opt_in(am)
    assert answer.status_code == 202
    pending = answer.data
    assert pending["reused"] is False and pending["already_opted_in"] is False
    assert pending["expires_at"] == "2026-01-02T00:00:01Z"  # 24 hours on
    challenge = am.get(f"/v1/messages/{pending['confirmation_message_id']}").data
    assert (challenge["to"], challenge["text"]) == (MOBILE, CONFIRMATION)
    reused = double_opt_in(am)
    assert reused.status_code == 200 and reused.data == {**pending, "reused": True}  # no second SMS
    assert len(am.get("/v1/messages").data) == 1
    error_of(send(am), 453, "CONSENT_REQUIRED")  # not confirmed yet
    reply(am, "yes")
    (event,) = events_of(am, "consent_pending.confirmed")
    assert event["data"]["consent_pending_id"] == pending["consent_pending_id"] and event["data"]["consent_id"]
    am.world.clock.advance(1)
    assert send(am).status_code == 202
    assert double_opt_in(am).data == {"consent_pending_id": None, "confirmation_message_id": None,
                                      "expires_at": None, "reused": False, "already_opted_in": True}


def test_an_unanswered_challenge_expires_after_a_day(api):
    subscribe(api, "consent_pending.expired")
    pending = double_opt_in(api).data
    api.world.clock.advance(timedelta(hours=24).total_seconds())
    reply(api, "YES")
    (event,) = events_of(api, "consent_pending.expired")
    assert event["data"]["consent_pending_id"] == pending["consent_pending_id"]
    error_of(send(api), 453, "CONSENT_REQUIRED")
    again = double_opt_in(api)
    assert again.status_code == 202 and again.data["consent_pending_id"] != pending["consent_pending_id"]


def test_double_opt_in_needs_a_number_that_may_send(api):
    assert details_of(double_opt_in(api, phone_number_id=PLAIN_ID), 422, "VALIDATION_FAILED") == {
        "phone_number_id": "+14155550124 has no campaign: outbound messages need an ACTIVE campaign"}
    error_of(double_opt_in(api, phone_number_id=OTHER_NUMBER_ID), 404, "NOT_FOUND")
    assert api.get("/v1/messages").data == []


def test_double_opt_in_replays_by_idempotency_key(api):
    first = double_opt_in(api, **{"Idempotency-Key": "doi-1"})
    replay = double_opt_in(api, **{"Idempotency-Key": "doi-1"})
    assert (replay.status_code, replay.data) == (202, first.data)


# -- hosted consent ---------------------------------------------------------------------------------


def test_a_hosted_consent_token_records_consent_when_its_form_is_submitted(am):
    minted = am.post("/v1/consent/hosted", json={"phone_number_id": SUPPORT_ID, "contact_number": MOBILE,
                                                 "agreement_text": AGREEMENT})
    assert minted.status_code == 201
    token = minted.data["token"]
    assert token.count(".") == 2 and minted.data["url"] == f"https://api.agentmsg.io/consent/{token}"
    assert minted.data["expires_at"] == "2026-01-01T01:00:00Z"
    error_of(send(am), 453, "CONSENT_REQUIRED")
    granted = submit_hosted_consent(am.world, token)
    assert granted.method == "hosted_form" and submit_hosted_consent(am.world, token).id == granted.id
    am.world.clock.advance(1)
    assert send(am).status_code == 202


def test_an_expired_hosted_token_records_nothing(api):
    token = api.post("/v1/consent/hosted", json={"phone_number_id": SUPPORT_ID, "contact_number": MOBILE,
                                                 "agreement_text": AGREEMENT}).data["token"]
    api.world.clock.advance(3600)
    with pytest.raises(ApiError, match="expired"):
        submit_hosted_consent(api.world, token)
    error_of(send(api), 453, "CONSENT_REQUIRED")
    with pytest.raises(KeyError):
        submit_hosted_consent(api.world, "not.a.token")
