"""Twilio Routes v2 at the HTTP level (what the SDK never sends), the admin API, scenarios and determinism."""

from __future__ import annotations

import json
import re

import pytest
import requests
from werkzeug.test import Client

from fakeroute.app import FakerouteApp
from fakeroute.world import ScenarioError, World, read_scenario
from tests.support import REPO
from tests.support.errors import error_of
from tests.support.harness import basic
from tests.support.twilio import (
    ACCOUNT_SID,
    AUTH,
    AUTH_TOKEN,
    CONFIGURED_NUMBER,
    OTHER_ACCOUNT_SID,
    SIP_DOMAIN,
    TRUNK,
    TWILIO,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# -- paths ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["+12065550100", "%2B12065550100", "%2012065550100"])
def test_a_phone_number_is_found_with_a_literal_an_encoded_or_a_form_decoded_plus(twilio, written):
    answer = twilio.get(f"/v2/PhoneNumbers/{written}")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert answer.json()["phone_number"] == CONFIGURED_NUMBER
    assert answer.json()["url"].endswith(f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}")


@pytest.mark.parametrize("written", ["12065550100", "+1%20206%20555%200100", "2065550100"])
def test_a_number_not_written_in_e164_is_not_found(twilio, written):
    error_of(twilio.get(f"/v2/PhoneNumbers/{written}"), 404, 20404)


def test_domain_names_are_matched_without_regard_to_case(twilio):
    assert twilio.get("/v2/SipDomains/FakeRoute.SIP.Twilio.com").json()["sip_domain"] == SIP_DOMAIN
    assert twilio.get("/v2/Trunks/FAKEROUTE.PSTN.TWILIO.COM").json()["sip_trunk_domain"] == TRUNK


@pytest.mark.parametrize(
    "path",
    ["/v2/PhoneNumbers", "/v2/PhoneNumbers/", "/v2/SipDomains", "/v2/Trunks",
     f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}/Extra", f"/v2/Trunks/{TRUNK}/Regions"],
)
def test_unknown_paths_under_the_collections_are_twilios_404(twilio, path):
    body = error_of(twilio.get(path), 404, 20404)
    assert body["message"] == f"The requested resource {path.removeprefix('/v2')} was not found"


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
@pytest.mark.parametrize("path", [f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", f"/v2/SipDomains/{SIP_DOMAIN}",
                                  f"/v2/Trunks/{TRUNK}"])
def test_other_methods_are_twilios_405(twilio, method, path):
    answer = twilio.request(method, path)
    assert error_of(answer, 405, 20004)["message"] == "Method not allowed"
    assert answer.headers["Allow"] == "GET, POST"


# -- authentication -------------------------------------------------------------------------------


def test_no_credentials_is_a_401_with_a_basic_challenge(twilio):
    answer = twilio.get(f"/v2/Trunks/{TRUNK}", headers={"Authorization": ""})
    body = error_of(answer, 401, 20003)
    assert body == {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003",
                    "status": 401, "detail": "Your AccountSid or AuthToken was incorrect."}
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_credentials_are_checked_before_the_resource_and_the_form(twilio):
    bad = basic(ACCOUNT_SID, "nope")
    error_of(twilio.get("/v2/PhoneNumbers/+15550000000", headers=bad), 401, 20003)
    error_of(twilio.post(f"/v2/Trunks/{TRUNK}", headers={**bad, **FORM}, data="VoiceRegion=eu1"), 401, 20003)


def test_a_body_over_a_mebibyte_is_twilios_413(twilio):
    answer = twilio.post(f"/v2/Trunks/{TRUNK}", headers=FORM, data="FriendlyName=" + "x" * (1 << 20))
    error_of(answer, 413, 20413)


# -- the form -------------------------------------------------------------------------------------


def test_the_form_decodes_plus_as_space_ignores_unknown_fields_and_keeps_the_first_of_a_repeat(twilio):
    answer = twilio.post(f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", headers=FORM,
                    data="FriendlyName=My+Num&Unknown=1&VoiceRegion=au1&VoiceRegion=ie1")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["friendly_name"], answer.json()["voice_region"]) == ("My Num", "au1")


