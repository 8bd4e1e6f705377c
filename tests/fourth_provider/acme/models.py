"""Acme state of one account: its key and the lines (numbers) it rents. No HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = {"local": "geo", "toll_free": "freephone"}  # Acme's words for the inventory's neutral types


@dataclass
class Line:
    id: str
    number: str  # 11 digits
    kind: str  # geo | freephone
    label: str


@dataclass
class AcmeAccount:
    key: str | None
    lines: dict[str, Line] = field(default_factory=dict)
