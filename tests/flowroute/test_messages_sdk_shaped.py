"""The official SDK's messaging calls, reproduced with ``requests`` (see support/flowroute_sdk.py), over HTTP.

``MessagesController`` sends message bodies with ``accept``/``content-type: application/vnd.api+json``, asks for
MDRs with ``accept: application/json``, and reformats the dates of ``look_up_a_set_of_messages`` with
``dateutil.parser.parse(s).isoformat()``: "2017-12-01" goes out as ``2017-12-01T00:00:00`` (no zone) and
"2017-12-06T10:00:00Z" as ``2017-12-06T10:00:00+00:00``, both percent-encoded. The callback setters PUT or POST
``{"data": {"attributes": {"callback_url": url}}}``; ``numbers.set_did_callback`` sends no Content-Type at all.
"""

from __future__ import annotations

import json

import pytest

from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_KEY, FLOWROUTE_SECRET, MOBILE, OTHER_TENANTS, OWNED
from tests.support.flowroute_sdk import VND, APIException, ErrorException, SdkShapedClient


@pytest.fixture
def sdk(server_url: str) -> SdkShapedClient:
    return SdkShapedClient(server_url, FLOWROUTE_KEY, FLOWROUTE_SECRET)


def demo_body(**attributes) -> str:
    """Request bodies written the way the SDK's number_route_message_demo.py writes them: JSON strings."""
    return json.dumps({"data": {"type": "message", "attributes": {"to": MOBILE, "from": OWNED, **attributes}}})


def test_the_sdk_demo_messaging_flow(sdk: SdkShapedClient, live_world: World):
    sms = sdk.send_a_message(demo_body(body="Hello there how are you?", is_mms="false"))
    assert sdk.sent[-1].headers["content-type"] == VND["content-type"]
    mms = sdk.send_a_message(demo_body(body="hello there", is_mms="true",
                                       media_urls=["http://s3.amazonaws.com/barkpost-assets/50+GIFs/37.gif"]))
    with_dlr = sdk.send_a_message(demo_body(body="Hello there how are you?", is_mms="false",
                                            dlr_callback="http://httpbin.org/status/:code"))
    for accepted in (sms, mms, with_dlr):
        assert list(accepted) == ["data"] and accepted["data"]["type"] == "message"
        assert accepted["data"]["links"]["self"].endswith("/v2.1/messages/" + accepted["data"]["id"])

    result = sdk.look_up_a_set_of_messages("2026-01-01", "2026-01-08", 2)
    assert sdk.sent[-1].path_url == ("/v2.1/messages?start_date=2026-01-01T00%3A00%3A00"
                                     "&end_date=2026-01-08T00%3A00%3A00&limit=2")
    assert [m["id"] for m in result["data"]] == [with_dlr["data"]["id"], mms["data"]["id"]]
    assert result["links"]["next"].endswith("offset=2")

    message_id = result["data"][0]["id"]
    detail = sdk.look_up_a_message_detail_record(message_id)
    assert detail["data"]["id"] == message_id and detail["data"]["attributes"]["direction"] == "outbound"
    mms_detail = sdk.look_up_a_message_detail_record(mms["data"]["id"])["data"]
    assert mms_detail["attributes"]["is_mms"] is True and len(mms_detail["relationships"]["media"]["data"]) == 1

    assert sdk.set_account_level_sms_callback("http://example.com/sms") is None
    assert sdk.set_account_level_mms_callback("http://example.com/mms") is None
    assert sdk.set_account_level_dlr_callback("http://example.com/dlr") is None
    assert sdk.set_did_level_dlr_callback(OWNED, "http://example.com/did/dlr") is None
    assert sdk.set_did_callback(OWNED, "http://example.com/did/dlr2") is None
    assert "content-type" not in {k.lower() for k in sdk.sent[-1].headers}
    live_world.clock.advance(60)  # every receipt is due
    assert [w.url for w in live_world.outbox.webhooks(kind="dlr")][:1] == ["http://httpbin.org/status/:code"]


def test_dates_with_a_zone_as_the_sdk_sends_them(sdk: SdkShapedClient):
    sent = sdk.send_a_message(demo_body(body="hi"))["data"]["id"]
    result = sdk.look_up_a_set_of_messages("2025-12-31T23:00:00Z", "2026-01-01T10:00:00.000Z", limit=10, offset=0)
    assert "start_date=2025-12-31T23%3A00%3A00%2B00%3A00" in sdk.sent[-1].path_url
    assert [m["id"] for m in result["data"]] == [sent]


def test_sdk_error_classes_for_messaging(sdk: SdkShapedClient, server_url: str):
    with pytest.raises(ErrorException) as forbidden:
        sdk.send_a_message(demo_body(body="hi", **{"from": OTHER_TENANTS}))
    assert forbidden.value.response_code == 403 and forbidden.value.errors[0]["title"] == "Forbidden"
    with pytest.raises(ErrorException) as unprocessable:
        sdk.send_a_message(demo_body(body="hi", to="19995551234"))
    assert unprocessable.value.response_code == 422 and "data.attributes.to" in unprocessable.value.errors[0]["detail"]
    with pytest.raises(ErrorException) as not_found:
        sdk.look_up_a_message_detail_record("mdr2-" + "f" * 32)
    assert not_found.value.response_code == 404
    with pytest.raises(APIException) as bad_request:
        sdk.look_up_a_set_of_messages("2026-01-02", "2026-01-01")
    assert bad_request.value.response_code == 400
    with pytest.raises(ErrorException) as unauthorized:
        SdkShapedClient(server_url, FLOWROUTE_KEY, "wrong").look_up_a_set_of_messages("2026-01-01")
    assert unauthorized.value.response_code == 401
