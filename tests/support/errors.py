"""One check of an error answer, whichever provider gave it: each provider's own error format, then its error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.agentmessage import ULID
from tests.support.flowroute import MEDIA_TYPE


def error_of(response: Any, status: int, code: int | str | None = None, *, provider: str | None = None) -> dict:
    """The error object of ``response``, checked against the format of its provider, which defaults to the one whose
    API gave the answer (a harness ``Answer`` knows it): Flowroute's single JSON:API error (no ``code``), Twilio's
    error body (its numeric ``code``), AgentMessage's envelope ``error`` (its string ``code``)."""
    provider = provider or getattr(response, "provider", None)
    assert provider in _FORMATS, f"whose error format? pass provider= (one of {', '.join(_FORMATS)})"
    assert response.status_code == status, response
    return _FORMATS[provider](response, status, code)


def details_of(response: Any, status: int, code: str) -> dict[str, str]:
    """The ``details`` of an AgentMessage error (each bad field and what is wrong with it), checked non-empty."""
    error = error_of(response, status, code, provider="agentmessage")
    assert isinstance(error.get("details"), dict) and error["details"], error
    return error["details"]


def _flowroute(response: Any, status: int, code: None) -> dict:
    assert code is None, "Flowroute's errors have no code"
    assert response.headers["Content-Type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["status"] == status and isinstance(error["id"], str) and len(error["id"]) == 36
    assert error["title"] and error["detail"]
    return error


def _twilio(response: Any, status: int, code: int) -> dict:
    assert isinstance(code, int), "Twilio's error codes are numbers"
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert isinstance(body["message"], str) and body["message"]
    return body


def _agentmessage(response: Any, status: int, code: str) -> dict:
    assert isinstance(code, str), "AgentMessage's error codes are strings"
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and "meta" not in body, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str) and error["message"]
    assert ULID.match(error["request_id"]) and error["request_id"] == response.headers["X-Request-Id"]
    assert set(error) <= {"code", "message", "request_id", "details"}
    return error


_FORMATS: dict[str, Callable[[Any, int, Any], dict]] = {
    "flowroute": _flowroute, "twilio": _twilio, "agentmessage": _agentmessage,
}
