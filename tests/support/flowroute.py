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


def sms(to: str = MOBILE, sender: str = OWNED, body: str = "Hello there how are you?", **extra) -> dict:
    """The JSON:API body Flowroute's documentation and the SDK demo send."""
    return {"data": {"type": "message", "attributes": {"to": to, "from": sender, "body": body, **extra}}}