def test_an_empty_friendly_name_is_stored_and_resending_the_same_values_still_moves_date_updated(twilio):
    path = f"/v2/Trunks/{TRUNK}"
    first = twilio.post(path, headers=FORM, data="FriendlyName=&VoiceRegion=us1").json()
    again = twilio.post(path, headers=FORM, data="FriendlyName=&VoiceRegion=us1").json()
    assert first["friendly_name"] == again["friendly_name"] == ""
    assert again["date_updated"] > first["date_updated"] and again["date_created"] == first["date_created"]


def test_a_form_without_content_type_is_read_as_a_form(twilio):
    answer = twilio.post(f"/v2/Trunks/{TRUNK}", data=b"VoiceRegion=ie1")
    assert answer.json()["voice_region"] == "ie1"


@pytest.mark.parametrize(
    ("headers", "data", "code", "names"),
    [
        ({"Content-Type": "application/json"}, '{"VoiceRegion": "ie1"}', 20001, "x-www-form-urlencoded"),
        (FORM, b"FriendlyName=\xff", 20001, "UTF-8"),
        (FORM, "VoiceRegion=eu1", 20001, "VoiceRegion"),
        (FORM, "FriendlyName=" + "n" * 65, 20002, "FriendlyName"),
    ],
)
def test_a_bad_body_is_a_400_that_names_the_problem_and_changes_nothing(twilio, headers, data, code, names):
    before = twilio.get(f"/v2/SipDomains/{SIP_DOMAIN}").json()
    body = error_of(twilio.post(f"/v2/SipDomains/{SIP_DOMAIN}", headers=headers, data=data), 400, code)
    assert names in body["message"]
    assert twilio.get(f"/v2/SipDomains/{SIP_DOMAIN}").json() == before


# -- one tenant, two providers; the admin API -----------------------------------------------------


def test_the_default_account_has_its_flowroute_numbers_at_twilio_too(world):
    account = world.accounts["default"]
    flowroute = {"+" + n for n in account.state("flowroute").numbers}
    assert flowroute and flowroute <= set(account.state("twilio").phone_numbers)


def test_admin_accounts_show_twilio_credentials_and_new_accounts_get_working_ones(server_url):
    accounts = requests.get(f"{server_url}/_fakeroute/accounts", timeout=5).json()["accounts"]
    assert accounts[0]["twilio"] == {
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
        "api_keys": [{"sid": "SKfa4e7000000000000000000000000001", "secret": "fakeroute-api-key-secret"}],
    }
    assert accounts[1]["twilio"]["account_sid"] == OTHER_ACCOUNT_SID

    fresh = requests.post(f"{server_url}/_fakeroute/accounts", json={"name": "new"}, timeout=5).json()["twilio"]
    assert fresh["account_sid"].startswith("AC") and len(fresh["account_sid"]) == 34
    auth = (fresh["account_sid"], fresh["auth_token"])
    # Authenticated, and owning nothing: the default account's number is not found.
    answer = requests.get(f"{server_url}/v2/PhoneNumbers/{CONFIGURED_NUMBER}", auth=auth, timeout=5)
    assert answer.status_code == 404 and answer.json()["code"] == 20404


def test_the_state_document_keeps_updates_and_loads_back_as_a_scenario(server_url):
    requests.post(f"{server_url}/v2/Trunks/{TRUNK}", auth=(ACCOUNT_SID, AUTH_TOKEN),
                  data={"VoiceRegion": "au1", "FriendlyName": "Moved"}, timeout=5).raise_for_status()
    state = requests.get(f"{server_url}/_fakeroute/state", timeout=5).json()
    trunk = next(t for t in state["accounts"][0]["twilio"]["trunks"] if t["sip_trunk_domain"] == TRUNK)
    assert (trunk["voice_region"], trunk["friendly_name"]) == ("au1", "Moved")

    reloaded = World(seed=99, scenario=state)  # another seed: the sids are in the document
    account = reloaded.accounts["default"].state("twilio")
    assert TWILIO.dump_state(account) == state["accounts"][0]["twilio"]


# -- determinism and scenarios ----------------------------------------------------------------------


