"""Does an answer have the shape the real API gives? Each answer checked against its provider's response schemas.

Every provider folder keeps, beside the schemas of its input, one ``response_<operation>.json`` per operation
that answers with a body (the success document) and ``response_error.json`` (every answer with a status of 400
or more, routed or not). An operation with no response schema answers ``204 No Content``; one whose schema has a
top-level ``contentMediaType`` answers a file of that media type instead of a JSON document.

>>> from fakeroute.providers import PROVIDERS
>>> flowroute = next(p for p in PROVIDERS if p.name == "flowroute")
>>> response_violations(flowroute, "release_a_did", 204, b"", None)
[]
>>> body = b'{"data": {"type": "message", "id": 7, "links": {}}}'
>>> response_violations(flowroute, "send_a_message", 202, body, "application/vnd.api+json")
['response_send_a_message: data.id: must be a string, got 7', 'response_send_a_message: data.links.self: is required']
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .providers.base import Provider

ERROR_SCHEMA = "response_error"

def response_schema_name(operation_name: str) -> str:
    """The schema (file stem in the provider's schemas/ folder) of an operation's success body."""
    return f"response_{operation_name}"


def is_bodiless(provider: Provider, operation_name: str) -> bool:
    """An operation without a ``response_<operation>`` schema answers with no body (``204 No Content``): the
    absence of the file is the policy, so an answer with a body from such an operation is reported."""
    return response_schema_name(operation_name) not in provider.schemas


def response_violations(
    provider: Provider,
    operation_name: str | None,
    status: int,
    body: bytes,
    content_type: str | None,
) -> list[str]:
    """Why this answer is not one the real API could give; empty when it conforms.

    ``operation_name`` is the routed operation (``handler.__name__``), None for a request no operation
    matched (an unknown path, 404, or method, 405). A status of 400 or more is checked against
    ``response_error``; a success with a body against ``response_<operation_name>``; a success without
    one must be a 204 or an operation with no response schema.
    """
    known = {op.name for op in provider.operations}
    if operation_name is not None and operation_name not in known:
        return [f"{provider.name} has no operation {operation_name!r}"]
    if status >= 400:
        return _error_violations(provider, status, body, content_type)
    if operation_name is None:
        return [f"{status} answers a request no {provider.name} operation matched: only an error status can"]

    schema_name = response_schema_name(operation_name)
    if not body:
        if status != 204 and schema_name in provider.schemas:
            return [f"{operation_name} answered {status} with an empty body: {schema_name} expects a document"]
        return []
    problems: list[str] = []
    if status == 204:
        problems.append(f"204 No Content with a body of {len(body)} bytes")
    if is_bodiless(provider, operation_name):
        problems.append(f"{operation_name} answers without a body (204: {provider.name} has no {schema_name}), "
                        f"but {len(body)} bytes came")
        return problems
    media_type = provider.schemas[schema_name].document.get("contentMediaType")
    if media_type is not None:  # a file, not a JSON document (a CDR export's CSV): its media type is the check
        given = (content_type or "").split(";", 1)[0].strip().lower()
        return problems + ([] if given == media_type else [f"Content-Type {content_type!r} is not {media_type}"])
    return problems + _document_violations(provider, schema_name, body, content_type)[0]


def _error_violations(provider: Provider, status: int, body: bytes, content_type: str | None) -> list[str]:
    if not body:
        return [f"error {status} with an empty body: {ERROR_SCHEMA} expects a document"]
    problems, document = _document_violations(provider, ERROR_SCHEMA, body, content_type)
    if isinstance(document, dict):
        problems += _status_mismatches(document, status)
    return problems


def _document_violations(
    provider: Provider, schema_name: str, body: bytes, content_type: str | None,
) -> tuple[list[str], Any]:
    """The body's problems (media type, JSON, schema) and the document parsed from it (None if not JSON)."""
    problems = []
    if not _is_json_media_type(content_type):
        problems.append(f"Content-Type {content_type!r} is not JSON")
    try:
        document = json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        return [*problems, f"body is not JSON ({exc}): {body[:60]!r}"], None
    # Several missing members of one object can read alike (each named after the first one missing): once each.
    problems += dict.fromkeys(f"{schema_name}: {v}" for v in provider.schemas[schema_name].violations(document))
    return problems, document


def _status_mismatches(document: dict[str, Any], status: int) -> list[str]:
    """An error body that states a status (Twilio's ``status``, JSON:API's ``errors[].status``) states this one."""
    stated: list[tuple[str, Any]] = [("status", document.get("status"))]
    errors = document.get("errors")
    if isinstance(errors, list):
        stated += [(f"errors[{i}].status", e.get("status")) for i, e in enumerate(errors) if isinstance(e, dict)]
    return [
        f"{field}: {value} in the body, but the answer's status is {status}"
        for field, value in stated
        if isinstance(value, int) and not isinstance(value, bool) and value != status
    ]


def _is_json_media_type(content_type: str | None) -> bool:
    """application/json, or a JSON-based type such as Flowroute's application/vnd.api+json."""
    if not content_type:
        return False
    mimetype = content_type.split(";", 1)[0].strip().lower()
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))
