"""Twilio Routes v2 resources as JSON: the same eight fields for a phone number, a SIP domain and a trunk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .errors import VERSION_PREFIX
from .models import Kind, RegionAssignment

DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # ISO 8601 in UTC, the form the SDK's iso8601_datetime parses


def iso8601(when: datetime) -> str:
    return when.astimezone(UTC).strftime(DATE_FORMAT)


def parse_iso8601(text: str) -> datetime:
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=UTC)


def resource_url(kind: Kind, key: str, base: str) -> str:
    # The phone number keeps its literal "+", as in Twilio's own url field.
    return f"{base}{VERSION_PREFIX}/{kind.resource}/{key}"


def resource_document(kind: Kind, item: RegionAssignment, account_sid: str | None, base: str) -> dict[str, Any]:
    return {
        kind.key_field: item.key,
        "url": resource_url(kind, item.key, base),
        "sid": item.sid,
        "account_sid": account_sid,
        "friendly_name": item.friendly_name,
        "voice_region": item.voice_region,
        "date_created": iso8601(item.date_created),
        "date_updated": iso8601(item.date_updated),
    }
