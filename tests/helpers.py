"""Helpers shared by the tests: credentials of the default scenario and checks of error answers."""

from __future__ import annotations

import base64

FLOWROUTE_KEY = "fakeroute"
FLOWROUTE_SECRET = "fakeroute-secret"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


FLOWROUTE_AUTH = basic(FLOWROUTE_KEY, FLOWROUTE_SECRET)


MEDIA_TYPE = "application/vnd.api+json"
OWNED = "12065550100"  # the default scenario's numbers
OWNED_PLAIN = "16465550123"
OTHER_TENANTS = "13125550199"


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
