"""The Twilio provider's schemas against the OpenAPI of Twilio Routes (seed 004, copied to tests/data), so the
copies cannot drift."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from fakeroute.providers.twilio import SCHEMAS
from fakeroute.providers.twilio.routes import OPERATIONS
from tests.support import DATA

SPEC = DATA / "twilio_routes_openapi.json"  # the parts of seed 004's OpenAPI these tests compare against

COMPONENTS = {
    "routes.v2.phone_number": "response_phone_number",
    "routes.v2.sip_domain": "response_sip_domain",
    "routes.v2.trunks": "response_trunks",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def test_the_copy_is_of_routes_1_52_0(spec):
    assert spec["openapi"] == "3.0.1" and spec["info"]["version"] == "1.52.0"
    assert spec["servers"] == [{"url": "https://routes.twilio.com"}]


def test_the_fake_serves_exactly_the_operations_of_the_spec_under_their_names(spec):
    def snake(operation_id: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()

    theirs = {(path, method.upper(), snake(op["operationId"]))
              for path, item in spec["paths"].items() for method, op in item.items() if method in ("get", "post")}
    ours = {(re.sub(r"<(\w+)>", r"{\1}", op.path), op.method, op.name) for op in OPERATIONS}
    assert ours == theirs


@pytest.mark.parametrize(("component", "schema_name"), COMPONENTS.items())
def test_each_response_schema_is_the_specs_component(spec, component, schema_name):
    theirs = spec["components"]["schemas"][component]["properties"]
    ours = SCHEMAS[schema_name].document["properties"]
    assert list(ours) == list(theirs)
    for name, prop in theirs.items():
        mine = ours[name]
        assert mine["type"] == ([prop["type"], "null"] if prop.get("nullable") else prop["type"]), name
        for keyword in ("format", "minLength", "maxLength", "description"):
            assert mine.get(keyword) == prop.get(keyword), (name, keyword)
        if "pattern" in prop:  # the fake adds one pattern the spec lacks: the date format it emits
            assert mine["pattern"] == prop["pattern"], name
    assert SCHEMAS[schema_name].document["required"] == list(theirs)


def test_the_update_form_schema_has_the_fields_of_every_update_request(spec):
    ours = SCHEMAS["body_update"].document["properties"]
    for path, item in spec["paths"].items():
        ref = item["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["$ref"]
        request = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(request["properties"]) == set(ours), path
        assert all(p["type"] == "string" for p in request["properties"].values())


def test_one_list_of_voice_regions_for_requests_and_scenarios():
    regions = SCHEMAS["body_update"].document["properties"]["VoiceRegion"]["enum"]
    assert SCHEMAS["scenario"].document["$defs"]["voice_region"]["enum"] == regions == ["us1", "ie1", "au1"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"code": 20404, "message": "m", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404,
          "type": "t", "title": "x"}, ""),
        ({"code": 20404, "message": "m", "status": 404}, "more_info"),
    ],
)
def test_the_error_schema_refuses_problem_documents_and_missing_fields(body, problem):
    violation = SCHEMAS["response_error"].first_violation(body)
    assert violation is not None and violation.field == problem
