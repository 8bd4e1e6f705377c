"""Concurrency over real HTTP: 16 clients, each its own account, run 200 mixed operations at once — racing each other
for the same numbers through Flowroute and AgentMessage, creating routes, setting aliases, sending, listing, sending
garbage. Afterwards: no 5xx, every contested number has exactly one owner and that owner is the one that was told
so, no write is lost, and the journal holds exactly the calls that were made."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

import requests

from tests.support.harness import basic, bearer

CLIENTS = 16
OPERATIONS = 200
CONTESTED = 24
ROUND = 8  # every 8th operation of every client is a race for the same number


@dataclass
class Client:
    """One account's credentials, its own session, and what the fake told it."""

    account: str
    flowroute: dict[str, str]
    agentmessage: dict[str, str]
    session: requests.Session = field(default_factory=requests.Session)
    calls: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status
    won: set[str] = field(default_factory=set)  # contested numbers the fake said this client got
    routes: int = 0
    aliases: dict[str, str] = field(default_factory=dict)  # number -> the last alias the fake accepted
    sent: int = 0

    def call(self, url: str, method: str, path: str, auth: dict[str, str], **kwargs) -> requests.Response:
        answer = self.session.request(method, url + path, headers=auth, timeout=30, **kwargs)
        self.calls.append((method, path, answer.status_code))
        return answer


def new_client(server_url: str, serial: int) -> Client:
    created = requests.post(f"{server_url}/_fakeroute/accounts", json={"name": f"racer {serial}"}, timeout=10).json()
    flowroute = basic(created["flowroute"]["access_key"], created["flowroute"]["secret_key"])
    return Client(created["id"], flowroute, bearer(created["agentmessage"]["api_keys"][0]["key"]))


def run(client: Client, url: str, contested: list[str], seed: int, gun: threading.Barrier) -> None:
    """OPERATIONS calls; every ROUND-th is a race: all clients, released together, try to get the same number."""
    rng = random.Random(seed)
    for i in range(OPERATIONS):
        if i % ROUND == 0 and i // ROUND < len(contested):
            number = contested[i // ROUND]
            gun.wait(timeout=60)
            if rng.random() < 0.5:
                answer = client.call(url, "POST", f"/v2/numbers/{number}", client.flowroute)
                won = answer.status_code == 201
            else:
                answer = client.call(url, "POST", "/v1/phone-numbers/orders", client.agentmessage,
                                     json={"numbers": [f"+{number}"]})
                won = answer.status_code == 200
            assert won or answer.status_code in (404, 409), answer.text
            if won:
                client.won.add(number)
            continue
        roll = rng.random()
        if roll < 0.2:
            body = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "pbx.example.com",
                                                             "alias": f"{client.account}-{i}"}}}
            answer = client.call(url, "POST", "/v2/routes", client.flowroute, json=body)
            assert answer.status_code == 201, answer.text
            client.routes += 1
        elif roll < 0.4 and owned_via_flowroute(client):
            number = rng.choice(sorted(owned_via_flowroute(client)))
            alias = f"alias {i}"
            answer = client.call(url, "PATCH", f"/v2/numbers/{number}", client.flowroute,
                                 json={"type": "number", "alias": alias})
            assert answer.status_code == 200, answer.text
            client.aliases[number] = alias
        elif roll < 0.6 and owned_via_flowroute(client):
            sender = rng.choice(sorted(owned_via_flowroute(client)))
            message = {"data": {"type": "message", "attributes": {"to": "12065551234", "from": sender, "body": "hi"}}}
            answer = client.call(url, "POST", "/v2.1/messages", client.flowroute, json=message)
            assert answer.status_code in (202, 429), answer.text  # rate limits are on, as on the real API
            client.sent += answer.status_code == 202
        elif roll < 0.7:
            answer = client.call(url, "POST", "/v2/routes", client.flowroute, data=b'{"data": [' * 50)
            assert answer.status_code == 400, answer.text
        elif roll < 0.85:
            client.call(url, "GET", "/v2/numbers", client.flowroute, params={"limit": 200})
        else:
            client.call(url, "GET", "/v1/phone-numbers", client.agentmessage, params={"limit": 100})


def owned_via_flowroute(client: Client) -> set[str]:
    """The contested numbers this client won with Flowroute (its journal of calls says which)."""
    return {path.rsplit("/", 1)[1] for method, path, status in client.calls
            if method == "POST" and path.startswith("/v2/numbers/") and status == 201}


def test_sixteen_clients_racing_lose_no_write_and_the_journal_is_exact(server_url):
    clients = [new_client(server_url, serial) for serial in range(CLIENTS)]
    first = clients[0]
    offered = first.call(server_url, "GET", "/v2/numbers/available", first.flowroute,
                         params={"starts_with": "1206", "limit": CONTESTED}).json()["data"]
    contested = [n["id"] for n in offered]
    assert len(contested) == CONTESTED
    requests.delete(f"{server_url}/_fakeroute/requests", timeout=10)
    first.calls.clear()

    gun = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def worker(client: Client, seed: int) -> None:
        try:
            run(client, server_url, contested, seed, gun)
        except BaseException as exc:  # reported below: a thread's assertion must fail the test
            errors.append(exc)
            gun.abort()  # the others stop waiting for this one

    threads = [threading.Thread(target=worker, args=(client, serial)) for serial, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, [e for e in errors if not isinstance(e, threading.BrokenBarrierError)] or errors

    made = [call for client in clients for call in client.calls]
    assert not [call for call in made if call[2] >= 500]
    # Every contested number was won exactly once, by the client the fake told, and is held by that account only.
    winners = Counter(number for client in clients for number in client.won)
    assert sorted(winners) == sorted(contested) and set(winners.values()) == {1}
    state = {a["id"]: a for a in requests.get(f"{server_url}/_fakeroute/state", timeout=10).json()["accounts"]}
    for client in clients:
        section = state[client.account]
        via_flowroute = {n["value"] for n in section.get("flowroute", {}).get("numbers", [])}
        via_agentmessage = {n["number"].lstrip("+") for n in section.get("agentmessage", {}).get("numbers", [])}
        assert via_flowroute | via_agentmessage == client.won and not via_flowroute & via_agentmessage
        assert via_flowroute == owned_via_flowroute(client)
        # No lost write: every route, the last alias of every number, every accepted message.
        routes = section.get("flowroute", {}).get("routes", [])
        assert len([r for r in routes if r["alias"].startswith(client.account)]) == client.routes
        aliases = {n["value"]: n.get("alias") for n in section.get("flowroute", {}).get("numbers", [])}
        assert {number: aliases[number] for number in client.aliases} == client.aliases
        assert len(section.get("flowroute", {}).get("messages", [])) == client.sent
    # The journal holds exactly the provider calls made, each with the status its client got.
    journal = requests.get(f"{server_url}/_fakeroute/requests", params={"limit": 10_000}, timeout=30).json()["requests"]
    assert len(journal) == len(made)
    assert Counter((e["method"], e["path"], e["status"]) for e in journal) == Counter(made)
