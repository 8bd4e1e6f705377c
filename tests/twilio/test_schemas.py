"""The Twilio provider's schemas against the OpenAPI of Twilio Routes (seed 004), so the copies cannot drift."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fakeroute.providers.twilio import SCHEMAS
from fakeroute.providers.twilio.routes import OPERATIONS
from tests.support import REPO

SEED = REPO.parent / "shared" / "seeds" / "004_81b5311f82ecede2.txt"  # CI clones shared/ beside the repo

COMPONENTS = {
    "routes.v2.phone_number": "response_phone_number",
    "routes.v2.sip_domain": "response_sip_domain",
    "routes.v2.trunks": "response_trunks",
}


def parse_yaml(text: str) -> Any:
    """The block-style YAML subset the seed's OpenAPI is written in: mappings, sequences, plain, quoted and
    folded (>-) scalars, [] and {}. Enough for this one document, so the tests need no YAML package."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    pos = 0

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def is_item(line: str) -> bool:
        return line.lstrip().startswith("- ")

    def scalar(text: str) -> Any:
        if text[:1] in "'\"":
            return text[1:-1]
        return {"[]": [], "{}": {}, "true": True, "false": False}.get(text, int(text) if text.isdigit() else text)

    def value(rest: str, level: int) -> Any:
        nonlocal pos
        if rest in (">-", ">", "|", "|-"):
            folded = []
            while pos < len(lines) and indent(lines[pos]) > level:
                folded.append(lines[pos].strip())
                pos += 1
            return " ".join(folded)
        if rest:
            return scalar(rest)
        if pos < len(lines) and indent(lines[pos]) > level:
            return block(indent(lines[pos]))
        return None

    def mapping(level: int) -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while pos < len(lines) and indent(lines[pos]) == level and not is_item(lines[pos]):
            key, _, rest = lines[pos].strip().partition(":")
            pos += 1
            out[str(scalar(key))] = value(rest.strip(), level)
        return out

    def sequence(level: int) -> list[Any]:
        nonlocal pos
        out: list[Any] = []
        while pos < len(lines) and indent(lines[pos]) == level and is_item(lines[pos]):
            item = lines[pos].strip()[2:]
            if re.match(r"^[A-Za-z_$][\w.$-]*:( |$)", item):  # a mapping that starts on the dash's line
                lines[pos] = " " * (level + 2) + item
                out.append(mapping(level + 2))
            else:
                pos += 1
                out.append(scalar(item))
        return out

    def block(level: int) -> Any:
        return sequence(level) if is_item(lines[pos]) else mapping(level)

    return block(0)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SEED.is_file():
        pytest.skip(f"seed 004 not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    return parse_yaml(text[text.index("\ncomponents:") + 1:])


def test_the_parser_reads_the_document(spec):
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
