"""Twilio Routes v2 through the unmodified twilio SDK, in-process (WSGI) and over real HTTP (waitress)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from fakeroute.providers import PROVIDERS
from fakeroute.world import World
from tests.support.twilio import (
    ACCOUNT_SID,
    API_KEY_SECRET,
    API_KEY_SID,
    AUTH_TOKEN,
    CONFIGURED_NUMBER,
    NEVER_CONFIGURED_NUMBER,
    OTHER_ACCOUNT_SID,
    OTHER_AUTH_TOKEN,
    OTHER_NUMBER,
    OTHER_SIP_DOMAIN,
    OTHER_TRUNK,
    SIP_DOMAIN,
    TRUNK,
    RecordingHttpClient,
    WsgiHttpClient,
    check_response,
)

TWILIO = next(p for p in PROVIDERS if p.name == "twilio")
MakeClient = Callable[..., Client]


@pytest.fixture(params=["wsgi", "http"])
def mode(request) -> str:
    return request.param


@pytest.fixture
def twilio_world(request, mode: str, world: World) -> World:
    """The World behind the SDK client, whichever way it is reached (the live one is reset per test)."""
    if mode == "wsgi":
        return world
    request.getfixturevalue("server_url")
    return request.getfixturevalue("live_world")


@pytest.fixture
def make_client(request, mode: str, app, twilio_world: World, monkeypatch) -> Iterator[MakeClient]:
    """Twilio clients for any credentials; after the test, every answer they got is held to the schemas."""
    for variable in ("TWILIO_EDGE", "TWILIO_REGION"):  # they would rewrite the fake's host name
        monkeypatch.delenv(variable, raising=False)
    made: list[WsgiHttpClient | RecordingHttpClient] = []

    def make(username: str = ACCOUNT_SID, password: str = AUTH_TOKEN, **kwargs) -> Client:
        http = WsgiHttpClient(app) if mode == "wsgi" else RecordingHttpClient()
        made.append(http)
        client = Client(username, password, http_client=http, **kwargs)
        if mode == "http":
            client.routes.base_url = request.getfixturevalue("server_url")
        return client

    yield make
    exchanges = [exchange for http in made for exchange in http.exchanges]
    assert exchanges, "the test made no request"
    for exchange in exchanges:
        check_response(exchange)


@pytest.fixture
def client(make_client: MakeClient) -> Client:
    return make_client()


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
def test_fetch_returns_every_field_of_the_resource(client, kind, mode):
    context, key_field, key = resources(client)[kind]
    resource = context.fetch()
    assert getattr(resource, key_field) == key
    assert resource.account_sid == ACCOUNT_SID
    assert resource.sid.startswith("QQ") and len(resource.sid) == 34
    assert resource.voice_region == "us1"
    assert resource.friendly_name in ("Seattle office", "Main PBX", "Primary trunk")
    # The SDK turned the dates into datetimes: they came in its format.
    assert resource.date_created == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert resource.date_updated == resource.date_created
    base = "https://routes.twilio.com" if mode == "wsgi" else client.routes.base_url
    assert resource.url == f"{base}/v2/{PATHS[kind]}/{key}"


def test_a_never_configured_number_reports_the_default_region(client, twilio_world):
    number = client.routes.v2.phone_numbers(NEVER_CONFIGURED_NUMBER).fetch()
    assert number.phone_number == NEVER_CONFIGURED_NUMBER
    assert number.voice_region == "us1" and number.friendly_name is None
    assert number.date_created == number.date_updated == twilio_world.clock.start


@pytest.mark.filterwarnings("ignore:.* is deprecated. Use v2:DeprecationWarning")
def test_the_shortcut_without_v2_reaches_the_same_resources(client):
    assert client.routes.phone_numbers(CONFIGURED_NUMBER).fetch().friendly_name == "Seattle office"
    assert client.routes.sip_domains(SIP_DOMAIN).fetch().sip_domain == SIP_DOMAIN
    assert client.routes.trunks(TRUNK).fetch().sip_trunk_domain == TRUNK


def test_an_api_key_authenticates_as_its_account(make_client):
    client = make_client(API_KEY_SID, API_KEY_SECRET, account_sid=ACCOUNT_SID)
    assert client.routes.v2.trunks(TRUNK).fetch().account_sid == ACCOUNT_SID


# -- update ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_update_returns_the_change_and_a_later_fetch_sees_it(client, twilio_world, kind):
    context, _, _ = resources(client)[kind]
    before = context.fetch()
    when = twilio_world.clock.peek()
    updated = context.update(voice_region="ie1", friendly_name="Dublin failover")
    assert (updated.voice_region, updated.friendly_name) == ("ie1", "Dublin failover")
    assert updated.date_updated == when and updated.date_created == before.date_created
    assert updated.sid == before.sid
    fetched = context.fetch()
    assert (fetched.voice_region, fetched.friendly_name, fetched.date_updated) == ("ie1", "Dublin failover", when)


def test_update_changes_only_the_fields_it_sends(client):
    number = client.routes.v2.phone_numbers(CONFIGURED_NUMBER)
    assert number.update(voice_region="au1").friendly_name == "Seattle office"
    renamed = number.update(friendly_name="Renamed")
    assert (renamed.voice_region, renamed.friendly_name) == ("au1", "Renamed")


def test_an_empty_update_changes_nothing(client, twilio_world):
    context = client.routes.v2.sip_domains(SIP_DOMAIN)
    before = context.fetch()
    with unchanged(twilio_world):
        after = context.update()
    assert after.voice_region == before.voice_region and after.date_updated == before.date_updated


def test_a_reset_brings_back_the_scenario(client, twilio_world):
    domain = client.routes.v2.sip_domains(SIP_DOMAIN)
    before = domain.fetch()
    domain.update(voice_region="au1", friendly_name="Changed")
    twilio_world.reset()
    after = domain.fetch()
    assert (after.voice_region, after.friendly_name, after.date_updated) == (
        before.voice_region, before.friendly_name, before.date_updated)


def test_a_friendly_name_of_exactly_64_characters_is_accepted(client):
    assert client.routes.v2.trunks(TRUNK).update(friendly_name="x" * 64).friendly_name == "x" * 64


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "key"),
    [("phone_numbers", "+15550000000"), ("sip_domains", "nobody.sip.twilio.com"), ("trunks", "nobody.pstn.twilio.com")],
)
def test_an_unknown_resource_is_twilios_404(client, twilio_world, kind, key):
    context = getattr(client.routes.v2, kind)(key)
    with unchanged(twilio_world):
        error = refused(context.fetch, 404, 20404)
        assert error.msg == f"Unable to fetch record: The requested resource /{PATHS[kind]}/{key} was not found"
        assert error.uri == f"/{PATHS[kind]}/{key}" and error.method == "GET"
        refused(lambda: context.update(voice_region="ie1"), 404, 20404)


@pytest.mark.parametrize(("kind", "key"), [("phone_numbers", OTHER_NUMBER), ("sip_domains", OTHER_SIP_DOMAIN),
                                           ("trunks", OTHER_TRUNK)])
def test_another_accounts_resources_are_not_found_and_not_changed(make_client, twilio_world, kind, key):
    mine, theirs = make_client(), make_client(OTHER_ACCOUNT_SID, OTHER_AUTH_TOKEN)
    with unchanged(twilio_world):
        refused(getattr(mine.routes.v2, kind)(key).fetch, 404, 20404)
        refused(lambda: getattr(mine.routes.v2, kind)(key).update(friendly_name="taken over"), 404, 20404)
    owned = getattr(theirs.routes.v2, kind)(key).fetch()
    assert owned.account_sid == OTHER_ACCOUNT_SID and owned.friendly_name != "taken over"


def test_the_other_account_does_not_see_the_default_accounts_resources(make_client):
    theirs = make_client(OTHER_ACCOUNT_SID, OTHER_AUTH_TOKEN)
    refused(theirs.routes.v2.phone_numbers(CONFIGURED_NUMBER).fetch, 404, 20404)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("region", ["eu1", "US1", "dublin", ""])
def test_a_voice_region_twilio_does_not_offer_is_a_400(client, twilio_world, kind, region):
    context, _, _ = resources(client)[kind]
    with unchanged(twilio_world):
        error = refused(lambda: context.update(voice_region=region, friendly_name="never stored"), 400, 20001)
    assert "VoiceRegion" in error.msg and error.method == "POST"


@pytest.mark.parametrize("kind", KINDS)
def test_a_friendly_name_over_64_characters_is_a_400(client, twilio_world, kind):
    context, _, _ = resources(client)[kind]
    with unchanged(twilio_world):
        error = refused(lambda: context.update(voice_region="au1", friendly_name="x" * 65), 400, 20002)
    assert "FriendlyName" in error.msg and "64" in error.msg


@pytest.mark.parametrize(
    ("username", "password"),
    [(ACCOUNT_SID, "wrong-token"), (OTHER_ACCOUNT_SID, AUTH_TOKEN), ("AC" + "0" * 32, AUTH_TOKEN),
     (API_KEY_SID, AUTH_TOKEN)],
)
def test_bad_credentials_are_twilios_401(make_client, twilio_world, username, password):
    client = make_client(username, password)
    with unchanged(twilio_world):
        error = refused(client.routes.v2.phone_numbers(CONFIGURED_NUMBER).fetch, 401, 20003)
        refused(lambda: client.routes.v2.trunks(TRUNK).update(voice_region="ie1"), 401, 20003)
    assert error.msg == "Unable to fetch record: Authenticate"
