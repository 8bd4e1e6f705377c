"""Twilio Routes v2 through the unmodified twilio SDK, in-process (WSGI) and over real HTTP (waitress)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from fakeroute.world import World
from tests.support.twilio import (
    ACCOUNT_SID,
    API_KEY_SECRET,
    API_KEY_SID,
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
    TWILIO,
)


def resources(client: Client):
    """The three resource contexts of the default account, as (SDK context, its key field, key)."""
    return {
        "phone_numbers": (client.routes.v2.phone_numbers(CONFIGURED_NUMBER), "phone_number", CONFIGURED_NUMBER),
        "sip_domains": (client.routes.v2.sip_domains(SIP_DOMAIN), "sip_domain", SIP_DOMAIN),
        "trunks": (client.routes.v2.trunks(TRUNK), "sip_trunk_domain", TRUNK),
    }


KINDS = ["phone_numbers", "sip_domains", "trunks"]
PATHS = {"phone_numbers": "PhoneNumbers", "sip_domains": "SipDomains", "trunks": "Trunks"}


@contextmanager
def unchanged(world: World) -> Iterator[None]:
    """The block must leave every account's Twilio state and the clock as they were."""
    before = [TWILIO.dump_state(a.state("twilio")) for a in world], world.clock.peek()
    yield
    assert ([TWILIO.dump_state(a.state("twilio")) for a in world], world.clock.peek()) == before


def refused(call: Callable[[], object], status: int, code: int) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as caught:
        call()
    assert (caught.value.status, caught.value.code) == (status, code), caught.value
    return caught.value


# -- fetch ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_fetch_returns_every_field_of_the_resource(twilio_client, target, kind):
    context, key_field, key = resources(twilio_client)[kind]
    resource = context.fetch()
    assert getattr(resource, key_field) == key
    assert resource.account_sid == ACCOUNT_SID
    assert resource.sid.startswith("QQ") and len(resource.sid) == 34
    assert resource.voice_region == "us1"
    assert resource.friendly_name in ("Seattle office", "Main PBX", "Primary trunk")
    # The SDK turned the dates into datetimes: they came in its format.
    assert resource.date_created == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert resource.date_updated == resource.date_created
    assert resource.url == f"{target.base(HOST)}/v2/{PATHS[kind]}/{key}"


def test_a_never_configured_number_reports_the_default_region(twilio_client, target):
    number = twilio_client.routes.v2.phone_numbers(NEVER_CONFIGURED_NUMBER).fetch()
    assert number.phone_number == NEVER_CONFIGURED_NUMBER
    assert number.voice_region == "us1" and number.friendly_name is None
    assert number.date_created == number.date_updated == target.world.clock.start


@pytest.mark.filterwarnings("ignore:.* is deprecated. Use v2:DeprecationWarning")
def test_the_shortcut_without_v2_reaches_the_same_resources(twilio_client):
    assert twilio_client.routes.phone_numbers(CONFIGURED_NUMBER).fetch().friendly_name == "Seattle office"
    assert twilio_client.routes.sip_domains(SIP_DOMAIN).fetch().sip_domain == SIP_DOMAIN
    assert twilio_client.routes.trunks(TRUNK).fetch().sip_trunk_domain == TRUNK


def test_an_api_key_authenticates_as_its_account(make_client):
    client = make_client(API_KEY_SID, API_KEY_SECRET, account_sid=ACCOUNT_SID)
    assert client.routes.v2.trunks(TRUNK).fetch().account_sid == ACCOUNT_SID


# -- update ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_update_returns_the_change_and_a_later_fetch_sees_it(twilio_client, target, kind):
    context, _, _ = resources(twilio_client)[kind]
    before = context.fetch()
    when = target.world.clock.peek()
    updated = context.update(voice_region="ie1", friendly_name="Dublin failover")
    assert (updated.voice_region, updated.friendly_name) == ("ie1", "Dublin failover")
    assert updated.date_updated == when and updated.date_created == before.date_created
    assert updated.sid == before.sid
    fetched = context.fetch()
    assert (fetched.voice_region, fetched.friendly_name, fetched.date_updated) == ("ie1", "Dublin failover", when)


def test_update_changes_only_the_fields_it_sends(twilio_client):
    number = twilio_client.routes.v2.phone_numbers(CONFIGURED_NUMBER)
    assert number.update(voice_region="au1").friendly_name == "Seattle office"
    renamed = number.update(friendly_name="Renamed")
    assert (renamed.voice_region, renamed.friendly_name) == ("au1", "Renamed")


