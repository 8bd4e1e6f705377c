"""This repository's entry to the pytest plugin, which lives in fakeroute/pytest_plugin.py (installed as the
``pytest11`` entry point ``fakeroute = "fakeroute.pytest_plugin"``); an install made before the plugin moved
there still names this module, so it re-exports every hook and fixture."""

from fakeroute.pytest_plugin import *  # noqa: F403
from fakeroute.pytest_plugin import __all__  # noqa: F401
