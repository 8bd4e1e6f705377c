"""Every benchmark row in one run: one table (what | before | target | measured | met) and bench/results.json.

Imports each module under bench/ that defines ``ROWS`` (see bench/common.py) and measures its rows in order.
``--smoke`` runs every case once, quickly, only to prove none has rotted (the suite runs it: its figures mean
nothing). ``--only TEXT`` measures the rows whose description contains TEXT. Run: ``make bench`` or
``python bench/run.py [--smoke] [--only TEXT]``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]  # `python bench/run.py` from anywhere: bench.* and this checkout's fakeroute

from bench.common import Row  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"


def bench_modules() -> list[str]:
    """bench.<name> for every module of bench/ that may define ROWS (a text check: the others are not imported)."""
    return [f"bench.{path.stem}" for path in sorted((ROOT / "bench").glob("*.py"))
            if path.stem not in ("common", "run") and "\nROWS" in path.read_text(encoding="utf-8")]


def collect(only: str | None) -> list[tuple[str, Row]]:
    rows = []
    for name in bench_modules():
        module = importlib.import_module(name)
        rows += [(name, row) for row in getattr(module, "ROWS", ())
                 if only is None or only.lower() in row.what.lower()]
    return rows


def shown(value: float, unit: str) -> str:
    if math.isnan(value):
        return "failed"
    return f"{value:.2f}x" if unit == "x" else f"{value:.2f} {unit}"


def target_text(row: Row) -> str:
    bound = ">=" if row.higher_is_better else "<="
    return f"{bound} {row.target:g}{'x' if row.unit == 'x' else ' ' + row.unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="every case once, quickly (figures mean nothing)")
    parser.add_argument("--only", help="measure only the rows whose description contains this text")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON results")
    args = parser.parse_args(argv)

    rows = collect(args.only)
    results = []
    print(f"{len(rows)} rows; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          f"{' (smoke: figures mean nothing)' if args.smoke else ''}", flush=True)
    for module, row in rows:
        started = time.perf_counter()
        try:
            measured = float(row.measure(args.smoke))
            error = None
        except Exception as exc:  # one broken case must not hide the others' figures
            measured, error = math.nan, f"{type(exc).__name__}: {exc}"
        met = not math.isnan(measured) and row.met(measured)
        results.append({"module": module, "what": row.what, "before": row.before, "target": row.target,
                        "higher_is_better": row.higher_is_better, "unit": row.unit,
                        "measured": None if math.isnan(measured) else round(measured, 4), "met": met,
                        "seconds": round(time.perf_counter() - started, 2), "error": error})
        print(f"  {shown(measured, row.unit):>10}  {row.what}" + (f"  [{error}]" if error else ""), flush=True)

    lines = ["| what | before | target | measured | met |", "|---|---|---|---|---|"]
    lines += [f"| {r['what']} | {r['before']} | {target_text(row)} | "
              f"{shown(math.nan if r['measured'] is None else r['measured'], r['unit'])} | "
              f"{'yes' if r['met'] else 'no'} |" for r, (_, row) in zip(results, rows, strict=True)]
    print("\n" + "\n".join(lines))
    args.results.write_text(json.dumps({"smoke": args.smoke, "load_average": os.getloadavg()[0],
                                        "rows": results}, indent=1) + "\n", encoding="utf-8")
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
