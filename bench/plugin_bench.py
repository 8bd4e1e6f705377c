"""Per-test overhead of the ``fakeroute`` fixture against pytest-httpserver and a bare werkzeug client.

Each variant is a generated suite whose every test makes one HTTP call; it is run with 40 and with
240 tests, and the per-test cost is the slope, (T(240) - T(40)) / 200, so session start-up cancels
out. The "plain" variant makes no call at all. Target (issue 7): fakeroute's overhead over a plain
test under one quarter of pytest-httpserver's. Needs the bench extra: pip install -e '.[test,bench]'.
Run: python bench/plugin_bench.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SMALL, LARGE = 40, 240

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


def run_suite(source: str, n: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "test_bench.py"
        path.write_text(source.format(n=n))
        (Path(folder) / "pytest.ini").write_text("[pytest]\n")
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                                cwd=folder, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"suite failed:\n{result.stdout}\n{result.stderr}")
        return elapsed


def per_test_ms(source: str, rounds: int = 3) -> float:
    slopes = [(run_suite(source, LARGE) - run_suite(source, SMALL)) / (LARGE - SMALL) * 1000 for _ in range(rounds)]
    return statistics.median(slopes)


def main() -> int:
    results = {name: per_test_ms(source) for name, source in VARIANTS.items()}
    plain = results["plain"]
    print(f"per-test cost, median of 3 slopes ({SMALL} vs {LARGE} tests), one HTTP call per test")
    for name, ms in results.items():
        extra = "" if name == "plain" else f"   +{ms - plain:6.2f} ms over a plain test"
        print(f"  {name:<18} {ms:7.2f} ms{extra}")
    fakeroute = results["fakeroute"] - plain
    httpserver = results["pytest-httpserver"] - plain
    ratio = fakeroute / httpserver if httpserver > 0 else float("inf")
    print(f"fakeroute overhead / pytest-httpserver overhead = {ratio:.2f} (target < 0.25)")
    return 0 if ratio < 0.25 else 1


if __name__ == "__main__":
    raise SystemExit(main())
