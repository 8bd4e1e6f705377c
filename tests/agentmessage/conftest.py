"""AgentMessage's fixtures: the default org's API in-process and over real HTTP (``am``), in-process only (``api``)."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fakeroute.world import World
from tests.support.agentmessage import AgentMessage, http_agentmessage, wsgi_agentmessage


@pytest.fixture(params=["wsgi", "http"])
def am(request: pytest.FixtureRequest, client: Client) -> AgentMessage:
    """The default org's API with its all-scopes key, in-process and over real HTTP."""
    if request.param == "wsgi":
        return wsgi_agentmessage(client)
    return http_agentmessage(request.getfixturevalue("server_url"))


@pytest.fixture
def am_world(request: pytest.FixtureRequest, am: AgentMessage, world: World) -> World:
    """The World behind ``am``, whichever way it is reached (to move its clock)."""
    return world if am.mode == "wsgi" else request.getfixturevalue("live_world")


@pytest.fixture
def api(client: Client) -> AgentMessage:
    """In-process only, for the many small error cases."""
    return wsgi_agentmessage(client)
