"""Flowroute Numbers v2 (numbers, routes) on api.flowroute.com, HTTP basic auth accessKey:secretKey."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from ...errors import ApiError
from ...validation import SchemaStore
from ..base import Provider
from . import rendering
from .errors import UNAUTHORIZED_DETAIL, error_document
from .models import SIP_REG_ROUTE_ID, FlowrouteAccount, Number, Route
from .routes import OPERATIONS

if TYPE_CHECKING:
    from ...world import Account, World

SCHEMAS = SchemaStore(Path(__file__).parent / "schemas")


class FlowrouteProvider(Provider):
    name = "flowroute"
    hosts = ("api.flowroute.com",)
    path_prefixes = ("/v2/", "/v2.1/")
    operations = OPERATIONS
    schemas = SCHEMAS
    content_type = rendering.MEDIA_TYPE

    # -- request side -----------------------------------------------------------------------------

    def authenticate(self, request: Request, world: World) -> Account:
        account = self.basic_auth_account(request, world)
        if account is None:
            raise ApiError(401, UNAUTHORIZED_DETAIL)
        return account

    def parse_body(self, request: Request, data: bytes) -> Any:
        # The SDK sends application/json, application/vnd.api+json or no Content-Type at all
        # depending on the call: the body is read as JSON whatever the header says.
        if not data.strip():
            return None
        try:
            return json.loads(data)
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"Request body is not valid JSON: {exc}") from None

    def invalid_query(self, problem: str, field: str) -> ApiError:
        return ApiError(400, problem, field=field, extra={"source": {"parameter": field}})

    def invalid_body(self, problem: str, field: str) -> ApiError:
        return ApiError(422, problem, field=field)

    # -- response side ----------------------------------------------------------------------------

    def render_error(self, error: ApiError, request: Request, world: World) -> Response:
        document = error_document(error, world.ids.uuid("flowroute.error"))
        return Response(json.dumps(document), status=error.status, headers=error.headers,
                        content_type=self.content_type)

    # -- state ------------------------------------------------------------------------------------

    def load_state(self, section: Mapping[str, Any] | None, world: World) -> FlowrouteAccount:
        from ...world import ScenarioError

        if section is None:  # an account without Flowroute credentials: nobody can call as it
            return FlowrouteAccount(None, None)
        account = FlowrouteAccount(section["access_key"], section["secret_key"])
        for i, doc in enumerate(section.get("routes", [])):
            if doc["id"] in account.routes:
                raise ScenarioError(f"routes[{i}].id: duplicate route id {doc['id']!r}")
            if account.route_with_alias(doc["alias"]):
                raise ScenarioError(f"routes[{i}].alias: duplicate alias {doc['alias']!r}")
            account.routes[doc["id"]] = Route(doc["id"], doc["route_type"], doc.get("value"), doc["alias"])
        for i, doc in enumerate(section.get("numbers", [])):
            value = doc["value"]
            if value in account.numbers:
                raise ScenarioError(f"numbers[{i}].value: {value} is listed twice")
            for relationship in ("primary_route", "failover_route"):
                route_id = doc.get(relationship)
                if route_id is not None and route_id not in account.routes:
                    raise ScenarioError(f"numbers[{i}].{relationship}: no route with id {route_id!r}")
            described = world.inventory.describe(value)
            account.numbers[value] = Number(
                value,
                described.number_type,
                described.rate_center,
                described.state,
                alias=doc.get("alias"),
                cnam_lookups_enabled=doc.get("cnam_lookups_enabled", True),
                primary_route=doc.get("primary_route", SIP_REG_ROUTE_ID),
                failover_route=doc.get("failover_route"),
            )
        return account

    def copy_state(self, state: FlowrouteAccount) -> FlowrouteAccount:
        return FlowrouteAccount(
            state.access_key,
            state.secret_key,
            routes={k: dataclasses.replace(r) for k, r in state.routes.items()},
            numbers={k: dataclasses.replace(n) for k, n in state.numbers.items()},
        )

    def dump_state(self, state: FlowrouteAccount) -> dict[str, Any] | None:
        if state.access_key is None:
            return None
        return {
            "access_key": state.access_key,
            "secret_key": state.secret_key,
            "routes": [
                {"id": r.id, "route_type": r.route_type, "value": r.value, "alias": r.alias}
                for r in state.routes.values() if r.id != SIP_REG_ROUTE_ID
            ],
            "numbers": [
                {"value": n.value, "alias": n.alias, "cnam_lookups_enabled": n.cnam_lookups_enabled,
                 "primary_route": n.primary_route, "failover_route": n.failover_route}
                for n in state.sorted_numbers()
            ],
        }

    def new_section(self, world: World, serial: int) -> dict[str, Any]:
        return {
            "access_key": str(10_000_000 + serial),
            "secret_key": world.ids.token("flowroute.secret", serial),
        }

    def credential_keys(self, state: FlowrouteAccount) -> Iterable[Any]:
        return [] if state.access_key is None else [(state.access_key, state.secret_key)]

    def public_credentials(self, state: FlowrouteAccount) -> dict[str, Any] | None:
        if state.access_key is None:
            return None
        return {"access_key": state.access_key, "secret_key": state.secret_key}

    def owned_numbers(self, section: Mapping[str, Any] | None) -> list[str]:
        return [n["value"] for n in (section or {}).get("numbers", [])]
