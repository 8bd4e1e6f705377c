"""Flowroute inbound routes: list, create per route type, and assignment as primary/failover route."""

from __future__ import annotations

import copy
import json

import pytest

from fakeroute.world import ScenarioError, World
from tests.support.errors import error_of
from tests.support.flowroute import OTHER_TENANTS, OWNED, OWNED_PLAIN
from tests.support.harness import basic


def new_route(route_type: str, value, alias: str, **extra) -> str:
    return json.dumps({"data": {"type": "route", "attributes": {"route_type": route_type, "value": value,
                                                                 "alias": alias, **extra}}})


def test_routes_list_starts_with_the_built_in_sip_reg_route(flowroute):
    body = flowroute.get("/v2/routes").json()
    assert [r["id"] for r in body["data"]] == ["0", "98396", "98397", "98398"]
    assert body["data"][0] == {
        "type": "route",
        "id": "0",
        "attributes": {"route_type": "sip-reg", "alias": "sip-reg", "value": None, "edge_strategy": None},
        "links": {"self": f"{flowroute.base}/v2/routes/0"},
    }
    assert body["links"] == {"self": f"{flowroute.base}/v2/routes?limit=10&offset=0"}


def test_routes_list_paginates_and_filters_by_type(flowroute):
    page = flowroute.get("/v2/routes", params={"limit": 2, "offset": 1}).json()
    assert [r["id"] for r in page["data"]] == ["98396", "98397"]
    assert page["links"]["next"] == f"{flowroute.base}/v2/routes?limit=2&offset=3"
    hosts = flowroute.get("/v2/routes", params={"route_type": "host"}).json()
    assert [r["id"] for r in hosts["data"]] == ["98396"]
    assert hosts["links"]["self"] == f"{flowroute.base}/v2/routes?route_type=host&limit=10&offset=0"


@pytest.mark.parametrize("params", [{"route_type": "HOST"}, {"limit": "0"}, {"limit": "1000"}, {"offset": "-3"}])
def test_routes_list_rejects_bad_parameters(flowroute, params):
    error_of(flowroute.get("/v2/routes", params=params), 400)


@pytest.mark.parametrize(
    ("route_type", "value"),
    [
        ("host", "www.getouttahere.com"),
        ("host", "203.0.113.10:5060"),
        ("number", "12065551234"),
        ("number", "442071838750"),
        ("uri", "sip:alice@example.com"),
        ("uri", "sips:pbx.example.com:5061;transport=tls"),
        ("sip-reg", None),
    ],
)
def test_create_route_answers_201_with_the_new_route(flowroute, route_type, value):
    response = flowroute.post("/v2/routes", data=new_route(route_type, value, f"my-{route_type}"),
                              headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 201, response
    body = response.json()
    route_id = body["data"]["id"]
    assert route_id.isdigit() and int(route_id) >= 98400
    assert body == {
        "data": {
            "type": "route",
            "id": route_id,
            "attributes": {"route_type": route_type, "alias": f"my-{route_type}", "value": value,
                           "edge_strategy": None},
            "links": {"self": f"{flowroute.base}/routes/{route_id}"},
        },
        "links": {"self": f"{flowroute.base}/routes/{route_id}"},
    }
    listed = flowroute.get("/v2/routes", params={"limit": 200}).json()["data"]
    assert listed[-1]["id"] == route_id


@pytest.mark.parametrize("content_type", [None, "application/vnd.api+json", "application/vnd+api.json", "text/plain"])
def test_create_route_never_rejects_for_the_content_type(flowroute, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = flowroute.post("/v2/routes", data=new_route("host", "a.example.com", "ct"), headers=headers)
    assert response.status_code == 201


@pytest.mark.parametrize("sent", ["1", 4])
def test_a_route_keeps_its_edge_strategy_and_ignores_unknown_attributes(flowroute, sent):
    response = flowroute.post("/v2/routes", data=new_route("host", "b.example.com", "edge", edge_strategy=sent,
                                                           priority="high"))
    assert response.status_code == 201
    attributes = response.json()["data"]["attributes"]
    assert attributes["edge_strategy"] == int(sent) and "priority" not in attributes
    listed = flowroute.get("/v2/routes", params={"route_type": "host"}).json()["data"]
    assert listed[-1]["attributes"]["edge_strategy"] == int(sent)
    dumped = flowroute.get("/_fakeroute/state").json()["accounts"][0]["flowroute"]["routes"]
    assert dumped[-1] == {"id": listed[-1]["id"], "route_type": "host", "value": "b.example.com", "alias": "edge",
                          "edge_strategy": int(sent)}
    assert "edge_strategy" not in dumped[0]  # a route without one dumps as it always did


def test_route_ids_count_up_deterministically(flowroute):
    ids = [flowroute.post("/v2/routes", data=new_route("host", "h.example.com", f"r{i}")).json()["data"]["id"]
           for i in range(3)]
    assert ids == ["98400", "98401", "98402"]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (new_route("host", "not a host!", "a"), "data.attributes.value", "host name"),
        (new_route("host", None, "a"), "data.attributes.value", "must be a string"),
        (new_route("number", "2065551234", "a"), "data.attributes.value", "E.164"),
        (new_route("number", "+12065551234", "a"), "data.attributes.value", "E.164"),
        (new_route("number", 12065551234, "a"), "data.attributes.value", "must be a string"),
        (new_route("number", "11234567890", "a"), "data.attributes.value", "not a valid phone number"),
        (new_route("uri", "alice@example.com", "a"), "data.attributes.value", "SIP URI"),
        (new_route("fax", "x", "a"), "data.attributes.route_type", "one of"),
        (new_route("host", "a.com", ""), "data.attributes.alias", "at least 1"),
        (new_route("host", "a.com", "new_route_5000"), "data.attributes.alias", "already exists"),
        (new_route("host", "a.com", "e", edge_strategy="9"), "data.attributes.edge_strategy", "not an edge strategy"),
        (new_route("host", "a.com", "e", edge_strategy="US-West-OR"), "data.attributes.edge_strategy",
         "id of an edge strategy"),
        (new_route("host", "a.com", "e", edge_strategy=True), "data.attributes.edge_strategy", "must be"),
        ('{"data": {"type": "route", "attributes": {"route_type": "host", "value": "a.com"}}}',
         "data.attributes.alias", "is required"),
        ('{"data": {"type": "routes", "attributes": {}}}', "data.type", "must be 'route'"),
        ('{"data": {"type": "route"}}', "data.attributes", "is required"),
        ('{"route_type": "host", "value": "a.com", "alias": "flat"}', "data", "is required"),
        ("[]", "request body", "must be an object"),
        ("", "request body", "must be an object"),
    ],
)
def test_create_route_rejects_invalid_routes_with_422_naming_the_field(flowroute, body, field, words):
    before = flowroute.get("/v2/routes", params={"limit": 200}).json()
    error = error_of(flowroute.post("/v2/routes", data=body), 422)
    assert error["title"] == "Unprocessable Entity"
    assert field in error["detail"] and words in error["detail"], error["detail"]
    assert flowroute.get("/v2/routes", params={"limit": 200}).json() == before


