"""AgentMessage's error envelope: ``{"success": false, "error": {code, message, request_id, details?}, "data"?}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import ApiError

# The stable machine codes clients branch on, for errors raised without one (the app's 413, 500...).
CODE_BY_STATUS = {
    400: "INVALID_INPUT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "VALIDATION_FAILED",
    429: "RATE_LIMITED",
}

# The docs' short lowercase phrases; the message is for humans, the code is the contract.
UNAUTHORIZED_MESSAGE = "authentication failed"
FORBIDDEN_MESSAGE = "missing required scope"
CARRIER_RETURN_FORBIDDEN = "return_to_carrier is admin-only: forbidden"
BULK_CARRIER_RETURN_FORBIDDEN = "return_to_carrier is not available on bulk release: forbidden"
RATE_LIMITED_MESSAGE = "rate limited"
INTERNAL_MESSAGE = "internal error"


def unauthorized() -> ApiError:
    return ApiError(401, UNAUTHORIZED_MESSAGE, code="UNAUTHORIZED")


def forbidden(message: str = FORBIDDEN_MESSAGE) -> ApiError:
    return ApiError(403, message, code="FORBIDDEN")


def not_found(details: Mapping[str, str] | None = None) -> ApiError:
    """The same answer for an unknown id and another organization's id, so ownership cannot be probed."""
    return ApiError(404, "not found", code="NOT_FOUND", extra=_details(details))


def invalid_input(details: Mapping[str, str], message: str = "invalid input") -> ApiError:
    """400: the request has the wrong structure for the route (malformed JSON, a field PATCH does not take)."""
    return ApiError(400, message, field=next(iter(details), None), code="INVALID_INPUT", extra=_details(details))


def validation_failed(details: Mapping[str, str]) -> ApiError:
    """422: well-formed, but some fields hold values the route refuses; ``details`` names each one."""
    return ApiError(422, "validation failed", field=next(iter(details), None), code="VALIDATION_FAILED",
                    extra=_details(details))


def insufficient_inventory(available_count: int, unavailable: list[str]) -> ApiError:
    """409 of an all-or-nothing order, with the typed payload the docs describe beside the error."""
    return ApiError(409, "insufficient inventory", field="numbers", code="INSUFFICIENT_INVENTORY",
                    extra={"data": {"available_count": available_count, "unavailable": unavailable}})


def rate_limited(retry_after: int) -> ApiError:
    """429: a per-org limit is spent; ``Retry-After`` holds the whole seconds until it has room again."""
    return ApiError(429, RATE_LIMITED_MESSAGE, code="RATE_LIMITED", headers={"Retry-After": str(retry_after)})


def consent_required() -> ApiError:
    """453 (a non-standard status, as documented): the recipient has not opted in to texts from this number."""
    return ApiError(453, "consent required: the recipient has not opted in to messages from this number",
                    code="CONSENT_REQUIRED")


def line_type_blocked() -> ApiError:
    return ApiError(422, "line type blocked: a recent lookup found the recipient is a fixed line",
                    code="LINE_TYPE_BLOCKED")


def carrier_error() -> ApiError:
    """502: the carrier failed an order. Its body is every 5xx's generic one, as documented ("internal errors
    collapse to a generic message"); the detail here is for the journal only."""
    return ApiError(502, "the carrier failed the order: nothing was assigned")


def brand_not_verified() -> ApiError:
    return ApiError(409, "brand not verified: identity_status must be VERIFIED or VETTED_VERIFIED",
                    code="BRAND_NOT_VERIFIED")


def insufficient_credit() -> ApiError:
    return ApiError(402, "insufficient credit: the wallet cannot cover the $5.00 brand registration fee",
                    code="INSUFFICIENT_CREDIT")


def reseller_required() -> ApiError:
    return ApiError(422, "reseller required: this organization may register one brand", code="RESELLER_REQUIRED")


def plan_required() -> ApiError:
    return ApiError(403, "plan required: attested consent is not available on the starter plan",
                    code="PLAN_REQUIRED")


def limit_exceeded(message: str) -> ApiError:
    return ApiError(409, message, code="LIMIT_EXCEEDED")


def event_expired() -> ApiError:
    return ApiError(410, "event expired: it is past the retention period and cannot be replayed",
                    code="EVENT_EXPIRED")


def conflict(message: str) -> ApiError:
    return ApiError(409, message, code="CONFLICT")


def _details(details: Mapping[str, str] | None) -> dict[str, Any]:
    return {"details": dict(details)} if details else {}


def error_document(error: ApiError, request_id: str) -> dict[str, Any]:
    """The body of an error answer; ``data`` only when the error documents a typed payload."""
    if error.status >= 500:
        # Internal errors collapse to a generic message with no internal detail, as the real API does.
        code, message = "INTERNAL", INTERNAL_MESSAGE
    else:
        code = error.code or CODE_BY_STATUS.get(error.status, "INVALID_INPUT")
        # A 429 raised outside this provider (an injected fault) still reads as the real one does.
        message = RATE_LIMITED_MESSAGE if error.code is None and error.status == 429 else error.detail
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    details = error.extra.get("details")
    if details is None and error.field is not None and error.code is None:
        # An ApiError raised by the shared app (not by this provider) still names its field.
        details = {error.field: error.detail}
    if details:
        body["details"] = details
    document: dict[str, Any] = {"success": False}
    if "data" in error.extra:
        document["data"] = error.extra["data"]
    document["error"] = body
    return document
