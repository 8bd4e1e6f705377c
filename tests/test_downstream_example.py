"""A downstream suite as a user writes it: their code calls the real hosts, the fixtures alone make it fake.

Nothing here imports fakeroute: the plugin is found through its entry point once installed.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

FLOWROUTE = "https://api.flowroute.com"
AGENTMESSAGE = "https://api.agentmsg.io"


# -- the "application" under test: ordinary code talking to the real APIs ---------------------------


def buy_local_number(session: requests.Session, area_code: str) -> str:
    found = session.get(f"{FLOWROUTE}/v2/numbers/available", params={"starts_with": f"1{area_code}", "limit": 1})
    found.raise_for_status()
    number = found.json()["data"][0]["id"]
    session.post(f"{FLOWROUTE}/v2/numbers/{number}").raise_for_status()
    return number


def route_to_pbx(session: requests.Session, number: str, host: str) -> str:
    created = session.post(f"{FLOWROUTE}/v2/routes", json={"data": {"type": "route", "attributes": {
        "route_type": "host", "value": host, "alias": f"pbx-{number}"}}})
    created.raise_for_status()
    route_id = created.json()["data"]["id"]
    session.patch(f"{FLOWROUTE}/v2/numbers/{number}/relationships/primary_route",
                  json={"data": {"type": "route", "id": route_id}}).raise_for_status()
    return route_id


async def count_owned_numbers(api_key: str) -> int:
    async with httpx.AsyncClient(base_url=AGENTMESSAGE, headers={"Authorization": f"Bearer {api_key}"}) as client:
        response = await client.get("/v1/phone-numbers", params={"limit": 100})
        response.raise_for_status()
        return len(response.json()["data"])


def move_to_ireland(client: Client, e164: str) -> str:
    return client.routes.v2.phone_numbers(e164).update(voice_region="ie1", friendly_name="Dublin desk").voice_region


# -- its tests -----------------------------------------------------------------------------------------


def test_buying_and_routing_a_number(fakeroute, fakeroute_flowroute):
    number = buy_local_number(fakeroute_flowroute, "206")
    route_id = route_to_pbx(fakeroute_flowroute, number, "pbx.example.com")

    owned = fakeroute.state["default"].flowroute.numbers[number]
    assert owned.primary_route == route_id
    fakeroute.assert_called("flowroute", "POST", f"/v2/numbers/{number}", times=1, status=201)
    fakeroute.assert_called("flowroute", "PATCH", "/v2/numbers/*/relationships/primary_route", times=1)


def test_a_provider_outage_surfaces_as_an_http_error(fakeroute, fakeroute_flowroute):
    fakeroute.fail(503, provider="flowroute", method="POST", path="/v2/numbers/*")
    with pytest.raises(requests.HTTPError):
        buy_local_number(fakeroute_flowroute, "212")
    assert len(fakeroute.state["default"].flowroute.numbers) == 2  # nothing was bought


def test_twilio_voice_region_update(fakeroute, fakeroute_twilio):
    assert move_to_ireland(fakeroute_twilio, "+12065550100") == "ie1"
    fetched = fakeroute_twilio.routes.v2.phone_numbers("+12065550100").fetch()
    assert fetched.friendly_name == "Dublin desk"
    with pytest.raises(TwilioRestException) as missing:
        fakeroute_twilio.routes.v2.phone_numbers("+15005550006").fetch()
    assert missing.value.status == 404


def test_agentmessage_with_httpx_async(fakeroute):
    key = fakeroute.credentials("agentmessage")["api_keys"][0]["key"]
    assert asyncio.run(count_owned_numbers(key)) == len(fakeroute.state["default"].agentmessage.numbers)


def test_agentmessage_with_the_session_fixture(fakeroute, fakeroute_agentmessage):
    preview = fakeroute_agentmessage.post(f"{AGENTMESSAGE}/v1/phone-numbers/search",
                                          json={"area_code": "206", "quantity": 2})
    assert preview.status_code == 200, preview.text
    numbers = [n["number"] for n in preview.json()["data"]]
    ordered = fakeroute_agentmessage.post(f"{AGENTMESSAGE}/v1/phone-numbers/orders", json={"numbers": numbers})
    assert ordered.status_code in (200, 201), ordered.text
    # The inventory is shared: Flowroute no longer offers what AgentMessage just bought.
    flowroute = requests.get(f"{FLOWROUTE}/v2/numbers/available", auth=("fakeroute", "fakeroute-secret"),
                             params={"starts_with": numbers[0].lstrip("+")}).json()
    assert flowroute["data"] == []


def test_the_same_code_against_the_real_http_server(fakeroute_server):
    session = requests.Session()
    credentials = fakeroute_server.credentials("flowroute")
    session.auth = (credentials["access_key"], credentials["secret_key"])
    found = session.get(f"{fakeroute_server.url}/v2/numbers/available", params={"limit": 1}).json()
    number = found["data"][0]["id"]
    assert session.post(f"{fakeroute_server.url}/v2/numbers/{number}").status_code == 201
    fakeroute_server.assert_called("flowroute", "POST", f"/v2/numbers/{number}", times=1)
