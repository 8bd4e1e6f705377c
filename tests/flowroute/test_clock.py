"""Where the clock that stamps Flowroute's records starts: the wall clock's now under ``--clock real``, a fixed
start (``--clock-start``, the plugin's ``clock_start``) under the deterministic clock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests

from fakeroute.clock import DEFAULT_START, Clock, parse_start
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH, OWNED, sms
from tests.test_server import start_cli


def test_a_real_time_world_starts_at_the_wall_clocks_now_and_a_reset_goes_back_to_now():
    before = datetime.now(UTC)
    world = World(real_time=True)
    assert before <= world.clock.peek() <= datetime.now(UTC)
    world.clock.advance(days=3)
    world.reset()
    assert before <= world.clock.peek() <= datetime.now(UTC)


def test_a_given_start_wins_over_the_wall_clock_and_the_default():
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert Clock(start, real_time=True).peek() >= start
    assert Clock(start, real_time=True).peek() - start < timedelta(hours=1)
    assert World().clock.peek() == DEFAULT_START == Clock().peek() == Clock().now()
    world = World(start=start)
    world.clock.advance(60)
    world.reset()
    assert world.clock.now() == start


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
    ("2026-03-01T09:00:00Z", datetime(2026, 3, 1, 9, tzinfo=UTC)),
    ("2026-03-01T09:00:00-08:00", datetime(2026, 3, 1, 17, tzinfo=UTC)),
    ("2026-03-01 09:00:00", datetime(2026, 3, 1, 9, tzinfo=UTC)),
])
def test_clock_starts_are_iso_8601_in_utc_unless_they_say(text, expected):
    assert parse_start(text) == expected


def test_a_bad_clock_start_names_the_form_it_wants():
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_start("yesterday")
    result = subprocess.run([sys.executable, "-m", "fakeroute", "serve", "--port", "0", "--clock-start", "03/01/2026"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--clock-start" in result.stderr and "ISO 8601" in result.stderr


def test_serve_with_a_clock_start_stamps_messages_from_it():
    process, url = start_cli("--clock-start", "2026-03-01T09:00:00Z")
    try:
        sent = requests.post(f"{url}/v2.1/messages", json=sms(), headers=FLOWROUTE_AUTH, timeout=5).json()
        mdr = requests.get(f"{url}/v2.1/messages/{sent['data']['id']}", headers=FLOWROUTE_AUTH, timeout=5).json()
        assert mdr["data"]["attributes"]["timestamp"] == "2026-03-01T09:00:00.00Z"
        assert mdr["data"]["attributes"]["from"] == OWNED
    finally:
        process.terminate()
        process.wait(timeout=10)


PROBE = """
    import requests
    from datetime import datetime
    import pytest

    def sent_at(fakeroute):
        sms = {"data": {"type": "message", "attributes": {"to": "12065551234", "from": "12065550100", "body": "hi"}}}
        auth = fakeroute.credentials("flowroute")
        sent = requests.post("https://api.flowroute.com/v2.1/messages", json=sms,
                             auth=(auth["access_key"], auth["secret_key"])).json()
        return fakeroute.state["default"].flowroute.messages[sent["data"]["id"]].timestamp.isoformat()

    def test_ini(fakeroute):
        print("ini", sent_at(fakeroute))

    @pytest.mark.fakeroute(clock_start="2026-07-04T12:00:00Z")
    def test_marker(fakeroute):
        print("marker", sent_at(fakeroute))
"""


def test_the_plugin_takes_a_clock_start_from_the_ini_file_and_the_marker(pytester: pytest.Pytester):
    pytester.makeini("[pytest]\nfakeroute_clock_start = 2026-05-01T08:30:00Z\n")
    pytester.makepyfile(PROBE)
    result = pytester.runpytest("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*ini 2026-05-01T08:30:00+00:00*", "*marker 2026-07-04T12:00:00+00:00*"])
