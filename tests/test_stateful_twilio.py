"""Twilio Routes v2 as a state machine (hypothesis): two accounts update their own and each other's phone numbers,
SIP domains and trunks with good and bad forms, with resets between. After every step each account fetches exactly
what its accepted updates set (a field left out is kept), another account's resources stay unknown to it, and every
refused update left the state as it was."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.support.harness import basic
from tests.support.stateful import SETTINGS, Fake
from tests.support.twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    CONFIGURED_NUMBER,
    HOST,
    NEVER_CONFIGURED_NUMBER,
    OTHER_ACCOUNT_SID,
    OTHER_AUTH_TOKEN,
    OTHER_NUMBER,
    OTHER_SIP_DOMAIN,
    OTHER_TRUNK,
    SIP_DOMAIN,
    TRUNK,
)

ACCOUNTS = {"default": basic(ACCOUNT_SID, AUTH_TOKEN), "other": basic(OTHER_ACCOUNT_SID, OTHER_AUTH_TOKEN)}
RESOURCES = {
    "default": [f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", f"/v2/PhoneNumbers/{NEVER_CONFIGURED_NUMBER}",
                f"/v2/SipDomains/{SIP_DOMAIN}", f"/v2/Trunks/{TRUNK}"],
    "other": [f"/v2/PhoneNumbers/{OTHER_NUMBER}", f"/v2/SipDomains/{OTHER_SIP_DOMAIN}", f"/v2/Trunks/{OTHER_TRUNK}"],
}
EVERY_RESOURCE = [path for paths in RESOURCES.values() for path in paths] + ["/v2/PhoneNumbers/+15550000000"]
REGIONS = ["us1", "ie1", "au1", "US1", "eu1", ""]  # the last three are refused
FIELDS = {"voice_region": "VoiceRegion", "friendly_name": "FriendlyName"}


@cache
def fake() -> Fake:
    return Fake()


class TwilioMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = fake()

    @initialize()
    def start_from_the_scenario(self) -> None:
        self.fake.admin("POST", "/reset")
        self.expected = {path: self.fetch(account, path) for account, paths in RESOURCES.items() for path in paths}

    def fetch(self, account: str, path: str) -> dict:
        answer = self.fake.call(HOST, "GET", path, ACCOUNTS[account])
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return {field: answer.json[field] for field in FIELDS}

    @rule(account=st.sampled_from(list(ACCOUNTS)), path=st.sampled_from(EVERY_RESOURCE),
          region=st.one_of(st.none(), st.sampled_from(REGIONS)),
          name=st.one_of(st.none(), st.text(max_size=70)))
    def update(self, account: str, path: str, region: str | None, name: str | None) -> None:
        form = {k: v for k, v in (("VoiceRegion", region), ("FriendlyName", name)) if v is not None}
        before = self.fake.state()
        answer = self.fake.call(HOST, "POST", path, {**ACCOUNTS[account],
                                                     "Content-Type": "application/x-www-form-urlencoded"},
                                data=urlencode(form))
        # The form is checked before the resource is looked up: a bad one is a 400 wherever it is sent.
        if (region is not None and region not in ("us1", "ie1", "au1")) or (name is not None and len(name) > 64):
            expected_status = 400
        elif path not in RESOURCES[account]:
            expected_status = 404
        else:
            expected_status = 200
        assert answer.status_code == expected_status, (form, answer.get_data(as_text=True))
        if expected_status != 200:
            assert self.fake.state() == before
            return
        if region is not None:
            self.expected[path]["voice_region"] = region
        if name is not None:
            self.expected[path]["friendly_name"] = name
        assert {field: answer.json[field] for field in FIELDS} == self.expected[path]

    @rule(account=st.sampled_from(list(ACCOUNTS)), body=st.binary(max_size=40))
    def update_with_any_bytes(self, account: str, body: bytes) -> None:
        """An update of a resource nobody has: whatever the bytes, a 404 (credentials and path come first)."""
        before = self.fake.state()
        answer = self.fake.call(HOST, "POST", "/v2/Trunks/nobody.pstn.twilio.com", ACCOUNTS[account], data=body)
        assert answer.status_code in (400, 404), answer.get_data(as_text=True)
        assert self.fake.state() == before

    @rule()
    def reset(self) -> None:
        self.start_from_the_scenario()

    @invariant()
    def each_account_fetches_what_it_set_and_nothing_of_the_other(self) -> None:
        for account, paths in RESOURCES.items():
            for path in paths:
                assert self.fetch(account, path) == self.expected[path]
            stranger = next(a for a in ACCOUNTS if a != account)
            assert self.fake.call(HOST, "GET", paths[0], ACCOUNTS[stranger]).status_code == 404


TwilioMachine.TestCase.settings = SETTINGS
TestTwilio = TwilioMachine.TestCase
