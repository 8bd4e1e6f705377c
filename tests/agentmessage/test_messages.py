"""AgentMessage outbound messages: send (202, then queued → sending → sent → delivered/failed/undelivered at times
drawn from the seed on the fake clock, each change POSTed to the number's status_url), list (X-Next-Cursor), get,
segments through the API, every documented refusal, and the per-org send tiers (429 with Retry-After)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakeroute.app import FakerouteApp
from fakeroute.messaging import delivery_delays
from fakeroute.providers.agentmessage import add_delivery_rule, record_lookup, rendering
from fakeroute.world import World
from tests.support.agentmessage import (
    ACTIVE_CAMPAIGN,
    MOBILE,
    OTHER_KEY,
    OTHER_MOBILE,
    OTHER_NUMBER,
    PLAIN_NUMBER,
    SUPPORT_ID,
    SUPPORT_NUMBER,
    UNKNOWN_ID,
    agentmessage,
    consent,
    order,
    search,
    send,
    webhooks_of,
)
from tests.support.errors import details_of, error_of
from tests.support.harness import Target

STATUS_URL = "https://customer.example/status"  # SUPPORT_NUMBER's status_url in the default scenario


LONGEST_DELIVERY = 12  # seconds: messaging.DELIVERY's three steps at their longest (1 + 3 + 8)


def statuses(api):
    return [(w.url, w.payload["status"]) for w in webhooks_of(api, "message_status")]


def step_times(api, message):
    """When the message reaches each step of its delivery: the seed's draw for its id, after created_at."""
    created = rendering.parse_time(message["created_at"])
    return [created + timedelta(seconds=after) for after in delivery_delays(api.world.seed, message["id"])]


# -- sending and the lifecycle ----------------------------------------------------------------------


def test_a_message_is_queued_then_sent_and_delivered_at_times_drawn_from_the_seed(am):
    consent(am)
    answer = send(am, tag="reminder-42")
    assert answer.status_code == 202
    message = answer.data
    assert (message["from"], message["to"], message["text"]) == (SUPPORT_NUMBER, MOBILE, "Your appointment is "
                                                                                         "tomorrow at 10:00.")
    assert (message["status"], message["channel"], message["priority"], message["tag"]) == (
        "queued", "sms", "default", "reminder-42")
    assert message["segment_count"] == 1 and message["bandwidth_message_id"] is None
    assert message["sent_at"] is None and message["delivered_at"] is None and "media_urls" not in message
    path = f"/v1/messages/{message['id']}"
    times = step_times(am, message)
    seen = []
    for when, before in zip(times, ("queued", "sending", "sent"), strict=True):
        am.world.clock.set(when - timedelta(milliseconds=1))
        assert am.get(path).data["status"] == before  # a millisecond early: still the status before
        am.world.clock.set(when)
        seen.append(am.get(path).data)
    assert [m["status"] for m in seen] == ["sending", "sent", "delivered"]
    assert seen[0]["bandwidth_message_id"].startswith("bw-")
    assert (seen[2]["sent_at"], seen[2]["delivered_at"]) == (rendering.iso(times[1]), rendering.iso(times[2]))
    # One webhook per change of status (none for queued), each the message as it then was, in order.
    assert statuses(am) == [(STATUS_URL, "sending"), (STATUS_URL, "sent"), (STATUS_URL, "delivered")]
    assert [w.at for w in webhooks_of(am, "message_status")] == times
    assert webhooks_of(am, "message_status")[-1].payload == seen[2]


def test_the_same_seed_gives_the_same_times_and_another_seed_others():
    def delivered_at(seed):
        api = agentmessage(Target.wsgi(FakerouteApp(World(seed=seed))))
        consent(api)
        message = send(api).data
        api.world.clock.advance(LONGEST_DELIVERY)
        return message["id"], api.get(f"/v1/messages/{message['id']}").data["delivered_at"]

    assert delivered_at(0) == delivered_at(0)
    assert delivered_at(0)[1] != delivered_at(1)[1]


def test_status_webhooks_wait_for_their_time_on_the_clock(api):
    consent(api)
    message = send(api).data
    assert statuses(api) == []
    assert len(api.world.outbox.webhooks(provider="agentmessage", scheduled=True)) == 3
    api.world.clock.set(step_times(api, message)[1])
    assert [s for _, s in statuses(api)] == ["sending", "sent"]


@pytest.mark.parametrize(("outcome", "expected"), [("failed", ["sending", "failed"]),
                                                   ("undelivered", ["sending", "sent", "undelivered"])])
