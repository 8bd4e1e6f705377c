"""The dashboard at GET /_fakeroute/, in-process: what it shows, its journal filter, its escaping, no outside assets."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from werkzeug.test import Client

from fakeroute import dashboard
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH, OTHER_TENANTS, OWNED, OWNED_PLAIN
from tests.support.harness import basic

FLOWROUTE = "https://api.flowroute.com"
TWILIO = "https://routes.twilio.com"
TWILIO_AUTH = basic("ACfa4e7000000000000000000000000001", "fakeroute-auth-token")
OTHER_FLOWROUTE_AUTH = basic("fakeroute-other", "fakeroute-other-secret")
HOSTILE = "<script>alert(1)</script>"


class Page(HTMLParser):
    """The parts of a page the tests look at: every tag with its attributes, the text inside an element by id
    (descendants included), and the rows of the tables inside an element by id, cell by cell, without the
    request and response bodies folded into them."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_by_id: dict[str, list[str]] = {}
        self.rows_by_id: dict[str, list[list[str]]] = {}
        self._open: list[tuple[str, str | None, bool]] = []  # (tag, id, is a JSON body) around the current point
        self.feed(html)
        self.close()

    def _nearest_id(self) -> str | None:
        return next((element_id for _, element_id, _ in reversed(self._open) if element_id), None)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("tr", "td") and (owner := self._nearest_id()):  # header cells (th) are left out
            rows = self.rows_by_id.setdefault(owner, [])
            if tag == "tr":
                rows.append([])
            elif rows:
                rows[-1].append("")
        if tag not in self.VOID:
            body = "json" in (attributes.get("class") or "").split()
            self._open.append((tag, attributes.get("id"), body))
            if attributes.get("id"):
                self.text_by_id.setdefault(attributes["id"], [])

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):  # tolerate an unclosed <p> and such
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for _, element_id, _ in self._open:
            if element_id:
                self.text_by_id[element_id].append(data)
        owner = self._nearest_id()
        rows = self.rows_by_id.get(owner or "")
        if rows and rows[-1] and not any(body for _, _, body in self._open):
            rows[-1][-1] = " ".join((rows[-1][-1] + " " + data).split())

    def text(self, element_id: str) -> str:
        assert element_id in self.text_by_id, f"no element with id {element_id!r}"
        return " ".join(" ".join(self.text_by_id[element_id]).split())

    def rows(self, element_id: str) -> list[list[str]]:
        """The body rows (not the header) of the tables directly in the element."""
        return [row for row in self.rows_by_id.get(element_id, []) if row]


def page(client: Client, query: str = "") -> tuple[str, Page]:
    response = client.get("/_fakeroute/" + query)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = response.get_data(as_text=True)
    return html, Page(html)


def buy_a_number(client: Client) -> str:
    found = client.get("/v2/numbers/available", query_string={"limit": 1}, base_url=FLOWROUTE, headers=FLOWROUTE_AUTH)
    assert found.status_code == 200, found.json
    number = found.json["data"][0]["id"]
    bought = client.post(f"/v2/numbers/{number}", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH)
    assert bought.status_code == 201, bought.json
    return number


def journal(parsed: Page) -> list[list[str]]:
    """The journal's rows: time, method, path, provider, account, status."""
    rows = parsed.rows("journal")
    assert all(len(row) == 6 for row in rows), rows
    return rows


def journal_paths(parsed: Page) -> list[str]:
    return [path for _, _, path, _, _, _ in journal(parsed)]


def test_the_dashboard_is_one_html_page_with_and_without_the_slash(client: Client, world: World):
    with_slash = client.get("/_fakeroute/")
    without = client.get("/_fakeroute")
    for response in (with_slash, without):
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.get_data(as_text=True).startswith("<!doctype html>")
    assert with_slash.get_data() == without.get_data()
    html = with_slash.get_data(as_text=True)
    assert "scenario <b>default (built-in)</b>" in html and "seed <b>0</b>" in html
    assert Page(html).text("clock") == "2026-01-01T00:00:00+00:00"  # the fake clock's time...
    assert world.clock.peek().isoformat() == "2026-01-01T00:00:00+00:00"  # ...not moved by looking
    world.clock.advance(90)
    assert page(client)[1].text("clock") == "2026-01-01T00:01:30+00:00"


