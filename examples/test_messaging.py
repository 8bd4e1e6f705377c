"""The example apps' own test: one test, run against the Flask and the FastAPI app, in-process and over HTTP."""


def test_buy_a_number_send_an_sms_and_hear_back(messaging):  # conftest.py: the app, its client, the fake
    number = messaging.post("/numbers", {"area_code": "206"}, expect=201)["number"]
    sent = messaging.post("/messages", {"from": number, "to": "12065551234", "body": "hello"}, expect=202)["id"]

    messaging.fake.clock.advance(seconds=10)  # the receipts fall due and reach the app, in order
    assert messaging.get(f"/messages/{sent}")["statuses"] == ["smsc submit", "message buffered", "delivered"]

    messaging.fake.inbound("flowroute", to=number, from_="12065551234", body="hi back")
    assert messaging.get("/inbox") == [{"from": "12065551234", "to": number, "body": "hi back"}]

    messaging.fake.assert_called("flowroute", "POST", "/v2.1/messages", times=1,
                                 body={"data": {"attributes": {"to": "12065551234", "body": "hello"}}})
    assert [w.state for w in messaging.fake.outbox] == ["delivered"] * 4
