"""Over HTTP: the fake served as `fakeroute serve` serves it, against bare waitress answering constant JSON.

Each server runs in a process of its own (its own GIL, as in use). One client runs here, a keep-alive connection
(http.client); 8 concurrent clients are wrk's (``wrk -t2 -c8``, Debian's package ``wrk``), which the issue names:
8 Python threads in one process spend their time passing the GIL, and measured that more than the servers.
Without wrk (``.ci/run`` installs it) the 8 clients are threads here, and noisier. One round times both
servers back to back; the ratio is fakeroute's throughput over bare waitress's (higher is better). With 8
clients, the p99 latency of each is reported beside it. Run through ``bench/run.py``;
``python bench/http_bench.py serve bare|fake`` is the child process.
"""

from __future__ import annotations

import base64
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import Row

AUTH = {"Authorization": "Basic " + base64.b64encode(b"fakeroute:fakeroute-secret").decode()}
SEARCH = "/v2/numbers/available?limit=10"
BODY = b'{"data":[{"type":"number","id":"12065550100","attributes":{"value":"12065550100"}}]}'
ROOT = Path(__file__).resolve().parent.parent
P99_EXTRA: dict[str, float] = {}  # the last 8-client round's p99 ratio (fakeroute / bare), shown by run.py


def bare(environ: dict, start_response) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]


def journalled() -> object:
    """The bare app doing the least every answer of the fake does, even one it remembered: read the request's headers
    (whether it is the same request as one before) and record the call in a journal."""
    from fakeroute.app import replay_key
    from fakeroute.journal import Journal, Recorded

    journal = Journal()

    def app(environ: dict, start_response) -> list[bytes]:
        _, raw = replay_key(environ)
        journal.record(Recorded("flowroute", "GET", environ["PATH_INFO"], environ.get("QUERY_STRING", ""), b"", 200,
                                BODY, "default", None, raw, "application/json"))
        return bare(environ, start_response)
    return app


def serve(kind: str) -> None:
    """The child: a server on a free port of 127.0.0.1, its port on stdout, until killed."""
    if kind in ("bare", "werkzeug", "journal"):
        import waitress

        from bench.pipeline_bench import bare as werkzeug_bare

        app = {"bare": bare, "werkzeug": werkzeug_bare, "journal": journalled()}[kind]
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        print(server.effective_port, flush=True)
        server.run()
    else:
        from fakeroute.app import FakerouteApp
        from fakeroute.server import FakerouteServer
        from fakeroute.world import World

        app = bare if kind == "server" else FakerouteApp(World())  # "server": fakeroute's server, no fakeroute app
        server = FakerouteServer(app, port=0, threads=4)  # as `fakeroute serve --quiet`
        print(server.port, flush=True)
        server.serve_forever()


@contextmanager
def served(kind: str) -> Iterator[int]:
    # waitress's "Task queue depth" warnings (bare waitress logs them) would flood the table's output.
    child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "serve", kind], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    try:
        assert child.stdout is not None
        yield int(child.stdout.readline())
    finally:
        child.terminate()
        child.wait(timeout=10)


