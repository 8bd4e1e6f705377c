"""Per-request cost in-process, as a ratio against a bare werkzeug app measured in the same run.

Baseline: a werkzeug app answering a constant JSON response, called through werkzeug's test Client.
fakeroute: the same Client on the full app (routing, auth, schema validation, handler, JSON:API
rendering). DESIGN.md's target: a validated, authenticated request <= 2x the baseline. Also times a
World reset (target well under 1 ms). Run: `python bench/request_bench.py`.
"""

from __future__ import annotations

import base64
import statistics
import time

from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from fakeroute.app import FakerouteApp
from fakeroute.world import World

AUTH = {"Authorization": "Basic " + base64.b64encode(b"fakeroute:fakeroute-secret").decode()}
ROUTE = '{"data": {"type": "route", "attributes": {"route_type": "host", "value": "a.example.com", "alias": "x"}}}'
ASSIGN = '{"data": {"type": "route", "id": "98396"}}'


@Request.application
def bare(request: Request) -> Response:
    return Response('{"data": []}', content_type="application/json")


def per_call_us(fn, calls: int = 300) -> float:
    """Mean time per call over ``calls`` calls, in microseconds."""
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls * 1e6


def ratio(fn, baseline, rounds: int = 9) -> tuple[float, float]:
    """Median over rounds of (time of fn / time of the baseline), each round measuring both back to back so
    that the machine's drift touches both alike; and fn's median time."""
    ratios, times = [], []
    for _ in range(rounds):
        base = per_call_us(baseline)
        took = per_call_us(fn)
        ratios.append(took / base)
        times.append(took)
    return statistics.median(ratios), statistics.median(times)


def main() -> int:
    world = World()
    fake = Client(FakerouteApp(world))
    baseline_client = Client(bare)
    baseline = lambda: baseline_client.get("/v2/routes", headers=AUTH)  # noqa: E731
    cases = {
        "GET /v2/routes": lambda: fake.get("/v2/routes", headers=AUTH),
        "GET /v2/numbers/12065550100": lambda: fake.get("/v2/numbers/12065550100", headers=AUTH),
        "GET /v2/numbers/available?starts_with=1206": lambda: fake.get(
            "/v2/numbers/available?starts_with=1206&limit=10", headers=AUTH),
        "PATCH .../primary_route (validated body)": lambda: fake.patch(
            "/v2/numbers/12065550100/relationships/primary_route", data=ASSIGN, headers=AUTH),
    }
    base_us = statistics.median(per_call_us(baseline) for _ in range(5))
    print(f"baseline: bare werkzeug constant response  {base_us:8.1f} us/request"
          " (each case is timed back to back with it; ratios are medians of 9 rounds)")
    for name, fn in cases.items():
        times_baseline, us = ratio(fn, baseline)
        print(f"  {name:<44} {us:8.1f} us  {times_baseline:5.2f}x baseline")

    def create_then_reset() -> None:
        fake.post("/v2/routes", data=ROUTE, headers=AUTH)
        world.reset()

    create = per_call_us(create_then_reset, calls=200)
    started = time.perf_counter()
    for _ in range(1000):
        world.reset()
    reset_us = (time.perf_counter() - started) / 1000 * 1e6
    print(f"  POST /v2/routes + reset                      {create:8.1f} us")
    print(f"  World.reset() (default scenario)             {reset_us:8.1f} us  target < 1000 us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