def sids(world: World) -> dict[str, str]:
    """Every Twilio sid of the world, by account and key."""
    return {
        f"{account.id} {key}": item.sid for account in world
        for collection in (account.state("twilio").phone_numbers, account.state("twilio").sip_domains,
                           account.state("twilio").trunks)
        for key, item in collection.items()
    }


def test_the_same_seed_gives_the_same_sids_and_another_seed_other_ones():
    first, again, other = sids(World(seed=0)), sids(World(seed=0)), sids(World(seed=1))
    assert first == again and len(set(first.values())) == len(first) == 11
    assert all(first[key] != other[key] for key in first)


def test_a_sid_does_not_depend_on_what_the_scenario_lists_before_it():
    _, document = read_scenario(None)
    numbers = document["accounts"][0]["twilio"]["phone_numbers"]
    document["accounts"][0]["twilio"]["phone_numbers"] = list(reversed(numbers))[:2]
    assert sids(World(scenario=document)).items() <= sids(World()).items()


def test_new_accounts_get_credentials_fixed_by_the_seed():
    def fresh(seed: int) -> dict:
        world = World(seed=seed)
        return TWILIO.public_credentials(world.create_account().state("twilio"))

    assert fresh(3) == fresh(3) != fresh(4)
    assert fresh(3)["api_keys"] == []


def test_an_account_without_a_twilio_section_cannot_call_twilio():
    world = World(scenario={"accounts": [{"id": "solo", "flowroute": {"access_key": "k", "secret_key": "s"}}]})
    state = world.accounts["solo"].state("twilio")
    assert TWILIO.public_credentials(state) is None and TWILIO.dump_state(state) is None
    answer = Client(FakerouteApp(world)).get(f"/v2/Trunks/{TRUNK}", headers=AUTH)
    assert answer.status_code == 401 and answer.json["code"] == 20003


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["phone_numbers"].append({"phone_number": "+12065550100"}),
         "accounts[0].twilio.phone_numbers[4].phone_number: +12065550100 is listed twice"),
        (lambda t: t["phone_numbers"].append({"phone_number": "+1206555010"}),
         "accounts[0].twilio.phone_numbers[4].phone_number: +1206555010 is not a possible phone number"),
        (lambda t: t["sip_domains"][0].update(voice_region="eu1"),
         "accounts[0].twilio.sip_domains[0].voice_region: must be one of 'us1', 'ie1', 'au1', got 'eu1'"),
        (lambda t: t["trunks"][0].update(date_created="2025-13-01T00:00:00Z"),
         "accounts[0].twilio.trunks[0].date_created: 2025-13-01T00:00:00Z is not a valid date"),
        (lambda t: t["trunks"].append({"sip_trunk_domain": "x.sip.twilio.com"}),
         "accounts[0].twilio.trunks[2].sip_trunk_domain: must be a lower-case trunk domain name"),
        (lambda t: t.update(account_sid=OTHER_ACCOUNT_SID, auth_token="fakeroute-other-auth-token"),
         "accounts[1].twilio: credentials already used by account 'default'"),
    ],
)
def test_a_bad_twilio_section_is_refused_with_a_message_naming_the_entry(change, message):
    _, document = read_scenario(None)
    change(document["accounts"][0]["twilio"])
    with pytest.raises(ScenarioError, match="^" + re.escape(f"scenario <scenario>: {message}")):
        World(scenario=document)


# -- docs/twilio.md ---------------------------------------------------------------------------------

DOC = REPO / "docs" / "twilio.md"


def test_the_docs_sdk_example_runs_against_the_server(server_url, monkeypatch):
    for variable in ("TWILIO_EDGE", "TWILIO_REGION"):
        monkeypatch.delenv(variable, raising=False)
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    exec(compile(block.replace("http://127.0.0.1:8080", server_url), str(DOC), "exec"), {})


def test_the_docs_sample_answer_is_what_the_fake_answers(client):
    (sample,) = [b for b in re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
                 if '"url"' in b]
    answer = client.get(f"/v2/PhoneNumbers/{CONFIGURED_NUMBER}", base_url="https://routes.twilio.com", headers=AUTH)
    assert answer.json == json.loads(sample)
