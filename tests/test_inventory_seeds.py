"""A seed users recorded keeps its numbers: the inventory matches digests made when it drew from Faker."""

from __future__ import annotations

import hashlib
import json

import pytest

from fakeroute.inventory import Inventory
from tests.support import DATA

DIGESTS = json.loads((DATA / "inventory_digests.json").read_text(encoding="utf-8"))


def digest(inventory: Inventory) -> str:
    found, more = inventory.search(limit=10**9)
    assert not more
    text = "\n".join(f"{n.value} {n.state} {n.rate_center} {n.number_type} {n.setup_cost!r} {n.monthly_cost!r}"
                     for n in found)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("key", sorted(DIGESTS))
def test_inventory_is_byte_identical_to_the_faker_seeded_one(key: str):
    seed, size, *extra = key.split(":")
    extra_numbers = ["12065550100", "18005550199"] if extra else []
    assert digest(Inventory(seed=int(seed), size=int(size), extra_numbers=extra_numbers)) == DIGESTS[key]


def test_the_digests_cover_seeds_0_to_50():
    assert {int(k.split(":")[0]) for k in DIGESTS if k.endswith(":5000")} == set(range(51))
