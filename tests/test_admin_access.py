"""Who may call the admin API, over real HTTP: open without a token, the token on every path but health, tenants
reading only their own journal, state and outbox, the dashboard's sign-in cookie; and in-process, the real
provider hosts have no admin API at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.providers import PROVIDERS
from fakeroute.server import FakerouteServer
from fakeroute.transport import Interceptor
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH, MOBILE, OWNED, sms
from tests.support.harness import basic, bearer

TOKEN = "s3cret-admin-token"
ADMIN = bearer(TOKEN)


@pytest.fixture(scope="module")
def guarded_world() -> World:
    return World(seed=0)


@pytest.fixture(scope="module")
def guarded_server(guarded_world: World) -> Iterator[FakerouteServer]:
    with FakerouteServer(FakerouteApp(guarded_world, admin_token=TOKEN)) as server:
        yield server


@pytest.fixture
def url(guarded_server: FakerouteServer, guarded_world: World) -> str:
    guarded_world.reset()
    return guarded_server.url


def every_admin_call(app: FakerouteApp) -> list[tuple[str, str]]:
    """(method, path) of every admin endpoint the app's Map holds, variables filled in."""
    calls = []
    for rule in app.admin.rules():
        (method,) = rule.methods - {"HEAD", "OPTIONS"}
        calls.append((method, rule.rule.replace("<provider>", "flowroute")))
    return calls


ADMIN_CALLS = every_admin_call(FakerouteApp(World()))


def test_every_admin_endpoint_is_counted():
    assert len(ADMIN_CALLS) == 20 and ("PUT", "/_fakeroute/state") in ADMIN_CALLS
    assert ("POST", "/_fakeroute/delivery-rules") in ADMIN_CALLS


@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
def test_with_a_token_every_admin_path_but_health_needs_it(url, method, path):
    answer = requests.request(method, url + path, timeout=10)
    if path == "/_fakeroute/health":
        assert answer.status_code == 200
        return
    assert answer.status_code == 401, answer.text
    assert "Bearer" in answer.json()["error"] and answer.headers["WWW-Authenticate"] == 'Bearer realm="fakeroute"'
    wrong = requests.request(method, url + path, headers=bearer("guess"), timeout=10)
    assert wrong.status_code == 401
    # The token lets the call through to the endpoint (whatever it then says of an empty body).
    assert requests.request(method, url + path, headers=ADMIN, timeout=10).status_code not in (401, 403)


def test_without_a_token_the_admin_api_is_open(server_url):
    assert requests.get(f"{server_url}/_fakeroute/state", timeout=10).status_code == 200
    assert requests.post(f"{server_url}/_fakeroute/reset", timeout=10).json()["status"] == "reset"


def make_tenant(url: str, name: str) -> dict:
    created = requests.post(f"{url}/_fakeroute/accounts", json={"name": name}, headers=ADMIN, timeout=10)
    assert created.status_code == 201
    return created.json()


def flowroute_auth(tenant: dict) -> dict[str, str]:
    return basic(tenant["flowroute"]["access_key"], tenant["flowroute"]["secret_key"])


def buy(url: str, auth: dict[str, str]) -> str:
    number = requests.get(f"{url}/v2/numbers/available?limit=1", headers=auth, timeout=10).json()["data"][0]["id"]
    assert requests.post(f"{url}/v2/numbers/{number}", headers=auth, timeout=10).status_code == 201
    return number


