"""What every benchmark case is and how `bench/run.py` measures it: a ratio in one run, median of rounds.

A module under bench/ contributes rows by defining ``ROWS: list[Row]``. ``measure(smoke)`` returns the measured
ratio of this run (fakeroute against its baseline in the same process and run, interleaved, the median of at
least 5 rounds; with ``smoke=True`` one short round, only to prove the case still runs). ``run.py`` prints one
table of every row (issue 13's figure before the work, the target, the measured ratio) and writes
bench/results.json.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table: ``what`` is measured, ``before`` is the figure issue 13 gave (text), ``target``
    the ratio to meet: at least it when ``higher_is_better`` (throughput), at most it otherwise (time)."""

    what: str
    before: str
    target: float
    measure: Callable[[bool], float]
    higher_is_better: bool = False
    unit: str = "x"

    def met(self, ratio: float) -> bool:
        return ratio >= self.target if self.higher_is_better else ratio <= self.target


def per_call_s(fn: Callable[[], object], calls: int) -> float:
    """Mean wall time of one call of ``fn`` over ``calls`` calls, in seconds."""
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls


def interleaved_ratio(fn: Callable[[], object], baseline: Callable[[], object], *, calls: int = 300,
                      rounds: int = 7, smoke: bool = False, setup: Callable[[], object] | None = None) -> float:
    """Median over rounds of time(fn) / time(baseline), each round timing both back to back so the machine's
    drift touches both alike; ``setup`` runs before each round, untimed (e.g. a reset of the state ``fn`` grows)."""
    if smoke:
        calls, rounds = max(1, calls // 100), 1
    ratios = []
    for _ in range(rounds):
        if setup is not None:
            setup()
        base = per_call_s(baseline, calls)
        took = per_call_s(fn, calls)
        ratios.append(took / base)
    return statistics.median(ratios)
