"""Every JSON Schema the project keeps as data is a valid draft 2020-12 schema."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from fakeroute.providers import PROVIDERS
from fakeroute.scenario import envelope_schema
from fakeroute.validation import Verdicts

SCENARIO_SCHEMA = envelope_schema(PROVIDERS)

SCHEMAS = [(p.name, name, p.schemas[name].document) for p in PROVIDERS for name in p.schemas.names()]


@pytest.mark.parametrize(("provider", "name", "document"), SCHEMAS, ids=[f"{p}/{n}" for p, n, _ in SCHEMAS])
def test_provider_schemas_are_valid(provider, name, document):
    Draft202012Validator.check_schema(document)


def test_the_scenario_envelope_is_valid():
    Draft202012Validator.check_schema(SCENARIO_SCHEMA.document)


def test_every_provider_keeps_a_scenario_schema():
    assert all("scenario" in p.schemas for p in PROVIDERS)


def test_verdicts_are_remembered_per_raw_input_without_sharing_lists():
    schema = next(p for p in PROVIDERS if p.name == "flowroute").schemas["body_route"]
    raw = b'{"data": {"type": "route"}}'
    verdicts = Verdicts()
    first = schema.violations({"data": {"type": "route"}}, key=raw, verdicts=verdicts)
    first.append("mutated by a caller")
    again = schema.violations({"data": {"type": "route"}}, key=raw, verdicts=verdicts)
    assert [str(v) for v in again] == ["data.attributes: is required"] and len(verdicts) == 1
    assert schema.violations({"data": {"type": "route", "attributes": {"route_type": "sip-reg", "value": None,
                                                                       "alias": "a"}}}, key=b"other",
                             verdicts=verdicts) == []
