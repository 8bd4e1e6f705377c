"""Flowroute's error document: ``{"errors": [{"id", "status", "title", "detail"}]}``."""

from __future__ import annotations

from typing import Any

from ...errors import ApiError

TITLES = {
    400: "Client Error",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

UNAUTHORIZED_DETAIL = "Unauthorized – There was an issue with your API credentials."


def error_document(error: ApiError, error_id: str) -> dict[str, Any]:
    """The body of an error answer. ``source`` (JSON:API) points at the offending input when known."""
    item: dict[str, Any] = {
        "id": error_id,
        "status": error.status,
        "title": TITLES.get(error.status, "Client Error" if error.status < 500 else "Server Error"),
        "detail": error.detail,
    }
    if error.field is not None:
        item["source"] = error.extra.get("source") or {"pointer": "/" + error.field.replace(".", "/")}
    return {"errors": [item]}
