"""Twilio test support: the default scenario's credentials, SDK HTTP clients that remember every exchange
(one in-process over WSGI, one over real HTTP), and the check of each answer against the response schemas."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from werkzeug.test import Client

from fakeroute.providers.twilio import SCHEMAS

ACCOUNT_SID = "ACfa4e7000000000000000000000000001"
AUTH_TOKEN = "fakeroute-auth-token"
API_KEY_SID = "SKfa4e7000000000000000000000000001"
API_KEY_SECRET = "fakeroute-api-key-secret"
OTHER_ACCOUNT_SID = "ACfa4e7000000000000000000000000002"
OTHER_AUTH_TOKEN = "fakeroute-other-auth-token"

# The default account's resources (fakeroute/fixtures/default.json).
CONFIGURED_NUMBER = "+12065550100"  # us1, "Seattle office"; also a Flowroute number of the account
NEVER_CONFIGURED_NUMBER = "+16465550123"
SIP_DOMAIN = "fakeroute.sip.twilio.com"
TRUNK = "fakeroute.pstn.twilio.com"
OTHER_NUMBER = "+13125550199"  # account "other"'s
OTHER_SIP_DOMAIN = "other.sip.twilio.com"
OTHER_TRUNK = "other.pstn.twilio.com"

RESPONSE_SCHEMAS = {"PhoneNumbers": "response_phone_number", "SipDomains": "response_sip_domain",
                    "Trunks": "response_trunks"}


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    text: str


def check_response(exchange: Exchange) -> None:
    """A success is one of the three resources of seed 004; anything else is a Twilio error body."""
    body = json.loads(exchange.text)
    if exchange.status == 200:
        schema = SCHEMAS[RESPONSE_SCHEMAS[exchange.path.split("/")[2]]]
    else:
        schema = SCHEMAS["response_error"]
        assert body["status"] == exchange.status, exchange
    problem = schema.first_violation(body)
    assert problem is None, f"{exchange.method} {exchange.path} -> {exchange.status}: {problem}"


class WsgiHttpClient(HttpClient):
    """``Client(sid, token, http_client=WsgiHttpClient(app))``: the SDK's own URLs, answered in-process."""

    def __init__(self, app: Any):
        super().__init__(logger=None, is_async=False)
        self._client = Client(app)
        self.exchanges: list[Exchange] = []

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        answer = self._client.open(
            parts.path, base_url=f"{parts.scheme}://{parts.netloc}", method=method.upper(), headers=headers,
            query_string=urlencode(params or {}, doseq=True),
            data=urlencode(data, doseq=True) if data else None,  # form-encoded, as requests would
        )
        text = answer.get_data(as_text=True)
        self.exchanges.append(Exchange(method.upper(), parts.path, answer.status_code, text))
        return Response(answer.status_code, text, dict(answer.headers))


class RecordingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client (requests, a real socket), remembering each exchange."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        response = super().request(method, url, *args, **kwargs)
        self.exchanges.append(Exchange(method.upper(), urlsplit(url).path, response.status_code, response.text))
        return response
