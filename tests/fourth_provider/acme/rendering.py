"""Acme's documents."""

from __future__ import annotations

from typing import Any

from .models import Line


def line(item: Line) -> dict[str, Any]:
    return {"id": item.id, "number": item.number, "kind": item.kind, "label": item.label}
