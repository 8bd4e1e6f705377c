"""Replies are encoded by orjson where its bytes are json.dumps's own, and by json everywhere else."""

from __future__ import annotations

import json
import random
import struct
from collections import OrderedDict
from datetime import datetime

import pytest

from fakeroute.providers.base import compact_json


def as_json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


@pytest.mark.parametrize("document", [
    {"data": [{"type": "number", "id": "12065550100", "attributes": {"monthly_cost": 1.25, "alias": None}}]},
    {"b": 1, "a": [True, False, None, -0.0, 1.0, 0.0001, 1e16, 1e-05, 7.2e-06, 1.5e-300, 2**63 - 1]},
    {"text": "".join(chr(c) for c in range(0x80)), "é": "Zoë ☎ 𝄞", "emoji": "🙂"},
    {"big": 2**70, "negative": -(2**64)},
    {1: "a key that is not a string", "x": (1, 2)},
    OrderedDict(z=1, a=2),
    "0.00001 inside a string, e-5 too",
    [],
])
def test_the_bytes_are_json_dumps_bytes(document: object) -> None:
    assert compact_json(document) == as_json(document)


def test_random_floats_of_every_magnitude_encode_as_json_does() -> None:
    rng = random.Random(0)
    floats = [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(5000)]
    floats += [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 22) for _ in range(5000)]
    document = [value for value in floats if value == value and abs(value) != float("inf")]
    assert compact_json(document) == as_json(document)


def test_what_json_refuses_is_refused_with_json_s_own_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        compact_json({"when": datetime(2026, 1, 1)})


def test_ids_that_look_like_exponents_leave_the_encoding_to_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {"id": "3e5f7091-2b4c-4d6e-9f80-a12b3c4d5e6f", "cost": 1e-7, "nested": [2.5e-8, {"x": -3e-9}]}
    assert compact_json(document) == as_json(document)
    monkeypatch.setattr(json, "dumps", lambda *args, **kwargs: pytest.fail("json.dumps was used"))
    uuid = "3e5f7091-2b4c-4d6e-9f80-a12b3c4d5e6f"
    assert compact_json({"id": uuid}) == b'{"id":"%s"}' % uuid.encode()


def test_nan_and_infinities_a_body_sent_are_written_as_json_writes_them() -> None:
    document = {"duration_greater_than": float("nan"), "limits": [float("inf"), -float("inf")], "alias": None}
    assert compact_json(document) == as_json(document) == b'{"duration_greater_than":NaN,' \
        b'"limits":[Infinity,-Infinity],"alias":null}'


@pytest.mark.parametrize("document", [
    float("nan"), -float("inf"), [None, (1, [float("inf")])], {"a": {"b": [{"c": None}, {"d": float("nan")}]}},
    ({"x": None}, float("-inf")), [[[[None, 1.0, -float("inf")]]]],
])
def test_a_non_finite_float_anywhere_is_found(document: object) -> None:
    assert compact_json(document) == as_json(document)
    assert b"NaN" in compact_json(document) or b"Infinity" in compact_json(document)


def test_nulls_without_non_finite_floats_stay_with_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {"data": [{"alias": None, "cost": 1.25, "nested": [None, (2.5, None)], "n": -0.0}], "next": None}
    expected = as_json(document)
    monkeypatch.setattr(json, "dumps", lambda *args, **kwargs: pytest.fail("json.dumps was used"))
    assert compact_json(document) == expected
