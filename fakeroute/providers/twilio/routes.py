"""Twilio Routes v2 URL rules: the six operations of the OpenAPI, each on its instance path."""

from __future__ import annotations

from ..base import Operation
from . import handlers as h
from .models import PHONE_NUMBERS, SIP_DOMAINS, TRUNKS

# Path parameters keep the OpenAPI's names; werkzeug's default converter accepts the dots of domain names.
PHONE_NUMBER = f"/v2/{PHONE_NUMBERS.resource}/<PhoneNumber>"
SIP_DOMAIN = f"/v2/{SIP_DOMAINS.resource}/<SipDomain>"
TRUNK = f"/v2/{TRUNKS.resource}/<SipTrunkDomain>"

OPERATIONS: tuple[Operation, ...] = (
    Operation(PHONE_NUMBER, "GET", h.fetch_phone_number),
    Operation(PHONE_NUMBER, "POST", h.update_phone_number, body="body_update"),
    Operation(SIP_DOMAIN, "GET", h.fetch_sip_domain),
    Operation(SIP_DOMAIN, "POST", h.update_sip_domain, body="body_update"),
    Operation(TRUNK, "GET", h.fetch_trunks),
    Operation(TRUNK, "POST", h.update_trunks, body="body_update"),
)
