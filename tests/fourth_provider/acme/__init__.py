"""Acme Lines: a small fourth provider defined by the tests, to prove that a provider is one folder plus the
one line that hands it to the World. It rents numbers from the shared inventory as "lines".

Host api.acme.test, header ``X-Acme-Key`` auth, errors ``{"error": {"status", "message", "field"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from fakeroute.accounts import Account
from fakeroute.errors import ApiError
from fakeroute.providers.base import Exchange, Provider

from . import errors, scenario
from .models import AcmeAccount
from .routes import OPERATIONS
from .schemas import SCHEMAS

if TYPE_CHECKING:
    from fakeroute.world import World


class AcmeProvider(Provider):
    name = "acme"
    hosts = ("api.acme.test",)
    path_prefixes = ("/acme/",)
    operations = OPERATIONS
    schemas = SCHEMAS
    scenario = scenario

    def authenticate(self, exchange: Exchange, world: World) -> Account:
        account = world.find_account(self.name, exchange.headers.get("X-Acme-Key"))
        if account is None:
            raise ApiError(401, "unknown or missing X-Acme-Key")
        return account

    def parse_body(self, exchange: Exchange, data: bytes) -> Any:
        try:
            return json.loads(data or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "body is not JSON") from None

    def render_error(self, error: ApiError, exchange: Exchange, world: World) -> Response:
        return Response(json.dumps(errors.error_document(error)), status=error.status, headers=error.headers,
                        content_type=self.content_type)

    def credential_keys(self, state: AcmeAccount) -> Iterable[Any]:
        return [] if state.key is None else [state.key]

    def public_credentials(self, state: AcmeAccount) -> dict[str, Any] | None:
        return None if state.key is None else {"key": state.key}

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        return {"X-Acme-Key": credentials["key"]}
