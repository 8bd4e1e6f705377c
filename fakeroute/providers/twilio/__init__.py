"""Twilio Routes v2 (Inbound Processing Region) on routes.twilio.com, HTTP basic auth AccountSid:AuthToken."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Response

from ...accounts import Account
from ...errors import ApiError
from ...validation import Violation
from ..base import Exchange, Provider, Reply
from . import scenario
from .errors import (
    CODES,
    INVALID_FRIENDLY_NAME,
    METHOD_NOT_ALLOWED_MESSAGE,
    UNAUTHORIZED_DETAIL,
    UNAUTHORIZED_MESSAGE,
    error_document,
    not_found,
)
from .models import TwilioAccount
from .routes import OPERATIONS
from .schemas import SCHEMAS

if TYPE_CHECKING:
    from ...world import World

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


class TwilioProvider(Provider):
    name = "twilio"
    hosts = ("routes.twilio.com",)
    path_prefixes = ("/v2/PhoneNumbers", "/v2/SipDomains", "/v2/Trunks")
    operations = OPERATIONS
    schemas = SCHEMAS
    scenario = scenario
    title = "Twilio Routes v2"
    request_media_type = FORM_MEDIA_TYPE

    # -- request side -----------------------------------------------------------------------------

    def authenticate(self, exchange: Exchange, world: World) -> Account:
        account = self.basic_auth_account(exchange, world)
        if account is None:
            raise ApiError(401, UNAUTHORIZED_MESSAGE, extra={"detail": UNAUTHORIZED_DETAIL},
                           headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
        return account

    def parse_body(self, exchange: Exchange, data: bytes) -> dict[str, str]:
        """The form as a dict of strings, the first of a repeated field winning."""
        if not data.strip():
            return {}
        mimetype = exchange.request.mimetype
        if mimetype not in ("", FORM_MEDIA_TYPE):
            # The real API reads only form fields; refusing other bodies beats silently changing nothing.
            raise ApiError(400, f"Request body must be {FORM_MEDIA_TYPE}, got {mimetype}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid UTF-8") from None
        form: dict[str, str] = {}
        for key, value in parse_qsl(text, keep_blank_values=True):
            form.setdefault(key, value)
        return form

    def invalid_input(self, exchange: Exchange, violations: list[Violation]) -> ApiError:
        error = super().invalid_input(exchange, violations)
        error.code = INVALID_FRIENDLY_NAME if error.field == "FriendlyName" else CODES[400]
        return error

    # -- response side ----------------------------------------------------------------------------

    def render_error(self, error: ApiError, exchange: Exchange, world: World) -> Response:
        return self.render(Reply(error.status, error_document(error), error.headers), exchange)

    def not_found(self, exchange: Exchange) -> ApiError:
        return not_found(exchange.path)

    def method_not_allowed(self, exchange: Exchange) -> ApiError:
        # Every Twilio Routes v2 path that exists answers GET (fetch) and POST (update).
        return ApiError(405, METHOD_NOT_ALLOWED_MESSAGE, code=CODES[405], headers={"Allow": "GET, POST"})

    # -- state ------------------------------------------------------------------------------------

    def credential_keys(self, state: TwilioAccount) -> Iterable[Any]:
        if state.account_sid is None:
            return []
        return [(state.account_sid, state.auth_token), *state.api_keys.items()]

    def public_credentials(self, state: TwilioAccount) -> dict[str, Any] | None:
        if state.account_sid is None:
            return None
        return {
            "account_sid": state.account_sid,
            "auth_token": state.auth_token,
            "api_keys": [{"sid": sid, "secret": secret} for sid, secret in state.api_keys.items()],
        }

    # -- clients ----------------------------------------------------------------------------------

    def auth_headers(self, credentials: Mapping[str, Any]) -> dict[str, str]:
        token = base64.b64encode(f"{credentials['account_sid']}:{credentials['auth_token']}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def client(self, credentials: Mapping[str, Any]) -> Any:
        """The official ``twilio.rest.Client`` (the ``twilio`` package) for these credentials."""
        from twilio.rest import Client  # optional: only a test that asks for a Twilio client needs it

        return Client(credentials["account_sid"], credentials["auth_token"])
