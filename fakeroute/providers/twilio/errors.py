"""Twilio's error document: ``{"code", "message", "more_info", "status"}``, with Twilio's own error codes."""

from __future__ import annotations

from typing import Any

from ...errors import ApiError

# Twilio's code for each HTTP status when the error has no more precise one (twilio.com/docs/api/errors).
CODES = {
    400: 20001,  # the reference's choice for an invalid parameter; Twilio documents no code for VoiceRegion
    401: 20003,  # Authenticate
    # "Account not active" (twilio.com/docs/api/errors/20005): the only 403 this fake gives, to a suspended
    # account's writes (the scenario's "suspended"); Twilio's REST API refuses an inactive account with it.
    403: 20005,
    404: 20404,  # Not Found
    405: 20004,  # Method not allowed
    413: 20413,  # Request Entity Too Large
    429: 20429,  # Too many requests
    500: 20500,  # Internal Server Error
}
INVALID_FRIENDLY_NAME = 20002

UNAUTHORIZED_MESSAGE = "Authenticate"
UNAUTHORIZED_DETAIL = "Your AccountSid or AuthToken was incorrect."
METHOD_NOT_ALLOWED_MESSAGE = "Method not allowed"
VERSION_PREFIX = "/v2"


def more_info(code: int) -> str:
    return f"https://www.twilio.com/docs/errors/{code}"


def resource_path(path: str) -> str:
    """The path as Twilio names it in messages: relative to the API version (/PhoneNumbers/+1...)."""
    return path[len(VERSION_PREFIX):] if path.startswith(VERSION_PREFIX + "/") else path


def not_found(path: str) -> ApiError:
    return ApiError(404, f"The requested resource {resource_path(path)} was not found", code=CODES[404])


def error_document(error: ApiError) -> dict[str, Any]:
    """The body of an error answer. Never both ``type`` and ``title``: the SDK would then read it as
    an RFC 9457 problem and raise ``TwilioServiceException`` instead of ``TwilioRestException``."""
    code = error.code if error.code is not None else CODES.get(error.status, 20001 if error.status < 500 else 20500)
    document: dict[str, Any] = {
        "code": code,
        "message": error.detail,
        "more_info": more_info(code),
        "status": error.status,
    }
    document.update(error.extra)
    return document