def test_two_tenants_each_read_only_their_own_journal_state_and_outbox(url):
    a, b = make_tenant(url, "ci run a"), make_tenant(url, "ci run b")
    bought = {t["id"]: buy(url, flowroute_auth(t)) for t in (a, b)}
    # b sets a callback and receives a message: a webhook of b's only.
    requests.put(f"{url}/v2.1/messages/sms_callback", headers=flowroute_auth(b), timeout=10,
                 json={"data": {"attributes": {"callback_url": "http://127.0.0.1:9/sms"}}}).raise_for_status()
    inbound = {"provider": "flowroute", "to": bought[b["id"]], "from": MOBILE, "body": "hi"}
    requests.post(f"{url}/_fakeroute/inbound", json=inbound, headers=ADMIN, timeout=10).raise_for_status()

    for me, other in ((a, b), (b, a)):
        auth = flowroute_auth(me)
        journal = requests.get(f"{url}/_fakeroute/requests", headers=auth, timeout=10)
        assert journal.status_code == 200
        entries = journal.json()["requests"]
        assert entries and {e["account"] for e in entries} == {me["id"]}
        assert any(e["path"] == f"/v2/numbers/{bought[me['id']]}" for e in entries)
        mine = requests.get(f"{url}/_fakeroute/requests", params={"account": me["id"]}, headers=auth, timeout=10)
        assert mine.json() == journal.json()
        theirs = requests.get(f"{url}/_fakeroute/requests", params={"account": other["id"]}, headers=auth, timeout=10)
        assert theirs.status_code == 403 and other["id"] in theirs.json()["error"]

        state = requests.get(f"{url}/_fakeroute/state", headers=auth, timeout=10).json()
        assert [acc["id"] for acc in state["accounts"]] == [me["id"]]
        assert [n["value"] for n in state["accounts"][0]["flowroute"]["numbers"]] == [bought[me["id"]]]
        assert requests.get(f"{url}/_fakeroute/state", params={"account": other["id"]}, headers=auth,
                            timeout=10).status_code == 403

        outbox = requests.get(f"{url}/_fakeroute/outbox", headers=auth, timeout=10).json()["webhooks"]
        assert {w["account"] for w in outbox} <= {me["id"]}
        assert len(outbox) == (1 if me is b else 0)

    # The admin sees both.
    everyone = requests.get(f"{url}/_fakeroute/requests", headers=ADMIN, timeout=10).json()["requests"]
    assert {a["id"], b["id"]} <= {e["account"] for e in everyone}
    only_a = requests.get(f"{url}/_fakeroute/requests", params={"account": a["id"]}, headers=ADMIN, timeout=10)
    assert {e["account"] for e in only_a.json()["requests"]} == {a["id"]}


@pytest.mark.parametrize("provider", [p.name for p in PROVIDERS])
def test_any_provider_s_credentials_name_the_tenant(url, guarded_world, provider):
    found = next(p for p in guarded_world.providers if p.name == provider)
    auth = found.auth_headers(found.public_credentials(guarded_world.accounts["default"].state(provider)))
    state = requests.get(f"{url}/_fakeroute/state", headers=auth, timeout=10)
    assert [acc["id"] for acc in state.json()["accounts"]] == ["default"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/_fakeroute/accounts"), ("POST", "/_fakeroute/faults"),
                                               ("DELETE", "/_fakeroute/requests"), ("GET", "/_fakeroute/")])
def test_tenant_credentials_open_nothing_else(url, method, path):
    answer = requests.request(method, url + path, headers=FLOWROUTE_AUTH, json={"status": 503}, timeout=10)
    assert answer.status_code == 403 and "admin token" in answer.json()["error"]


def test_a_tenant_resets_itself_and_nobody_else(url):
    a, b = make_tenant(url, "a"), make_tenant(url, "b")
    buy(url, flowroute_auth(b))
    mine = buy(url, FLOWROUTE_AUTH)
    refused = requests.post(f"{url}/_fakeroute/reset", json={"account": b["id"]}, headers=FLOWROUTE_AUTH, timeout=10)
    assert refused.status_code == 403
    done = requests.post(f"{url}/_fakeroute/reset", headers=FLOWROUTE_AUTH, timeout=10)
    assert done.json() == {"status": "reset", "account": "default", "scenario": "default (built-in)"}
    numbers = requests.get(f"{url}/v2/numbers", headers=FLOWROUTE_AUTH, timeout=10).json()["data"]
    assert mine not in [n["id"] for n in numbers]
    assert len(requests.get(f"{url}/v2/numbers", headers=flowroute_auth(b), timeout=10).json()["data"]) == 1
    assert requests.get(f"{url}/v2/numbers", headers=flowroute_auth(a), timeout=10).status_code == 200