def test_an_empty_update_changes_nothing(twilio_client, target):
    context = twilio_client.routes.v2.sip_domains(SIP_DOMAIN)
    before = context.fetch()
    with unchanged(target.world):
        after = context.update()
    assert after.voice_region == before.voice_region and after.date_updated == before.date_updated


def test_a_reset_brings_back_the_scenario(twilio_client, target):
    domain = twilio_client.routes.v2.sip_domains(SIP_DOMAIN)
    before = domain.fetch()
    domain.update(voice_region="au1", friendly_name="Changed")
    target.world.reset()
    after = domain.fetch()
    assert (after.voice_region, after.friendly_name, after.date_updated) == (
        before.voice_region, before.friendly_name, before.date_updated)


def test_a_friendly_name_of_exactly_64_characters_is_accepted(twilio_client):
    assert twilio_client.routes.v2.trunks(TRUNK).update(friendly_name="x" * 64).friendly_name == "x" * 64


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key"),
    [("phone_numbers", "+15550000000"), ("sip_domains", "nobody.sip.twilio.com"), ("trunks", "nobody.pstn.twilio.com")],
)
def test_an_unknown_resource_is_twilios_404(twilio_client, target, kind, key):
    context = getattr(twilio_client.routes.v2, kind)(key)
    with unchanged(target.world):
        error = refused(context.fetch, 404, 20404)
        assert error.msg == f"Unable to fetch record: The requested resource /{PATHS[kind]}/{key} was not found"
        assert error.uri == f"/{PATHS[kind]}/{key}" and error.method == "GET"
        refused(lambda: context.update(voice_region="ie1"), 404, 20404)


@pytest.mark.parametrize(("kind", "key"), [("phone_numbers", OTHER_NUMBER), ("sip_domains", OTHER_SIP_DOMAIN),
                                           ("trunks", OTHER_TRUNK)])
def test_another_accounts_resources_are_not_found_and_not_changed(make_client, target, kind, key):
    mine, theirs = make_client(), make_client(OTHER_ACCOUNT_SID, OTHER_AUTH_TOKEN)
    with unchanged(target.world):
        refused(getattr(mine.routes.v2, kind)(key).fetch, 404, 20404)
        refused(lambda: getattr(mine.routes.v2, kind)(key).update(friendly_name="taken over"), 404, 20404)
    owned = getattr(theirs.routes.v2, kind)(key).fetch()
    assert owned.account_sid == OTHER_ACCOUNT_SID and owned.friendly_name != "taken over"


def test_the_other_account_does_not_see_the_default_accounts_resources(make_client):
    theirs = make_client(OTHER_ACCOUNT_SID, OTHER_AUTH_TOKEN)
    refused(theirs.routes.v2.phone_numbers(CONFIGURED_NUMBER).fetch, 404, 20404)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("region", ["eu1", "US1", "dublin", ""])
def test_a_voice_region_twilio_does_not_offer_is_a_400(twilio_client, target, kind, region):
    context, _, _ = resources(twilio_client)[kind]
    with unchanged(target.world):
        error = refused(lambda: context.update(voice_region=region, friendly_name="never stored"), 400, 20001)
    assert "VoiceRegion" in error.msg and error.method == "POST"


@pytest.mark.parametrize("kind", KINDS)
def test_a_friendly_name_over_64_characters_is_a_400(twilio_client, target, kind):
    context, _, _ = resources(twilio_client)[kind]
    with unchanged(target.world):
        error = refused(lambda: context.update(voice_region="au1", friendly_name="x" * 65), 400, 20002)
    assert "FriendlyName" in error.msg and "64" in error.msg


@pytest.mark.parametrize(
    ("username", "password"),
    [(ACCOUNT_SID, "wrong-token"), (OTHER_ACCOUNT_SID, AUTH_TOKEN), ("AC" + "0" * 32, AUTH_TOKEN),
     (API_KEY_SID, AUTH_TOKEN)],
)
def test_bad_credentials_are_twilios_401(make_client, target, username, password):
    client = make_client(username, password)
    with unchanged(target.world):
        error = refused(client.routes.v2.phone_numbers(CONFIGURED_NUMBER).fetch, 401, 20003)
        refused(lambda: client.routes.v2.trunks(TRUNK).update(voice_region="ie1"), 401, 20003)
    assert error.msg == "Unable to fetch record: Authenticate"
