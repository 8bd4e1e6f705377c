"""Nothing a client sends crashes the fake: random paths, queries, bodies and headers on every operation.

Seeded, bounded random input (tests/support/fuzz.py): every answer must be a well-formed provider answer
below 500, no handler exception may escape (the app runs with ``propagate_exceptions``), and a refused
request (4xx) must leave the whole state, as ``GET /_fakeroute/state`` shows it, unchanged.
"""

from __future__ import annotations

import pytest

from fakeroute.providers import PROVIDERS
from fakeroute.world import World
from tests.support.fuzz import fuzz_operation

OPERATIONS = [(p, op) for p in PROVIDERS for op in p.operations]


@pytest.mark.parametrize(("provider", "op"), OPERATIONS, ids=[f"{p.name}:{o.method}:{o.path}" for p, o in OPERATIONS])
def test_random_input_never_gets_a_5xx(provider, op):
    fuzz_operation(World(), provider, op)
