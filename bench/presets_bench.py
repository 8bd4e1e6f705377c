"""Scenario presets: how long ``World(scenario=name)`` takes to build, and a reset of it.

Target (issue 16): loading ``busy`` (generated from the seed: 300 Flowroute numbers, 200 routes, 2,500 MDRs,
AgentMessage brands, campaigns and numbers, Twilio assignments) takes under 1 s. The machine is shared:
the best of several runs is the figure (as timeit reports), with the median and the CPU time beside it.
Run: `python bench/presets_bench.py [repeat]`; its build row is in `bench/run.py`'s table.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from bench.common import Row
from fakeroute.world import World

PRESETS = ("empty", "default", "near-limits", "suspended", "busy")


def measure(name: str, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU seconds of each build, and milliseconds of each reset."""
    walls, cpus, resets = [], [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        world = World(scenario=name)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        started = time.perf_counter()
        world.reset()
        resets.append((time.perf_counter() - started) * 1000)
    return walls, cpus, resets


def main(repeat: int = 7) -> int:
    World(scenario="empty")  # import and compile the schemas once, outside the figures
    print(f"World(scenario=NAME), best and median of {repeat}; load average {os.getloadavg()[0]:.1f}"
          f" on {os.cpu_count()} cores")
    failed = False
    for name in PRESETS:
        walls, cpus, resets = measure(name, repeat)
        target = "  target < 1 s" if name == "busy" else ""
        failed |= bool(target) and min(walls) >= 1
        print(f"  {name:<12} build {min(walls):6.3f} s (median {statistics.median(walls):6.3f} s, cpu "
              f"{min(cpus):6.3f} s)   reset {min(resets):7.3f} ms{target}")
    print("FAIL" if failed else "OK")
    return 1 if failed else 0




def _busy_build_s(smoke: bool) -> float:
    """Seconds to build ``World(scenario="busy")``, the best of several (as timeit reports: the machine is shared)."""
    World(scenario="empty")  # import and compile once, outside the figure
    walls, _, _ = measure("busy", 1 if smoke else 5)
    return min(walls)


ROWS = [
    Row('World(scenario="busy") build (issue 16)', "< 1 s", 1.0, _busy_build_s, unit="s"),
]


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:2])))
