"""Helpers the tests share (no tests here): the dual-mode harness, error checks, each provider's scenario data."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # README.md, docs/
DATA = REPO / "tests" / "data"  # copies of the reference documents some tests compare against
