"""Flowroute's fixtures: its API as the default account sees it, in-process and over real HTTP."""

from __future__ import annotations

import pytest

from tests.support.flowroute import FLOWROUTE_AUTH, HOST
from tests.support.harness import Api, Target


@pytest.fixture
def flowroute(target: Target) -> Api:
    """Flowroute's API as the default account sees it; ``flowroute.world`` is the World behind it."""
    return target.api("flowroute", HOST, FLOWROUTE_AUTH)
