"""Twilio in the default scenario: its credentials and resources, answers held to the response schemas, and
HTTP clients for the SDK that remember every answer (one in-process through the harness, one over real HTTP)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from werkzeug.datastructures import Headers

from fakeroute.providers import PROVIDERS
from fakeroute.providers.twilio import SCHEMAS
from tests.support.harness import Answer, Target, basic

HOST = "routes.twilio.com"
TWILIO = next(p for p in PROVIDERS if p.name == "twilio")

ACCOUNT_SID = "ACfa4e7000000000000000000000000001"
AUTH_TOKEN = "fakeroute-auth-token"
API_KEY_SID = "SKfa4e7000000000000000000000000001"
API_KEY_SECRET = "fakeroute-api-key-secret"
OTHER_ACCOUNT_SID = "ACfa4e7000000000000000000000000002"
OTHER_AUTH_TOKEN = "fakeroute-other-auth-token"
AUTH = basic(ACCOUNT_SID, AUTH_TOKEN)

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


def check_response(answer: Answer) -> None:
    """A success is one of the three resources of seed 004; anything else is a Twilio error body."""
    body = answer.json()
    if answer.status_code == 200:
        schema = SCHEMAS[RESPONSE_SCHEMAS[answer.path.split("/")[2]]]
    else:
        schema = SCHEMAS["response_error"]
        assert body["status"] == answer.status_code, answer
    problem = schema.first_violation(body)
    assert problem is None, f"{answer.method} {answer.path} -> {answer.status_code}: {problem}"


class CheckedAnswer(Answer):
    """An answer of Twilio's, held to the response schemas as it arrives."""

    def __init__(self, *args: Any):
        super().__init__(*args)
        check_response(self)


class InProcessHttpClient(HttpClient):
    """``Client(sid, token, http_client=InProcessHttpClient(target))``: the SDK's own URLs, answered by the
    harness's in-process target."""

    def __init__(self, target: Target):
        assert target.mode == "wsgi", "over HTTP the SDK's own client does the talking"
        super().__init__(logger=None, is_async=False)
        self._target = target
        self.answers: list[Answer] = []

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
        sent = Headers(headers or {})
        if auth is not None:
            sent.update(basic(*auth))
        query = urlencode(params or {}, doseq=True)
        path = f"{parts.path}?{query}" if query else parts.path
        body = urlencode(data, doseq=True).encode() if data else None  # form-encoded, as requests would
        status, answer_headers, content = self._target.send(method.upper(), parts.netloc, path, sent, body)
        answer = Answer("twilio", method.upper(), parts.path, status, answer_headers, content)
        self.answers.append(answer)
        return Response(status, answer.text, dict(answer_headers.items()))


class RecordingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client (requests, a real socket), remembering each answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Answer] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        response = super().request(method, url, *args, **kwargs)
        self.answers.append(Answer("twilio", method.upper(), urlsplit(url).path, response.status_code,
                                   Headers(response.headers), response.text.encode()))
        return response
