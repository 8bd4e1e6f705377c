"""Reliability over real HTTP: no exception escapes as the server's own 500, admin input is refused precisely, the
clock stays in range, a dropped connection answers nothing, and the CLI refuses options it cannot honour."""

from __future__ import annotations

import pytest
import requests

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
    answer = requests.get(server_url + path, headers=auth, timeout=5)
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


