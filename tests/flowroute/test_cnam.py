"""Flowroute CNAM records: create (the storage rules), the review on the clock, list, get, assign to and unassign
from a number, remove; in-process and over HTTP."""

from __future__ import annotations

import copy
import re
from urllib.parse import urlencode

import pytest

from fakeroute.world import ScenarioError, World
from tests.support.errors import error_of
from tests.support.flowroute import OTHER_TENANTS, OWNED, OWNED_PLAIN
from tests.support.harness import basic

FORM = {"Content-Type": "application/x-www-form-urlencoded", "accept": "application/json"}
DAY = 24 * 3600
HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def create(flowroute, value: str) -> dict:
    response = flowroute.post("/v2/cnams", data=urlencode({"value": value}), headers=FORM)
    assert response.status_code == 201, response
    return response.json()["data"]


def advance(flowroute, seconds: float) -> None:
    assert flowroute.post("/_fakeroute/clock", json={"advance": seconds}).status_code == 200


def approved(flowroute, value: str = "FAKEROUTE") -> str:
    cnam_id = create(flowroute, value)["id"]
    advance(flowroute, DAY)
    return cnam_id


def test_create_as_the_sdk_sends_it_gives_a_pending_record(flowroute):
    record = create(flowroute, "FR H5K8")
    assert record == {
        "attributes": {"approval_datetime": None, "creation_datetime": "2026-01-01 00:00:00.000000+00:00",
                       "is_approved": False, "rejection_reason": None, "value": "FR H5K8"},
        "id": "23500", "links": {"self": f"{flowroute.base}/v2/cnams/23500"}, "type": "cnam"}
    assert flowroute.get("/v2/cnams/23500").json() == {"data": record}


def test_json_bodies_are_taken_too_and_values_are_stored_in_capitals(flowroute):
    flat = flowroute.post("/v2/cnams", json={"value": "Bob Law"}).json()["data"]
    wrapped = flowroute.post("/v2/cnams", json={"data": {"type": "cnam", "attributes": {"value": "Ann & Co."}}})
    assert (flat["attributes"]["value"], wrapped.json()["data"]["attributes"]["value"]) == ("BOB LAW", "ANN & CO.")


def test_the_review_approves_after_a_day_on_the_clock(flowroute):
    cnam_id = create(flowroute, "FR H5K8")["id"]  # created at 2026-01-01T00:00:00Z
    assert flowroute.post("/_fakeroute/clock", json={"set": "2026-01-01T23:59:59Z"}).status_code == 200
    assert flowroute.get(f"/v2/cnams/{cnam_id}").json()["data"]["attributes"]["is_approved"] is False
    advance(flowroute, 1)
    attributes = flowroute.get(f"/v2/cnams/{cnam_id}").json()["data"]["attributes"]
    assert attributes["is_approved"] is True
    assert attributes["approval_datetime"] == "2026-01-02 00:00:00.000000+00:00"


@pytest.mark.parametrize(("value", "reason"), [
    ("OBAMA BARACK", "political figures"),
    ("SEATTLE POLICE", "false or fake"),
    ("DAMN IT", "curse words"),
])
def test_the_review_rejects_what_flowroutes_rules_reject(flowroute, value, reason):
    cnam_id = create(flowroute, value)["id"]
    advance(flowroute, DAY)
    attributes = flowroute.get(f"/v2/cnams/{cnam_id}").json()["data"]["attributes"]
    assert attributes["is_approved"] is False and reason in attributes["rejection_reason"]
    assert attributes["approval_datetime"] is None
    error = error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/cnam/{cnam_id}"), 422)
    assert "was rejected" in error["detail"]


@pytest.mark.parametrize(("value", "words"), [
    ("A" * 16, "at most 15 characters"),
    ("", "must not be blank"),
    ("   ", "must not be blank"),
    ("2065550100", "at least one letter"),
    ("ACME #1", "may hold only"),
    ("ÉCOLE", "may hold only"),
])
def test_values_that_break_the_storage_rules_are_422(flowroute, value, words):
    error = error_of(flowroute.post("/v2/cnams", json={"value": value}), 422)
    assert error["detail"].startswith("Invalid value:") and words in error["detail"], error
    assert flowroute.get("/v2/cnams").json()["data"] == []


