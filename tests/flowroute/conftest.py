"""Flowroute's fixtures: its API as the default account sees it, in-process and over real HTTP."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH


class Api:
    """The same calls in-process (werkzeug test client) or over real HTTP (requests), one answer shape."""

    def __init__(self, mode: str, base: str, send):
        self.mode = mode
        self.base = base
        self._send = send

    def request(self, method: str, path: str, **kwargs) -> ApiResponse:
        return self._send(method, path, **kwargs)

    def get(self, path: str, **kwargs) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> ApiResponse:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> ApiResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)


class ApiResponse:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status_code = status
        self.headers = headers
        self.content = body

    def json(self):
        import json

        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<{self.status_code} {self.content[:300]!r}>"


def _wsgi_api(app: FakerouteApp, base: str, default_headers: dict[str, str]) -> Api:
    client = Client(app)

    def send(method, path, headers=None, data=None, json=None, params=None):
        import json as _json

        if json is not None:
            data = _json.dumps(json)
        response = client.open(path, method=method, base_url=base, headers={**default_headers, **(headers or {})},
                               data=data, query_string=params)
        return ApiResponse(response.status_code, dict(response.headers), response.get_data())

    return Api("wsgi", base, send)


def _http_api(url: str, default_headers: dict[str, str]) -> Api:
    import requests

    session = requests.Session()

    def send(method, path, headers=None, data=None, json=None, params=None):
        response = session.request(method, url + path, headers={**default_headers, **(headers or {})},
                                   data=data, json=json, params=params, timeout=10)
        return ApiResponse(response.status_code, dict(response.headers), response.content)

    return Api("http", url, send)


@pytest.fixture(params=["wsgi", "http"])
def flowroute(request, app: FakerouteApp) -> Api:
    """Flowroute's API as the default account sees it, in-process and over real HTTP."""
    if request.param == "wsgi":
        return _wsgi_api(app, "https://api.flowroute.com", FLOWROUTE_AUTH)
    return _http_api(request.getfixturevalue("server_url"), FLOWROUTE_AUTH)


@pytest.fixture
def flowroute_world(request, flowroute: Api, world: World) -> World:
    """The World behind the ``flowroute`` fixture, whichever way it is reached."""
    return world if flowroute.mode == "wsgi" else request.getfixturevalue("live_world")
