"""The README's Python examples run as written (the server one against a live server), and its plugin section
names every fixture, marker argument, option and assertion the plugin has."""

from __future__ import annotations

import re

import pytest

import fakeroute.pytest_plugin
from fakeroute.testing import WORLD_ARGUMENTS
from tests.support import REPO

README = REPO / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def plugin_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## In your test suite: the pytest plugin"):text.index("## Command line")]


def test_the_in_process_example_runs():
    (block,) = [b for b in python_blocks() if "FakerouteApp(world)" in b]
    exec(compile(block, "README.md", "exec"), {})


def test_the_flowroute_server_example_runs(server_url):
    (block,) = [b for b in python_blocks() if 'base = "http://127.0.0.1:8080"' in b]
    exec(compile(block.replace("http://127.0.0.1:8080", server_url), "README.md", "exec"), {})


def test_the_plugin_examples_pass_as_a_suite(pytester: pytest.Pytester):
    blocks = [b for b in python_blocks() if "def test_" in b]
    assert len(blocks) == 7
    for i, block in enumerate(blocks):
        pytester.makepyfile(**{f"test_readme_{i}": block})
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    tests = sum(len(re.findall(r"^(?:async )?def test_", b, flags=re.M)) for b in blocks)
    pytester.runpytest_subprocess().assert_outcomes(passed=tests)


class _Options:
    """Stands in for pytest's parser: collects the names the plugin adds."""

    def __init__(self):
        self.names: list[str] = []

    def getgroup(self, name: str) -> _Options:
        return self

    def addoption(self, name: str, **kwargs: object) -> None:
        self.names.append(name)

    def addini(self, name: str, *args: object, **kwargs: object) -> None:
        self.names.append(name)


def test_the_plugin_section_names_every_fixture_marker_argument_option_and_assertion():
    section = plugin_section()
    options = _Options()
    fakeroute.pytest_plugin.pytest_addoption(options)
    fixtures = [n for n in fakeroute.pytest_plugin.__all__ if n.startswith("fakeroute")]
    wanted = [*fixtures, *options.names, *WORLD_ARGUMENTS, "deliver_to", "FAKEROUTE_SEED", "calls",
              "assert_called", "assert_not_called", "deliver", "fail", "inbound", "clock.advance", "outbox"]
    assert len(options.names) == 7 and len(fixtures) == 6
    assert [name for name in wanted if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", section)] == []
