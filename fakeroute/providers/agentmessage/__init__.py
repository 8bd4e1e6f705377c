"""AgentMessage v1 (phone numbers, campaigns, brands) on api.agentmsg.io, bearer API keys with scopes."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ...errors import ApiError
from ...validation import SchemaStore, Violation
from ..base import Operation, Provider, Reply
from . import errors, handlers, rendering, routes, scopes
from .models import ApiKey, Brand, BulkOrder, Campaign, Organization, PhoneNumber, ReleasedNumber, StoredReply

if TYPE_CHECKING:
    from ...world import Account, World

SCHEMAS = SchemaStore(Path(__file__).parent / "schemas")
MAX_IDEMPOTENCY_KEY_BYTES = 255

# What one request carries from authentication to parsing and rendering (the app passes only the request).
_REQUEST_ID = "fakeroute.agentmessage.request_id"
_PATH_PROBLEMS = "fakeroute.agentmessage.path_problems"

_UUID = re.compile(SCHEMAS["path"].document["properties"]["id"]["pattern"])  # the schema's own pattern
_ODD_80 = 0x9E3779B97F4A7C15F39D  # odd: serial -> serial * _ODD_80 mod 2**80 is one-to-one
_SEED_MIX = 0xC2B2AE3D27D4EB4F165B

if set(SCHEMAS["scenario"].document["$defs"]["scope"]["enum"]) != set(scopes.ALL_SCOPES):
    raise RuntimeError("schemas/scenario.json and scopes.ALL_SCOPES disagree on the scopes")


def _uuid(hex_digits: str) -> str:
    return str(uuid.UUID(hex_digits, version=4))


def _time(text: str | None, default: datetime | None) -> datetime | None:
    return rendering.parse_time(text) if text else default


class AgentMessageProvider(Provider):
    name = "agentmessage"
    hosts = ("api.agentmsg.io",)
    path_prefixes = ("/v1/",)
    operations = routes.OPERATIONS
    schemas = SCHEMAS

    # -- request side -----------------------------------------------------------------------------

    def authenticate(self, request: Request, world: World, op: Operation, path: dict[str, str]) -> Account:
        """Who calls (401), whether the key's scopes allow this operation (403), then the path id (422).

        The query and body are then checked by the app against this provider's schemas; a failure
        comes back through ``invalid_query``/``invalid_body`` with every bad field.
        """
        environ = request.environ
        environ[_REQUEST_ID] = self._request_id(world)
        key = _bearer(request)
        account = world.find_account(self.name, key) if key else None
        if account is None or key is None:
            raise errors.unauthorized()
        org: Organization = account.states[self.name]
        scopes.check(op.name, org.api_keys[key].scopes, request.args)
        if "id" in path and not _UUID.match(path["id"]):
            problems = _details(self.schemas["path"].violations(path))
            if op.body:
                # A body's structure (400) is checked before field values (422): report both together then.
                environ[_PATH_PROBLEMS] = problems
            else:
                raise errors.validation_failed({**problems, **self._query_problems(op, request)})
        return account

    def _query_problems(self, op: Operation, request: Request) -> dict[str, str]:
        if not op.query:
            return {}
        schema = self.schemas[op.query]
        return _details(schema.violations(schema.coerce_query(request.args.items(multi=True))), default="query")

    def catch_up(self, world: World) -> None:
        """Quarantines that ended and bulk orders due, in every org: they change the shared inventory,
        so this runs before a request to any provider."""
        now = world.clock.peek()
        for account in world:
            org = account.states.get(self.name)
            if org is not None and org.due is not None and org.due <= now:
                handlers.catch_up(world.scope(account, self.name))

    def _request_id(self, world: World) -> str:
        """A ULID: the fake clock's milliseconds, then 80 bits unique per request and fixed by the seed
        (the serial times an odd constant is a bijection modulo 2**80)."""
        with world.lock:  # also called from render_error, outside the app's lock
            serial = world.ids.next("agentmessage.request")
        randomness = (serial * _ODD_80 + world.seed * _SEED_MIX) % (1 << 80)
        return rendering.ulid(world.clock.peek(), randomness)

    def parse_body(self, request: Request, data: bytes, op: Operation) -> Any:
        environ = request.environ
        schema = self.schemas[op.body]
        if not data.strip():
            body: Any = {}  # no body at all reads as {}: required fields are then reported by name
        else:
            try:
                body = json.loads(data)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise errors.invalid_input({"body": f"must be valid JSON ({exc})"}) from None
        if not isinstance(body, dict):
            raise errors.invalid_input({"body": "must be a JSON object"})
        if schema.document.get("additionalProperties") is False:
            allowed = schema.document["properties"]
            unknown = {name: "is not a field this endpoint accepts" for name in body if name not in allowed}
            if unknown:
                raise errors.invalid_input(unknown)
        parsed = handlers.JsonBody(body)
        problems = dict(environ.get(_PATH_PROBLEMS, {}))
        if op.name in routes.IDEMPOTENT:
            key = request.headers.get("Idempotency-Key")
            if key is not None and not 0 < len(key.encode()) <= MAX_IDEMPOTENCY_KEY_BYTES:
                problems["Idempotency-Key"] = f"must be 1 to {MAX_IDEMPOTENCY_KEY_BYTES} bytes"
            parsed.idempotency_key = key
        if problems:
            raise errors.validation_failed({**problems, **_details(schema.violations(body))})
        return parsed

    def invalid_query(self, violations: list[Violation]) -> ApiError:
        return errors.validation_failed(_details(violations, default="query"))

    def invalid_body(self, violations: list[Violation]) -> ApiError:
        return errors.validation_failed(_details(violations))

    def not_found(self, request: Request) -> ApiError:
        return errors.not_found()

    def method_not_allowed(self, request: Request) -> ApiError:
        return ApiError(405, f"method {request.method} not allowed", code="METHOD_NOT_ALLOWED")

    # -- response side ----------------------------------------------------------------------------

    def render(self, reply: Reply, request: Request) -> Response:
        reply.headers["X-Request-Id"] = request.environ[_REQUEST_ID]
        return super().render(reply, request)

    def render_error(self, error: ApiError, request: Request, world: World) -> Response:
        environ = request.environ
        request_id = environ.get(_REQUEST_ID) or self._request_id(world)
        document = errors.error_document(error, request_id)
        return Response(json.dumps(document, separators=(",", ":")), status=error.status,
                        headers={**error.headers, "X-Request-Id": request_id}, content_type=self.content_type)

    # -- state ------------------------------------------------------------------------------------

    def load_state(self, section: Mapping[str, Any] | None, world: World) -> Organization:
        from ...world import ScenarioError

        section = section or {}
        keys = section.get("api_keys", [])
        start = world.clock.start
        org_id = section.get("org_id") or _uuid(world.ids.token("agentmessage.org", *(k["key"] for k in keys)))
        org = Organization(org_id)
        for i, doc in enumerate(keys):
            if doc["key"] in org.api_keys:
                raise ScenarioError(f"api_keys[{i}].key: {doc['key']!r} is listed twice")
            org.api_keys[doc["key"]] = ApiKey(
                doc["key"], doc.get("id") or _uuid(world.ids.token("agentmessage.key", doc["key"])),
                doc.get("label", ""), tuple(doc["scopes"]), _time(doc.get("created_at"), start),
            )
        for i, doc in enumerate(section.get("brands", [])):
            if doc["id"] in org.brands:
                raise ScenarioError(f"brands[{i}].id: duplicate brand id {doc['id']!r}")
            created = _time(doc.get("created_at"), start)
            fields = {k: v for k, v in doc.items() if k in rendering.BRAND_FIELDS}
            org.brands[doc["id"]] = Brand(doc["id"], doc["status"], doc.get("identity_status"), created,
                                          _time(doc.get("updated_at"), created), fields)
        for i, doc in enumerate(section.get("campaigns", [])):
            if doc["id"] in org.campaigns:
                raise ScenarioError(f"campaigns[{i}].id: duplicate campaign id {doc['id']!r}")
            if doc["brand_id"] not in org.brands:
                raise ScenarioError(f"campaigns[{i}].brand_id: no brand with id {doc['brand_id']!r}")
            created = _time(doc.get("created_at"), start)
            fields = {k: v for k, v in doc.items() if k in rendering.CAMPAIGN_FIELDS}
            org.campaigns[doc["id"]] = Campaign(doc["id"], doc["brand_id"], doc["status"], created,
                                                _time(doc.get("updated_at"), created), fields)
        numbers = section.get("numbers", [])
        seen: set[str] = set()
        for i, doc in enumerate(numbers):
            if doc["id"] in org.numbers or doc["id"] in seen:
                raise ScenarioError(f"numbers[{i}].id: duplicate number id {doc['id']!r}")
            if doc["number"] in seen:
                raise ScenarioError(f"numbers[{i}].number: {doc['number']} is listed twice")
            seen.update((doc["id"], doc["number"]))
            campaign_id = doc.get("campaign_id")
            if campaign_id is not None and campaign_id not in org.campaigns:
                raise ScenarioError(f"numbers[{i}].campaign_id: no campaign with id {campaign_id!r}")
            described = world.inventory.describe(doc["number"][1:])
            created = _time(doc.get("created_at"), start - timedelta(days=len(numbers) - i))
            org.add_number(PhoneNumber(
                doc["id"], doc["number"],
                handlers.public_type(described.number_type) if described else "local",
                created, _time(doc.get("updated_at"), created),
                inbound_url=doc.get("inbound_url"), status_url=doc.get("status_url"), label=doc.get("label"),
                campaign_id=campaign_id,
                carrier_line_option_status=doc.get("carrier_line_option_status"),
                carrier_line_option_propagated_at=_time(doc.get("carrier_line_option_propagated_at"), None),
                sms_enabled=doc.get("sms_enabled", True), mms_enabled=doc.get("mms_enabled", True),
            ))
        for doc in section.get("released", []):
            available_at = doc.get("available_at")
            org.released[doc["id"]] = ReleasedNumber(
                doc["id"], doc["number"], rendering.parse_time(doc["released_at"]),
                rendering.parse_time(available_at) if available_at else None, doc.get("returned", False),
            )
        for doc in section.get("bulk_orders", []):
            org.bulk_orders[doc["id"]] = BulkOrder(
                doc["id"], doc["quantity"], dict(doc.get("criteria", {})), dict(doc.get("routing", {})),
                rendering.parse_time(doc["created_at"]), rendering.parse_time(doc["ready_at"]), doc["status"],
                list(doc.get("assigned_numbers", [])), _time(doc.get("updated_at"), None),
            )
        for doc in section.get("idempotency_keys", []):
            org.idempotency[doc["key"]] = StoredReply(doc["key"], doc["status"], doc["document"],
                                                      rendering.parse_time(doc["expires_at"]))
        org.recompute_due()
        return org

    def copy_state(self, state: Organization) -> Organization:
        """What a World reset copies: the records requests change. Keys, brands, campaigns and stored
        idempotent replies are never changed in place, so the copy shares them."""
        return Organization(
            state.org_id,
            api_keys=dict(state.api_keys),
            brands=dict(state.brands),
            campaigns=dict(state.campaigns),
            numbers={k: dataclasses.replace(n) for k, n in state.numbers.items()},
            released={k: dataclasses.replace(r) for k, r in state.released.items()},
            bulk_orders={k: dataclasses.replace(o, assigned_numbers=list(o.assigned_numbers))
                         for k, o in state.bulk_orders.items()},
            idempotency=dict(state.idempotency),
            _index=list(state._index),
            due=state.due,
        )

    def dump_state(self, state: Organization) -> dict[str, Any] | None:
        org = state
        if not org.api_keys and not org.numbers and not org.brands:
            return None
        return {
            "org_id": org.org_id,
            "api_keys": [
                {"key": k.key, "id": k.id, "label": k.label, "scopes": list(k.scopes),
                 "created_at": rendering.iso(k.created_at)}
                for k in org.api_keys.values()
            ],
            "brands": [
                {"id": b.id, "status": b.status, "identity_status": b.identity_status, **b.fields,
                 "created_at": rendering.iso(b.created_at), "updated_at": rendering.iso(b.updated_at)}
                for b in org.brands.values()
            ],
            "campaigns": [
                {"id": c.id, "brand_id": c.brand_id, "status": c.status, **c.fields,
                 "created_at": rendering.iso(c.created_at), "updated_at": rendering.iso(c.updated_at)}
                for c in org.campaigns.values()
            ],
            "numbers": [_number_section(n) for n in sorted(org.numbers.values(), key=lambda n: n.sort_key)],
            "released": [
                {"id": r.id, "number": r.number, "released_at": rendering.iso(r.released_at),
                 "available_at": rendering.iso(r.available_at), "returned": r.returned}
                for r in org.released.values()
            ],
            "bulk_orders": [
                {"id": o.id, "quantity": o.quantity, "status": o.status, "criteria": o.criteria,
                 "routing": o.routing, "assigned_numbers": list(o.assigned_numbers),
                 "created_at": rendering.iso(o.created_at), "ready_at": rendering.iso(o.ready_at),
                 "updated_at": rendering.iso(o.updated_at)}
                for o in org.bulk_orders.values()
            ],
            "idempotency_keys": [
                {"key": s.key, "status": s.status, "document": s.document, "expires_at": rendering.iso(s.expires_at)}
                for s in org.idempotency.values()
            ],
        }

    def new_section(self, world: World, serial: int) -> dict[str, Any]:
        return {
            "org_id": _uuid(world.ids.token("agentmessage.new_org", serial)),
            "api_keys": [{
                "key": "am_test_" + world.ids.token("agentmessage.new_key", serial),
                "label": "default",
                "scopes": list(scopes.DEFAULT_SCOPES),
            }],
        }

    def credential_keys(self, state: Organization) -> Iterable[Any]:
        return list(state.api_keys)

    def public_credentials(self, state: Organization) -> dict[str, Any] | None:
        if not state.api_keys:
            return None
        return {
            "org_id": state.org_id,
            "api_keys": [{"key": k.key, "label": k.label, "scopes": list(k.scopes)} for k in state.api_keys.values()],
        }

    def owned_numbers(self, section: Mapping[str, Any] | None) -> list[str]:
        """Owned numbers, and released ones still out of the inventory (quarantined or given back)."""
        section = section or {}
        owned = [n["number"][1:] for n in section.get("numbers", [])]
        owned += [r["number"][1:] for r in section.get("released", []) if not r.get("returned", False)]
        return owned


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _details(violations: Iterable[Violation], default: str = "body") -> dict[str, str]:
    """Field -> message, one message per field (the first reported)."""
    details: dict[str, str] = {}
    for violation in violations:
        details.setdefault(violation.field or default, violation.message)
    return details


def _number_section(number: PhoneNumber) -> dict[str, Any]:
    """The API's rendering of the number, less number_type, which a scenario takes from the inventory."""
    section = rendering.number_resource(number)
    del section["number_type"]
    return section
