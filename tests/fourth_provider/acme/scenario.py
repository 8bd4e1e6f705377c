"""Acme scenario sections."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fakeroute.scenario import ScenarioError

from .models import KINDS, AcmeAccount, Line

if TYPE_CHECKING:
    from fakeroute.world import World


def load(section: Mapping[str, Any] | None, world: World) -> AcmeAccount:
    if section is None:
        return AcmeAccount(None)
    account = AcmeAccount(section["key"])
    for i, doc in enumerate(section.get("lines", [])):
        if doc["id"] in account.lines:
            raise ScenarioError(f"lines[{i}].id: duplicate line id {doc['id']!r}")
        described = world.inventory.describe(doc["number"])
        kind = KINDS[described.number_type] if described else "geo"
        account.lines[doc["id"]] = Line(doc["id"], doc["number"], kind, doc.get("label", ""))
    return account


def copy(state: AcmeAccount) -> AcmeAccount:
    return AcmeAccount(state.key, {k: dataclasses.replace(v) for k, v in state.lines.items()})


def dump(state: AcmeAccount) -> dict[str, Any] | None:
    if state.key is None:
        return None
    return {"key": state.key,
            "lines": [{"id": v.id, "number": v.number, "label": v.label} for v in state.lines.values()]}


def new_section(world: World, serial: int) -> dict[str, Any]:
    return {"key": "acme_" + world.ids.token("acme.key", serial, length=16)}


def owned_numbers(section: Mapping[str, Any] | None) -> list[str]:
    return [line["number"] for line in (section or {}).get("lines", [])]