def test_a_delivery_rule_makes_messages_fail(api, outcome, expected):
    add_delivery_rule(api.world, "+1206555*", outcome)
    consent(api)
    message = send(api).data
    api.world.clock.advance(LONGEST_DELIVERY)
    final = api.get(f"/v1/messages/{message['id']}").data
    assert final["status"] == expected[-1] and final["delivered_at"] is None
    assert (final["sent_at"] is None) == (outcome == "failed")
    assert [s for _, s in statuses(api)] == expected


def test_a_number_without_a_status_url_sends_without_webhooks(api):
    (number,) = order(api, search(api, quantity=1), campaign_id=ACTIVE_CAMPAIGN)
    consent(api, number["id"])
    assert send(api, sender=number["number"]).status_code == 202
    api.world.clock.advance(LONGEST_DELIVERY)
    assert statuses(api) == []


def test_an_mms_carries_its_media(api):
    consent(api)
    mms = api.post("/v1/messages", json={"from": SUPPORT_NUMBER, "to": MOBILE,
                                         "media_urls": ["https://cdn.example/x-ray.png"]}).data
    assert (mms["channel"], mms["media_urls"], mms["text"], mms["segment_count"]) == (
        "mms", ["https://cdn.example/x-ray.png"], "", 1)


# -- segments ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "segments"), [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),  # GSM-7: 160, then 153 per part
    ("a" * 1530, 10), ("a" * 1531, 11), ("a" * 1600, 11),  # up to the documented 1600 characters
    ("€" * 80, 1), ("€" * 81, 2),  # extension characters take two septets
    ("a" * 159 + "€", 2), ("a" * 158 + "€", 1),  # ... also when only the last one is
    ("a" * 152 + "€" + "a" * 153, 3),  # a part never ends between the escape and its character: 152 + 155
    ("é" * 160, 1), ("Ç" * 161, 2),  # é and Ç are in the GSM-7 alphabet
    ("ê" * 70, 1), ("ê" * 71, 2), ("ê" * 134, 2), ("ê" * 135, 3),  # UCS-2: 70, then 67 per part
    ("a" * 159 + "ç", 3),  # one character outside GSM-7 (lower-case ç) makes all of it UCS-2: 160 in 67s
    ("😀" * 35, 1), ("😀" * 36, 2),  # an emoji is two UTF-16 code units
    ("😀" * 66, 2), ("😀" * 67, 3),  # a part holds 33 of them: a pair is never split (66 units, not 67)
])
def test_segments_are_counted_at_each_boundary(api, text, segments):
    consent(api)
    answer = send(api, text=text)
    assert answer.data["segment_count"] == segments
    assert api.get(f"/v1/messages/{answer.data['id']}").data["segment_count"] == segments


def test_a_long_message_reports_its_segments(api):
    consent(api)
    assert send(api, text="Hello " * 30).data["segment_count"] == 2
    api.world.clock.advance(1)
    assert send(api, text="Olá 👋 " * 12).data["segment_count"] == 2


# -- refusals ---------------------------------------------------------------------------------------


def test_validation_names_every_bad_field(am):
    answer = am.post("/v1/messages", json={"from": SUPPORT_NUMBER, "to": "4155550199", "text": "x" * 1601})
    assert details_of(answer, 422, "VALIDATION_FAILED") == {"to": "must be E.164", "text": "must be 1..1600 chars"}


@pytest.mark.parametrize(("body", "field"), [
    ({"from": SUPPORT_NUMBER, "to": MOBILE}, "text"),
    ({"from": SUPPORT_NUMBER, "to": MOBILE, "text": ""}, "text"),
    ({"to": MOBILE, "text": "hi"}, "from"),
    ({"from": SUPPORT_NUMBER, "to": MOBILE, "text": "hi", "tag": "t" * 65}, "tag"),
    ({"from": SUPPORT_NUMBER, "to": MOBILE, "text": "hi", "priority": "urgent"}, "priority"),
    ({"from": SUPPORT_NUMBER, "to": MOBILE, "media_urls": ["http://cdn.example/a.png"]}, "media_urls[0]"),
])
def test_bad_message_fields_are_422(api, body, field):
    consent(api)
    assert field in details_of(api.post("/v1/messages", json=body), 422, "VALIDATION_FAILED")
    assert api.get("/v1/messages").data == []


@pytest.mark.parametrize(("sender", "words"), [
    (OTHER_NUMBER, "must be a phone number of your organization"),  # the other org's
    ("+14155550199", "must be a phone number of your organization"),  # nobody's
    (PLAIN_NUMBER, "+14155550124 has no campaign: outbound messages need an ACTIVE campaign"),
])
def test_only_an_org_number_on_an_active_campaign_may_send(api, sender, words):
    assert details_of(send(api, sender=sender), 422, "VALIDATION_FAILED") == {"from": words}


