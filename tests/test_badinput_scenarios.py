"""Scenario files that cannot load are refused with one line naming the file and what is wrong, exit 2: never a
traceback, whatever the bytes."""

from __future__ import annotations

import subprocess
import sys

import pytest

ACCOUNT = '{"accounts": [{"id": "a", "name": %s}]}'


@pytest.mark.parametrize(("content", "says"), [
    (b"[" * 100_000 + b"]" * 100_000, "nests arrays and objects more than 32 levels deep"),
    ((ACCOUNT % ("[" * 40 + "]" * 40)).encode(), "nests arrays and objects more than 32 levels deep"),
    ((ACCOUNT % ("1" * 5000)).encode(), "holds a number over 4300 digits long"),
    (b"\xff\xfe{}", "is not UTF-8 text: byte 0 is 0xff"),
    (b'{"accounts": [', "is not valid JSON"),
    (b"null", ": must be an object, got null"),
], ids=["100,000 levels", "40 levels", "5000 digits", "not UTF-8", "cut short", "null"])
def test_a_scenario_file_that_cannot_load_is_one_line_and_exit_2(tmp_path, content, says):
    scenario = tmp_path / "bad.json"
    scenario.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "fakeroute", "serve", "--port", "0", "--scenario", str(scenario)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result
    assert result.stderr.startswith(f"fakeroute: scenario {scenario}") and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
