"""How the example apps meet fakeroute, with its public fixtures only: in-process (``fakeroute``: the app calls
the real Flowroute host, intercepted, and gets its webhooks through ``deliver_to``) or over real HTTP
(``fakeroute_server``: the app is served on 127.0.0.1 and the fake POSTs its webhooks there)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import messaging_fastapi
import messaging_flask
import pytest
import requests
import uvicorn
from fastapi.testclient import TestClient
from werkzeug.serving import make_server

FRAMEWORKS = {"flask": messaging_flask.create_app, "fastapi": messaging_fastapi.create_app}


class Messaging:
    """The app under test as its tests drive it, and the fake it talks to."""

    def __init__(self, fake: Any, send: Any):
        self.fake = fake
        self._send = send

    def get(self, path: str) -> Any:
        return self.request("GET", path, None, 200)

    def post(self, path: str, document: Any, expect: int) -> Any:
        return self.request("POST", path, document, expect)

    def request(self, method: str, path: str, document: Any, expect: int) -> Any:
        status, body = self._send(method, path, document)
        assert status == expect, body
        return body


@pytest.fixture(params=sorted(FRAMEWORKS))
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=["in-process", "http"])
def messaging(request: pytest.FixtureRequest, framework: str) -> Iterator[Messaging]:
    if request.param == "in-process":
        fake = request.getfixturevalue("fakeroute")
        credentials = fake.credentials("flowroute")
        app = FRAMEWORKS[framework](fake.base_url("flowroute"), credentials["access_key"], credentials["secret_key"],
                                    "https://messaging.example")
        fake.deliver_to(app)
        yield Messaging(fake, _test_client(app, framework))
    else:
        fake = request.getfixturevalue("fakeroute_server")
        credentials = fake.credentials("flowroute")
        with _served(framework, lambda url: FRAMEWORKS[framework](
                fake.url, credentials["access_key"], credentials["secret_key"], url)) as url:
            with requests.Session() as session:
                def send(method: str, path: str, document: Any) -> tuple[int, Any]:
                    answer = session.request(method, url + path, json=document, timeout=10)
                    return answer.status_code, answer.json()

                yield Messaging(fake, send)


def _test_client(app: Any, framework: str) -> Any:
    """The framework's own test client, called in-process."""
    if framework == "flask":
        client = app.test_client()

        def send(method: str, path: str, document: Any) -> tuple[int, Any]:
            answer = client.open(path, method=method, json=document)
            return answer.status_code, answer.get_json()
    else:
        client = TestClient(app)

        def send(method: str, path: str, document: Any) -> tuple[int, Any]:
            answer = client.request(method, path, json=document)
            return answer.status_code, answer.json()
    return send


class _served:
    """The app served on 127.0.0.1 on a port of its own: werkzeug's server for Flask, uvicorn for FastAPI.
    ``make`` gets the app's own URL, for the callbacks it registers."""

    def __init__(self, framework: str, make: Any):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        app = make(url)
        self.url = url
        if framework == "flask":
            self._socket.listen()
            self._server = make_server("127.0.0.1", 0, app, threaded=True, fd=self._socket.fileno())
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        else:
            self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
            self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)
        self._framework = framework

    def __enter__(self) -> str:
        self._thread.start()
        if self._framework == "fastapi":
            started = threading.Event()
            while not self._server.started and self._thread.is_alive():
                started.wait(0.01)  # uvicorn offers no event to wait on, only this flag
        return self.url

    def __exit__(self, *exc: object) -> None:
        if self._framework == "flask":
            self._server.shutdown()
        else:
            self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()