def test_a_recipient_without_consent_is_453(am):
    answer = send(am)
    error = error_of(answer, 453, "CONSENT_REQUIRED")
    assert "details" not in error and "consent" in error["message"]
    assert am.get("/v1/messages").data == []
    consent(am)
    assert send(am).status_code == 202
    am.world.clock.advance(1)
    error_of(send(am, to=OTHER_MOBILE), 453, "CONSENT_REQUIRED")  # consent is per recipient


def test_a_landline_found_by_a_lookup_is_line_type_blocked(api):
    record_lookup(api.world, MOBILE, "fixed")
    consent(api)
    error = error_of(send(api), 422, "LINE_TYPE_BLOCKED")
    assert "details" not in error
    record_lookup(api.world, MOBILE, "mobile")
    api.world.clock.advance(1)  # the refused send counted against this second's one send
    assert send(api).status_code == 202


# -- reading ----------------------------------------------------------------------------------------


def test_messages_list_newest_first_with_the_cursor_in_x_next_cursor(am):
    consent(am)
    sent = []
    for i in range(3):
        sent.append(send(am, text=f"message {i}", tag="batch" if i else None).data["id"])
        am.world.clock.advance(1)
    first = am.get("/v1/messages", params={"limit": 2})
    assert [m["id"] for m in first.data] == sent[::-1][:2]
    assert first.json()["meta"] == {"total": 0, "limit": 2, "offset": 0, "next_cursor": None}
    rest = am.get("/v1/messages", params={"limit": 2, "cursor": first.headers["X-Next-Cursor"]})
    assert [m["id"] for m in rest.data] == [sent[0]] and "X-Next-Cursor" not in rest.headers
    everything = am.get("/v1/messages")
    assert everything.json()["meta"]["limit"] == 50 and "X-Next-Cursor" not in everything.headers
    assert [m["id"] for m in am.get("/v1/messages", params={"tag": "batch"}).data] == sent[::-1][:2]
    newest = am.get(f"/v1/messages/{sent[2]}").data
    am.world.clock.set(step_times(am, newest)[1])  # the newest is just sent; the others are further on
    now = {m: am.get(f"/v1/messages/{m}").data["status"] for m in sent}
    assert now[sent[2]] == "sent"
    for status in ("sent", "delivered"):
        listed = [m["id"] for m in am.get("/v1/messages", params={"status": status}).data]
        assert listed == [m for m in sent[::-1] if now[m] == status]
    am.world.clock.advance(LONGEST_DELIVERY)
    assert [m["id"] for m in am.get("/v1/messages", params={"status": "delivered"}).data] == sent[::-1]
    assert am.get("/v1/messages", params={"to": OTHER_MOBILE}).data == []
    assert len(am.get("/v1/messages", params={"from": SUPPORT_NUMBER}).data) == 3