def test_the_allowed_special_characters(flowroute):
    assert create(flowroute, "A-B_C.D,E@F+G")["attributes"]["value"] == "A-B_C.D,E@F+G"
    assert flowroute.post("/v2/cnams", json={"value": "O'NEIL/\"X\""}).status_code == 201


def test_a_value_already_on_the_account_is_refused(flowroute):
    create(flowroute, "FR H5K8")
    error = error_of(flowroute.post("/v2/cnams", json={"value": "fr h5k8"}), 422)
    assert "already on your account" in error["detail"]


@pytest.mark.parametrize(("body", "field"), [({}, "value"), ({"value": 7}, "value"), ({"data": {}}, "attributes")])
def test_bad_bodies_are_422(flowroute, body, field):
    assert field in error_of(flowroute.post("/v2/cnams", json=body), 422)["detail"]


def test_the_list_filters_by_approval_and_value(flowroute):
    first = approved(flowroute, "FAKEROUTE")
    second = create(flowroute, "FR H5K8")["id"]
    listed = flowroute.get("/v2/cnams", params={"limit": 10}).json()
    assert [c["id"] for c in listed["data"]] == [first, second]  # oldest first, as the README lists them
    assert listed["links"] == {"self": f"{flowroute.base}/v2/cnams?limit=10&offset=0"}
    for sent, expected in (("True", [first]), ("true", [first]), ("False", [second])):
        page = flowroute.get("/v2/cnams", params={"limit": 10, "is_approved": sent}).json()
        assert [c["id"] for c in page["data"]] == expected
        assert page["links"]["self"] == \
            f"{flowroute.base}/v2/cnams?is_approved={str(expected == [first]).lower()}&limit=10&offset=0"
    assert [c["id"] for c in flowroute.get("/v2/cnams", params={"value": "h5k"}).json()["data"]] == [second]
    assert flowroute.get("/v2/cnams", params={"limit": 1}).json()["links"]["next"].endswith("limit=1&offset=1")
    error_of(flowroute.get("/v2/cnams", params={"is_approved": "yes"}), 400)


def test_assign_and_unassign_show_on_the_number(flowroute):
    cnam_id = approved(flowroute)
    response = flowroute.patch(f"/v2/numbers/{OWNED}/relationships/cnam/{cnam_id}",
                               headers={"accept": "application/json"})
    assert response.status_code == 202
    body = response.json()
    assert body["data"]["id"] == int(cnam_id) and body["data"]["type"] == "cnam"
    assert HTTP_DATE.match(body["data"]["attributes"]["date_created"])
    assert flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["relationships"]["cnam_preset"] == {
        "data": {"type": "cnam", "id": cnam_id}}
    # Flowroute's pages write the path with "cnams": the same endpoints.
    assert flowroute.patch(f"/v2/numbers/{OWNED_PLAIN}/relationships/cnams/{cnam_id}").status_code == 202
    unassigned = flowroute.delete(f"/v2/numbers/{OWNED}/relationships/cnam")
    assert unassigned.status_code == 202 and unassigned.json()["data"]["id"] is None
    assert flowroute.delete(f"/v2/numbers/{OWNED_PLAIN}/relationships/cnams").status_code == 202
    assert flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["relationships"]["cnam_preset"] == {"data": None}


def test_a_pending_record_cannot_be_assigned_yet(flowroute):
    cnam_id = create(flowroute, "FR H5K8")["id"]
    error = error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/cnam/{cnam_id}"), 422)
    assert "not approved yet" in error["detail"]
    assert flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["relationships"]["cnam_preset"] == {"data": None}


def test_toll_free_numbers_take_no_cnam(flowroute):
    toll_free = flowroute.get("/v2/numbers/available", params={"starts_with": "888", "limit": 1}).json()["data"][0]
    flowroute.post(f"/v2/numbers/{toll_free['id']}")
    error = error_of(flowroute.patch(f"/v2/numbers/{toll_free['id']}/relationships/cnam/{approved(flowroute)}"), 422)
    assert "long code" in error["detail"]


