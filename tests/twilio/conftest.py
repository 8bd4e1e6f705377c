"""Twilio's fixtures: raw requests to Routes v2 (``twilio``) and SDK clients (``make_client``, ``twilio_client``)
as the default account, in-process and over real HTTP; every answer is held to the response schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from twilio.rest import Client

from tests.support.harness import Api, Target
from tests.support.twilio import (
    ACCOUNT_SID,
    AUTH,
    AUTH_TOKEN,
    HOST,
    CheckedAnswer,
    InProcessHttpClient,
    RecordingHttpClient,
    check_response,
)

MakeClient = Callable[..., Client]


@pytest.fixture
def twilio(target: Target) -> Api:
    """Raw requests to Twilio Routes v2 as the default account, each answer checked as it arrives."""
    return target.api("twilio", HOST, AUTH, answer=CheckedAnswer)


@pytest.fixture
def make_client(target: Target, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeClient]:
    """The unmodified SDK for any credentials: in-process through the harness, or over HTTP through the SDK's own
    client. After the test, every answer the clients got is held to the schemas."""
    for variable in ("TWILIO_EDGE", "TWILIO_REGION"):  # they would rewrite the fake's host name
        monkeypatch.delenv(variable, raising=False)
    made: list[InProcessHttpClient | RecordingHttpClient] = []

    def make(username: str = ACCOUNT_SID, password: str = AUTH_TOKEN, **kwargs) -> Client:
        http = InProcessHttpClient(target) if target.mode == "wsgi" else RecordingHttpClient()
        made.append(http)
        client = Client(username, password, http_client=http, **kwargs)
        client.routes.base_url = target.base(HOST)
        return client

    yield make
    answers = [answer for http in made for answer in http.answers]
    assert answers, "the test made no request"
    for answer in answers:
        check_response(answer)


@pytest.fixture
def twilio_client(make_client: MakeClient) -> Client:
    """The SDK client of the default account."""
    return make_client()
