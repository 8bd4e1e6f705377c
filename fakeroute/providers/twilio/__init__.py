"""Twilio Routes v2 (Inbound Processing Region) on routes.twilio.com, HTTP basic auth AccountSid:AuthToken."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import phonenumbers
from werkzeug.wrappers import Request, Response

from ...errors import ApiError
from ...validation import SchemaStore, Violation
from ..base import Operation, Provider, Reply
from . import rendering
from .errors import (
    CODES,
    INVALID_FRIENDLY_NAME,
    METHOD_NOT_ALLOWED_MESSAGE,
    UNAUTHORIZED_DETAIL,
    UNAUTHORIZED_MESSAGE,
    error_document,
    not_found,
)
from .models import DEFAULT_VOICE_REGION, KINDS, PHONE_NUMBERS, Kind, RegionAssignment, TwilioAccount
from .routes import OPERATIONS

if TYPE_CHECKING:
    from ...world import Account, World

SCHEMAS = SchemaStore(Path(__file__).parent / "schemas")
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


class TwilioProvider(Provider):
    name = "twilio"
    hosts = ("routes.twilio.com",)
    path_prefixes = ("/v2/PhoneNumbers", "/v2/SipDomains", "/v2/Trunks")
    operations = OPERATIONS
    schemas = SCHEMAS

    # -- request side -----------------------------------------------------------------------------

    def authenticate(self, request: Request, world: World, op: Operation, path: dict[str, str]) -> Account:
        account = self.basic_auth_account(request, world)
        if account is None:
            raise ApiError(401, UNAUTHORIZED_MESSAGE, extra={"detail": UNAUTHORIZED_DETAIL},
                           headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
        return account

    def parse_body(self, request: Request, data: bytes, op: Operation) -> dict[str, str]:
        """The form as a dict of strings, the first of a repeated field winning."""
        if not data.strip():
            return {}
        if request.mimetype not in ("", FORM_MEDIA_TYPE):
            # The real API reads only form fields; refusing other bodies beats silently changing nothing.
            raise ApiError(400, f"Request body must be {FORM_MEDIA_TYPE}, got {request.mimetype}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "Request body is not valid UTF-8") from None
        form: dict[str, str] = {}
        for key, value in parse_qsl(text, keep_blank_values=True):
            form.setdefault(key, value)
        return form

    def invalid_body(self, violations: list[Violation]) -> ApiError:
        error = super().invalid_body(violations)
        error.code = INVALID_FRIENDLY_NAME if error.field == "FriendlyName" else CODES[400]
        return error

    # -- response side ----------------------------------------------------------------------------

    def render_error(self, error: ApiError, request: Request, world: World) -> Response:
        reply = Reply(error.status, error_document(error), error.headers)
        return self.render(reply, request)

    def not_found(self, request: Request) -> ApiError:
        return not_found(request.path)

    def method_not_allowed(self, request: Request) -> ApiError:
        # Every Twilio Routes v2 path that exists answers GET (fetch) and POST (update).
        return ApiError(405, METHOD_NOT_ALLOWED_MESSAGE, code=CODES[405], headers={"Allow": "GET, POST"})

    # -- state ------------------------------------------------------------------------------------

    def load_state(self, section: Mapping[str, Any] | None, world: World) -> TwilioAccount:
        if section is None:  # an account without Twilio credentials: nobody can call as it
            return TwilioAccount(None, None)
        account = TwilioAccount(section["account_sid"], section["auth_token"])
        for key in section.get("api_keys", []):
            account.api_keys[key["sid"]] = key["secret"]
        for kind in KINDS:
            collection = account.collection(kind)
            for i, doc in enumerate(section.get(kind.name, [])):
                item = _assignment(kind, doc, account.account_sid, world, f"{kind.name}[{i}]")
                if item.key in collection:
                    raise _scenario_error(f"{kind.name}[{i}].{kind.key_field}: {item.key} is listed twice")
                collection[item.key] = item
        return account

    def copy_state(self, state: TwilioAccount) -> TwilioAccount:
        # Items are flat dataclasses (datetimes are immutable): a shallow replace is an independent copy.
        return TwilioAccount(
            state.account_sid,
            state.auth_token,
            dict(state.api_keys),
            **{kind.name: {key: dataclasses.replace(item) for key, item in state.collection(kind).items()}
               for kind in KINDS},
        )

    def dump_state(self, state: TwilioAccount) -> dict[str, Any] | None:
        if state.account_sid is None:
            return None
        section: dict[str, Any] = {"account_sid": state.account_sid, "auth_token": state.auth_token}
        if state.api_keys:
            section["api_keys"] = [{"sid": sid, "secret": secret} for sid, secret in state.api_keys.items()]
        for kind in KINDS:
            section[kind.name] = [
                {
                    kind.key_field: item.key,
                    "sid": item.sid,
                    "friendly_name": item.friendly_name,
                    "voice_region": item.voice_region,
                    "date_created": rendering.iso8601(item.date_created),
                    "date_updated": rendering.iso8601(item.date_updated),
                }
                for item in state.collection(kind).values()
            ]
        return section

    def new_section(self, world: World, serial: int) -> dict[str, Any]:
        return {
            "account_sid": "AC" + world.ids.token("twilio.account_sid", serial),
            "auth_token": world.ids.token("twilio.auth_token", serial),
        }

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


def _scenario_error(message: str) -> Exception:
    from ...world import ScenarioError  # world imports the providers: import it late

    return ScenarioError(message)


def _assignment(kind: Kind, doc: Mapping[str, Any], account_sid: str, world: World, where: str) -> RegionAssignment:
    key = doc[kind.key_field]
    if kind is PHONE_NUMBERS and not _is_e164(key):
        raise _scenario_error(f"{where}.{kind.key_field}: {key} is not a possible phone number")
    date_created = _date(doc, "date_created", world.clock.start, where)
    return RegionAssignment(
        key,
        # Derived from the seed and the resource alone, so a sid never depends on what was loaded before it.
        doc.get("sid") or "QQ" + world.ids.token(f"twilio.{kind.name}", account_sid, key),
        doc.get("friendly_name"),
        doc.get("voice_region", DEFAULT_VOICE_REGION),
        date_created,
        _date(doc, "date_updated", date_created, where),
    )


def _date(doc: Mapping[str, Any], field: str, default: datetime, where: str) -> datetime:
    if field not in doc:
        return default
    try:
        return rendering.parse_iso8601(doc[field])
    except ValueError:
        raise _scenario_error(f"{where}.{field}: {doc[field]} is not a valid date") from None


def _is_e164(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    canonical = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return canonical == value and phonenumbers.is_possible_number(number)
