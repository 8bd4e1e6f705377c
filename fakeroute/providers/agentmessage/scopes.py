"""API-key scopes: the ones the docs name, the defaults of a new key, and which scope each endpoint needs."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from . import errors

# Every scope the docs show on an endpoint page. ``messages:write`` is deliberately absent: the docs
# use it as their example of an unknown scope.
SCOPES: tuple[str, ...] = (
    "numbers:read",
    "numbers:write",
    "messages:read",
    "messages:send",
    "campaigns:read",
    "campaigns:write",
    "brands:read",
    "brands:write",
    "apikeys:read",
    "apikeys:write",
    "webhooks:read",
    "webhooks:write",
    "consent:write",
)
ADMIN_SCOPE = "platform:inventory:write"  # admin-only; gates ?return_to_carrier=true on a single release
ALL_SCOPES: tuple[str, ...] = (*SCOPES, ADMIN_SCOPE)
DEFAULT_SCOPES: tuple[str, ...] = SCOPES  # what a new account's key gets: everything but the admin scope

# The scope each operation (by handler name) requires, from the endpoint pages.
REQUIRED: Mapping[str, str] = {
    "search_phone_numbers": "numbers:write",  # numbers:write, not read, as documented
    "order_phone_numbers": "numbers:write",
    "list_phone_numbers": "numbers:read",
    "get_phone_number": "numbers:read",
    "update_phone_number": "numbers:write",
    "release_phone_number": "numbers:write",
    "bulk_release_phone_numbers": "numbers:write",
    "bulk_order_phone_numbers": "numbers:write",
    "get_bulk_order": "numbers:read",
    "list_campaigns": "campaigns:read",
    "get_campaign": "campaigns:read",
    "list_brands": "brands:read",
    "get_brand": "brands:read",
}


# Query booleans in the spellings common parsers accept (Go's strconv.ParseBool set; our choice, the docs
# say only "boolean"): requests sends params={"x": True} as "True".
TRUE_WORDS = frozenset({"true", "True", "TRUE", "t", "T", "1"})


def check(operation: str, granted: Collection[str], args: Mapping[str, str]) -> None:
    """Raise the 403 the real API gives when the key lacks what ``operation`` (with these query args) needs."""
    needed = REQUIRED[operation]
    if needed not in granted:
        raise errors.forbidden()
    if args.get("return_to_carrier") in TRUE_WORDS:
        # Checked before the query is validated, like every scope: the number is left untouched.
        if operation == "bulk_release_phone_numbers":
            raise errors.forbidden(errors.BULK_CARRIER_RETURN_FORBIDDEN)
        if operation == "release_phone_number" and ADMIN_SCOPE not in granted:
            raise errors.forbidden(errors.CARRIER_RETURN_FORBIDDEN)
