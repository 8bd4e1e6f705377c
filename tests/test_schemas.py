"""Every JSON Schema the project keeps as data is a valid draft 2020-12 schema."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from fakeroute.providers import PROVIDERS
from fakeroute.world import SCENARIO_SCHEMA

SCHEMAS = [(p.name, name, p.schemas[name].document) for p in PROVIDERS for name in p.schemas.names()]


@pytest.mark.parametrize(("provider", "name", "document"), SCHEMAS, ids=[f"{p}/{n}" for p, n, _ in SCHEMAS])
def test_provider_schemas_are_valid(provider, name, document):
    Draft202012Validator.check_schema(document)


def test_the_scenario_envelope_is_valid():
    Draft202012Validator.check_schema(SCENARIO_SCHEMA.document)


def test_every_provider_keeps_a_scenario_schema():
    assert all("scenario" in p.schemas for p in PROVIDERS)
