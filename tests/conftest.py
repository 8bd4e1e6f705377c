"""Fixtures every folder shares: a World, its WSGI app, a werkzeug client, a live server, and the dual-mode target."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.support.harness import MODES, Target


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
