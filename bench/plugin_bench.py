"""Per-test overhead of the ``fakeroute`` fixture against pytest-httpserver and a bare werkzeug client.

Each variant is a generated suite of 300 tests, each making one HTTP call (the "plain" variant makes
none). A hook times every test's whole protocol (fixture set-up, call, teardown, report) inside the
pytest process, so interpreter and session start-up stay out of it; a variant's cost is the median of
its tests, in each of 5 rounds, and the overhead is that minus the plain test's. Target (issue 7):
fakeroute's overhead over a plain test under one quarter of pytest-httpserver's.
Needs the bench extra: pip install -e '.[test,bench]'.
Run: python bench/plugin_bench.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = 300

TIMER = """
import json, os, time
import pytest

DURATIONS = []

@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        DURATIONS.append(time.perf_counter() - started)

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(DURATIONS, out)
"""

VARIANTS = {
    "plain": """
import pytest

@pytest.mark.parametrize("i", range({n}))
def test_call(i):
    assert i >= 0
""",
    "werkzeug client": """
import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

@Request.application
def app(request):
    return Response('{{"data": []}}', content_type="application/json")

@pytest.fixture
def client():
    return Client(app)

@pytest.mark.parametrize("i", range({n}))
def test_call(client, i):
    assert client.get("/v2/routes").status_code == 200
""",
    "pytest-httpserver": """
import pytest
import requests

@pytest.mark.parametrize("i", range({n}))
def test_call(httpserver, i):
    httpserver.expect_request("/v2/routes").respond_with_json({{"data": []}})
    assert requests.get(httpserver.url_for("/v2/routes")).status_code == 200
""",
    "fakeroute": """
import pytest
import requests

@pytest.mark.parametrize("i", range({n}))
def test_call(fakeroute, i):
    response = requests.get("https://api.flowroute.com/v2/routes", auth=("fakeroute", "fakeroute-secret"))
    assert response.status_code == 200
""",
}


def run_suite(source: str) -> list[float]:
    """Each test's duration in seconds, for one run of the suite in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_bench.py").write_text(source.format(n=TESTS))
        Path(folder, "conftest.py").write_text(TIMER)
        Path(folder, "pytest.ini").write_text("[pytest]\n")
        out = Path(folder, "durations.json")
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_bench.py"],
                                cwd=folder, capture_output=True, text=True, env={**os.environ, "BENCH_OUT": str(out)})
        if result.returncode != 0:
            raise SystemExit(f"suite failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(out.read_text())


def main(rounds: int = 5) -> int:
    # Rounds run every variant back to back, so the machine's drift between runs touches them alike; each
    # round gives a ratio, and the figures printed are medians over the rounds.
    per_round: dict[str, list[float]] = {name: [] for name in VARIANTS}
    ratios = []
    for _ in range(rounds):
        medians = {name: statistics.median(run_suite(source)) * 1000 for name, source in VARIANTS.items()}
        for name, ms in medians.items():
            per_round[name].append(ms)
        httpserver = medians["pytest-httpserver"] - medians["plain"]
        ratios.append((medians["fakeroute"] - medians["plain"]) / httpserver if httpserver > 0 else float("inf"))
    results = {name: statistics.median(values) for name, values in per_round.items()}
    plain = results["plain"]
    print(f"per-test cost (median test of {TESTS}, median of {rounds} rounds), one HTTP call per test")
    for name, ms in results.items():
        extra = "" if name == "plain" else f"   +{ms - plain:6.2f} ms over a plain test"
        print(f"  {name:<18} {ms:7.2f} ms{extra}")
    ratio = statistics.median(ratios)
    print(f"fakeroute overhead / pytest-httpserver overhead = {ratio:.2f} (median of rounds "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; target < 0.25)")
    return 0 if ratio < 0.25 else 1


if __name__ == "__main__":
    raise SystemExit(main())
