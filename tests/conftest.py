"""Fixtures every folder shares: a World, its WSGI app, a werkzeug client, a live server, and the dual-mode target."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.support.harness import MODES, Target

# Every app the suite makes (and every server it starts, which inherits this) works each GET out anew even when it
# remembers the reply, and fails with StaleReplay if the two differ: the whole suite checks that nothing changes the
# World without moving its version (fakeroute.app.FakerouteApp). The replays themselves are tested on their own
# (tests/test_replays.py) and by the golden replies (tests/test_replies_golden.py), with the check off.
os.environ.setdefault("FAKEROUTE_CHECK_REPLAYS", "1")


@pytest.fixture
def world() -> World:
    return World(seed=0)


@pytest.fixture
def app(world: World) -> FakerouteApp:
    return FakerouteApp(world, propagate_exceptions=True)


@pytest.fixture
def client(app: FakerouteApp) -> Client:
    return Client(app)


@pytest.fixture(scope="session")
def live_world() -> World:
    return World(seed=0)


@pytest.fixture(scope="session")
def live_server(live_world: World) -> Iterator[FakerouteServer]:
    with FakerouteServer(FakerouteApp(live_world)) as server:
        yield server


@pytest.fixture
def server_url(live_server: FakerouteServer, live_world: World) -> str:
    """A running server over real HTTP, reset to the seeded scenario for each test."""
    live_world.reset()
    return live_server.url


@pytest.fixture(params=MODES)
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Where a dual-mode test's calls land: in-process on ``app`` (``wsgi``), or on the live server (``http``)."""
    if request.param == "wsgi":
        target = Target.wsgi(request.getfixturevalue("app"))
    else:
        target = Target.http(request.getfixturevalue("server_url"), request.getfixturevalue("live_world"))
    yield target
    target.close()


# -- every answer the suite receives is checked against the provider's response schemas ------------


@pytest.fixture(autouse=True)
def answers_conform_to_the_response_schemas(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Wraps every FakerouteApp (in-process, the live server's thread, the plugin's) for this test: each
    provider answer is checked with ``fakeroute.conformance``; the test fails on any that does not conform.
    Schemas used three times (STYLE.md): to validate requests, here, and to publish OpenAPI."""
    from fakeroute.conformance import response_violations

    found: list[str] = []
    respond = FakerouteApp.respond

    def checked(app: FakerouteApp, environ: dict) -> tuple:
        response, exchange = respond(app, environ)
        if exchange is not None and exchange.provider is not None and not exchange.dropped:
            operation = exchange.operation.name if exchange.operation else None
            problems = response_violations(exchange.provider, operation, response.status_code, response.get_data(),
                                           response.content_type)
            found.extend(f"{exchange.method} {exchange.path} -> {response.status_code}: {p}" for p in problems)
        return response, exchange

    monkeypatch.setattr(FakerouteApp, "respond", checked)
    yield
    assert not found, "answers that break the response schemas:\n" + "\n".join(found)
