"""Scenario documents: read from a built-in name, a path or a dict, validated against the providers' sections."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .validation import Schema

if TYPE_CHECKING:
    from .providers.base import Provider

DEFAULT_SCENARIO = "default"


class ScenarioError(ValueError):
    """A scenario document that cannot be loaded; the message names the bad entry."""


@lru_cache(maxsize=16)  # compiled once per set of providers (immutable), not once per World
def envelope_schema(providers: tuple[Provider, ...]) -> Schema:
    """The scenario schema: the shared envelope with each provider's section under accounts[].<name>."""
    text = resources.files("fakeroute.schemas").joinpath("scenario.json").read_text(encoding="utf-8")
    document = json.loads(text)
    sections = document["properties"]["accounts"]["items"]["properties"]
    for provider in providers:
        sections[provider.name] = provider.schemas["scenario"].document
    return Schema("scenario", document)


def read_scenario(ref: str | Path | Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """A scenario document and a name for it in messages, from a built-in name, a path or a dict."""
    if ref is None:
        ref = DEFAULT_SCENARIO
    if isinstance(ref, Mapping):
        return "<scenario>", json.loads(json.dumps(ref))
    text_ref = str(ref)
    if "/" not in text_ref and "\\" not in text_ref and not text_ref.endswith(".json"):
        builtin = resources.files("fakeroute.fixtures").joinpath(f"{text_ref}.json")
        if not builtin.is_file():
            raise ScenarioError(f"no built-in scenario named {text_ref!r}")
        return f"{text_ref} (built-in)", json.loads(builtin.read_text(encoding="utf-8"))
    path = Path(text_ref)
    try:
        return str(path), json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not valid JSON: {exc}") from None


def validate_scenario(name: str, document: Any, schema: Schema) -> dict[str, Any]:
    problem = schema.first_violation(document)
    if problem:
        raise ScenarioError(f"scenario {name}: {problem}")
    seen: set[str] = set()
    for i, account in enumerate(document["accounts"]):
        if account["id"] in seen:
            raise ScenarioError(f"scenario {name}: accounts[{i}].id: duplicate account id {account['id']!r}")
        seen.add(account["id"])
    return document


def owned_numbers(name: str, document: Mapping[str, Any], providers: Sequence[Provider]) -> list[str]:
    """Every number a scenario's accounts own; one account may hold a number at several providers, but a
    number belongs to one account only."""
    owners: dict[str, str] = {}
    for i, account in enumerate(document["accounts"]):
        for provider in providers:
            for number in provider.owned_numbers(account.get(provider.name)):
                owner = owners.setdefault(number, account["id"])
                if owner != account["id"]:
                    raise ScenarioError(f"scenario {name}: accounts[{i}].{provider.name}: number {number} "
                                        f"is already owned by account {owner!r}")
    return list(owners)
