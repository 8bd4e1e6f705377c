"""The seeded inventory: determinism, realistic attributes, indexed search, take/put back."""

from __future__ import annotations

import pytest

from fakeroute.inventory import Inventory


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return Inventory(seed=0, size=5_000)


def every_number(inv: Inventory) -> list[str]:
    found, more = inv.search(limit=10**9)
    assert not more
    return [n.value for n in found]


def test_same_seed_same_inventory_and_size_is_exact(inventory):
    numbers = every_number(inventory)
    assert len(numbers) == len(inventory) == 5_000
    assert numbers == every_number(Inventory(seed=0, size=5_000))
    assert numbers != every_number(Inventory(seed=1, size=5_000))
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_numbers_are_valid_nanp_with_state_rate_center_and_costs(inventory):
    for number in inventory.search(limit=10**9)[0]:
        npa, nxx = number.value[1:4], number.value[4:7]
        assert number.value[0] == "1" and npa[0] in "23456789" and nxx[0] in "23456789"
        assert nxx[1:] != "11" and nxx != "555"
        if number.number_type == "toll_free":
            assert number.state is None and npa in ("800", "833", "844", "855", "866", "877", "888")
        else:
            assert len(number.state) == 2 and number.rate_center and len(number.rate_center) <= 10
        assert number.setup_cost >= 0 and number.monthly_cost > 0


def test_every_area_code_and_rate_center_of_the_plan_is_offered(inventory):
    assert inventory.search(state="wa", rate_center="seattle", limit=1)[0]
    assert inventory.search(state="ny", rate_center="nwyrcyzn01", limit=1)[0]
    assert len(inventory.area_codes()) == 106


def test_pattern_search_matches_the_brute_force_answer(inventory):
    numbers = every_number(inventory)
    for kwargs, predicate in [
        ({"contains": "123"}, lambda n: "123" in n),
        ({"ends_with": "00"}, lambda n: n.endswith("00")),
        ({"starts_with": "1212", "contains": "9"}, lambda n: n.startswith("1212") and "9" in n),
        ({"contains": "44", "ends_with": "7"}, lambda n: "44" in n and n.endswith("7")),
        ({"ends_with": "12065550100"}, lambda n: n == "12065550100"),
    ]:
        found, _ = inventory.search(limit=10**9, **kwargs)
        assert [n.value for n in found] == [n for n in numbers if predicate(n)], kwargs


def test_offsets_skip_consistently_across_exchanges_and_taken_numbers():
    inv = Inventory(seed=2, size=3_000)
    everything = every_number(inv)
    for number in everything[::7]:
        inv.take(number)
    remaining = [n for i, n in enumerate(everything) if i % 7]
    for offset in (0, 1, 39, 40, 41, 1000, 2500, 2571, 5000):
        page, more = inv.search(offset=offset, limit=25)
        assert [n.value for n in page] == remaining[offset:offset + 25]
        assert more == (offset + 25 < len(remaining))
        state_page, _ = inv.search(state="tx", offset=offset, limit=5)
        texas = [n for n in remaining if inv.describe(n).state == "tx"]
        assert [n.value for n in state_page] == texas[offset:offset + 5]


def test_take_put_back_and_reset():
    inv = Inventory(seed=0, size=200, extra_numbers=["12065550100"])
    assert not inv.is_available("12065550100")
    assert inv.describe("12065550100").state == "wa"
    number = every_number(inv)[0]
    assert inv.take(number).value == number
    assert inv.take(number) is None and not inv.is_available(number)
    assert inv.put_back("12065550100")
    inv.reset()
    assert inv.is_available(number) and not inv.is_available("12065550100")
    assert inv.take("19999999999") is None and not inv.put_back("19999999999")


def test_area_codes_and_exchanges_follow_availability():
    inv = Inventory(seed=0, size=120)
    codes = inv.area_codes()
    exchanges = inv.exchanges(codes[0])
    assert exchanges and all(e.startswith(codes[0]) for e in exchanges)
    for exchange in exchanges:
        for number in inv.search(starts_with="1" + exchange, limit=10**6)[0]:
            inv.take(number.value)
    assert codes[0] not in inv.area_codes() and inv.exchanges(codes[0]) == []


@pytest.mark.parametrize("size", [0, -1, 10_000_001])
def test_sizes_out_of_range_are_refused(size):
    with pytest.raises(ValueError):
        Inventory(size=size)


def test_deep_offsets_land_right_past_runs_of_taken_numbers():
    inv = Inventory(seed=4, size=4_000)
    everything = every_number(inv)
    taken = set(everything[:30]) | set(everything[500:530]) | set(everything[1000:3000:3]) | {everything[-1]}
    for number in taken:
        inv.take(number)
    remaining = [n for n in everything if n not in taken]
    for offset in (0, 1, 469, 470, 471, 499, 500, 1500, 2000, len(remaining) - 1, len(remaining)):
        page, more = inv.search(offset=offset, limit=7)
        assert [n.value for n in page] == remaining[offset:offset + 7], offset
        assert more == (offset + 7 < len(remaining))
    first_206 = [n for n in remaining if n.startswith("1206")]
    for offset in range(0, len(first_206) + 2, 3):
        assert [n.value for n in inv.search(starts_with="1206", offset=offset, limit=3)[0]] == \
            first_206[offset:offset + 3]


@pytest.mark.parametrize("max_setup_cost", [None, 0, 1, 2.5, 5])
def test_area_codes_match_the_available_numbers_with_and_without_a_cost_bound(max_setup_cost):
    inv = Inventory(seed=5, size=3_000)
    everything = every_number(inv)
    for number in everything[::2] + everything[:400]:  # whole exchanges and area codes sold out at the start
        inv.take(number)
    available = inv.search(limit=10**9)[0]
    assert inv.area_codes(max_setup_cost) == sorted({
        n.npa for n in available if max_setup_cost is None or n.setup_cost <= max_setup_cost})


def test_inventories_of_one_seed_share_their_base_and_nothing_else():
    first, second = Inventory(seed=8, size=2_000), Inventory(seed=8, size=2_000, extra_numbers=[])
    assert first._base is second._base  # one immutable base: the numbers are not kept twice
    assert Inventory(seed=9, size=2_000)._base is not first._base
    assert Inventory(seed=8, size=2_001)._base is not first._base
    with_extra = Inventory(seed=8, size=2_000, extra_numbers=["12065550100"])
    assert with_extra._base is not first._base and first.describe("12065550100") is None
    number = every_number(first)[10]
    first.take(number)
    assert not first.is_available(number) and second.is_available(number)
    assert every_number(second) == every_number(Inventory(seed=8, size=2_000))
    with pytest.raises(TypeError):
        first._base.numbers[0] = 1  # read-only: no World can change what the others see
