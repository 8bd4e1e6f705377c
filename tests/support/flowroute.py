"""Flowroute in the default scenario: the account's credentials and numbers, and the message body the docs send."""

from __future__ import annotations

from datetime import datetime, timedelta

from fakeroute.messaging import DELIVERY, delivery_delays
from fakeroute.providers.flowroute.models import mdr_time
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


def receipt_delays(message_id: str, seed: int = 0, profile=DELIVERY) -> tuple[float, ...]:
    """When a one-part message's receipts come, in seconds after sending: SMSC (level 1 ``smsc submit``), carrier
    (level 2 ``message buffered``, or a rejection), handset (the final level 2); drawn from the seed and the MDR id."""
    return delivery_delays(seed, message_id, profile)


def receipt_time(sent: datetime, seconds: float) -> str:
    """A receipt's timestamp as MDRs and DLRs write it."""
    return mdr_time(sent + timedelta(seconds=seconds))
