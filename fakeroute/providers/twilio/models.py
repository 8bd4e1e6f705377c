"""Twilio Routes v2 state of one account: the Inbound Processing Region of its numbers, domains and trunks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Kind:
    """One of the three things a region is assigned to, named as the API names it."""

    name: str  # the account's attribute and the scenario section's list: phone_numbers
    key_field: str  # the response's and the scenario's name of the key: phone_number
    resource: str  # the collection in the API's paths: PhoneNumbers


PHONE_NUMBERS = Kind("phone_numbers", "phone_number", "PhoneNumbers")
SIP_DOMAINS = Kind("sip_domains", "sip_domain", "SipDomains")
TRUNKS = Kind("trunks", "sip_trunk_domain", "Trunks")
KINDS = (PHONE_NUMBERS, SIP_DOMAINS, TRUNKS)

DEFAULT_VOICE_REGION = "us1"  # what Twilio reports for a number whose region was never set


@dataclass
class RegionAssignment:
    """A phone number, SIP domain or trunk of the account and the region that processes its inbound voice."""

    key: str  # the number in E.164 with "+", or the lower-case domain name
    sid: str  # QQ + 32 hex, stable for the life of the resource
    friendly_name: str | None
    voice_region: str
    date_created: datetime
    date_updated: datetime


@dataclass
class TwilioAccount:
    account_sid: str | None  # None: the scenario gave this account no Twilio credentials
    auth_token: str | None
    api_keys: dict[str, str] = field(default_factory=dict)  # API Key SID (SK...) -> secret
    phone_numbers: dict[str, RegionAssignment] = field(default_factory=dict)
    sip_domains: dict[str, RegionAssignment] = field(default_factory=dict)
    trunks: dict[str, RegionAssignment] = field(default_factory=dict)

    def collection(self, kind: Kind) -> dict[str, RegionAssignment]:
        return getattr(self, kind.name)