def test_create_route_rejects_malformed_json_with_400(flowroute):
    error = error_of(flowroute.post("/v2/routes", data='{"data": {'), 400)
    assert "not valid JSON" in error["detail"]


# -- primary and failover routes ----------------------------------------------------------------------


def relationship(route_id) -> str:
    return json.dumps({"data": {"type": "route", "id": route_id}})


@pytest.mark.parametrize("which", ["primary_route", "failover_route"])
def test_assigning_a_route_answers_204_and_shows_in_the_number_details(flowroute, which):
    created = flowroute.post("/v2/routes", data=new_route("uri", "sip:ops@example.com", "ops")).json()["data"]
    # The SDK sends these PATCHes with no Content-Type and no Accept header at all.
    response = flowroute.patch(f"/v2/numbers/{OWNED_PLAIN}/relationships/{which}", data=relationship(created["id"]))
    assert response.status_code == 204 and response.content == b""
    detail = flowroute.get(f"/v2/numbers/{OWNED_PLAIN}").json()
    assert detail["data"]["relationships"][which] == {"data": {"type": "route", "id": created["id"]}}
    assert created["id"] in [r["id"] for r in detail["included"]]


def test_route_id_may_be_sent_as_a_number(flowroute):
    response = flowroute.patch(f"/v2/numbers/{OWNED}/relationships/primary_route", data=relationship(98398))
    assert response.status_code == 204
    detail = flowroute.get(f"/v2/numbers/{OWNED}").json()
    assert detail["data"]["relationships"]["primary_route"]["data"]["id"] == "98398"


def test_assigning_an_unknown_route_is_a_404_and_changes_nothing(flowroute):
    error = error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/primary_route",
                                     data=relationship("12345")), 404)
    assert "12345" in error["detail"] and error["source"] == {"pointer": "/data/id"}
    detail = flowroute.get(f"/v2/numbers/{OWNED}").json()
    assert detail["data"]["relationships"]["primary_route"]["data"]["id"] == "98396"


def test_another_accounts_route_cannot_be_assigned(flowroute):
    other = basic("fakeroute-other", "fakeroute-other-secret")
    created = flowroute.post("/v2/routes", data=new_route("host", "theirs.example.com", "theirs"),
                             headers=other).json()["data"]
    error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/failover_route",
                             data=relationship(created["id"])), 404)


def test_assigning_a_route_to_a_number_not_owned_is_a_404(flowroute):
    error = error_of(flowroute.patch(f"/v2/numbers/{OTHER_TENANTS}/relationships/primary_route",
                                     data=relationship("0")), 404)
    assert OTHER_TENANTS in error["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"data": {"type": "number", "id": "0"}}', "data.type"),
        ('{"data": {"type": "route"}}', "data.id"),
        ('{"data": {"type": "route", "id": "abc"}}', "data.id"),
        ('{"data": {"type": "route", "id": null}}', "data.id"),
        ('{"type": "route", "id": "0"}', "data"),
    ],
)
def test_malformed_relationship_bodies_are_422(flowroute, body, field):
    error = error_of(flowroute.patch(f"/v2/numbers/{OWNED}/relationships/primary_route", data=body), 422)
    assert field in error["detail"]


def test_a_scenario_route_names_an_edge_strategy_that_exists():
    scenario = copy.deepcopy(World().scenario)
    scenario["accounts"][0]["flowroute"]["routes"][0]["edge_strategy"] = 4
    assert World(scenario=scenario).accounts["default"].state("flowroute").routes["98396"].edge_strategy == 4
    scenario["accounts"][0]["flowroute"]["routes"][0]["edge_strategy"] = 9
    with pytest.raises(ScenarioError, match=r"routes\[0\].edge_strategy: no edge strategy 9"):
        World(scenario=scenario)
