"""AgentMessage inbound messages: simulated through the admin API, the fixture and the Python API, POSTed to the
number's inbound_url, listed with meta.next_cursor, and their STOP/START/HELP keywords acting on consent."""

from __future__ import annotations

import pytest

from fakeroute.errors import ApiError
from fakeroute.providers.agentmessage import receive_message, review_campaign
from tests.support.agentmessage import (
    MOBILE,
    OTHER_KEY,
    OTHER_MOBILE,
    OTHER_NUMBER,
    PLAIN_ID,
    PLAIN_NUMBER,
    SUPPORT_ID,
    SUPPORT_NUMBER,
    VERIFIED_BRAND,
    consent,
    order,
    search,
    send,
    webhooks_of,
)
from tests.support.errors import details_of, error_of

INBOUND_URL = "https://customer.example/inbound"  # SUPPORT_NUMBER's inbound_url in the default scenario


def inbound(api, body="Can I move my appointment?", *, to=SUPPORT_NUMBER, sender=MOBILE, **extra):
    answer = api.post("/_fakeroute/inbound", json={"provider": "agentmessage", "to": to, "from": sender,
                                                   "body": body, **extra})
    assert answer.status_code == 201, answer
    return answer.json()


def test_an_inbound_message_is_listed_and_posted_to_the_inbound_url(am):
    created = inbound(am)
    assert (created["provider"], created["account"]) == ("agentmessage", "default") and created["webhook"]
    message = created["message"]
    assert (message["from"], message["to"], message["phone_number_id"]) == (MOBILE, SUPPORT_NUMBER, SUPPORT_ID)
    assert (message["body"], message["channel"], message["media_urls"], message["segment_count"]) == (
        "Can I move my appointment?", "sms", [], 1)
    assert message["opt_out"] == {"detected": False, "keyword": None}
    assert message["bandwidth_message_id"].startswith("bw-") and message["received_at"]
    listed = am.get("/v1/inbound-messages").json()
    assert listed["data"] == [message]
    assert listed["meta"] == {"total": 0, "limit": 20, "offset": 0, "next_cursor": None}
    assert am.get(f"/v1/inbound-messages/{message['id']}").data == message
    (webhook,) = webhooks_of(am, "inbound_message")
    assert (webhook.url, webhook.payload, webhook.id) == (INBOUND_URL, message, created["webhook"])


def test_the_fixture_and_the_python_api_simulate_the_same(fakeroute):
    via_fixture = fakeroute.inbound("agentmessage", to=SUPPORT_NUMBER, from_=MOBILE, body="hello")
    assert via_fixture["message"]["body"] == "hello"
    message = receive_message(fakeroute.world, to=SUPPORT_NUMBER[1:], from_=MOBILE[1:], body="hi again")
    assert (message.to, message.sender, message.phone_number_id) == (SUPPORT_NUMBER, MOBILE, SUPPORT_ID)
    assert [w.payload["body"] for w in fakeroute.outbox.webhooks(kind="inbound_message")] == ["hello", "hi again"]


def test_an_inbound_mms_and_a_number_without_an_inbound_url(api):
    mms = inbound(api, "", to=PLAIN_NUMBER, media_urls=["https://cdn.example/photo.jpg"])
    assert mms["webhook"] is None  # PLAIN_NUMBER has no inbound_url: listed, not posted
    assert (mms["message"]["channel"], mms["message"]["media_urls"]) == ("mms", ["https://cdn.example/photo.jpg"])
    assert webhooks_of(api, "inbound_message") == []


def test_an_inbound_message_belongs_to_the_org_that_owns_the_number(api):
    created = inbound(api, to=OTHER_NUMBER)
    assert created["account"] == "other"
    error_of(api.get(f"/v1/inbound-messages/{created['message']['id']}"), 404, "NOT_FOUND")
    assert api.get("/v1/inbound-messages").data == []
    assert [m["id"] for m in api.as_key(OTHER_KEY).get("/v1/inbound-messages").data] == [created["message"]["id"]]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"to": "+14155550199", "from": MOBILE, "body": "hi"}, 404, "not on any organization"),
    ({"to": SUPPORT_NUMBER, "from": MOBILE}, 422, "body: is required"),
    ({"to": SUPPORT_NUMBER, "from": MOBILE, "body": ""}, 422, "an SMS needs a body"),
    ({"to": SUPPORT_NUMBER, "from": "phone", "body": "hi"}, 422, "from: must be E.164"),
    ({"to": SUPPORT_NUMBER, "from": MOBILE, "body": "hi", "colour": "red"}, 422, "unknown field(s): colour"),
])
def test_bad_inbound_simulations_are_refused(api, client, body, status, words):
    before = client.get("/_fakeroute/state").json
    answer = api.post("/_fakeroute/inbound", json={"provider": "agentmessage", **body})
    assert answer.status_code == status and words in answer.json()["error"], answer
    assert client.get("/_fakeroute/state").json == before


def test_the_python_api_refuses_an_empty_sms(api):
    with pytest.raises(ApiError, match="needs a body"):
        receive_message(api.world, to=SUPPORT_NUMBER, from_=MOBILE)


