"""Flowroute in the default scenario: the account's credentials and numbers, and the message body the docs send."""

from __future__ import annotations

from tests.support.harness import basic

HOST = "api.flowroute.com"
FLOWROUTE_KEY = "fakeroute"
FLOWROUTE_SECRET = "fakeroute-secret"

FLOWROUTE_AUTH = basic(FLOWROUTE_KEY, FLOWROUTE_SECRET)


MEDIA_TYPE = "application/vnd.api+json"
OWNED = "12065550100"  # the default scenario's numbers
OWNED_PLAIN = "16465550123"
OTHER_TENANTS = "13125550199"
MOBILE = "12065551234"  # a valid number nobody in the scenario owns: the far end of the conversation


def error_of(response, status: int) -> dict:
    """The single JSON:API error of a Flowroute error answer, checked for its shape."""
    assert response.status_code == status, response
    assert response.headers["Content-Type"].startswith(MEDIA_TYPE)
    body = response.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["status"] == status and isinstance(error["id"], str) and len(error["id"]) == 36
    assert error["title"] and error["detail"]
    return error


def sms(to: str = MOBILE, sender: str = OWNED, body: str = "Hello there how are you?", **extra) -> dict:
    """The JSON:API body Flowroute's documentation and the SDK demo send."""
    return {"data": {"type": "message", "attributes": {"to": to, "from": sender, "body": body, **extra}}}
