"""The pytest plugin's costs: interception against httpx's own WSGI transport, per-test overhead against
pytest-httpserver, ``httpx.get()`` under the fixture, and what an installed but unused plugin adds to a run.

Suites run in fresh pytest processes (PYTHONPATH = this checkout, so its plugin is the one loaded); a hook times
each test's whole protocol inside the process, so interpreter start-up stays out of the per-test figures.
Needs the bench extra (pytest-httpserver). Run through ``bench/run.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Row, interleaved_ratio, per_call_s

ROOT = Path(__file__).resolve().parent.parent
AUTH = ("fakeroute", "fakeroute-secret")
ROUTES = "https://api.flowroute.com/v2/routes"

TIMER = """
import json, os, time
import pytest

DURATIONS = {}

@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    try:
        return (yield)
    finally:
        DURATIONS.setdefault(item.path.stem, []).append(time.perf_counter() - started)

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(DURATIONS, out)
"""

SUITES = {
    "plain": """
import pytest

@pytest.mark.parametrize("i", range({n}))
def test_call(i):
    assert i >= 0
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
    # The floor under fakeroute's: the same requests.get() answered by an interception that does no work at all
    # (constant JSON, no World, no fixture, started once for the module).
    "floor": """
import pytest
import requests

from bench.plugin_bench import _BareBehindInterceptor
from fakeroute.transport import Interceptor

@pytest.fixture(scope="module")
def intercepted():
    with Interceptor(_BareBehindInterceptor(), hosts=["api.flowroute.com"]):
        yield

@pytest.mark.parametrize("i", range({n}))
def test_call(intercepted, i):
    response = requests.get("https://api.flowroute.com/v2/routes", auth=("fakeroute", "fakeroute-secret"))
    assert response.status_code == 200
""",
}


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _suite_durations(tests: int) -> dict[str, list[float]]:
    """Each test's duration in seconds by suite, the suites' tests interleaved in one fresh pytest process (so
    the machine's drift touches them alike)."""
    with tempfile.TemporaryDirectory() as folder:
        for name, source in SUITES.items():
            Path(folder, f"test_{name.replace('-', '_')}.py").write_text(source.format(n=tests))
        Path(folder, "conftest.py").write_text(TIMER)
        Path(folder, "pytest.ini").write_text("[pytest]\n")
        out = Path(folder, "durations.json")
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
                                cwd=folder, capture_output=True, text=True, env=_env(BENCH_OUT=str(out)))
        if result.returncode != 0:
            raise RuntimeError(f"suite failed:\n{result.stdout}\n{result.stderr}")
        found = json.loads(out.read_text())
        return {name: found[f"test_{name.replace('-', '_')}"] for name in SUITES}


_FLOOR: dict[str, float] = {}  # the floor's ratio of the last per_test_overhead run


def per_test_overhead(smoke: bool) -> float:
    """(fakeroute's test - a plain test) / (pytest-httpserver's test - a plain test), median test of each suite,
    median of rounds. The floor suite's ratio, measured in the same runs, is kept for its own row."""
    tests, rounds = (3, 1) if smoke else (150, 5)
    ratios, floors = [], []
    for _ in range(rounds):
        medians = {name: statistics.median(found) for name, found in _suite_durations(tests).items()}
        served = medians["pytest-httpserver"] - medians["plain"]
        ratios.append((medians["fakeroute"] - medians["plain"]) / served)
        floors.append((medians["floor"] - medians["plain"]) / served)
    _FLOOR["ratio"] = statistics.median(floors)
    return statistics.median(ratios)


def per_test_floor(smoke: bool) -> float:
    if "ratio" not in _FLOOR:  # run alone (the row above measured it otherwise)
        per_test_overhead(smoke)
    return _FLOOR.pop("ratio")


def _bare(environ: dict, start_response) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"data":[]}']


def httpx_interception(smoke: bool) -> float:
    """One httpx.Client call answered through the Interceptor by the fake, against the same client on httpx's
    WSGITransport to a bare app."""
    import httpx

    from fakeroute.app import FakerouteApp
    from fakeroute.transport import Interceptor
    from fakeroute.world import World

    bare = httpx.Client(transport=httpx.WSGITransport(app=_bare), auth=AUTH)
    with Interceptor(FakerouteApp(World())), httpx.Client(auth=AUTH) as client:
        return interceptor_ratio(lambda: client.get(ROUTES), lambda: bare.get(ROUTES), smoke)


