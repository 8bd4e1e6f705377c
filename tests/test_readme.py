"""The README's Python examples run as written (the server one against a live server)."""

from __future__ import annotations

import re

from tests.support import REPO

README = REPO / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_in_process_example_runs():
    (block,) = [b for b in python_blocks() if "FakerouteApp(world)" in b]
    exec(compile(block, "README.md", "exec"), {})


def test_the_flowroute_server_example_runs(server_url):
    (block,) = [b for b in python_blocks() if 'base = "http://127.0.0.1:8080"' in b]
    exec(compile(block.replace("http://127.0.0.1:8080", server_url), "README.md", "exec"), {})


def test_the_plugin_examples_pass_as_a_suite(pytester):
    blocks = [b for b in python_blocks() if "def test_" in b]
    assert len(blocks) == 5
    for i, block in enumerate(blocks):
        pytester.makepyfile(**{f"test_readme_{i}": block})
    pytester.runpytest_subprocess().assert_outcomes(passed=5)
