"""AgentMessage lists at volume: messages and inbound messages read from their sort-key index page exactly as
sorting every record would (newest first, cursors, filters), and numbers are found by E.164 as by a scan."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers.agentmessage import handlers, receive_message
from fakeroute.world import World

AUTH = {"Authorization": "Bearer am_test_fakeroute_default"}
CONTACTS = ("+12065550123", "+12065550124", "+12065550125")


@pytest.fixture(scope="module")
def busy() -> tuple[World, Client]:
    """The default org with 600 messages sent over 20 minutes (bursts in one instant) and 300 received."""
    world = World()
    account = world.accounts["default"]
    org, scope = account.state("agentmessage"), world.scope(account, "agentmessage")
    numbers = list(org.numbers.values())
    for i in range(600):
        handlers.new_message(scope, org, numbers[i % 2], CONTACTS[i % 3], f"note {i}", tag=f"t{i % 4}")
        if i % 30 == 29:
            world.clock.advance(60)
    for i in range(300):
        receive_message(world, to=numbers[i % 2].number, from_=CONTACTS[i % 3], body=f"reply {i}")
        if i % 7 == 6:
            world.clock.advance(1)
    return world, Client(FakerouteApp(world, propagate_exceptions=True))


def pages(client: Client, path: str, query: dict[str, Any], *, cursor_in_meta: bool) -> list[str]:
    """Every id a list shows, following its cursors to the end."""
    ids: list[str] = []
    while True:
        answer = client.get(path, query_string=query, headers=AUTH)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        ids += [item["id"] for item in answer.json["data"]]
        cursor = answer.json["meta"]["next_cursor"] if cursor_in_meta else answer.headers.get("X-Next-Cursor")
        if not cursor:
            return ids
        query = {**query, "cursor": cursor}


@pytest.mark.parametrize("query", [
    {}, {"limit": 7}, {"limit": 100, "tag": "t1"}, {"to": CONTACTS[2], "limit": 13}, {"status": "delivered"},
    {"status": "queued"}, {"to": "+19995550100"},
])
def test_messages_page_newest_first_as_a_full_sort_would(busy, query):
    world, client = busy
    now = world.clock.peek()
    everything = sorted(world.accounts["default"].state("agentmessage").messages.values(),
                        key=lambda m: m.sort_key, reverse=True)
    expected = [m.id for m in everything
                if ("tag" not in query or m.tag == query["tag"]) and ("to" not in query or m.to == query["to"])
                and ("status" not in query or m.status_at(now) == query["status"])]
    assert pages(client, "/v1/messages", query, cursor_in_meta=False) == expected


@pytest.mark.parametrize("query", [{}, {"limit": 9}, {"from": CONTACTS[0], "limit": 40}, {"channel": "mms"}])
def test_inbound_messages_page_newest_first_as_a_full_sort_would(busy, query):
    world, client = busy
    everything = sorted(world.accounts["default"].state("agentmessage").inbound.values(),
                        key=lambda m: m.sort_key, reverse=True)
    expected = [m.id for m in everything if ("from" not in query or m.sender == query["from"])
                and ("channel" not in query or m.channel == query["channel"])]
    assert pages(client, "/v1/inbound-messages", query, cursor_in_meta=True) == expected


def test_a_reset_forgets_the_messages_and_their_index():
    world = World()
    account = world.accounts["default"]
    org, scope = account.state("agentmessage"), world.scope(account, "agentmessage")
    before = [m.id for m in org.messages.newest_first()]
    number = next(iter(org.numbers.values()))
    sent = handlers.new_message(scope, org, number, CONTACTS[0], "hello")
    assert next(org.messages.newest_first()) is sent
    world.reset()
    assert [m.id for m in world.accounts["default"].state("agentmessage").messages.newest_first()] == before


def test_numbers_are_found_by_e164_through_releases_and_resets():
    world = World()
    client = Client(FakerouteApp(world, propagate_exceptions=True))
    org = world.accounts["default"].state("agentmessage")
    numbers = list(org.numbers.values())
    assert all(org.number_by_e164(n.number) is n for n in numbers)
    released = client.delete(f"/v1/phone-numbers/{numbers[0].id}", headers=AUTH)
    assert released.status_code == 200, released.get_data(as_text=True)
    assert org.number_by_e164(numbers[0].number) is None
    assert org.number_by_e164(numbers[1].number) is numbers[1]
    world.reset()
    org = world.accounts["default"].state("agentmessage")
    assert org.number_by_e164(numbers[0].number).id == numbers[0].id