# -- keywords and consent ---------------------------------------------------------------------------


def test_stop_revokes_consent_and_start_gives_it_back(am):
    consent(am)
    assert send(am).status_code == 202
    stop = inbound(am, "Stop.")["message"]
    assert stop["opt_out"] == {"detected": True, "keyword": "STOP"}
    am.world.clock.advance(1)
    error_of(send(am), 453, "CONSENT_REQUIRED")
    assert inbound(am, "start")["message"]["opt_out"] == {"detected": False, "keyword": None}
    am.world.clock.advance(1)
    assert send(am).status_code == 202


@pytest.mark.parametrize("word", ["STOP", "stop", " Unsubscribe ", "CANCEL", "end", "QUIT", "STOPALL"])
def test_the_standard_opt_out_keywords(api, word):
    consent(api)
    assert inbound(api, word)["message"]["opt_out"]["detected"] is True
    error_of(send(api), 453, "CONSENT_REQUIRED")


@pytest.mark.parametrize("text", ["please stop texting me", "HELP", "info", "Stop it!?"])
def test_other_texts_leave_consent_alone(api, text):
    consent(api)
    assert inbound(api, text)["message"]["opt_out"] == {"detected": False, "keyword": None}
    assert send(api).status_code == 202


def test_a_stop_from_one_contact_to_one_number_touches_nothing_else(api):
    consent(api)
    (number,) = order(api, search(api, quantity=1), campaign_id="b5d3c4e2-7f7e-44a1-8c12-2bcd9e3f0a01")
    consent(api, number["id"])
    consent(api, contact=OTHER_MOBILE)
    inbound(api, "STOP")
    error_of(send(api), 453, "CONSENT_REQUIRED")
    api.world.clock.advance(1)  # the refused send counted against this second's one send
    assert send(api, sender=number["number"]).status_code == 202  # the same contact, another number
    api.world.clock.advance(1)
    assert send(api, to=OTHER_MOBILE).status_code == 202  # the same number, another contact


def test_start_is_an_opt_in_from_a_contact_who_never_consented(api):
    error_of(send(api), 453, "CONSENT_REQUIRED")
    inbound(api, "START")
    api.world.clock.advance(1)
    assert send(api).status_code == 202


def test_a_campaigns_own_opt_out_keywords_count_too(api):
    body = {"brand_id": VERIFIED_BRAND, "usecase": "CUSTOMER_CARE", "description": "Support in two languages.",
            "message_flow": "Customers opt in on the signup form at https://acme.example/signup",
            "sample1": "Acme: reply STOP or ALTO to opt out.", "subscriber_optout": True,
            "optout_keywords": "STOP,ALTO"}
    campaign = api.post("/v1/campaigns", json=body).data
    review_campaign(api.world, campaign["id"])
    api.patch(f"/v1/phone-numbers/{PLAIN_ID}", json={"campaign_id": campaign["id"]})
    consent(api, PLAIN_ID)
    assert inbound(api, "alto", to=PLAIN_NUMBER)["message"]["opt_out"] == {"detected": True, "keyword": "ALTO"}
    error_of(send(api, sender=PLAIN_NUMBER), 453, "CONSENT_REQUIRED")


# -- the list ---------------------------------------------------------------------------------------


def test_inbound_messages_page_by_meta_next_cursor_and_filter(am):
    made = [inbound(am, f"message {i}", sender=MOBILE if i % 2 else OTHER_MOBILE)["message"] for i in range(3)]
    made.append(inbound(am, "STOP")["message"])
    made.append(inbound(am, "", to=PLAIN_NUMBER, media_urls=["https://cdn.example/a.png"])["message"])
    newest_first = [m["id"] for m in made[::-1]]
    seen, params = [], {"limit": 2}
    while True:
        page = am.get("/v1/inbound-messages", params=params).json()
        seen += [m["id"] for m in page["data"]]
        if page["meta"]["next_cursor"] is None:
            break
        params["cursor"] = page["meta"]["next_cursor"]
    assert seen == newest_first

    def ids(**query):
        return [m["id"] for m in am.get("/v1/inbound-messages", params=query).data]
    assert ids(opt_out="true") == [made[3]["id"]]
    assert ids(channel="mms") == [made[4]["id"]] == ids(phone_number_id=PLAIN_ID) == ids(to=PLAIN_NUMBER)
    assert ids(**{"from": OTHER_MOBILE}) == [made[2]["id"], made[0]["id"]]
    assert ids(since=made[3]["received_at"]) == newest_first[:2]
    assert len(ids(opt_out="false")) == 4


@pytest.mark.parametrize(("params", "field"), [({"limit": 101}, "limit"), ({"channel": "fax"}, "channel"),
                                                ({"since": "yesterday"}, "since"),
                                                ({"since": "2026-02-30T00:00:00Z"}, "since"),
                                                ({"opt_out": "maybe"}, "opt_out"),
                                                ({"phone_number_id": "x"}, "phone_number_id")])
def test_the_inbound_list_validates_its_query(api, params, field):
    assert list(details_of(api.get("/v1/inbound-messages", params=params), 422, "VALIDATION_FAILED")) == [field]
