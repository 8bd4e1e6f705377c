"""Flowroute as a state machine (hypothesis): two accounts search, buy, release, route, alias and send in any order,
with resets and clock moves between. After every step: each account's pages list exactly its numbers (none skipped
or repeated), no number is both available and owned or owned twice, available + owned is constant, the MDRs since
the reset match the accepted sends, and every refused request left the state as it was."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, multiple, rule

from tests.support.flowroute import HOST, MOBILE
from tests.support.harness import basic
from tests.support.stateful import SETTINGS, Fake, check_the_shared_inventory, conserved_total

ACCOUNTS = {"default": basic("fakeroute", "fakeroute-secret"),
            "other": basic("fakeroute-other", "fakeroute-other-secret")}
AREAS = ["206", "212", "312", "415", "646", "888"]
ALIASES = ["front", "back", "night", "front"]  # route aliases repeat: a duplicate is a 422
SINCE_RESET = "2026-01-01T00:00:00Z"  # the clock starts here on every reset; the scenario's history is older


@cache
def fake() -> Fake:
    return Fake()


class FlowrouteMachine(RuleBasedStateMachine):
    numbers = Bundle("numbers")
    routes = Bundle("routes")

    def __init__(self) -> None:
        super().__init__()
        self.fake = fake()

    @initialize()
    def start_from_the_scenario(self) -> None:
        self.fake.admin("POST", "/reset")
        self.total = conserved_total(self.fake.world)
        self.owned = {account: set(self.walk(account)) for account in ACCOUNTS}
        self.route_aliases = {account: {r["attributes"]["alias"]: r["id"] for r in self.routes_of(account)}
                              for account in ACCOUNTS}
        self.sent = dict.fromkeys(ACCOUNTS, 0)

    # -- the calls ----------------------------------------------------------------------------------------

    def call(self, account: str, method: str, path: str, **kwargs):
        return self.fake.call(HOST, method, path, ACCOUNTS[account], **kwargs)

    def walk(self, account: str) -> list[str]:
        """Every page of GET /v2/numbers, two at a time, following links.next."""
        seen: list[str] = []
        offset = 0
        while True:
            page = self.call(account, "GET", "/v2/numbers", query={"limit": 2, "offset": offset}).json
            seen += [n["id"] for n in page["data"]]
            if not page["links"].get("next"):
                return seen
            offset += 2

    def routes_of(self, account: str) -> list[dict]:
        return self.call(account, "GET", "/v2/routes", query={"limit": 200}).json["data"]

    def refused(self, answer, *statuses: int) -> None:
        assert answer.status_code in statuses, answer.get_data(as_text=True)

    def owner(self, number: str) -> str | None:
        return next((a for a, numbers in self.owned.items() if number in numbers), None)

    # -- rules --------------------------------------------------------------------------------------------

    @rule(target=numbers, area=st.sampled_from(AREAS))
    def search(self, area: str):
        found = self.call("default", "GET", "/v2/numbers/available", query={"starts_with": "1" + area, "limit": 3})
        offered = [n["id"] for n in found.json["data"]]
        assert not any(self.owner(n) for n in offered), "an owned number is offered"
        return multiple(*offered)

    @rule(target=numbers, account=st.sampled_from(list(ACCOUNTS)))
    def an_owned_number(self, account: str):
        return multiple(*sorted(self.owned[account])[:1])

    @rule(account=st.sampled_from(list(ACCOUNTS)), number=numbers)
    def buy(self, account: str, number: str) -> None:
        before = self.fake.state()
        answer = self.call(account, "POST", f"/v2/numbers/{number}")
        if self.owner(number) is None:
            assert answer.status_code == 201, answer.get_data(as_text=True)
            self.owned[account].add(number)
        else:
            self.refused(answer, 404)
            assert self.fake.state() == before

    @rule(account=st.sampled_from(list(ACCOUNTS)), number=numbers)
    def release(self, account: str, number: str) -> None:
        before = self.fake.state()
        answer = self.call(account, "DELETE", f"/v2/numbers/{number}")
        if number in self.owned[account]:
            assert answer.status_code == 204, answer.get_data(as_text=True)
            self.owned[account].discard(number)
        else:
            self.refused(answer, 404)
            assert self.fake.state() == before

    @rule(target=routes, account=st.sampled_from(list(ACCOUNTS)), alias=st.sampled_from(ALIASES))
    def create_route(self, account: str, alias: str):
        before = self.fake.state()
        body = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "pbx.example.com",
                                                         "alias": alias}}}
        answer = self.call(account, "POST", "/v2/routes", json_body=body)
        if alias in self.route_aliases[account]:
            self.refused(answer, 422)
            assert self.fake.state() == before
            return multiple()
        assert answer.status_code == 201, answer.get_data(as_text=True)
        route = answer.json["data"]["id"]
        self.route_aliases[account][alias] = route
        return (account, route)

    @rule(account=st.sampled_from(list(ACCOUNTS)), number=numbers, route=routes)
    def route_a_number(self, account: str, number: str, route: tuple[str, str]) -> None:
        before = self.fake.state()
        answer = self.call(account, "PATCH", f"/v2/numbers/{number}/relationships/primary_route",
                           json_body={"data": {"type": "route", "id": route[1]}})
        if number in self.owned[account] and route[0] == account:
            assert answer.status_code == 204, answer.get_data(as_text=True)
            detail = self.call(account, "GET", f"/v2/numbers/{number}").json["data"]
            assert detail["relationships"]["primary_route"]["data"]["id"] == route[1]
        else:
            self.refused(answer, 404)
            assert self.fake.state() == before

    @rule(account=st.sampled_from(list(ACCOUNTS)), number=numbers, alias=st.one_of(st.none(), st.text(max_size=12)))
    def set_alias(self, account: str, number: str, alias: str | None) -> None:
        before = self.fake.state()
        answer = self.call(account, "PATCH", f"/v2/numbers/{number}", json_body={"type": "number", "alias": alias})
        if number in self.owned[account]:
            assert answer.status_code == 200 and answer.json["data"]["attributes"]["alias"] == alias
        else:
            self.refused(answer, 404)
            assert self.fake.state() == before

    @rule(account=st.sampled_from(list(ACCOUNTS)), number=numbers, text=st.text(min_size=1, max_size=40))
    def send(self, account: str, number: str, text: str) -> None:
        before = self.fake.state()
        message = {"data": {"type": "message", "attributes": {"to": MOBILE, "from": number, "body": text}}}
        answer = self.call(account, "POST", "/v2.1/messages", json_body=message)
        if number in self.owned[account]:
            assert answer.status_code == 202, answer.get_data(as_text=True)
            self.sent[account] += 1
        else:
            self.refused(answer, 403)
            assert self.fake.state() == before

    @rule(account=st.sampled_from(list(ACCOUNTS)), attributes=st.dictionaries(
        st.sampled_from(["to", "from", "body", "media_urls", "is_mms"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.text(max_size=4)))))
    def send_garbage(self, account: str, attributes: dict) -> None:
        """From a number nobody owns: whatever else the message holds, it is refused and changes nothing."""
        before = self.fake.state()
        message = {"data": {"type": "message", "attributes": {**attributes, "from": "12065550000"}}}
        self.refused(self.call(account, "POST", "/v2.1/messages", json_body=message), 400, 403, 422)
        assert self.fake.state() == before

    @rule(seconds=st.integers(min_value=1, max_value=3600))
    def advance_the_clock(self, seconds: int) -> None:
        self.fake.admin("POST", "/clock", {"advance": seconds})

    @rule(numbers=consumes(numbers))
    def reset(self, numbers: str) -> None:
        self.fake.admin("POST", "/reset")
        self.start_from_the_scenario()

    # -- invariants -----------------------------------------------------------------------------------------

    @invariant()
    def pages_list_exactly_the_owned_numbers(self) -> None:
        for account in ACCOUNTS:
            listed = self.walk(account)
            assert len(listed) == len(set(listed)), f"a page repeats a number: {listed}"
            assert set(listed) == self.owned[account]

    @invariant()
    def the_inventory_is_shared_and_conserved(self) -> None:
        check_the_shared_inventory(self.fake.world, self.total)

    @invariant()
    def every_accepted_send_has_its_mdr(self) -> None:
        for account in ACCOUNTS:
            mdrs = self.call(account, "GET", "/v2.1/messages", query={"start_date": SINCE_RESET, "limit": 1000})
            outbound = [m for m in mdrs.json["data"] if m["attributes"]["direction"] == "outbound"]
            assert len(outbound) == self.sent[account]


FlowrouteMachine.TestCase.settings = SETTINGS
TestFlowroute = FlowrouteMachine.TestCase
