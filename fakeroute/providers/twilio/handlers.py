"""Twilio Routes v2: fetch and update the Inbound Processing Region of a phone number, SIP domain or trunk."""

from __future__ import annotations

from ..base import Call, Reply
from . import rendering
from .errors import not_found
from .models import PHONE_NUMBERS, SIP_DOMAINS, TRUNKS, Kind, RegionAssignment, TwilioAccount

# Request parameter -> attribute it sets. Parameters left out of the form are left unchanged.
UPDATABLE = (("VoiceRegion", "voice_region"), ("FriendlyName", "friendly_name"))


def phone_number_key(text: str) -> str:
    # The SDK sends the "+" unencoded and other clients send %2B: both arrive as "+". A client or proxy
    # that form-decodes the path turns that "+" into a space, so a leading space stands for "+".
    return "+" + text[1:] if text.startswith(" ") else text


def domain_key(text: str) -> str:
    return text.lower()  # host names are case-insensitive; the account keeps them in lower case


def _find(call: Call, kind: Kind, key: str) -> RegionAssignment:
    account: TwilioAccount = call.scope.state
    item = account.collection(kind).get(key)
    if item is None:  # another account's resources are as unknown as ones that do not exist
        raise not_found(call.path_info)
    return item


def _answer(call: Call, kind: Kind, item: RegionAssignment) -> Reply:
    document = rendering.resource_document(kind, item, call.scope.state.account_sid, call.base_url)
    return Reply(200, document)


def _update(call: Call, kind: Kind, key: str) -> Reply:
    item = _find(call, kind, key)
    changes = {attribute: call.body[parameter] for parameter, attribute in UPDATABLE if parameter in call.body}
    if changes:  # an empty POST is legal and leaves the resource, date_updated included, as it was
        for attribute, value in changes.items():
            setattr(item, attribute, value)
        item.date_updated = call.scope.clock.now()
    return _answer(call, kind, item)


def fetch_phone_number(call: Call) -> Reply:
    """GET /v2/PhoneNumbers/{PhoneNumber}"""
    return _answer(call, PHONE_NUMBERS, _find(call, PHONE_NUMBERS, phone_number_key(call.path["PhoneNumber"])))


def update_phone_number(call: Call) -> Reply:
    """POST /v2/PhoneNumbers/{PhoneNumber} → 200 with the updated resource"""
    return _update(call, PHONE_NUMBERS, phone_number_key(call.path["PhoneNumber"]))


def fetch_sip_domain(call: Call) -> Reply:
    """GET /v2/SipDomains/{SipDomain}"""
    return _answer(call, SIP_DOMAINS, _find(call, SIP_DOMAINS, domain_key(call.path["SipDomain"])))


def update_sip_domain(call: Call) -> Reply:
    """POST /v2/SipDomains/{SipDomain} → 200 with the updated resource"""
    return _update(call, SIP_DOMAINS, domain_key(call.path["SipDomain"]))


def fetch_trunks(call: Call) -> Reply:
    """GET /v2/Trunks/{SipTrunkDomain}"""
    return _answer(call, TRUNKS, _find(call, TRUNKS, domain_key(call.path["SipTrunkDomain"])))


def update_trunks(call: Call) -> Reply:
    """POST /v2/Trunks/{SipTrunkDomain} → 200 with the updated resource"""
    return _update(call, TRUNKS, domain_key(call.path["SipTrunkDomain"]))
