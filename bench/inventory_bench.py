"""Inventory at scale: build time, memory and search latency of a 1,000,000-number inventory.

Targets (issue 3 / DESIGN.md): starts in under 2 s, a starts_with search answers in under 10 ms,
1M numbers fit in 100 MB. Run: `python bench/inventory_bench.py [size]`; its rows are in `bench/run.py`'s table.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc

from bench.common import Row
from fakeroute.inventory import Inventory


def timed(fn, repeat: int = 50) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main(size: int = 1_000_000) -> int:
    started = time.perf_counter()
    inventory = Inventory(seed=0, size=size)
    build = time.perf_counter() - started

    tracemalloc.start()
    kept = Inventory(seed=0, size=size)
    retained, peak = tracemalloc.get_traced_memory()
    del kept
    tracemalloc.stop()

    searches = {
        "starts_with=1206": lambda: inventory.search(starts_with="1206", limit=10),
        "starts_with=1206 offset=5000": lambda: inventory.search(starts_with="1206", offset=5000, limit=10),
        "state=ny rate_center=nwyrcyzn01": lambda: inventory.search(state="ny", rate_center="nwyrcyzn01", limit=10),
        "contains=4242": lambda: inventory.search(contains="4242", limit=10),
        "ends_with=0000": lambda: inventory.search(ends_with="0000", limit=10),
        "areacodes": lambda: inventory.area_codes(),
    }
    print(f"inventory of {len(inventory):,} numbers (seed 0)")
    print(f"  build            {build:8.3f} s    target < 2 s")
    print(f"  memory retained  {retained / 2**20:8.1f} MiB  target <= 100 MB"
          f" (peak while building {peak / 2**20:.1f} MiB)")
    failed = build >= 2 or retained > 100 * 10**6
    for name, fn in searches.items():
        ms = timed(fn)
        target = " target < 10 ms" if name == "starts_with=1206" else ""
        failed |= bool(target) and ms >= 10
        print(f"  search {name:<32} {ms:8.3f} ms{target}")
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


def _build_s(smoke: bool) -> float:
    started = time.perf_counter()
    Inventory(seed=0, size=10_000 if smoke else 1_000_000)
    return time.perf_counter() - started


def _memory_mb(smoke: bool) -> float:
    tracemalloc.start()
    kept = Inventory(seed=0, size=10_000 if smoke else 1_000_000)
    retained, _ = tracemalloc.get_traced_memory()
    del kept
    tracemalloc.stop()
    return retained / 10**6


def _search_ms(smoke: bool) -> float:
    inventory = Inventory(seed=0, size=10_000 if smoke else 1_000_000)
    return timed(lambda: inventory.search(starts_with="1206", limit=10), repeat=3 if smoke else 50)


ROWS = [
    Row("inventory of 1M numbers: build (issue 3)", "< 2 s", 2.0, _build_s, unit="s"),
    Row("inventory of 1M numbers: memory retained (issue 3)", "<= 100 MB", 100.0, _memory_mb, unit="MB"),
    Row("inventory of 1M numbers: starts_with=1206 search (issue 3)", "< 10 ms", 10.0, _search_ms, unit="ms"),
]


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
