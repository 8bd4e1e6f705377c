"""Rate limits on the fake clock: one engine, switched on or off per World."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fakeroute.cli import build_parser
from fakeroute.limits import Limit, RateLimits
from fakeroute.world import World

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_five_per_second_refuses_the_sixth_until_the_next_window():
    limits = RateLimits()
    answers = [limits.hit("k", Limit(5), T0 + timedelta(milliseconds=100 * i)) for i in range(6)]
    assert answers == [None] * 5 + [1]
    assert limits.hit("k", Limit(5), T0 + timedelta(milliseconds=900)) == 1  # early retries fail and count
    assert limits.hit("k", Limit(5), T0 + timedelta(seconds=1)) is None  # the next window accepts


def test_keys_are_counted_apart_and_retry_after_is_the_rest_of_the_window():
    limits = RateLimits()
    assert limits.hit(("mms", "a"), Limit(1, window=60), T0) is None
    assert limits.hit(("mms", "b"), Limit(1, window=60), T0) is None
    assert limits.hit(("mms", "a"), Limit(1, window=60), T0 + timedelta(seconds=15)) == 45


def test_switched_off_everything_passes():
    limits = RateLimits(enabled=False)
    assert all(limits.hit("k", Limit(1), T0) is None for _ in range(10))


@pytest.mark.parametrize(("scenario_says", "argument", "expected"),
                         [(None, None, True), (False, None, False), (False, True, True), (True, False, False)])
def test_a_world_takes_the_switch_from_its_argument_then_the_scenario(scenario_says, argument, expected):
    document = {"accounts": [{"id": "default"}]}
    if scenario_says is not None:
        document["rate_limits"] = scenario_says
    assert World(scenario=document, inventory_size=10, rate_limits=argument).limits.enabled is expected


def test_reset_forgets_the_counters():
    world = World(inventory_size=10)
    assert world.limits.hit("k", Limit(1), T0) is None and world.limits.hit("k", Limit(1), T0) == 1
    world.reset()
    assert world.limits.hit("k", Limit(1), T0) is None


def test_the_command_line_switch():
    assert build_parser().parse_args(["serve", "--no-rate-limits"]).rate_limits is False
    assert build_parser().parse_args(["serve"]).rate_limits is None


@pytest.mark.fakeroute(rate_limits=False)
def test_the_plugin_marker_switch(fakeroute):
    assert fakeroute.world.limits.enabled is False


def test_the_fixture_simulates_inbound_for_any_provider_that_can(fakeroute):
    result = fakeroute.inbound("flowroute", to="16465550123", from_="12065551234", body="hi")
    assert result["account"] == "default" and result["message"]["attributes"]["direction"] == "inbound"
