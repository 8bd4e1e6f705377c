"""Every benchmark row still runs: `bench/run.py --smoke` measures each case once and writes a figure for each.

Targets are not asserted here (a CI machine's noise would make that a coin toss): `make bench` is where they are
judged. This only keeps a case from rotting unnoticed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import REPO


def test_every_bench_row_runs_and_gives_a_figure(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    run = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--results", str(results)],
                         capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stdout + run.stderr
    rows = json.loads(results.read_text())["rows"]
    modules = {row["module"] for row in rows}
    assert {"bench.pipeline_bench", "bench.http_bench", "bench.plugin_bench"} <= modules
    assert len(rows) >= 15
    for row in rows:
        assert row["error"] is None and isinstance(row["measured"], float), row
    assert "| what | before | target | measured | met |" in run.stdout