def test_without_a_token_credentials_sent_along_change_nothing(server_url):
    """One session for the API and the admin calls, as before tokens existed: it still sees and resets everything."""
    with requests.Session() as session:
        session.headers.update(FLOWROUTE_AUTH)
        buy(server_url, FLOWROUTE_AUTH)
        state = session.get(f"{server_url}/_fakeroute/state", timeout=10).json()
        assert len(state["accounts"]) > 1
        assert session.post(f"{server_url}/_fakeroute/reset", timeout=10).json()["status"] == "reset"
        assert session.get(f"{server_url}/_fakeroute/requests", timeout=10).json()["requests"] == []


def test_the_dashboard_signs_a_browser_in_with_a_cookie(url):
    with requests.Session() as browser:
        assert browser.get(f"{url}/_fakeroute/", timeout=10).status_code == 401
        wrong = browser.get(f"{url}/_fakeroute/", params={"token": "guess"}, timeout=10)
        assert wrong.status_code == 401 and not browser.cookies
        page = browser.get(f"{url}/_fakeroute/", params={"token": TOKEN}, timeout=10)
        assert page.status_code == 200 and page.url == f"{url}/_fakeroute/"  # the token left the address
        assert "text/html" in page.headers["Content-Type"]
        (cookie,) = browser.cookies
        assert cookie.path == "/_fakeroute" and cookie.has_nonstandard_attr("HttpOnly")
        assert browser.post(f"{url}/_fakeroute/reset", timeout=10).status_code == 200  # the Reset button


# -- in-process: the real hosts have no admin API --------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.name for p in PROVIDERS])
@pytest.mark.parametrize("path", ["/_fakeroute/reset", "/_fakeroute/state", "/_fakeroute", "/_fakeroute/nope"])
def test_admin_paths_on_a_real_host_get_the_provider_s_own_404(world, provider, path):
    app = FakerouteApp(world)
    client = Client(app)
    for method in ("GET", "POST"):
        answer = client.open(path, method=method, base_url=f"https://{provider.hosts[0]}")
        assert answer.status_code in (404, 405)
        assert "error" not in answer.json or not isinstance(answer.json["error"], str)  # not the admin's body
    (entry, _) = world.journal.filter(provider=provider.name)
    assert entry.path == path and entry.provider == provider.name


def test_code_under_test_cannot_reset_the_fake_through_the_real_host(world):
    with Interceptor(FakerouteApp(world)):
        sent = requests.post("https://api.flowroute.com/v2.1/messages", json=sms(), headers=FLOWROUTE_AUTH, timeout=10)
        assert sent.status_code == 202
        answer = requests.post("https://api.flowroute.com/_fakeroute/reset", timeout=10)
        assert answer.status_code == 404
        assert answer.json()["errors"][0]["status"] == 404  # Flowroute's JSON:API error, not the admin's
        messages = requests.get("https://api.flowroute.com/v2.1/messages", headers=FLOWROUTE_AUTH,
                                params={"start_date": "2025-01-01"}, timeout=10).json()["data"]
    assert sent.json()["data"]["id"] in [m["id"] for m in messages]  # the reset never happened
    assert len(world.journal) == 3


def test_the_admin_api_still_answers_on_any_other_host(world):
    client = Client(FakerouteApp(world))
    assert client.get("/_fakeroute/health", base_url="http://localhost").json == {"status": "ok"}
    assert client.get("/_fakeroute/health", base_url="http://fakeroute:8080").json == {"status": "ok"}
    assert client.get("/v2/routes", base_url="https://api.flowroute.com", headers=FLOWROUTE_AUTH).status_code == 200
    assert OWNED in client.get("/_fakeroute/state").text
