"""JSON Schemas kept as data: compiled once per provider, failures turned into field-named messages."""

from __future__ import annotations

import functools
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "object": "an object",
    "array": "an array",
    "boolean": "a boolean",
    "null": "null",
}


@dataclass(frozen=True)
class Violation:
    """One reason an input was refused: the field (dotted path, "" for the whole input) and why.

    ``keyword`` is the JSON Schema keyword that failed (``required``, ``maxLength``...); ``part`` which
    part of the request the input was (path, headers, query, body), filled in by the app.
    """

    field: str
    message: str
    keyword: str = ""
    part: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


MAX_DEPTH = 32  # arrays and objects nested deeper than this are refused: no request here needs more than 5
DEFAULT_VERDICT_BYTES = 4 << 20  # what one app's remembered verdicts may hold (keys, messages, overhead)
MAX_VERDICT_KEY = 16 << 10  # a larger input is validated every time: it is rarely sent twice, and costly to keep
MAX_QUERIES, MAX_QUERY_KEY = 256, 1024  # query strings a schema remembers the coercion of, and their longest
_ENTRY_OVERHEAD = 200  # bytes an entry costs beyond its key and messages (dict slot, tuple, Violation objects)


class Verdicts:
    """Validation verdicts remembered by (schema, raw input), least recently used dropped first, bounded by
    ``max_bytes``; inputs over ``max_key`` bytes are not remembered.

    A verdict is a pure function of the schema and that input, and test suites send the same requests
    again and again: validation is most of a request's cost. Each app keeps its own (one per World), so
    nothing is shared between Worlds and what one holds is bounded however long it runs.
    """

    def __init__(self, max_bytes: int = DEFAULT_VERDICT_BYTES, max_key: int = MAX_VERDICT_KEY):
        self.max_bytes = max_bytes
        self.max_key = max_key
        self.bytes = 0  # what the entries held now cost, by the estimate above
        self._entries: OrderedDict[tuple[Schema, bytes | str], tuple[tuple[Violation, ...], int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, schema: Schema, key: bytes | str) -> tuple[Violation, ...] | None:
        with self._lock:
            entry = self._entries.get((schema, key))
            if entry is None:
                return None
            self._entries.move_to_end((schema, key))
            return entry[0]

    def put(self, schema: Schema, key: bytes | str, found: tuple[Violation, ...]) -> None:
        if len(key) > self.max_key:
            return
        cost = len(key) + _ENTRY_OVERHEAD + sum(len(v.field) + len(v.message) + _ENTRY_OVERHEAD for v in found)
        with self._lock:
            old = self._entries.pop((schema, key), None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[(schema, key)] = (found, cost)
            self.bytes += cost
            while self.bytes > self.max_bytes and self._entries:
                _, (_, freed) = self._entries.popitem(last=False)
                self.bytes -= freed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests arrays and objects more than ``limit`` levels deep (iterative: a
    value of any depth is walked without recursing)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class Schema:
    """A compiled JSON Schema (draft 2020-12) that reports violations by field name."""

    def __init__(self, name: str, document: Mapping[str, Any], registry: Registry | None = None):
        # The schemas are checked against the metaschema by the test suite (tests/test_schemas.py), not
        # here: doing it at import cost every user a second of start-up.
        self.name = name
        self.document = document
        # Subschemas with their own $id (a provider's scenario section inside the envelope) are registered
        # up front: left to the validator, every $ref into one re-crawls the whole document (~5 ms each).
        # ``registry`` holds the other files of the schema's folder, so "$ref": "common.json#/$defs/x" works.
        registry = (registry or Registry()).with_resource("", DRAFT202012.create_resource(document)).crawl()
        self._validator = _Validator(document, registry=registry)
        self._integers, self._numbers = _scalar_properties(document)
        self._fast: Any = None  # the compiled first pass (``_fast_valid``), built on first use; False: none
        self.folder: FastFolder | None = None  # the folder's files as the first pass finds them
        self._queries: dict[str, dict[str, Any]] = {}  # coerce_query's answers by query string (``query_of``)

    def _fast_valid(self, instance: Any) -> bool:
        """Whether jsonschema-rs finds ``instance`` valid: a first pass ~20x faster than jsonschema, which then
        words the errors (and decides) only when it fails. Never trusted with floats (jsonschema-rs counts 1.0
        as an integer, this fake does not) or with input it cannot read (integers beyond 64 bits)."""
        if self._fast is None:
            base = f"{_FAST_BASE}{self.name}.json"
            try:
                registry = self.folder.registry if self.folder is not None else None
                self._fast = jsonschema_rs.validator_for(dict(self.document), validate_formats=False,
                                                         registry=registry, base_uri=base)
            except Exception:  # a schema it cannot compile (a regex it reads otherwise) keeps jsonschema alone
                self._fast = False
        if self._fast is False or holds_float(instance):
            return False
        try:
            return bool(self._fast.is_valid(instance))
        except Exception:
            return False

    def violations(self, instance: Any, key: bytes | str | None = None,
                   verdicts: Verdicts | None = None) -> list[Violation]:
        """Every violation, outermost first, then wrong values before missing fields (for ``anyOf``/``oneOf``
        the best-matching branch).

        ``key`` is the raw input ``instance`` was parsed from: with ``verdicts``, the same key is answered
        from memory.
        """
        if key is not None and verdicts is not None:
            cached = verdicts.get(self, key)
            if cached is not None:
                return list(cached)
        if self._fast_valid(instance):
            found: list[Violation] = []
        else:
            found = [_violation(error) for error in self._validator.iter_errors(instance)]
        # Outermost first; at one depth a value that was sent and is wrong before a field that is missing.
        found.sort(key=lambda v: (v.field.count(".") + v.field.count("[") if v.field else -1,
                                  v.keyword == "required", v.field))
        if key is not None and verdicts is not None:
            verdicts.put(self, key, tuple(found))
        return found

    def first_violation(self, instance: Any) -> Violation | None:
        errors = self.violations(instance)
        return errors[0] if errors else None

    def query_of(self, query_string: str, args: Callable[[], Iterable[tuple[str, str]]]) -> dict[str, Any]:
        """``coerce_query(args())``, remembered by the raw query string it was parsed from (a few hundred of the
        shorter ones: a suite sends the same ones again and again, and parsing is a tenth of a request)."""
        known = self._queries.get(query_string)
        if known is None:
            known = self.coerce_query(args())
            if len(query_string) <= MAX_QUERY_KEY:
                if len(self._queries) >= MAX_QUERIES:
                    self._queries.clear()
                self._queries[query_string] = known
        return dict(known)

    def coerce_query(self, args: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """Turn query-string pairs into typed values where the schema says integer/number.

        The first occurrence of a repeated parameter wins. A value that does not parse stays a
        string, so validation then names it ("limit must be an integer, got 'abc'").
        """
        query: dict[str, Any] = {}
        for key, raw in args:
            if key in query:
                continue
            value: Any = raw
            if key in self._integers:
                value = _as_int(raw)
            elif key in self._numbers:
                value = _as_float(raw)
            query[key] = value
        return query


class FastFolder:
    """A schema folder's files for the jsonschema-rs first pass, registered once, when a schema first needs them."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]):
        self.documents = documents

    @functools.cached_property
    def registry(self) -> Any:
        return jsonschema_rs.Registry([(_FAST_BASE + name, dict(doc)) for name, doc in self.documents.items()])


class SchemaStore:
    """All schemas of one folder, compiled at construction (import time), looked up by file stem."""

    def __init__(self, folder: Path):
        self.folder = folder
        documents = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))}
        # Every file is reachable from the others by its file name: "$ref": "response_common.json#/$defs/number".
        registry = Registry().with_resources(
            (name, DRAFT202012.create_resource(document)) for name, document in documents.items()
        )
        self._schemas = {
            name.removesuffix(".json"): Schema(name.removesuffix(".json"), document, registry)
            for name, document in documents.items()
        }
        folder = FastFolder(documents)
        for schema in self._schemas.values():
            schema.folder = folder

    def __getitem__(self, name: str) -> Schema:
        return self._schemas[name]

    def __contains__(self, name: str) -> bool:
        return name in self._schemas

    def names(self) -> list[str]:
        return list(self._schemas)


# JSON Schema counts 1.0 as an integer; Python keeps it a float, which a handler would then echo as 1.0 where the
# real API answers 1. An integer field takes only an integer token (and never true/false).
_Validator = validators.extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool)))


# Where the first pass finds a folder's files, so "$ref": "common.json#/..." resolves as it does for jsonschema.
_FAST_BASE = "https://fakeroute.invalid/schemas/"


def holds_float(document: Any, *, non_finite: bool = False) -> bool:
    """Whether a float (with ``non_finite``: a NaN or an infinity) is anywhere in ``document``, its dicts, lists
    and tuples walked without recursing."""
    stack = [document]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind is float and (not non_finite or item - item != 0.0):  # x - x is 0.0 for every finite float
            return True
    return False


def _scalar_properties(document: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    props = document.get("properties", {}) if document.get("type") == "object" else {}
    integers = frozenset(k for k, v in props.items() if v.get("type") == "integer")
    numbers = frozenset(k for k, v in props.items() if v.get("type") == "number")
    return integers, numbers


_INTEGER = re.compile(r"[+-]?[0-9]{1,4000}\Z")  # ASCII digits only: str.isdigit and int() also take "٢" and "1_0"
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


def _as_int(raw: str) -> Any:
    text = raw.strip()
    return int(text) if _INTEGER.match(text) else raw


def _as_float(raw: str) -> Any:
    text = raw.strip()
    if not _NUMBER.match(text):
        return raw
    value = float(text)
    return value if math.isfinite(value) else raw


def _dotted(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# Messages of the keywords whose wording needs only the schema's value (arg) and the instance (value).
_TEMPLATES = {
    "const": "must be {arg}, got {value}",
    "minimum": "must be at least {arg}, got {value}",
    "maximum": "must be at most {arg}, got {value}",
    "exclusiveMinimum": "must be greater than {arg}, got {value}",
    "minLength": "must be at least {arg} characters long",
    "maxLength": "must be at most {arg} characters long",
    "pattern": "has an invalid format ({value})",
}


_REQUIRED = re.compile(r"^'(.*)' is a required property$", re.DOTALL)


def _violation(error: ValidationError) -> Violation:
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Report the branch that got furthest: its error has the deepest path.
        best = max(error.context, key=lambda e: len(e.absolute_path))
        return _violation(best)
    field = _dotted(error.absolute_path)
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    kind, arg, value = error.validator, error.validator_value, error.instance
    if custom and kind not in ("type", "required"):  # a custom message explains the format, not the type
        message = custom
    elif kind == "required":
        # jsonschema reports each missing property as its own error ("'x' is a required property").
        named = _REQUIRED.match(error.message)
        missing = named.group(1) if named and named.group(1) in arg else \
            next((name for name in arg if isinstance(value, dict) and name not in value), arg[0])
        field = f"{field}.{missing}" if field else missing
        message = "is required"
    elif kind == "dependentRequired":
        present = next((name for name in arg if isinstance(value, dict) and name in value), next(iter(arg)))
        missing = next((d for d in arg[present] if isinstance(value, dict) and d not in value), arg[present][0])
        field = f"{field}.{missing}" if field else missing
        message = f"is required when {present} is given"
    elif kind == "type":
        types = [arg] if isinstance(arg, str) else list(arg)
        message = f"must be {' or '.join(_TYPE_WORDS.get(t, t) for t in types)}, got {_show(value)}"
    elif kind == "enum":
        message = f"must be one of {', '.join(_show(v) for v in arg)}, got {_show(value)}"
    elif kind in _TEMPLATES:
        message = _TEMPLATES[kind].format(arg=_show(arg) if kind == "const" else arg, value=_show(value))
    elif kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(set(value) - known) if isinstance(value, dict) else []
        message = f"unknown field(s): {', '.join(extra)}" if extra else error.message
    elif kind in ("minItems", "maxItems"):
        message = f"must have {'at least' if kind == 'minItems' else 'at most'} {arg} item(s)"
    else:
        message = error.message
    return Violation(field, message, kind)


def _show(value: Any) -> str:
    # A string is cut before repr: a message about a 1 MiB body must not copy the whole of it.
    text = json.dumps(value) if not isinstance(value, str) else repr(value[:60])
    return text if len(text) <= 60 else text[:57] + "..."
