"""Twilio's fixtures: raw requests to Routes v2 as the default account, in-process and over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import pytest
import requests
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from tests.support.flowroute import basic
from tests.support.twilio import ACCOUNT_SID, AUTH_TOKEN, Exchange, check_response

AUTH = basic(ACCOUNT_SID, AUTH_TOKEN)


class Answer:
    def __init__(self, method: str, path: str, status: int, headers: Mapping[str, str], text: str):
        self.status_code, self.headers, self.text = status, headers, text
        check_response(Exchange(method, path, status, text))  # every answer is held to the schemas

    def json(self) -> dict:
        return json.loads(self.text)


Send = Callable[..., Answer]


@pytest.fixture(params=["wsgi", "http"])
def twilio(request, app: FakerouteApp) -> Send:
    """Raw requests to Twilio Routes v2 as the default account: in-process on the real host, or over HTTP
    to the shared server, where the path alone tells the providers apart."""
    if request.param == "wsgi":
        client = Client(app)

        def send(method: str, path: str, headers: dict | None = None, data: str | bytes | None = None) -> Answer:
            answer = client.open(path, method=method, base_url="https://routes.twilio.com",
                                 headers={**AUTH, **(headers or {})}, data=data)
            return Answer(method, path, answer.status_code, answer.headers, answer.get_data(as_text=True))
    else:
        url = request.getfixturevalue("server_url")
        session = requests.Session()

        def send(method: str, path: str, headers: dict | None = None, data: str | bytes | None = None) -> Answer:
            answer = session.request(method, url + path, headers={**AUTH, **(headers or {})}, data=data, timeout=10)
            return Answer(method, path, answer.status_code, answer.headers, answer.text)

    return send
