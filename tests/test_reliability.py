"""Reliability over real HTTP: no exception escapes as the server's own 500, admin input is refused precisely, the
clock stays in range, a dropped connection answers nothing, and the CLI refuses options it cannot honour."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from fakeroute.clock import EARLIEST, LATEST
from tests.support import rawhttp
from tests.support.agentmessage import DEFAULT_KEY
from tests.support.errors import error_of
from tests.support.flowroute import FLOWROUTE_AUTH
from tests.support.harness import bearer
from tests.support.twilio import AUTH as TWILIO_AUTH
from tests.support.twilio import CONFIGURED_NUMBER

# One authenticated GET of each provider, and what its 500 looks like (Twilio's code, AgentMessage's).
CALLS = {
    "flowroute": ("/v2/routes", FLOWROUTE_AUTH, None),
    "twilio": (f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", TWILIO_AUTH, 20500),
    "agentmessage": ("/v1/phone-numbers", bearer(DEFAULT_KEY), "INTERNAL"),
}


def journal(server_url: str, **filters: object) -> list[dict]:
    return requests.get(f"{server_url}/_fakeroute/requests", params=filters, timeout=5).json()["requests"]


def state(server_url: str) -> bytes:
    return requests.get(f"{server_url}/_fakeroute/state", timeout=5).content


# -- the 500 path: a bug is answered in the provider's format and journalled --------------------------


@pytest.mark.parametrize("provider", CALLS)
def test_a_bug_anywhere_in_the_pipeline_is_a_500_in_the_providers_format_and_is_journalled(
        server_url, live_world, monkeypatch, provider):
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in the fault table")

    monkeypatch.setattr(live_world.faults, "take", broken)  # the first step every provider request takes
    path, auth, code = CALLS[provider]
    # A header no other test sends: a reply remembered from another test's same GET would skip the pipeline.
    answer = requests.get(server_url + path, headers={**auth, "X-Test": "a bug"}, timeout=5)
    monkeypatch.undo()
    error_of(answer, 500, code, provider=provider)
    (entry,) = journal(server_url, status=500)
    assert entry["provider"] == provider and entry["path"] == path
    assert entry["response"] == answer.json()


def test_a_bug_in_an_admin_endpoint_is_a_json_500(server_url, live_world, monkeypatch):
    def broken() -> None:
        raise RuntimeError("a bug in reset")

    monkeypatch.setattr(live_world, "reset", broken)
    answer = requests.post(f"{server_url}/_fakeroute/reset", timeout=5)
    assert answer.status_code == 500 and answer.json() == {"error": "Internal Server Error"}


# -- faults: every field checked where the spec enters ---------------------------------------------


@pytest.mark.parametrize(("spec", "named"), [
    ({"status": 503, "path": 123}, "path must be a string starting with / or *"),
    ({"status": 503, "path": "v2/routes"}, "path must be a string starting with / or *"),
    ({"status": 503, "method": 5}, "method must be an HTTP method"),
    ({"status": 503, "method": "GET /x"}, "method must be an HTTP method"),
    ({"status": 503, "provider": 7}, "provider must be one of agentmessage, flowroute, twilio"),
    ({"status": 503, "provider": "flowrout"}, "provider must be one of agentmessage, flowroute, twilio"),
    ({"status": 429, "retry_after": "1\r\nX-Injected: yes"}, "retry_after must be an integer"),
    ({"status": 429, "retry_after": True}, "retry_after must be an integer"),
    ({"status": 429, "retry_after": -1}, "retry_after must be an integer"),
    ({"status": 503, "retry_after": 5}, '"retry_after" goes with "status": 429'),
    ({"drop": "yes"}, "drop must be true or false"),
    ({"drop": 1}, "drop must be true or false"),
    ({"latency": True}, "latency must be a number of seconds"),
    ({"latency": "1"}, "latency must be a number of seconds"),
    ({"latency": -0.5}, "latency must be a number of seconds"),
    ({"status": True}, "status must be an HTTP error status"),
    ({"status": "503"}, "status must be an HTTP error status"),
    ({"status": 503, "times": True}, "times must be a positive integer"),
    ({"status": 503, "times": 1.5}, "times must be a positive integer"),
    ({"status": 503, "detail": ["x"]}, "detail must be a string"),
    ({"status": 503, "drop": True}, '"drop" and "status" exclude each other'),
    ({"times": 3}, 'a fault needs "status" (400-599), "latency" (seconds) or "drop": true'),
    ({"status": 503, "hits": 5}, "unknown fault field(s): hits"),
])
def test_a_bad_fault_spec_is_refused_naming_its_field_and_nothing_is_stored(server_url, spec, named):
    answer = requests.post(f"{server_url}/_fakeroute/faults", json=spec, timeout=5)
    assert answer.status_code == 400 and named in answer.json()["error"], answer.text
    assert requests.get(f"{server_url}/_fakeroute/faults", timeout=5).json() == {"faults": []}
    routes = requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5)
    assert routes.status_code == 200 and routes.headers["Content-Type"] == "application/vnd.api+json"


def test_a_good_fault_spec_still_works_with_its_retry_after(server_url):
    spec = {"provider": "flowroute", "method": "get", "path": "/v2/*", "status": 429, "retry_after": 7}
    assert requests.post(f"{server_url}/_fakeroute/faults", json=spec, timeout=5).status_code == 201
    answer = requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5)
    error_of(answer, 429, provider="flowroute")
    assert answer.headers["Retry-After"] == "7"


# -- a dropped connection answers nothing at all -----------------------------------------------------


def test_a_dropped_connection_writes_no_status_line(server_url):
    requests.post(f"{server_url}/_fakeroute/faults", json={"path": "/v2/routes", "drop": True}, timeout=5)
    answer = rawhttp.send(server_url, rawhttp.request("GET", "/v2/routes", FLOWROUTE_AUTH))
    assert answer.raw == b""  # not "HTTP/1.1 200 OK": a client reading only the status sees the failure
    (entry,) = journal(server_url, path="/v2/routes")
    assert entry["response"] is None  # the journal knows no answer reached the client


def test_a_client_reading_only_the_status_sees_a_dropped_connection_fail(server_url):
    requests.post(f"{server_url}/_fakeroute/faults", json={"path": "/v2/routes", "drop": True}, timeout=5)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5, stream=True)
    assert requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5).status_code == 200


# -- the fake clock stays within range ---------------------------------------------------------------


@pytest.mark.parametrize("move", [
    {"set": "9999-12-31T00:00:00Z"},
    {"set": "1969-12-31T23:59:59Z"},
    {"set": "0001-01-01T00:00:00+01:00"},
])
def test_the_clock_refuses_a_time_out_of_its_range_and_stays_put(server_url, move):
    before = requests.get(f"{server_url}/_fakeroute/clock", timeout=5).json()
    answer = requests.post(f"{server_url}/_fakeroute/clock", json=move, timeout=5)
    assert answer.status_code == 400 and answer.json()["error"]
    assert requests.get(f"{server_url}/_fakeroute/clock", timeout=5).json() == before


def test_the_clock_at_its_latest_refuses_to_advance_and_providers_keep_answering(server_url):
    latest = LATEST.isoformat()
    assert requests.post(f"{server_url}/_fakeroute/clock", json={"set": latest}, timeout=5).status_code == 200
    answer = requests.post(f"{server_url}/_fakeroute/clock", json={"advance": 10**9}, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(f"the clock can only be moved between {EARLIEST.isoformat()} and {latest}")
    assert requests.get(f"{server_url}/_fakeroute/clock", timeout=5).json() == {"now": latest}
    for path, auth, _ in CALLS.values():
        assert requests.get(server_url + path, headers=auth, timeout=5).status_code == 200


def test_a_date_query_beyond_the_calendar_is_a_400_not_an_overflow(server_url):
    answer = requests.get(f"{server_url}/v2.1/messages", params={"start_date": "0001-01-01T00:00:00+01:00"},
                          headers=FLOWROUTE_AUTH, timeout=5)
    error_of(answer, 400, provider="flowroute")


# -- admin accounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "named"), [
    ({"name": 5}, "name must be a string of 1 to 200 characters"),
    ({"name": ""}, "name must be a string of 1 to 200 characters"),
    ({"name": "x" * 201}, "name must be a string of 1 to 200 characters"),
    ({"nme": "typo"}, "unknown field(s): nme"),
])
def test_a_bad_account_request_is_refused_and_creates_nothing(server_url, body, named):
    before = state(server_url)
    answer = requests.post(f"{server_url}/_fakeroute/accounts", json=body, timeout=5)
    assert answer.status_code == 400 and named in answer.json()["error"], answer.text
    assert state(server_url) == before


# -- the command line --------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "named"), [
    (["--port", "99999"], "argument --port: must be an integer from 0 to 65535, got 99999"),
    (["--port", "-1"], "argument --port: must be an integer from 0 to 65535, got -1"),
    (["--port", "\u0662"], "argument --port: must be an integer from 0 to 65535"),
    (["--threads", "0"], "argument --threads: must be an integer from 1 to 1024, got 0"),
    (["--inventory-size", "0"], "argument --inventory-size: must be an integer from 1 to 10000000, got 0"),
    (["--seed", "1_0"], "argument --seed: must be an integer"),
    (["--host", "999.1.1.1", "--port", "0"], "cannot listen on 999.1.1.1:0: not a host or address to listen on"),
])
def test_serve_refuses_an_option_it_cannot_honour_with_one_line_naming_it(args, named):
    result = subprocess.run([sys.executable, "-m", "fakeroute", "serve", *args], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2, result
    assert named in result.stderr and "Traceback" not in result.stderr, result.stderr