@pytest.mark.parametrize(("params", "field"), [({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
                                                ({"status": "DELIVERED"}, "status"), ({"to": "12065551234"}, "to"),
                                                ({"cursor": "nope"}, "cursor")])
def test_messages_list_validates_its_query(api, params, field):
    assert list(details_of(api.get("/v1/messages", params=params), 422, "VALIDATION_FAILED")) == [field]


def test_two_hundred_is_the_largest_page(api):
    assert api.get("/v1/messages", params={"limit": 200}).json()["meta"]["limit"] == 200


def test_a_message_is_only_its_orgs(api):
    consent(api)
    message = send(api).data
    error_of(api.as_key(OTHER_KEY).get(f"/v1/messages/{message['id']}"), 404, "NOT_FOUND")
    assert api.as_key(OTHER_KEY).get("/v1/messages").data == []
    error_of(api.get(f"/v1/messages/{UNKNOWN_ID}"), 404, "NOT_FOUND")
    assert details_of(api.get("/v1/messages/42"), 422, "VALIDATION_FAILED") == {"id": "must be a uuid"}


# -- rate limits ------------------------------------------------------------------------------------


def test_tier_one_sends_one_message_per_second(am):
    consent(am)
    consent(am, contact=OTHER_MOBILE)
    assert send(am).status_code == 202
    refused = send(am, to=OTHER_MOBILE)
    error = error_of(refused, 429, "RATE_LIMITED")
    assert error["message"] == "rate limited" and refused.headers["Retry-After"] == "1"
    assert am.get("/v1/messages").status_code == 200  # reads are never limited
    assert len(am.get("/v1/messages").data) == 1  # the refused send left nothing
    am.world.clock.advance(1)
    assert send(am, to=OTHER_MOBILE).status_code == 202


def test_the_rate_limit_comes_before_the_other_checks_and_counts_per_org(api):
    consent(api)
    send(api)
    error_of(send(api, to=OTHER_MOBILE), 429, "RATE_LIMITED")  # no consent either: the limit answers first
    assert error_of(send(api.as_key(OTHER_KEY), sender=OTHER_NUMBER), 453, "CONSENT_REQUIRED")  # another org


def default_org(scenario="default", **section):
    """The default org's API in a World of ``scenario`` with its agentmessage section changed by ``section``."""
    document = World(seed=0, scenario=scenario).scenario
    for account in document["accounts"]:
        if account["id"] == "default":
            account["agentmessage"].update(section)
    return agentmessage(Target.wsgi(FakerouteApp(World(seed=0, scenario=document))))


def test_lifetime_spend_raises_the_tier():
    api = default_org(lifetime_spend_cents=20_000)  # $200: tier 2, 5 per second
    contacts = [f"+1206555{1000 + i}" for i in range(6)]
    for contact in contacts:
        consent(api, SUPPORT_ID, contact)
    answers = [send(api, to=contact).status_code for contact in contacts]
    assert answers == [202] * 5 + [429]


@pytest.mark.parametrize(("lifetime_spend_cents", "per_second"), [(0, 1), (20_000, 5), (100_000, 20),
                                                                  (500_000, 100)])
def test_n_plus_one_sends_in_one_second_the_last_is_429_and_the_next_window_accepts(lifetime_spend_cents,
                                                                                     per_second):
    api = default_org(lifetime_spend_cents=lifetime_spend_cents)
    consent(api)
    answers = [send(api, text=f"#{i}") for i in range(per_second + 1)]
    assert [a.status_code for a in answers] == [202] * per_second + [429]
    assert answers[-1].headers["Retry-After"] == "1"
    assert error_of(send(api, text="early retry"), 429, "RATE_LIMITED")  # an early retry fails too
    assert len(api.get("/v1/messages", params={"limit": 200}).data) == per_second  # the refused left nothing
    api.world.clock.advance(1)
    assert send(api, text="next second").status_code == 202


def test_the_per_minute_bucket_of_the_near_limits_preset():
    api = default_org("near-limits")  # 59 of tier 1's 60 sends of the first minute already used
    consent(api)
    assert send(api).status_code == 202
    api.world.clock.advance(1)
    refused = send(api)
    error_of(refused, 429, "RATE_LIMITED")
    now = api.world.clock.peek()
    assert refused.headers["Retry-After"] == str(60 - now.second)  # until the minute's window ends
    api.world.clock.advance(1)
    error_of(send(api), 429, "RATE_LIMITED")  # a retry within the minute fails too
    api.world.clock.set(now.replace(second=0) + timedelta(minutes=1))
    assert send(api).status_code == 202


def test_a_scenario_changes_a_limit_by_name():
    document = World(seed=0).scenario
    document["limits"] = {"agentmessage.messages.per_second": {"count": 3}}
    api = agentmessage(Target.wsgi(FakerouteApp(World(seed=0, scenario=document))))
    consent(api)
    assert [send(api).status_code for _ in range(4)] == [202] * 3 + [429]


def test_the_send_limit_is_the_organizations_whichever_key_sends(api):
    minted = api.post("/v1/api-keys", json={"label": "worker", "scopes": ["messages:send"]}).data["plaintext"]
    consent(api)
    assert send(api).status_code == 202
    error_of(send(api.as_key(minted)), 429, "RATE_LIMITED")  # the org's bucket, not the key's (reference §7)


def test_rate_limits_switched_off_let_every_send_through():
    api = agentmessage(Target.wsgi(FakerouteApp(World(seed=0, rate_limits=False))))
    consent(api)
    assert [send(api).status_code for _ in range(5)] == [202] * 5


@pytest.mark.fakeroute(rate_limits=False)
def test_the_plugin_marker_switches_them_off_too(fakeroute):
    session = fakeroute.client("agentmessage")
    base = fakeroute.base_url("agentmessage")
    session.post(f"{base}/v1/consent", json={"phone_number_id": SUPPORT_ID, "contact_number": MOBILE,
                                             "opted_in": True, "evidence": {"captured_at": "2026-01-01T00:00:00Z",
                                                                            "agreement_text": "yes"}})
    answers = [session.post(f"{base}/v1/messages", json={"from": SUPPORT_NUMBER, "to": MOBILE, "text": "hi"})
               for _ in range(3)]
    assert [a.status_code for a in answers] == [202] * 3