def test_only_get_reaches_the_dashboard_and_looking_records_nothing(client: Client, world: World):
    client.get("/_fakeroute/")
    assert len(world.journal) == 0
    assert client.post("/_fakeroute/health").status_code == 405  # the other admin routes are untouched
    assert client.get("/_fakeroute/health").json == {"status": "ok"}


def test_the_default_accounts_credentials_and_state_are_shown(client: Client):
    _, parsed = page(client)
    default = parsed.text("account-default")
    for credential in ("fakeroute", "fakeroute-secret", "ACfa4e7000000000000000000000000001", "fakeroute-auth-token",
                       "SKfa4e7000000000000000000000000001", "fakeroute-api-key-secret", "am_test_fakeroute_default",
                       "0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b"):
        assert credential in default
    # Flowroute numbers with their routes, messages with status and receipts, Twilio resources, AgentMessage.
    flowroute = parsed.text("state-default-flowroute")
    for shown in (OWNED, "Seattle office", OWNED_PLAIN, "98396", "www.getouttahere.com",
                  "sip:frontdesk@pbx.example.com", "mdr2-39cadeace66e11e7aff806cd7f24ba2d", "test sms on v2",
                  "delivered", "Message delivered to handset", "message buffered"):
        assert shown in flowroute
    twilio = parsed.text("state-default-twilio")
    for shown in ("+14155551234", "Support line", "fakeroute.sip.twilio.com", "fakeroute.pstn.twilio.com", "au1"):
        assert shown in twilio
    agentmessage = parsed.text("state-default-agentmessage")
    for shown in ("+14155550123", "support-line", "Acme Health", "CUSTOMER_CARE", "REJECTED",
                  "opt-in flow not verifiable"):
        assert shown in agentmessage
    # The other tenant is there too, apart.
    other = parsed.text("account-other")
    assert OTHER_TENANTS in other and "fakeroute-other-secret" in other
    assert OTHER_TENANTS not in default


def test_a_number_bought_through_the_flowroute_api_shows_up(client: Client):
    number = buy_a_number(client)
    _, parsed = page(client)
    assert number in parsed.text("state-default-flowroute")
    assert number not in parsed.text("account-other")
    assert [row[1:] for row in journal(parsed)] == [
        ["POST", f"/v2/numbers/{number}", "flowroute", "default", "201"],
        ["GET", "/v2/numbers/available?limit=1", "flowroute", "default", "200"],
    ]


def test_the_journal_is_newest_first_and_filtered_by_provider_and_account(client: Client):
    client.get(f"/v2/numbers/{OWNED}", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH)
    client.get("/v2/PhoneNumbers/+12065550100", base_url=TWILIO, headers=TWILIO_AUTH)
    client.get(f"/v2/numbers/{OTHER_TENANTS}", base_url=FLOWROUTE, headers=OTHER_FLOWROUTE_AUTH)
    client.get("/v2/routes", base_url=FLOWROUTE)  # no credentials: no account

    _, everything = page(client)
    assert journal_paths(everything) == ["/v2/routes", f"/v2/numbers/{OTHER_TENANTS}", "/v2/PhoneNumbers/+12065550100",
                                         f"/v2/numbers/{OWNED}"]
    assert "4 requests" in everything.text("journal")

    _, flowroute = page(client, "?provider=flowroute")
    assert journal_paths(flowroute) == ["/v2/routes", f"/v2/numbers/{OTHER_TENANTS}", f"/v2/numbers/{OWNED}"]
    assert "3 of 4 requests match" in flowroute.text("journal")
    assert ("option", {"value": "flowroute", "selected": None}) in flowroute.tags

    _, default = page(client, "?account=default")
    assert journal_paths(default) == ["/v2/PhoneNumbers/+12065550100", f"/v2/numbers/{OWNED}"]

    _, both = page(client, "?provider=flowroute&account=other")
    assert journal_paths(both) == [f"/v2/numbers/{OTHER_TENANTS}"]
    assert ("option", {"value": "other", "selected": None}) in both.tags

    _, none = page(client, "?provider=twilio&account=other")
    assert journal_paths(none) == [] and "No requests yet." in none.text("journal")

    # The filter only narrows the journal: the state of every account is still there.
    assert OTHER_TENANTS in both.text("account-other") and OWNED in both.text("account-default")


