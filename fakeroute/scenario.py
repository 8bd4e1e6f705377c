"""Scenario documents: read from a built-in name, a path or a dict, validated against the providers' sections,
their ``generate`` blocks expanded from the seed.

Built-in names are the presets in fakeroute/fixtures/ (``default``, ``empty``, ``busy``, ``near-limits``,
``suspended``). An account's ``generate`` block asks for records made at load time (fakeroute/presets.py):
the document is validated as written, generate blocks included, then each block is replaced by the records
it asks for, appended to the account's provider sections (the suite validates those against the same
schemas). docs/scenarios.md documents both.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import presets
from .validation import MAX_DEPTH, Schema, nested_deeper_than

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


def preset_names() -> tuple[str, ...]:
    """The built-in scenarios' names, sorted: what ``--scenario``, the marker and the admin reset accept by name."""
    return tuple(sorted(entry.name.removesuffix(".json") for entry in resources.files("fakeroute.fixtures").iterdir()
                        if entry.name.endswith(".json")))


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
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not UTF-8 text: byte {exc.start} is 0x{exc.object[exc.start]:02x}") \
            from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"scenario {path} is not valid JSON: {exc}") from None
    except ValueError:  # json.loads refuses an integer past sys.get_int_max_str_digits() with a plain ValueError
        raise ScenarioError(f"scenario {path} holds a number over {sys.get_int_max_str_digits()} digits long") \
            from None
    except RecursionError:
        document = too_deep = True
    else:
        too_deep = nested_deeper_than(document, MAX_DEPTH)  # messages about it would recurse once per level
    if too_deep:
        raise ScenarioError(f"scenario {path} nests arrays and objects more than {MAX_DEPTH} levels deep")
    return str(path), document


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


def load_scenario(ref: str | Path | Mapping[str, Any] | None, *, seed: int, start: datetime,
                  providers: tuple[Provider, ...]) -> tuple[str, dict[str, Any]]:
    """A scenario ready to load and a name for it: read, validated, its ``generate`` blocks expanded."""
    name, document = read_scenario(ref)
    document = validate_scenario(name, document, envelope_schema(providers))
    served = {provider.name for provider in providers}
    named = [(f"limits.{limit}", limit) for limit in document.get("limits", {})]
    named += [(f"accounts[{i}].limits_used.{limit}", limit)
              for i, account in enumerate(document["accounts"]) for limit in account.get("limits_used", {})]
    for where, limit in named:
        if limit.split(".", 1)[0] not in served:
            raise ScenarioError(f"scenario {name}: {where}: names no provider this world serves "
                                f"({', '.join(sorted(served))})")
    if any("generate" in account for account in document["accounts"]):
        try:
            presets.expand(document, seed=seed, start=start, owned=owned_numbers(name, document, providers))
        except ValueError as exc:
            raise ScenarioError(f"scenario {name}: {exc}") from None
    return name, document


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
