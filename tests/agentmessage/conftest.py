"""AgentMessage's fixtures: the default org's API in-process and over real HTTP (``am``), in-process only (``api``)."""

from __future__ import annotations

import pytest

from fakeroute.app import FakerouteApp
from tests.support.agentmessage import AgentMessageApi, agentmessage
from tests.support.harness import Target


@pytest.fixture
def am(target: Target) -> AgentMessageApi:
    """The default org's API with its all-scopes key; ``am.world`` is the World behind it (to move its clock)."""
    return agentmessage(target)


@pytest.fixture
def api(app: FakerouteApp) -> AgentMessageApi:
    """In-process only, for the many small error cases."""
    return agentmessage(Target.wsgi(app))
