"""Flowroute's throughput limits on the fake clock: 5 SMS and 1 MMS a second per credential, every attempt counted,
429 with Retry-After; the switch that turns them off, and a scenario's say."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.scenario import read_scenario
from fakeroute.world import World
from tests.support.errors import error_of
from tests.support.flowroute import FLOWROUTE_AUTH, MOBILE, OTHER_TENANTS, OWNED, sms
from tests.support.harness import basic

MMS = {"is_mms": "true", "media_urls": ["https://example.com/cat.jpg"]}
FLOWROUTE = "https://api.flowroute.com"


def messages(flowroute) -> list[str]:
    return [m["id"] for m in flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"].get("messages", [])]


def advance(flowroute, seconds: float) -> None:
    assert flowroute.post("/_fakeroute/clock", json={"advance": seconds}).status_code == 200


def test_the_sixth_sms_in_one_second_is_refused_early_retries_too_and_the_next_second_accepts(flowroute):
    before = messages(flowroute)
    assert [flowroute.post("/v2.1/messages", json=sms(body=f"#{i}")).status_code for i in range(5)] == [202] * 5
    state = flowroute.get("/_fakeroute/state").json()

    refused = flowroute.post("/v2.1/messages", json=sms(body="#6"))
    error = error_of(refused, 429)
    assert error["title"] == "Too Many Requests"
    assert error["detail"] == ("Too many requests: your SMS sending rate is limited to 5 messages per 1 second(s); "
                               "retry after 1 second(s)")
    assert refused.headers["Retry-After"] == "1"
    assert flowroute.get("/_fakeroute/state").json() == state  # a refusal changes nothing
    advance(flowroute, 0.9)  # an early retry, still in the same second, fails too
    assert error_of(flowroute.post("/v2.1/messages", json=sms(body="#6")), 429)
    advance(flowroute, 0.1)  # the next window
    assert flowroute.post("/v2.1/messages", json=sms(body="#6")).status_code == 202
    assert len(messages(flowroute)) == len(before) + 6


def test_one_mms_a_second_counted_apart_from_sms(flowroute):
    assert flowroute.post("/v2.1/messages", json=sms(**MMS)).status_code == 202
    second = flowroute.post("/v2.1/messages", json=sms(**MMS))
    assert "MMS sending rate is limited to 1 messages per 1 second" in error_of(second, 429)["detail"]
    assert second.headers["Retry-After"] == "1"
    assert [flowroute.post("/v2.1/messages", json=sms()).status_code for _ in range(5)] == [202] * 5
    advance(flowroute, 1)
    assert flowroute.post("/v2.1/messages", json=sms(**MMS)).status_code == 202


def test_every_attempt_counts_a_refused_one_too(flowroute):
    """Flowroute counts "the actual number of messages you have attempted to send", not the successful ones."""
    for _ in range(5):
        error_of(flowroute.post("/v2.1/messages", json=sms(body="")), 422)
    error_of(flowroute.post("/v2.1/messages", json=sms()), 429)


def test_each_credential_has_its_own_limit(flowroute):
    for _ in range(5):
        assert flowroute.post("/v2.1/messages", json=sms()).status_code == 202
    error_of(flowroute.post("/v2.1/messages", json=sms()), 429)
    other = flowroute.as_caller(basic("fakeroute-other", "fakeroute-other-secret"))
    assert other.post("/v2.1/messages", json=sms(sender=OTHER_TENANTS)).status_code == 202


def test_a_retry_after_late_in_the_second_is_what_is_left_of_it_rounded_up():
    world = World(inventory_size=10)
    client = Client(FakerouteApp(world))
    world.clock.advance(0.25)
    statuses = [client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json=sms()).status_code
                for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    world.clock.advance(0.7)  # 0.05 s left in the window
    late = client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json=sms())
    assert late.status_code == 429 and late.headers["Retry-After"] == "1"


@pytest.mark.parametrize("switched_off", [
    lambda: World(inventory_size=10, rate_limits=False),
    lambda: World(inventory_size=10, scenario={**_default(), "rate_limits": False}),
])
def test_the_switch_lets_every_send_through(switched_off):
    client = Client(FakerouteApp(switched_off()))
    statuses = [client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json=sms(**extra)).status_code
                for extra in [{}] * 10 + [MMS] * 3]
    assert statuses == [202] * 13


@pytest.mark.fakeroute(rate_limits=False)
def test_the_plugin_marker_switch_applies_to_flowroute(fakeroute):
    client = fakeroute.client("flowroute")
    assert [client.post(f"{FLOWROUTE}/v2.1/messages", json=sms()).status_code for _ in range(8)] == [202] * 8


def test_a_scenario_may_change_the_limits():
    world = World(inventory_size=10, scenario={**_default(), "limits": {"flowroute.sms": {"count": 2},
                                                                        "flowroute.mms": {"count": 3, "window": 60}}})
    client = Client(FakerouteApp(world))

    def send(**extra) -> int:
        return client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json=sms(**extra)).status_code

    assert [send() for _ in range(3)] == [202, 202, 429]
    assert [send(**MMS) for _ in range(4)] == [202, 202, 202, 429]
    world.clock.advance(30)
    refused = client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json=sms(**MMS))
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"


@pytest.mark.fakeroute(scenario="near-limits")
def test_near_limits_is_one_sms_from_flowroutes_limit(fakeroute):
    client = fakeroute.client("flowroute")
    assert client.post(f"{FLOWROUTE}/v2.1/messages", json=sms(to=MOBILE, sender=OWNED)).status_code == 202
    error_of(client.post(f"{FLOWROUTE}/v2.1/messages", json=sms()), 429, provider="flowroute")
    fakeroute.reset()  # one send from the limit again
    assert client.post(f"{FLOWROUTE}/v2.1/messages", json=sms()).status_code == 202


def _default() -> dict:
    return read_scenario("default")[1]