def test_remove_unassigns_the_numbers_using_it(flowroute):
    cnam_id = approved(flowroute)
    flowroute.patch(f"/v2/numbers/{OWNED}/relationships/cnam/{cnam_id}")
    response = flowroute.delete(f"/v2/cnams/{cnam_id}", headers={"accept": "application/json"})
    assert response.status_code == 204 and response.content == b""
    assert flowroute.get(f"/v2/numbers/{OWNED}").json()["data"]["relationships"]["cnam_preset"] == {"data": None}
    error_of(flowroute.get(f"/v2/cnams/{cnam_id}"), 404)
    error_of(flowroute.delete(f"/v2/cnams/{cnam_id}"), 404)


def test_removing_a_pending_record_cancels_its_review(flowroute):
    cnam_id = create(flowroute, "FR H5K8")["id"]
    assert flowroute.delete(f"/v2/cnams/{cnam_id}").status_code == 204
    assert flowroute.world.accounts["default"].state("flowroute").due is None


def test_records_and_numbers_of_other_accounts_are_unknown(flowroute):
    cnam_id = approved(flowroute)
    error_of(flowroute.patch(f"/v2/numbers/{OTHER_TENANTS}/relationships/cnam/{cnam_id}"), 404)
    error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/cnam/99999"), 404)
    error_of(flowroute.delete(f"/v2/numbers/{OTHER_TENANTS}/relationships/cnam"), 404)
    other = flowroute.as_caller(basic("fakeroute-other", "fakeroute-other-secret"))
    assert other.get("/v2/cnams").json()["data"] == []
    error_of(other.get(f"/v2/cnams/{cnam_id}"), 404)
    error_of(other.delete(f"/v2/cnams/{cnam_id}"), 404)
    error_of(flowroute.as_caller({}).post("/v2/cnams", json={"value": "X"}), 401)


def test_state_dumps_records_reset_restores_and_a_scenario_brings_them(flowroute):
    cnam_id = approved(flowroute)
    pending = create(flowroute, "FR H5K8")["id"]
    flowroute.patch(f"/v2/numbers/{OWNED}/relationships/cnam/{cnam_id}")
    dumped = flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]
    assert [(c["id"], c["status"]) for c in dumped["cnams"]] == [(cnam_id, "approved"), (pending, "pending")]
    assert next(n for n in dumped["numbers"] if n["value"] == OWNED)["cnam"] == cnam_id
    assert flowroute.post("/_fakeroute/reset").status_code == 200
    assert flowroute.get("/v2/cnams").json()["data"] == []
    assert create(flowroute, "AGAIN")["id"] == cnam_id  # ids start over

    scenario = copy.deepcopy(flowroute.world.scenario)
    scenario["accounts"][0]["flowroute"].update(cnams=[c for c in dumped["cnams"]])
    scenario["accounts"][0]["flowroute"]["numbers"][0]["cnam"] = cnam_id
    world = World(scenario=scenario)
    account = world.accounts["default"].state("flowroute")
    assert account.cnams[pending].status == "pending" and account.numbers[OWNED].cnam == cnam_id
    world.clock.set(account.cnams[pending].decided_at)
    world.catch_up()  # what a request does first
    assert account.cnams[pending].status == "approved"


@pytest.mark.parametrize(("cnams", "words"), [
    ([{"id": "1", "value": "1234", "created_at": "2026-01-01T00:00:00Z"}], r"cnams\[0\].value"),
    ([{"id": "1", "value": "A", "created_at": "2026-01-01T00:00:00Z"}] * 2, r"cnams\[1\].id"),
])
def test_bad_scenario_records_name_the_entry(cnams, words):
    scenario = copy.deepcopy(World().scenario)
    scenario["accounts"][0]["flowroute"]["cnams"] = cnams
    with pytest.raises(ScenarioError, match=words):
        World(scenario=scenario)
