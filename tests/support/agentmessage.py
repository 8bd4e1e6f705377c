"""AgentMessage in the default scenario: its keys and ids, its API as one key sees it, the calls most tests make."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.support.harness import Answer, Api, Target, bearer

HOST = "api.agentmsg.io"

# API keys of the default scenario (fakeroute/fixtures/default.json).
DEFAULT_KEY = "am_test_fakeroute_default"  # every documented scope but the admin one
READONLY_KEY = "am_test_fakeroute_readonly"  # numbers:read only
ADMIN_KEY = "am_test_fakeroute_admin"  # numbers:read/write + platform:inventory:write
OTHER_KEY = "am_test_fakeroute_other"  # the "other" tenant

# The default org's numbers, newest first.
TOLL_FREE_ID = "3e5f7091-2b4c-4d6e-9f80-a12b3c4d5e6f"  # +18885550100, label toll-free
PLAIN_ID = "2d4e6f80-1a3b-4c5d-8e7f-901a2b3c4d5e"  # +14155550124, no routing
SUPPORT_ID = "7c1f0a2d-9e8b-4c3a-9d2e-1f0a2b3c4d5e"  # +14155550123, routed, ACTIVE_CAMPAIGN
OTHER_NUMBER_ID = "4f608192-3c5d-4e7f-a091-b23c4d5e6f70"  # the other org's +13125550142
OTHER_NUMBER = "+13125550142"

# Brands and campaigns of the default org, and one of the other org.
VERIFIED_BRAND = "6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
UNVERIFIED_BRAND = "7b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"
VETTED_BRAND = "8c3d4e5f-6a7b-4c8d-ae9f-0a1b2c3d4e5f"
ACTIVE_CAMPAIGN = "b5d3c4e2-7f7e-44a1-8c12-2bcd9e3f0a01"  # ACTIVE, brand VERIFIED
VETTED_CAMPAIGN = "e8a6f7b5-ac01-47d4-9f45-5ef02b6c3d34"  # ACTIVE, brand VETTED_VERIFIED
PENDING_CAMPAIGN = "c6e4d5f3-8a8f-45b2-9d23-3cde0f4a1b12"  # PENDING, brand VERIFIED
UNVERIFIED_CAMPAIGN = "d7f5e6a4-9b90-46c3-8e34-4def1a5b2c23"  # ACTIVE, brand UNVERIFIED
REJECTED_CAMPAIGN = "f9b7a8c6-bd12-48e5-a056-6f013c7d4e45"  # REJECTED, brand VETTED_VERIFIED
OTHER_CAMPAIGN = "a0c8b9d7-ce23-49f6-b167-70124d8e5f56"  # the other org's ACTIVE campaign

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
SUPPORT_NUMBER = "+14155550123"  # SUPPORT_ID: on ACTIVE_CAMPAIGN, so it may send once a recipient consents
PLAIN_NUMBER = "+14155550124"  # PLAIN_ID: no campaign
MOBILE = "+12065551234"  # a recipient nobody owns
OTHER_MOBILE = "+12065551235"
AGREEMENT = "I agree to receive support texts from Acme Health. Reply STOP to opt out."
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


class Envelope(Answer):
    """An answer of AgentMessage's: ``data`` reads a successful envelope."""

    @property
    def data(self) -> Any:
        """``data`` of a successful envelope (checked)."""
        body = self.json()
        assert body["success"] is True and "error" not in body, self
        return body["data"]


class AgentMessageApi(Api):
    """AgentMessage's API as one API key sees it."""

    def as_key(self, key: str | None) -> AgentMessageApi:
        """The same API for another key (None: no Authorization header at all)."""
        return self.as_caller(bearer(key) if key is not None else {})


def agentmessage(target: Target, key: str | None = DEFAULT_KEY) -> AgentMessageApi:
    """AgentMessage's API on ``target`` as ``key`` sees it."""
    return AgentMessageApi(target, "agentmessage", HOST, bearer(key) if key is not None else {}, answer=Envelope)


def search(api: AgentMessageApi, **criteria: Any) -> list[str]:
    answer = api.post("/v1/phone-numbers/search", json=criteria)
    assert answer.status_code == 200, answer
    return [item["number"] for item in answer.data]


def order(api: AgentMessageApi, numbers: list[str], **routing: Any) -> list[dict[str, Any]]:
    answer = api.post("/v1/phone-numbers/orders", json={"numbers": numbers, **routing})
    assert answer.status_code == 200, answer
    return answer.data


def walk(api: AgentMessageApi, between: Callable[[int], None] | None = None, **params: Any) -> list[dict[str, Any]]:
    """Every page of GET /v1/phone-numbers until next_cursor is null; ``between(page)`` runs between pages."""
    seen: list[dict[str, Any]] = []
    query = dict(params)
    pages = 0
    while True:
        answer = api.get("/v1/phone-numbers", params=query)
        assert answer.status_code == 200, answer
        body = answer.json()
        seen += body["data"]
        pages += 1
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return seen
        if between is not None:
            between(pages)
        query = {**params, "cursor": cursor}


def fresh_org(api: AgentMessageApi, name: str = "fresh") -> AgentMessageApi:
    """The API of a brand-new organization (an account made on ``api``'s World): no brands, $5 of credit."""
    account = api.world.create_account(name)
    (token,) = list(account.state("agentmessage").api_keys)
    return api.as_key(token)


def consent(api: AgentMessageApi, phone_number_id: str = SUPPORT_ID, contact: str = MOBILE, **headers: str) -> Envelope:
    """POST /v1/consent: ``contact`` agrees to texts from the number (attested, as a signup form records it)."""
    return api.post("/v1/consent", headers=headers, json={
        "phone_number_id": phone_number_id, "contact_number": contact, "opted_in": True,
        "evidence": {"captured_at": "2025-12-31T12:00:00Z", "agreement_text": AGREEMENT, "ip_address": "203.0.113.7",
                     "form_url": "https://acme-health.example/signup"},
    })


def send(api: AgentMessageApi, text: str = "Your appointment is tomorrow at 10:00.", *, sender: str = SUPPORT_NUMBER,
         to: str = MOBILE, **fields: Any) -> Envelope:
    return api.post("/v1/messages", json={"from": sender, "to": to, "text": text, **fields})


def webhooks_of(api: AgentMessageApi, kind: str | None = None) -> list[Any]:
    """AgentMessage's webhooks that have happened by the World's clock (``kind``: message_status, inbound_message,
    event), in the order they happen."""
    return api.world.outbox.webhooks(provider="agentmessage", kind=kind)