def _client(port: int, path: str, calls: int, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(calls):
        started = time.perf_counter()
        connection.request("GET", path, headers=AUTH)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        latencies.append(time.perf_counter() - started)
    connection.close()


def _load(port: int, path: str, clients: int, calls: int) -> tuple[float, float]:
    """Requests per second over ``clients`` keep-alive connections, and the p99 latency in seconds."""
    per_client: list[list[float]] = [[] for _ in range(clients)]
    threads = [threading.Thread(target=_client, args=(port, path, calls, per_client[i])) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    latencies = sorted(x for found in per_client for x in found)
    return clients * calls / took, latencies[int(len(latencies) * 0.99) - 1]


_UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def _wrk(port: int, path: str, clients: int, seconds: float) -> tuple[float, float]:
    """Requests per second and p99 latency (seconds) of ``wrk`` with ``clients`` keep-alive connections."""
    header = f"Authorization: {AUTH['Authorization']}"
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-H", header,
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise AssertionError(f"wrk saw errors:\n{out}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert rps and p99, out
    return float(rps.group(1)), float(p99.group(1)) * _UNIT[p99.group(2)]


def _throughput(path: str, clients: int = 1, calls: int = 1500, rounds: int = 5, kind: str = "fake"):
    def measure(smoke: bool) -> float:
        count, times = (20, 1) if smoke else (calls // clients, rounds)
        use_wrk = clients > 1 and shutil.which("wrk") is not None
        seconds = 1 if smoke else 3

        def load(port: int, warm: bool = False) -> tuple[float, float]:
            if use_wrk:
                return _wrk(port, path, clients, 1 if warm else seconds)
            return _load(port, path, clients, count // 4 + 1 if warm else count)
        ratios, p99s = [], []
        with served("bare") as bare_port, served(kind) as fake_port:
            load(bare_port, warm=True)  # warm both: connections, caches, compiled schemas
            load(fake_port, warm=True)
            for _ in range(times):
                bare_rps, bare_p99 = load(bare_port)
                fake_rps, fake_p99 = load(fake_port)
                ratios.append(fake_rps / bare_rps)
                p99s.append(fake_p99 / bare_p99)
        if clients > 1:
            P99_EXTRA[path] = statistics.median(p99s)
        return statistics.median(ratios)
    return measure


def _p99(smoke: bool) -> float:
    if SEARCH not in P99_EXTRA:  # run alone (the throughput row measured it otherwise)
        _throughput(SEARCH, clients=8)(smoke)
    return P99_EXTRA.pop(SEARCH)


ROWS = [
    Row(f"HTTP: GET {SEARCH}, 1 keep-alive client, throughput vs bare waitress", "0.55-0.57x", 0.85,
        _throughput(SEARCH), higher_is_better=True),
    Row(f"HTTP: GET {SEARCH}, 8 concurrent clients, throughput vs bare waitress", "0.50x", 0.85,
        _throughput(SEARCH, clients=8), higher_is_better=True),
    Row(f"HTTP: GET {SEARCH}, 8 concurrent clients, p99 latency vs bare waitress's", "-", 1.2, _p99),
    Row("HTTP: GET /v2/numbers/12065550100, 1 client, throughput vs bare waitress", "0.63-0.70x", 0.9,
        _throughput("/v2/numbers/12065550100"), higher_is_better=True),
    Row("HTTP: GET /v2/routes, 1 client, throughput vs bare waitress", "0.63-0.70x", 0.9,
        _throughput("/v2/routes"), higher_is_better=True),
    # The floor under a remembered reply: no fakeroute app, only what every answer of the fake does (read the
    # headers, journal the call) in front of the bare app.
    Row("HTTP floor: the bare app reading the headers and journalling the call, 1 client, throughput vs bare "
        "waitress", "-", 0.9, _throughput("/v2/numbers/12065550100", kind="journal"), higher_is_better=True),
    # The floor under a reply worked out: no fakeroute at all, only what any werkzeug app does (Request, Map,
    # Response).
    Row("HTTP floor: a bare werkzeug Request/Map/Response app, 1 client, throughput vs bare waitress", "-", 0.85,
        _throughput(SEARCH, kind="werkzeug"), higher_is_better=True),
    Row("HTTP floor: a bare werkzeug Request/Map/Response app, 8 concurrent clients, throughput vs bare waitress",
        "-", 0.85, _throughput(SEARCH, clients=8, kind="werkzeug"), higher_is_better=True),
    # The server's share: fakeroute's own server (its waitress settings) in front of the bare app.
    Row("HTTP server floor: fakeroute's server with the bare app, 8 concurrent clients, throughput vs bare waitress",
        "-", 0.85, _throughput(SEARCH, clients=8, kind="server"), higher_is_better=True),
]


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    sys.path.insert(0, str(ROOT))
    serve(sys.argv[2])
