"""Flowroute's portability check (POST /v2/portorders/portability): realistic, deterministic answers."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.world import World
from tests.support.errors import error_of
from tests.support.flowroute import FLOWROUTE_AUTH, OTHER_TENANTS, OWNED

PATH = "/v2/portorders/portability"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
STRANGERS = [f"1206{n:07d}" for n in range(5_550_200, 5_550_260)]  # numbers of other carriers


def groups(api, numbers: list[str]) -> dict[str, list[str]]:
    response = api.post(PATH, json={"numbers": numbers})
    assert response.status_code == 200, response
    return response.json()["data"]


def test_numbers_come_back_as_sent_in_three_groups(flowroute):
    sent = ["+" + n for n in STRANGERS[:20]]
    data = groups(flowroute, sent)
    assert list(data) == ["hypernetwork_enabled", "nonportable", "portable"]
    assert sorted(data["portable"] + data["nonportable"]) == sorted(sent)
    assert set(data["hypernetwork_enabled"]) <= set(data["portable"])
    assert data["portable"] and data["nonportable"] and data["hypernetwork_enabled"]  # a realistic mix


def test_the_sdk_demo_sends_a_form_without_plus_signs(flowroute):
    response = flowroute.post(PATH, data="numbers=14254664444&numbers=18827833439", headers=FORM)
    data = response.json()["data"]
    assert sorted(data["portable"] + data["nonportable"]) == ["14254664444", "18827833439"]
    single = flowroute.post(PATH, data=f"numbers={STRANGERS[0]}", headers=FORM).json()["data"]
    assert single["portable"] + single["nonportable"] == [STRANGERS[0]]  # one field is a list of one


def test_numbers_flowroute_already_holds_are_not_portable(flowroute):
    available = flowroute.get("/v2/numbers/available", params={"limit": 1}).json()["data"][0]["id"]
    sent = [OWNED, "+" + OTHER_TENANTS, available, "+19995550100", "+442071838750"]  # yours, taken, for sale, bad
    assert groups(flowroute, sent) == {"hypernetwork_enabled": [], "portable": [], "nonportable": sent}


def test_answers_are_fixed_by_the_seed():
    def answer(seed: int) -> dict:
        client = Client(FakerouteApp(World(seed=seed)))
        return client.post(PATH, json={"numbers": STRANGERS}, headers=FLOWROUTE_AUTH,
                           base_url="https://api.flowroute.com").get_json()
    assert answer(3) == answer(3)
    assert answer(3) != answer(4)


@pytest.mark.parametrize(("body", "field"), [
    ({"numbers": []}, "numbers"),
    ({"numbers": "14254664444"}, "numbers"),
    ({"numbers": ["1425466444a"]}, "numbers[0]"),
    ({"numbers": ["+1 425 466 4444"]}, "numbers[0]"),
    ({"numbers": ["1" * 20]}, "numbers[0]"),
    ({"numbers": ["14254664444"] * 501}, "numbers"),
    ({"number": ["14254664444"]}, "numbers"),
])
def test_bad_bodies_are_422_naming_the_field(flowroute, body, field):
    error = error_of(flowroute.post(PATH, json=body), 422)
    assert field in error["detail"]


def test_malformed_bodies_and_credentials(flowroute):
    error_of(flowroute.post(PATH, data="{nope", headers={"Content-Type": "application/json"}), 400)
    error_of(flowroute.post(PATH, data="value=1", headers=FORM), 422)
    error_of(flowroute.as_caller({}).post(PATH, json={"numbers": [STRANGERS[0]]}), 401)
