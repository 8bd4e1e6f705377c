"""The served OpenAPI documents: generated from the providers' operations and schemas, valid OpenAPI 3.1,
loaded by schemathesis from the server and run against it (a short, bounded, derandomized run on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from openapi_spec_validator import validate
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.conformance import is_bodiless
from fakeroute.openapi import path_template, provider_document, success_statuses
from fakeroute.providers import PROVIDERS
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.fourth_provider.acme import AcmeProvider

NAMES = [p.name for p in PROVIDERS]
EXAMPLES = 8  # generated requests per operation and mode: enough to reach every branch of a schema, quick


def test_the_index_lists_every_provider_document(client: Client):
    index = client.get("/_fakeroute/openapi").json["openapi"]
    assert [(e["provider"], e["url"], e["server"]) for e in index] == [
        (p.name, f"http://localhost/_fakeroute/openapi/{p.name}.json", f"https://{p.hosts[0]}") for p in PROVIDERS
    ]
    for entry in index:
        assert client.get(entry["url"]).status_code == 200


@pytest.mark.parametrize("name", NAMES)
def test_each_document_is_valid_openapi_3_1_and_self_contained(client: Client, name: str):
    document = client.get(f"/_fakeroute/openapi/{name}.json").json
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"] == "3.1.0"
    provider = next(p for p in PROVIDERS if p.name == name)
    assert [s["url"] for s in document["servers"]] == [f"https://{provider.hosts[0]}", "http://localhost"]
    refs = _refs(document)
    assert refs and all(ref.startswith("#/") for ref in refs)  # nothing points at a file outside the document
    assert not any('"$schema"' in ref or ".json" in ref for ref in refs)


@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
def test_every_operation_appears_with_its_parameters_bodies_and_answers(provider):
    document = provider_document(provider)
    scheme = document["components"]["securitySchemes"]["credentials"]
    assert scheme == {**scheme, "type": "http", "scheme": provider.auth_scheme}
    for op in provider.operations:
        template, variables = path_template(op.path)
        operation = document["paths"][template][op.method.lower()]
        assert operation["operationId"] == op.name
        names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        assert {("path", v) for v in variables} <= names
        for part, where in ((op.query, "query"), (op.headers, "header")):
            for prop in provider.schemas[part].document.get("properties", {}) if part else ():
                assert (where, prop) in names
        if op.body:
            content = operation["requestBody"]["content"][provider.request_media_type]
            assert content["schema"] == {"$ref": f"#/components/schemas/{op.body}"}
        else:
            assert "requestBody" not in operation
        answers = operation["responses"]
        assert answers["4XX"] == answers["5XX"] == {"$ref": "#/components/responses/error"}
        if is_bodiless(provider, op.name):
            assert answers["204"] == {"description": "No Content"}
        else:
            title = provider.schemas[f"response_{op.name}"].document["title"]
            assert set(answers) - {"4XX", "5XX"} == set(success_statuses(title)) != set()
        if op.scope:
            assert operation["security"] == [{"credentials": [op.scope]}]


def test_a_werkzeug_any_converter_becomes_an_enum():
    flowroute = next(p for p in PROVIDERS if p.name == "flowroute")
    callback = provider_document(flowroute)["paths"]["/v2.1/messages/{callback_type}"]["put"]
    (parameter,) = callback["parameters"]
    assert parameter["schema"]["enum"][:2] == ["sms_callback", "mms_callback"]


def test_a_fourth_provider_gets_its_document_with_no_code_of_its_own():
    world = World(providers=(*PROVIDERS, AcmeProvider()), scenario="tests/fourth_provider/scenario.json")
    document = Client(FakerouteApp(world)).get("/_fakeroute/openapi/acme.json").json
    validate(document)
    assert document["paths"]


def test_an_unknown_provider_is_a_404_naming_the_known_ones(client: Client):
    answer = client.get("/_fakeroute/openapi/nope.json")
    assert answer.status_code == 404 and "flowroute" in answer.json["error"]


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref" and isinstance(v, str)] + \
            [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


# -- schemathesis, against a live server -----------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakerouteServer, World]]:
    world = World(seed=0)
    with FakerouteServer(FakerouteApp(world)) as server:
        yield server, world


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize("provider", PROVIDERS, ids=NAMES)
def test_schemathesis_loads_the_served_document_and_the_server_conforms(served, provider, mode):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    server, world = served
    world.reset()
    # Unknown query parameters are ignored, as the real APIs ignore them: not a negative case here.
    config = schemathesis.Config.from_dict({"generation": {"allow-extra-parameters": False}})
    schema = schemathesis.openapi.from_url(f"{server.url}/_fakeroute/openapi/{provider.name}.json", config=config)
    credentials = next(iter(world)).state(provider.name)
    auth = provider.auth_headers(provider.public_credentials(credentials))
    generation = schemathesis.GenerationMode.POSITIVE if mode == "positive" else schemathesis.GenerationMode.NEGATIVE
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(provider.operations)
    with requests.Session() as session:
        for operation in operations:

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=generation))
            def run(case):
                case.call_and_validate(base_url=server.url, session=session, headers=auth, timeout=10,
                                       excluded_checks=[positive_data_acceptance])

            run()


def test_the_module_examples_hold():
    import doctest

    import fakeroute.openapi

    assert doctest.testmod(fakeroute.openapi).failed == 0
