"""Twilio Routes v2 scenario sections: load, copy, dump, and the section of a brand-new account."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...indexes import record_copy
from ...phone import is_canonical_e164
from ...scenario import ScenarioError
from . import rendering
from .models import DEFAULT_VOICE_REGION, KINDS, PHONE_NUMBERS, Kind, RegionAssignment, TwilioAccount

if TYPE_CHECKING:
    from ...world import World


def load(section: Mapping[str, Any] | None, world: World) -> TwilioAccount:
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
                raise ScenarioError(f"{kind.name}[{i}].{kind.key_field}: {item.key} is listed twice")
            collection[item.key] = item
    return account


def copy(state: TwilioAccount) -> TwilioAccount:
    # Items are flat dataclasses (datetimes are immutable): a shallow replace is an independent copy.
    return TwilioAccount(
        state.account_sid,
        state.auth_token,
        dict(state.api_keys),
        **{kind.name: {key: record_copy(item) for key, item in state.collection(kind).items()}
           for kind in KINDS},
    )


def dump(state: TwilioAccount) -> dict[str, Any] | None:
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


def new_section(world: World, serial: int) -> dict[str, Any]:
    return {
        "account_sid": "AC" + world.ids.token("twilio.account_sid", serial),
        "auth_token": world.ids.token("twilio.auth_token", serial),
    }


def owned_numbers(section: Mapping[str, Any] | None) -> list[str]:
    """None: Twilio's numbers are the customer's own, not taken from the shared inventory."""
    return []


def _assignment(kind: Kind, doc: Mapping[str, Any], account_sid: str, world: World, where: str) -> RegionAssignment:
    key = doc[kind.key_field]
    if kind is PHONE_NUMBERS and not is_canonical_e164(key):
        raise ScenarioError(f"{where}.{kind.key_field}: {key} is not a possible phone number")
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
        raise ScenarioError(f"{where}.{field}: {doc[field]} is not a valid date") from None