def test_the_journal_has_a_form_and_links_to_filter_it(client: Client):
    client.get(f"/v2/numbers/{OWNED}", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH)
    _, parsed = page(client, "?account=default")
    forms = [attrs for tag, attrs in parsed.tags if tag == "form"]
    assert forms == [{"class": "filters", "method": "get", "action": "#journal"}]
    selects = [attrs["name"] for tag, attrs in parsed.tags if tag == "select"]
    assert selects == ["provider", "account"]
    links = {attrs["href"] for tag, attrs in parsed.tags if tag == "a"}
    assert "?provider=twilio&account=default#journal" in links  # a provider, keeping the account
    assert "?provider=flowroute&account=default#journal" in links
    assert "?account=default#journal" in links
    assert "?#journal" in links  # clear the filter


def test_the_journal_shows_the_newest_200_requests(client: Client):
    for i in range(205):
        client.get(f"/v2/numbers/{i}", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH)
    _, parsed = page(client)
    paths = journal_paths(parsed)
    assert len(paths) == dashboard.JOURNAL_LIMIT == 200
    assert paths[0] == "/v2/numbers/204" and paths[-1] == "/v2/numbers/5"
    assert "205 requests, newest 200 shown, newest first." in parsed.text("journal")


def test_webhooks_and_faults_are_shown(client: Client, world: World):
    sent = client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json={"data": {
        "type": "message",
        "attributes": {"to": "12065551234", "from": OWNED, "body": "hi", "dlr_callback": "http://127.0.0.1:9/dlr"},
    }})
    assert sent.status_code == 202, sent.json
    world.clock.advance(60)
    assert client.post("/_fakeroute/faults", json={"provider": "twilio", "status": 503, "times": 2}).status_code == 201

    _, parsed = page(client)
    outbox = parsed.text("outbox")
    assert "Webhooks 3" in outbox
    assert outbox.count("http://127.0.0.1:9/dlr") == 3 and "dlr" in outbox and "recorded" in outbox
    assert "wh-1" in outbox and outbox.index("wh-3") < outbox.index("wh-1")  # newest first
    faults = parsed.text("faults")
    assert "Faults 1" in faults and "twilio" in faults and "503" in faults
    # The sent message, with its receipts, is in the state.
    assert "Requests 1" in parsed.text("journal")
    assert "hi" in parsed.text("state-default-flowroute") and "smsc submit" in parsed.text("state-default-flowroute")


def test_scheduled_webhooks_are_shown_before_their_time(client: Client):
    client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json={"data": {
        "type": "message",
        "attributes": {"to": "12065551234", "from": OWNED, "body": "hi", "dlr_callback": "http://127.0.0.1:9/dlr"},
    }})
    _, parsed = page(client)
    assert "scheduled" in parsed.text("outbox")


