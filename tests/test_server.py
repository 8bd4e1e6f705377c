"""The standalone server: `fakeroute serve` as a process, and the admin API over real HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
import urllib3.util.connection

from fakeroute.app import FakerouteApp
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH, OWNED
from tests.support.receiver import Receiver


def start_cli(*args: str, quiet: bool = True, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``fakeroute serve`` on a free port; quiet unless told (nobody reads an access log piling up in a pipe)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fakeroute", "serve", "--port", "0", *(["--quiet"] if quiet else []), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    line = process.stdout.readline().strip()
    assert line.startswith("fakeroute listening on http://127.0.0.1:"), (line, process.stderr.read())
    return process, line.removeprefix("fakeroute listening on ")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_its_url_answers_and_exits_cleanly_on_signals(stop):
    process, url = start_cli("--seed", "5")
    try:
        assert requests.get(f"{url}/_fakeroute/health", timeout=5).json() == {"status": "ok"}
        numbers = requests.get(f"{url}/v2/numbers", headers=FLOWROUTE_AUTH, timeout=5).json()
        assert OWNED in [n["id"] for n in numbers["data"]]
        assert numbers["links"]["self"].startswith(url)
    finally:
        process.send_signal(stop)
        assert process.wait(timeout=10) == 0


def test_serve_refuses_a_bad_scenario_with_a_message_naming_the_entry(tmp_path):
    scenario = tmp_path / "bad.json"
    scenario.write_text('{"accounts": [{"id": "a", "flowroute": {"access_key": "k", "secret_key": "s", '
                        '"numbers": [{"value": "12065550100"}, {"value": "1206555"}]}}]}')
    result = subprocess.run([sys.executable, "-m", "fakeroute", "serve", "--port", "0", "--scenario", str(scenario)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "accounts[0].flowroute.numbers[1].value" in result.stderr


def test_serve_refuses_a_port_in_use(live_server):
    result = subprocess.run([sys.executable, "-m", "fakeroute", "serve", "--port", str(live_server.port)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "cannot listen" in result.stderr


def test_same_seed_serves_identical_inventories_across_processes():
    pages = []
    for _ in range(2):
        process, url = start_cli("--seed", "11")
        try:
            pages.append(requests.get(f"{url}/v2/numbers/available?limit=50&offset=100", headers=FLOWROUTE_AUTH,
                                      timeout=5).json()["data"])
            pages[-1] = [(n["id"], n["attributes"]) for n in pages[-1]]  # links carry each server's port
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert pages[0] == pages[1] and len(pages[0]) == 50


def test_admin_accounts_reset_and_state(server_url):
    accounts = requests.get(f"{server_url}/_fakeroute/accounts", timeout=5).json()["accounts"]
    default = accounts[0]
    assert default["id"] == "default"
    assert default["flowroute"] == {"access_key": "fakeroute", "secret_key": "fakeroute-secret"}

    created = requests.post(f"{server_url}/_fakeroute/accounts", json={"name": "isolated"}, timeout=5)
    assert created.status_code == 201
    fresh = created.json()["flowroute"]
    auth = (fresh["access_key"], fresh["secret_key"])
    assert requests.get(f"{server_url}/v2/numbers", auth=auth, timeout=5).json()["data"] == []
    routes = requests.get(f"{server_url}/v2/routes", auth=auth, timeout=5).json()["data"]
    assert [r["id"] for r in routes] == ["0"]

    number = requests.get(f"{server_url}/v2/numbers/available?limit=1", auth=auth, timeout=5).json()["data"][0]["id"]
    assert requests.post(f"{server_url}/v2/numbers/{number}", auth=auth, timeout=5).status_code == 201
    state = requests.get(f"{server_url}/_fakeroute/state", timeout=5).json()
    assert [n["value"] for n in state["accounts"][-1]["flowroute"]["numbers"]] == [number]

    assert requests.post(f"{server_url}/_fakeroute/reset", timeout=5).json()["status"] == "reset"
    assert requests.get(f"{server_url}/v2/numbers", auth=auth, timeout=5).status_code == 401
    available = requests.get(f"{server_url}/v2/numbers/available?limit=1", headers=FLOWROUTE_AUTH, timeout=5)
    assert available.json()["data"][0]["id"] == number


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/_fakeroute/nope", 404), ("DELETE", "/_fakeroute/reset", 405), ("GET", "/nowhere", 404)],
)
def test_admin_and_unknown_paths_answer_json_errors(server_url, method, path, status):
    response = requests.request(method, server_url + path, timeout=5)
    assert response.status_code == status and "error" in response.json()


def test_admin_create_account_rejects_bad_bodies(server_url):
    for body in (b"{", b"[]", b'{"name": 5}'):
        response = requests.post(f"{server_url}/_fakeroute/accounts", data=body, timeout=5)
        assert response.status_code == 400 and "error" in response.json()


def test_keep_alive_connections_are_reused(server_url, monkeypatch):
    opened = []
    connect = urllib3.util.connection.create_connection

    def counted(address, *args, **kwargs):
        opened.append(address)
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counted)
    with requests.Session() as session:
        for _ in range(50):
            assert session.get(f"{server_url}/_fakeroute/health", timeout=5).status_code == 200
    # A dev server without keep-alive makes the client connect again for each call; waitress keeps the one.
    assert len(opened) == 1


def test_python_dash_m_shows_help():
    result = subprocess.run([sys.executable, "-m", "fakeroute", "--help"], capture_output=True, text=True, timeout=30,
                            env={**os.environ})
    assert result.returncode == 0 and "serve" in result.stdout


def test_admin_journal_lists_and_clears_the_calls(server_url):
    requests.get(f"{server_url}/v2/numbers", headers=FLOWROUTE_AUTH, timeout=5)
    requests.get(f"{server_url}/v2/numbers/13125550199", headers=FLOWROUTE_AUTH, timeout=5)
    journal = requests.get(f"{server_url}/_fakeroute/requests", params={"status": 404}, timeout=5).json()
    (entry,) = journal["requests"]
    assert entry["provider"] == "flowroute" and entry["path"] == "/v2/numbers/13125550199"
    assert entry["account"] == "default" and entry["headers"]["Authorization"] == "***"
    assert entry["response"]["errors"][0]["status"] == 404
    assert requests.get(f"{server_url}/_fakeroute/requests", params={"status": "x"}, timeout=5).status_code == 400
    assert requests.delete(f"{server_url}/_fakeroute/requests", timeout=5).json() == {"cleared": 2}
    assert requests.get(f"{server_url}/_fakeroute/requests", timeout=5).json()["requests"] == []


def test_admin_faults_over_real_http_including_a_dropped_connection(server_url):
    added = requests.post(f"{server_url}/_fakeroute/faults", json={"provider": "flowroute", "status": 503}, timeout=5)
    assert added.status_code == 201 and added.json()["times"] == 1
    assert requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5).status_code == 503
    assert requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5).status_code == 200

    requests.post(f"{server_url}/_fakeroute/faults", json={"path": "/v2/routes", "drop": True}, timeout=5)
    # The answer stops short of its Content-Length: the client sees the connection broken mid-response.
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5)

    requests.post(f"{server_url}/_fakeroute/faults", json={"status": 500, "times": None}, timeout=5)
    assert len(requests.get(f"{server_url}/_fakeroute/faults", timeout=5).json()["faults"]) == 3
    assert requests.delete(f"{server_url}/_fakeroute/faults", timeout=5).json() == {"cleared": 3}
    assert requests.get(f"{server_url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=5).status_code == 200


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"status": 200}', b'{"status": 503, "colour": "red"}',
                                  b'{"latency": 31}', b'{"status": 503, "times": 0}'])
def test_admin_refuses_bad_fault_specs(server_url, body):
    response = requests.post(f"{server_url}/_fakeroute/faults", data=body, timeout=5)
    assert response.status_code == 400 and response.json()["error"]


def test_serve_with_a_real_time_clock_delivers_receipts_without_further_calls():
    with Receiver() as receiver:
        process, url = start_cli("--clock", "real")
        try:
            message = {"data": {"type": "message", "attributes": {
                "from": OWNED, "to": "12065551234", "body": "hi", "dlr_callback": receiver.url + "/dlr"}}}
            sent = requests.post(f"{url}/v2.1/messages", json=message, headers=FLOWROUTE_AUTH, timeout=5)
            assert sent.status_code == 202
            # Nothing else is called: the wall clock alone brings the receipts due (the last after 5 s).
            got = receiver.wait_for(3, timeout=15)
        finally:
            process.terminate()
            process.wait(timeout=10)
    statuses = [g["json"]["data"]["attributes"]["status"] for g in got]
    assert statuses == ["smsc submit", "message buffered", "delivered"]


# -- connection handling: slow sockets never starve a normal client -----------------------------------


SLOW_SOCKETS = 200


def open_slow_sockets(url: str, count: int) -> list[socket.socket]:
    """``count`` connections that each start a request and never finish its headers (slowloris)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    opened = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(b"GET /_fakeroute/health HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
        opened.append(sock)
    return opened


def wait_for_connections(server: FakerouteServer, count: int) -> None:
    """Until the server has accepted ``count`` connections (the accepting runs on its own thread)."""
    deadline = time.monotonic() + 30
    while server.open_connections < count:
        assert time.monotonic() < deadline, f"the server accepted {server.open_connections} of {count}"
        time.sleep(0.01)


def test_200_slow_sockets_leave_normal_clients_answered():
    world = World(seed=0)
    with FakerouteServer(FakerouteApp(world)) as server:
        slow = open_slow_sockets(server.url, SLOW_SOCKETS)
        try:
            wait_for_connections(server, SLOW_SOCKETS)
            # waitress's own default (100 connections) would leave these unaccepted until a slow socket left.
            for _ in range(5):
                with requests.Session() as session:
                    assert session.get(f"{server.url}/_fakeroute/health", timeout=10).json() == {"status": "ok"}
                    routes = session.get(f"{server.url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=10)
                    assert routes.status_code == 200
        finally:
            for sock in slow:
                sock.close()


def test_over_the_connection_limit_a_client_gets_a_json_503_not_a_stall():
    with FakerouteServer(FakerouteApp(World(seed=0)), connection_limit=5) as server:
        slow = open_slow_sockets(server.url, 5)
        try:
            wait_for_connections(server, 5)
            refused = requests.get(f"{server.url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=10)
            assert refused.status_code == 503
            assert "connection" in refused.json()["error"] and refused.headers["Retry-After"] == "1"
            assert refused.headers["Connection"] == "close"
        finally:
            for sock in slow:
                sock.close()
        wait_for_connections_below(server, 5)
        assert requests.get(f"{server.url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=10).status_code == 200


def wait_for_connections_below(server: FakerouteServer, count: int) -> None:
    deadline = time.monotonic() + 30
    while server.open_connections >= count:
        assert time.monotonic() < deadline, f"{server.open_connections} connections stay open"
        time.sleep(0.01)


def test_idle_connections_are_closed_after_the_channel_timeout():
    with FakerouteServer(FakerouteApp(World(seed=0)), channel_timeout=1) as server:
        (sock,) = open_slow_sockets(server.url, 1)
        with sock:
            # The server closes it: the read ends (b"") instead of running into the client's timeout.
            assert sock.recv(1024) == b""


def test_the_server_serves_descriptors_past_select_s_limit():
    """The event loop uses select() while every descriptor is under 1024 (FD_SETSIZE) and poll() past it: with the
    listening socket and every connection numbered over 1024 the server still answers, in both turns."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if min(soft, hard) < 1200:
        pytest.skip(f"needs 1200 open files, the limit is {soft}")
    fillers = [os.open(os.devnull, os.O_RDONLY) for _ in range(1030)]
    try:
        assert max(fillers) >= 1024
        with FakerouteServer(FakerouteApp(World())) as server:
            assert server._server.socket.fileno() >= 1024
            with requests.Session() as session:
                for _ in range(3):  # keep-alive: the same connection, served over turns
                    response = session.get(f"{server.url}/v2/numbers/{OWNED}", headers=FLOWROUTE_AUTH, timeout=5)
                    assert response.status_code == 200 and response.json()["data"]["id"] == OWNED
    finally:
        for fd in fillers:
            os.close(fd)
    with FakerouteServer(FakerouteApp(World())) as server:  # and below 1024, where select() serves
        assert server._server.socket.fileno() < 1024
        assert requests.get(f"{server.url}/v2/numbers/{OWNED}", headers=FLOWROUTE_AUTH, timeout=5).status_code == 200
