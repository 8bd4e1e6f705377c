"""OpenAPI 3.1 documents of each provider, generated from the Operations and JSON Schemas the app validates with.

Nothing here is written by hand, so the published document cannot drift from what the fake does: every
``Operation`` of a provider becomes an operation (its werkzeug rule a path template, its ``path_params``,
``query`` and ``headers`` schemas parameters, its ``body`` schema the request body, its ``scope`` a role of the
security requirement), its ``response_<operation>`` schema the success answer (the status is the one the
schema's title states, ``"GET /v2/routes → 200"``; ``2XX`` when it states none; ``204`` with no body when the
operation has no response schema) and ``response_error`` every 4XX and 5XX answer. Schema files ``$ref`` each
other by file name; here each used file becomes ``components/schemas/<file stem>`` and every reference a
pointer into the document, so the document stands alone.

>>> from fakeroute.providers import PROVIDERS
>>> flowroute = next(p for p in PROVIDERS if p.name == "flowroute")
>>> doc = provider_document(flowroute)
>>> doc["openapi"], doc["servers"][0]["url"]
('3.1.0', 'https://api.flowroute.com')
>>> sorted(doc["paths"]["/v2/numbers/{id}"])
['delete', 'get', 'patch', 'post']
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from . import __version__
from .conformance import ERROR_SCHEMA, is_bodiless, response_schema_name

if TYPE_CHECKING:
    from .providers.base import Operation, Provider

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "credentials"  # the one security scheme of every document

# <name>, <converter:name>, <converter(args):name>: werkzeug's rule variables.
_VARIABLE = re.compile(r"<(?:(?P<converter>[A-Za-z_]\w*)(?:\((?P<args>[^)]*)\))?:)?(?P<name>[A-Za-z_]\w*)>")
_STATUSES = re.compile(r"→\s*(\d{3}(?:\s*(?:or|,)\s*\d{3})*)")
# What werkzeug's converters match, for path parameters no path_params schema describes. The default converter
# takes one non-empty path segment.
_SEGMENT = {"type": "string", "pattern": "^[^/]+$"}
_CONVERTERS: dict[str, dict[str, Any]] = {
    "default": _SEGMENT,
    "string": _SEGMENT,
    "path": {"type": "string", "minLength": 1},
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
}


def provider_document(provider: Provider, fake_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``provider``: its real server first, then ``fake_url`` (this fake) if given."""
    return _Builder(provider).document(fake_url)


def index_document(providers: tuple[Provider, ...], base_url: str, prefix: str) -> dict[str, Any]:
    """Where each provider's document is: ``{"openapi": [{"provider", "title", "url", "server"}]}``."""
    return {"openapi": [
        {"provider": p.name, "title": p.title or p.name, "url": f"{base_url}{prefix}/{p.name}.json",
         "server": real_server(p)}
        for p in providers
    ]}


def real_server(provider: Provider) -> str:
    return f"https://{provider.hosts[0]}" if provider.hosts else ""


