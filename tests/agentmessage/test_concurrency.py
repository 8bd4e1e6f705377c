"""AgentMessage under change: a cursor walk with inserts between pages, and concurrent orders over real HTTP."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.support.agentmessage import (
    DEFAULT_KEY,
    OTHER_KEY,
    agentmessage,
    order,
    search,
    walk,
)
from tests.support.harness import Target


def test_a_cursor_walk_over_250_numbers_sees_each_once_while_numbers_are_added(am):
    for size in (100, 100, 50):  # three orders: each one's numbers share a created_at (ties on the keyset)
        order(am, search(am, quantity=size))
    existing = {n["id"] for n in am.get("/v1/phone-numbers", params={"limit": 100}).data}
    assert len(existing) == 100
    before = walk(am, limit=100)
    assert len(before) == 253  # 250 ordered + the 3 of the scenario

    added: list[str] = []

    def insert_between_pages(page: int) -> None:
        # New numbers are newer than anything already paged past: they must not shift the walk.
        added.extend(n["id"] for n in order(am, search(am, quantity=2)))

    seen = walk(am, between=insert_between_pages, limit=9)
    seen_ids = [n["id"] for n in seen]
    assert len(seen_ids) == len(set(seen_ids))  # no duplicates
    assert seen_ids == [n["id"] for n in before]  # no gaps, same order; the inserts come after the walk began
    assert added and not set(added) & set(seen_ids)
    assert len(walk(am, limit=100)) == 253 + len(added)


def test_deleting_the_row_a_cursor_points_at_does_not_break_the_walk(am):
    order(am, search(am, quantity=30))
    everything = [n["id"] for n in walk(am, limit=100)]
    first = am.get("/v1/phone-numbers", params={"limit": 5}).json()
    am.delete(f"/v1/phone-numbers/{first['data'][-1]['id']}")  # the cursor's own row is gone
    rest = [n["id"] for n in walk(am, limit=5, cursor=first["meta"]["next_cursor"])]
    assert rest == everything[5:]


@pytest.mark.parametrize("contenders", [2, 8])
def test_concurrent_orders_for_the_same_number_exactly_one_wins(server_url, live_world, contenders):
    """Real threads, real sockets: each contender wants the shared number plus one of its own.
    All-or-nothing means one gets both and every other one gets 409 and nothing at all."""
    api = agentmessage(Target.http(server_url, live_world))
    candidates = search(api, area_code="312", quantity=contenders + 1)
    shared, own = candidates[0], candidates[1:]
    barrier = threading.Barrier(contenders)
    results: list[tuple[int, int, dict]] = []
    lock = threading.Lock()

    def contend(i: int) -> None:
        key = DEFAULT_KEY if i % 2 == 0 else OTHER_KEY  # two orgs racing as well
        with requests.Session() as session:
            barrier.wait()
            response = session.post(f"{server_url}/v1/phone-numbers/orders", timeout=10,
                                    headers={"Authorization": f"Bearer {key}"}, json={"numbers": [shared, own[i]]})
        with lock:
            results.append((i, response.status_code, response.json()))

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(results) == contenders
    winners = [r for r in results if r[1] == 200]
    losers = [r for r in results if r[1] != 200]
    assert len(winners) == 1
    (winner_index, _, won) = winners[0]
    assert [n["number"] for n in won["data"]] == [shared, own[winner_index]]
    for _, status, body in losers:
        assert status == 409 and body["error"]["code"] == "INSUFFICIENT_INVENTORY"
        assert body["data"] == {"available_count": 1, "unavailable": [shared]}
    # The losers bought nothing: their own numbers are still on offer, the winner's are not.
    still_there = set(search(api, area_code="312", quantity=100))
    assert {own[i] for i, _, _ in losers} <= still_there
    assert shared not in still_there and own[winner_index] not in still_there
    owners = [len(walk(api.as_key(key))) for key in (DEFAULT_KEY, OTHER_KEY)]
    assert sum(owners) == 3 + 1 + 2  # the scenario's 3 + 1, plus the winner's two
