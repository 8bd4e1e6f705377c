"""AgentMessage as a state machine (hypothesis): two organizations search, order (all or nothing), update, release
(into a 30-day quarantine on the fake clock) and walk their numbers by cursor, with resets and clock moves between.
After every step: each cursor walk lists exactly the org's numbers once each, also while numbers are ordered between
its pages; no number is both available and owned, owned twice or offered while quarantined; available + held is
constant; every refused request left the state as it was."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from tests.support.agentmessage import DEFAULT_KEY, HOST, OTHER_KEY
from tests.support.harness import bearer
from tests.support.stateful import SETTINGS, Fake, check_the_shared_inventory, conserved_total

ORGS = {"default": bearer(DEFAULT_KEY), "other": bearer(OTHER_KEY)}
AREAS = ["206", "212", "312", "415", "646"]
QUARANTINE_DAYS = 30
DAY = 86_400


@cache
def fake() -> Fake:
    return Fake()


class AgentMessageMachine(RuleBasedStateMachine):
    numbers = Bundle("numbers")  # E.164 numbers found by a search or owned by someone
    ids = Bundle("ids")  # (org, id, number) of an assignment

    def __init__(self) -> None:
        super().__init__()
        self.fake = fake()

    @initialize()
    def start_from_the_scenario(self) -> None:
        self.fake.admin("POST", "/reset")
        self.total = conserved_total(self.fake.world)
        self.owned = {org: {n["id"]: n["number"] for n in self.walk(org)} for org in ORGS}
        self.labels = {org: {} for org in ORGS}
        self.day = 0  # whole days the clock was moved on since the reset (calls add seconds, never a day)
        self.released: dict[str, int] = {}  # number -> the day it was released

    # -- the calls ----------------------------------------------------------------------------------------

    def call(self, org: str, method: str, path: str, **kwargs):
        return self.fake.call(HOST, method, path, ORGS[org], **kwargs)

    def walk(self, org: str, between=None) -> list[dict]:
        """GET /v1/phone-numbers two at a time until next_cursor is null; ``between()`` runs between pages."""
        seen: list[dict] = []
        query: dict = {"limit": 2}
        while True:
            page = self.call(org, "GET", "/v1/phone-numbers", query=query).json
            seen += page["data"]
            cursor = page["meta"]["next_cursor"]
            if cursor is None:
                return seen
            if between is not None:
                between()
            query = {"limit": 2, "cursor": cursor}

    def holder(self, number: str) -> str | None:
        return next((org for org, owned in self.owned.items() if number in owned.values()), None)

    def quarantined(self, number: str) -> bool:
        return number in self.released and self.day - self.released[number] < QUARANTINE_DAYS

    def unchanged_by(self, answer, status: int, before: bytes) -> None:
        assert answer.status_code == status, answer.get_data(as_text=True)
        assert self.fake.state() == before

    # -- rules --------------------------------------------------------------------------------------------

    @rule(target=numbers, area=st.sampled_from(AREAS))
    def search(self, area: str):
        found = self.call("default", "POST", "/v1/phone-numbers/search", json_body={"area_code": area, "quantity": 3})
        offered = [n["number"] for n in found.json["data"]]
        assert not any(self.holder(n) or self.quarantined(n) for n in offered), "a held number is offered"
        return multiple(*offered)

    @rule(target=numbers, org=st.sampled_from(list(ORGS)))
    def an_owned_number(self, org: str):
        return multiple(*sorted(self.owned[org].values())[:1])

    @rule(target=ids, org=st.sampled_from(list(ORGS)), wanted=st.lists(numbers, min_size=1, max_size=3))
    def order(self, org: str, wanted: list[str]):
        before = self.fake.state()
        answer = self.call(org, "POST", "/v1/phone-numbers/orders", json_body={"numbers": wanted})
        if any(self.holder(n) or self.quarantined(n) for n in wanted):
            self.unchanged_by(answer, 409, before)  # all or nothing
            return multiple()
        assert answer.status_code == 200, answer.get_data(as_text=True)
        bought = answer.json["data"]
        assert sorted(n["number"] for n in bought) == sorted(set(wanted))
        self.owned[org].update({n["id"]: n["number"] for n in bought})
        return multiple(*[(org, n["id"], n["number"]) for n in bought])

    @rule(target=ids, org=st.sampled_from(list(ORGS)), area=st.sampled_from(AREAS))
    def order_what_a_search_offers(self, org: str, area: str):
        found = self.call(org, "POST", "/v1/phone-numbers/search", json_body={"area_code": area, "quantity": 2})
        return self.order(org, [n["number"] for n in found.json["data"]])

    @rule(assignment=ids, as_owner=st.booleans())
    def release(self, assignment: tuple[str, str, str], as_owner: bool) -> None:
        owner, number_id, number = assignment
        org = owner if as_owner else next(o for o in ORGS if o != owner)
        before = self.fake.state()
        answer = self.call(org, "DELETE", f"/v1/phone-numbers/{number_id}")
        if owner == org and number_id in self.owned[org]:
            assert answer.status_code == 200, answer.get_data(as_text=True)
            del self.owned[org][number_id]
            self.labels[org].pop(number_id, None)
            self.released[number] = self.day
            assert self.call(org, "GET", f"/v1/phone-numbers/{number_id}").status_code == 404
        else:
            self.unchanged_by(answer, 404, before)  # another org's number is as unknown as none

    @rule(assignment=ids, as_owner=st.booleans(), label=st.text(max_size=20))
    def label(self, assignment: tuple[str, str, str], as_owner: bool, label: str) -> None:
        owner, number_id, _ = assignment
        org = owner if as_owner else next(o for o in ORGS if o != owner)
        before = self.fake.state()
        answer = self.call(org, "PATCH", f"/v1/phone-numbers/{number_id}", json_body={"label": label})
        if owner == org and number_id in self.owned[org]:
            assert answer.status_code == 200, answer.get_data(as_text=True)
            self.labels[org][number_id] = label or None
        else:
            self.unchanged_by(answer, 404, before)

    @rule(org=st.sampled_from(list(ORGS)), body=st.dictionaries(
        st.sampled_from(["label", "inbound_url", "status_url", "campaign_id", "id", "number"]),
        st.one_of(st.none(), st.integers(), st.booleans(), st.text(max_size=6), st.lists(st.integers(), max_size=2)),
        min_size=1))
    def patch_garbage(self, org: str, body: dict) -> None:
        """A PATCH of an id nobody holds: whatever the body, it is refused and changes nothing."""
        before = self.fake.state()
        answer = self.call(org, "PATCH", "/v1/phone-numbers/00000000-0000-4000-8000-000000000000", json_body=body)
        assert answer.status_code in (400, 404, 422), answer.get_data(as_text=True)
        assert self.fake.state() == before

    @rule(org=st.sampled_from(list(ORGS)), fresh=numbers)
    def walk_while_ordering(self, org: str, fresh: str) -> None:
        """Numbers ordered between the pages of a walk never make it skip or repeat the rows it started with."""
        existing = set(self.owned[org])
        ordered: list[tuple[str, str]] = []

        def order_one() -> None:
            if ordered or self.holder(fresh) or self.quarantined(fresh):
                return
            answer = self.call(org, "POST", "/v1/phone-numbers/orders", json_body={"numbers": [fresh]})
            assert answer.status_code == 200, answer.get_data(as_text=True)
            (bought,) = answer.json["data"]
            ordered.append((bought["id"], bought["number"]))
            self.owned[org][bought["id"]] = bought["number"]

        listed = [n["id"] for n in self.walk(org, between=order_one)]
        assert len(listed) == len(set(listed)), f"a cursor repeated a number: {listed}"
        assert existing <= set(listed), f"a cursor skipped {existing - set(listed)}"

    @rule(days=st.sampled_from([1, 29, 30, 31, 45]))
    def advance_the_clock(self, days: int) -> None:
        self.fake.admin("POST", "/clock", {"advance": days * DAY})
        self.day += days

    @rule()
    def reset(self) -> None:
        self.start_from_the_scenario()

    # -- invariants -----------------------------------------------------------------------------------------

    @invariant()
    def cursors_list_exactly_the_owned_numbers(self) -> None:
        for org in ORGS:
            listed = self.walk(org)
            ids = [n["id"] for n in listed]
            assert len(ids) == len(set(ids)), f"a cursor repeated a number: {ids}"
            assert {n["id"]: n["number"] for n in listed} == self.owned[org]
            for number in listed:
                if number["id"] in self.labels[org]:
                    assert number["label"] == self.labels[org][number["id"]]

    @invariant()
    def a_quarantine_ends_after_thirty_days(self) -> None:
        for number in self.released:
            if self.holder(number) is None:
                found = self.call("default", "POST", "/v1/phone-numbers/search",
                                  json_body={"pattern": number, "quantity": 1}).json["data"]
                assert bool(found) == (not self.quarantined(number)), (number, self.day - self.released[number])

    @invariant()
    def the_inventory_is_shared_and_conserved(self) -> None:
        check_the_shared_inventory(self.fake.world, self.total)


AgentMessageMachine.TestCase.settings = SETTINGS
TestAgentMessage = AgentMessageMachine.TestCase