def path_template(rule: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """``/v2/numbers/<id>`` → ``/v2/numbers/{id}``, and the schema each variable's converter accepts.

    >>> path_template("/v2.1/messages/<any(sms_callback, dlr_callback):callback_type>")
    ('/v2.1/messages/{callback_type}', {'callback_type': {'type': 'string', 'enum': ['sms_callback', 'dlr_callback']}})
    """
    variables: dict[str, dict[str, Any]] = {}

    def replace(match: re.Match[str]) -> str:
        converter, args, name = match.group("converter") or "default", match.group("args"), match.group("name")
        if converter == "any":
            choices = [a.strip().strip("'\"") for a in (args or "").split(",") if a.strip()]
            variables[name] = {"type": "string", "enum": choices}
        else:
            variables[name] = dict(_CONVERTERS.get(converter, _SEGMENT))
        return "{" + name + "}"

    return _VARIABLE.sub(replace, rule), variables


def success_statuses(title: str) -> list[str]:
    """The statuses a response schema's title states (``"POST /v1/phone-numbers/bulk → 200 or 202"``)."""
    found = _STATUSES.search(title)
    return re.findall(r"\d{3}", found.group(1)) if found else []


class _Builder:
    """One document under construction: the components it has pulled in so far."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.components: dict[str, Any] = {}

    def document(self, fake_url: str | None) -> dict[str, Any]:
        provider = self.provider
        paths: dict[str, dict[str, Any]] = {}
        used_ids: set[str] = set()
        for op in provider.operations:
            template, variables = path_template(op.path)
            operation = self.operation(op, variables)
            operation_id = op.name
            while operation_id in used_ids:  # one handler on two rules: still unique ids
                operation_id += "_"
            used_ids.add(operation_id)
            paths.setdefault(template, {})[op.method.lower()] = {"operationId": operation_id, **operation}
        servers = [{"url": real_server(provider), "description": f"the real {provider.title or provider.name} API"}]
        if fake_url:
            servers.append({"url": fake_url, "description": "this fakeroute server"})
        media_type = provider.content_type
        return {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": f"{provider.title or provider.name} (fakeroute)",
                "version": __version__,
                "description": (f"The {provider.name} API as fakeroute serves it, generated from the JSON Schemas "
                                "it validates every request and checks every answer with."),
            },
            "servers": servers,
            "security": [{SECURITY_SCHEME: []}],
            "paths": paths,
            "components": {
                "securitySchemes": {SECURITY_SCHEME: {
                    "type": "http", "scheme": provider.auth_scheme,
                    "description": f"the account's {provider.name} credentials (GET /_fakeroute/accounts)",
                }},
                "responses": {"error": {
                    "description": f"an error in {provider.name}'s own format",
                    "content": {media_type: {"schema": self.ref(ERROR_SCHEMA)}},
                }},
                "schemas": dict(sorted(self.components.items())),
            },
        }

    def operation(self, op: Operation, variables: dict[str, dict[str, Any]]) -> dict[str, Any]:
        provider, schemas = self.provider, self.provider.schemas
        result: dict[str, Any] = {}
        summary = (op.handler.__doc__ or "").strip().split("\n", 1)[0]
        if summary:
            result["summary"] = summary
        parameters = []
        path_schema = schemas[op.path_params].document if op.path_params else {}
        for name, converted in variables.items():
            own = path_schema.get("properties", {}).get(name)
            schema = self.inline(own, op.path_params) if own is not None else converted
            parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        for part, where in ((op.query, "query"), (op.headers, "header")):
            if not part:
                continue
            document = schemas[part].document
            required = set(document.get("required", ()))
            for name, prop in document.get("properties", {}).items():
                parameters.append({"name": name, "in": where, "required": name in required,
                                   "schema": self.inline(prop, part)})
        if parameters:
            result["parameters"] = parameters
        if op.body:
            result["requestBody"] = {
                "required": bool(schemas[op.body].document.get("required")),
                "content": {provider.request_media_type: {"schema": self.ref(op.body)}},
            }
        result["responses"] = {**self.successes(op), "4XX": {"$ref": "#/components/responses/error"},
                               "5XX": {"$ref": "#/components/responses/error"}}
        if op.scope:
            result["security"] = [{SECURITY_SCHEME: [op.scope]}]
        return result

    def successes(self, op: Operation) -> dict[str, Any]:
        provider = self.provider
        if is_bodiless(provider, op.name):
            return {"204": {"description": "No Content"}}
        name = response_schema_name(op.name)
        schema = provider.schemas[name].document
        answer = {"description": schema.get("title", name),
                  "content": {provider.content_type: {"schema": self.ref(name)}}}
        return {status: answer for status in success_statuses(schema.get("title", "")) or ["2XX"]}

    # -- schemas ----------------------------------------------------------------------------------

    def ref(self, stem: str, fragment: str = "") -> dict[str, str]:
        """A reference to schema file ``stem`` (pulled into the components), at ``fragment`` inside it."""
        if stem not in self.components:
            self.components[stem] = {}  # claimed first: files that refer to each other terminate
            self.components[stem] = self.inline(self.provider.schemas[stem].document, stem)
        return {"$ref": f"#/components/schemas/{stem}{fragment}"}

    def inline(self, node: Any, stem: str | None) -> Any:
        """A copy of a schema (part) of file ``stem`` with its references turned into document pointers."""
        if isinstance(node, list):
            return [self.inline(item, stem) for item in node]
        if not isinstance(node, dict):
            return copy.deepcopy(node)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("$schema", "$id"):  # the document's dialect applies; references are pointers now
                continue
            if key == "$ref" and isinstance(value, str):
                target, _, fragment = value.partition("#")
                out["$ref"] = self.ref(target.removesuffix(".json") if target else str(stem), fragment)["$ref"]
            elif key in ("properties", "$defs", "patternProperties", "dependentSchemas"):
                out[key] = {k: self.inline(v, stem) for k, v in value.items()}  # names, not keywords
            else:
                out[key] = self.inline(value, stem)
        return out
