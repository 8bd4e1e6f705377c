"""The dual-mode harness: the same calls in-process (WSGI) or over real HTTP, and one answer shape for both.

A dual-mode test takes the ``target`` fixture (parametrized ``wsgi`` / ``http``), or a provider's API fixture built
on it (``flowroute``, ``twilio``, ``am``). In-process, a call goes to the provider's real host through the WSGI app
of the test's own World; over HTTP it goes to the session's live server, where the path alone tells the providers
apart, and that server's World is reset for the test. For example, in a provider's conftest::

    @pytest.fixture
    def flowroute(target: Target) -> Api:
        return target.api("flowroute", "api.flowroute.com", basic("fakeroute", "fakeroute-secret"))

and in a test, ``flowroute.get("/v2/numbers", params={"limit": 1})`` runs once per mode.
"""

from __future__ import annotations

import base64
import copy
import json as jsonlib
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import urlencode

import requests
from werkzeug.datastructures import Headers
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.world import World

MODES = ("wsgi", "http")


def basic(user: str, password: str) -> dict[str, str]:
    """HTTP basic credentials as a header (Flowroute's key and secret, Twilio's sid and token)."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Answer:
    """One response, the same whether it came in-process or over a socket; ``provider`` is whose API answered."""

    def __init__(self, provider: str, method: str, path: str, status: int, headers: Headers, content: bytes):
        self.provider = provider
        self.method = method
        self.path = path
        self.status_code = status
        self.headers = headers  # case-insensitive, as a client sees them
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def __repr__(self) -> str:
        return f"<{self.method} {self.path} -> {self.status_code} {self.content[:300]!r}>"


class Target:
    """Where a test's calls land: the WSGI app in-process (``wsgi``) or a live server (``http``), and the World
    behind it (to move its clock or look into its state)."""

    def __init__(self, mode: str, world: World, *, app: FakerouteApp | None = None, url: str | None = None):
        assert mode in MODES and (app is not None) == (mode == "wsgi") and (url is not None) == (mode == "http")
        self.mode = mode
        self.world = world
        self.url = url
        self._client = Client(app) if app is not None else None
        self._session: requests.Session | None = None

    @classmethod
    def wsgi(cls, app: FakerouteApp) -> Target:
        return cls("wsgi", app.world, app=app)

    @classmethod
    def http(cls, url: str, world: World) -> Target:
        """The server at ``url``, whose World is ``world`` (the caller resets it)."""
        return cls("http", world, url=url)

    def base(self, host: str) -> str:
        """What answers call this target for a provider at ``host``: its real URL, or the server's."""
        return f"https://{host}" if self.mode == "wsgi" else self.url

    def send(self, method: str, host: str, path: str, headers: Headers,
             body: bytes | None) -> tuple[int, Headers, bytes]:
        """One request as it is (``path`` may carry the query): the status, headers and body of the answer."""
        if self._client is not None:
            # The real hosts have no admin API: /_fakeroute/ calls go to the app under a name of its own.
            base_url = "http://localhost" if path.startswith("/_fakeroute") else f"https://{host}"
            answer = self._client.open(path, method=method, base_url=base_url, headers=headers, data=body)
            return answer.status_code, Headers(answer.headers), answer.get_data()
        if self._session is None:
            self._session = requests.Session()
        answer = self._session.request(method, self.url + path, headers=dict(headers.items()), data=body, timeout=10)
        return answer.status_code, Headers(list(answer.headers.items())), answer.content

    def api(self, provider: str, host: str, headers: Mapping[str, str] | None = None, *,
            answer: type[Answer] = Answer) -> Api:
        return Api(self, provider, host, headers, answer=answer)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


class Api:
    """One provider's API as one caller sees it: every call goes to ``host`` on the target with the caller's
    ``headers`` (credentials), which a call's own headers override. Answers are of type ``answer``."""

    def __init__(self, target: Target, provider: str, host: str, headers: Mapping[str, str] | None = None, *,
                 answer: type[Answer] = Answer):
        self.target = target
        self.provider = provider
        self.host = host
        self.headers = dict(headers or {})
        self._answer = answer

    @property
    def world(self) -> World:
        return self.target.world

    @property
    def base(self) -> str:
        return self.target.base(self.host)

    def as_caller(self, headers: Mapping[str, str]) -> Self:
        """The same API for another caller: ``headers`` replace the credentials."""
        other = copy.copy(self)
        other.headers = dict(headers)
        return other

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                data: bytes | str | None = None, headers: Mapping[str, str] | None = None) -> Answer:
        """``json`` is sent as requests sends it (UTF-8 JSON, ``Content-Type: application/json`` unless given),
        ``params`` are appended to the query of ``path``."""
        sent = Headers(self.headers)
        for name, value in (headers or {}).items():
            sent.set(name, value)
        if json is not None:
            data = jsonlib.dumps(json)
            sent.setdefault("Content-Type", "application/json")
        body = data.encode() if isinstance(data, str) else data
        with_query = path
        if params:
            with_query += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        status, answer_headers, content = self.target.send(method, self.host, with_query, sent, body)
        return self._answer(self.provider, method, path.partition("?")[0], status, answer_headers, content)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Answer:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Answer:
        return self.request("DELETE", path, **kwargs)