def test_everything_is_escaped(client: Client, world: World):
    created = client.post("/_fakeroute/accounts", json={"name": HOSTILE})
    assert created.status_code == 201
    patched = client.patch(f"/v2/numbers/{OWNED}", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH,
                           json={"type": "number", "alias": HOSTILE})
    assert patched.status_code == 200, patched.json
    client.get("/v2/numbers/<img src=x onerror=alert(2)>", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH)
    client.post("/_fakeroute/faults", json={"path": '/x"><script>alert(3)</script>', "status": 500})

    html, parsed = page(client, "?provider=%3Cscript%3Ealert(4)%3C%2Fscript%3E&account=%22%3E%3Cb%3E")
    assert "<script>alert" not in html and "<img src=x" not in html and '"><b>' not in html
    assert html.count("<script>") == 1  # the page's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE in parsed.text("state-default-flowroute")  # shown as text, as it is
    assert HOSTILE in parsed.text("account-account-3")
    assert "<script>alert(3)</script>" in parsed.text("faults")
    # The hostile filter is echoed only as an (escaped) option value.
    assert ("option", {"value": "<script>alert(4)</script>", "selected": None}) in parsed.tags
    assert [tag for tag, _ in parsed.tags].count("script") == 1


def test_no_outside_assets_or_links(client: Client):
    buy_a_number(client)
    client.post("/v2.1/messages", base_url=FLOWROUTE, headers=FLOWROUTE_AUTH, json={"data": {
        "type": "message",
        "attributes": {"to": "12065551234", "from": OWNED, "body": "hi", "dlr_callback": "https://example.com/dlr"},
    }})
    html, parsed = page(client)
    assert "https://customer.example/inbound" in html  # URLs in the state are text...
    for tag, attrs in parsed.tags:  # ...never links, sources or form targets
        if (tag, attrs) == ("link", {"rel": "icon", "href": "data:,"}):
            continue  # the empty icon that keeps the browser from asking for /favicon.ico
        for name in ("src", "href", "action", "srcset", "data", "poster"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("?", "#", "/_fakeroute/")), f"<{tag} {name}={value!r}>"
    assert [tag for tag, _ in parsed.tags if tag in ("link", "img", "iframe", "object", "embed")] == ["link"]
    assert "@import" not in html and "url(" not in html
    assert [attrs for tag, attrs in parsed.tags if tag == "script"] == [{}]  # inline only


def test_reset_button_and_auto_refresh(client: Client):
    html, parsed = page(client)
    assert ("button", {"type": "button", "id": "reset", "class": "danger",
                       "title": "POST /_fakeroute/reset: back to the seeded scenario"}) in parsed.tags
    assert "fetch('/_fakeroute/reset', {method: 'POST'})" in html and "location.reload()" in html
    assert ("input", {"type": "checkbox", "id": "auto", "checked": None}) in parsed.tags
    assert "setInterval(" in html


def test_render_reads_the_world_under_its_lock():
    world = World(seed=0)
    holder_has_it, release = threading.Event(), threading.Event()

    def hold() -> None:
        with world.lock:
            holder_has_it.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holder_has_it.wait(10)
    pages: list[str] = []
    reader = threading.Thread(target=lambda: pages.append(dashboard.render(world)))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive() and not pages  # waiting for the lock
    release.set()
    reader.join(10)
    holder.join(10)
    assert pages and pages[0].startswith("<!doctype html>")


def test_a_providers_state_is_rendered_from_its_dump_whatever_its_shape(monkeypatch: pytest.MonkeyPatch):
    world = World(seed=0)
    flowroute = next(p for p in world.providers if p.name == "flowroute")
    twilio = next(p for p in world.providers if p.name == "twilio")
    monkeypatch.setattr(flowroute, "dump_state", lambda state: {
        "region": "eu-<west>",
        "gizmos": [{"id": "g1", "status": "failed", "parts": [{"name": "sprocket"}], "tags": ["a", "b"]}],
        "widgets": [],
    })
    monkeypatch.setattr(twilio, "dump_state", lambda state: None)
    parsed = Page(dashboard.render(world))
    section = parsed.text("state-default-flowroute")
    assert "region eu-<west>" in section
    assert "Gizmos 1" in section and "g1" in section and "failed" in section and "sprocket" in section
    assert "No widgets." in section
    assert "state-default-twilio" not in parsed.text_by_id  # no section for a provider without state
    assert "fakeroute-auth-token" in parsed.text("account-default")  # its credentials are still shown