class _BareBehindInterceptor:
    """What the Interceptor calls, answering as ``_bare`` does: the interception's own cost, with no fake behind."""

    def answer(self, environ: dict, known_key: object = None) -> tuple[int, str, list[tuple[str, str]], bytes, bool]:
        return 200, "200 OK", [("Content-Type", "application/json"), ("Content-Length", "11")], b'{"data":[]}', False


def httpx_interception_floor(smoke: bool) -> float:
    """The interception's floor: httpx through the Interceptor to a bare app, against httpx's WSGITransport to the
    same bare app. What the fake adds past this ratio is its own work (the in-process rows)."""
    import httpx

    from fakeroute.transport import Interceptor

    bare = httpx.Client(transport=httpx.WSGITransport(app=_bare), auth=AUTH)
    with Interceptor(_BareBehindInterceptor(), hosts=["api.flowroute.com"]), httpx.Client(auth=AUTH) as client:
        return interceptor_ratio(lambda: client.get(ROUTES), lambda: bare.get(ROUTES), smoke)


def interceptor_ratio(fn, baseline, smoke: bool) -> float:
    return interleaved_ratio(fn, baseline, calls=200, smoke=smoke)


def httpx_get_new_client(smoke: bool) -> float:
    """Milliseconds an ``httpx.get()`` (a new client each call) costs over the same call on a kept client, both
    intercepted (the SSL context is shared while intercepting)."""
    import httpx

    from fakeroute.app import FakerouteApp
    from fakeroute.transport import Interceptor
    from fakeroute.world import World

    calls, rounds = (2, 1) if smoke else (50, 7)
    extra = []
    with Interceptor(FakerouteApp(World())), httpx.Client(auth=AUTH) as client:
        httpx.get(ROUTES, auth=AUTH)  # the first builds the shared context
        for _ in range(rounds):
            kept = per_call_s(lambda: client.get(ROUTES), calls)
            fresh = per_call_s(lambda: httpx.get(ROUTES, auth=AUTH), calls)
            extra.append((fresh - kept) * 1000)
    return statistics.median(extra)


PLUGIN_LOAD = """
import time, sys
from pathlib import Path
import pytest  # every run has it loaded before any plugin

started = time.perf_counter()
import fakeroute.pytest_plugin as plugin
from fakeroute.testing import MARKER_HELP, resolve_settings  # what the plugin's pytest_configure runs

settings = resolve_settings(cli_seed=None, ini_seed="", cli_scenario=None, ini_scenario="", ini_inventory_size="",
                            ini_block_unknown_hosts=False, ini_clock_start="", rootdir=Path.cwd())
settings.describe()
took = time.perf_counter() - started
assert not any(name.startswith(("werkzeug", "jsonschema", "orjson", "fakeroute.world")) for name in sys.modules)
print(took)
"""


def collection_cost(smoke: bool) -> float:
    """Milliseconds an installed plugin that no test uses adds to a run: importing it and what its
    ``pytest_configure`` runs (settings, the report header), in a fresh interpreter with pytest loaded; median of
    rounds. (A whole ``pytest --collect-only`` with and without ``-p no:fakeroute`` differs by less than its
    run-to-run noise of several hundred ms with the test extra's plugins on this machine.)"""
    rounds = 1 if smoke else 9
    took = []
    for _ in range(rounds):
        result = subprocess.run([sys.executable, "-c", PLUGIN_LOAD], capture_output=True, text=True, check=True,
                                env=_env(), cwd=ROOT)
        took.append(float(result.stdout) * 1000)
    return statistics.median(took)


ROWS = [
    Row("plugin: httpx through the interception vs httpx WSGITransport to a bare app", "1.58x", 1.1,
        httpx_interception),
    Row("plugin floor: httpx through the interception to a bare app vs httpx WSGITransport to it", "-", 1.1,
        httpx_interception_floor),
    Row("plugin: per-test overhead (one call) vs pytest-httpserver's", "0.28x", 0.15, per_test_overhead),
    Row("plugin floor: per-test overhead of the same requests.get() through an interception doing nothing, no fixture, "
        "vs pytest-httpserver's", "-", 0.15, per_test_floor),
    Row("plugin: httpx.get() (new client each call) under the fixture, over a kept client", "+27.6 ms", 1.0,
        httpx_get_new_client, unit="ms"),
    Row("plugin: installed, never used: extra collection time (import + configure)", "+317 ms", 20.0, collection_cost,
        unit="ms"),
]
