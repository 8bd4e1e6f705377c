"""Every common HTTP client reaches the fake under the fixture: requests, httpx (sync and async), aiohttp (and
the twilio SDK's async client on it), urllib3; unknown hosts untouched or blocked; async tests under
pytest-asyncio and anyio. Each suite runs the way users run theirs: pytester, the public fixtures only."""

from __future__ import annotations

import aiohttp  # noqa: F401  imported here so pytester's in-process runs share one copy with this process
import httpx  # noqa: F401
import pytest
import requests  # noqa: F401
import twilio.rest  # noqa: F401
import urllib3  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


def test_aiohttp_and_urllib3_reach_the_fake_with_faults_and_blocking(pytester: pytest.Pytester):
    pytester.makeini(INI)
    pytester.makepyfile("""
        import asyncio, base64, json
        import aiohttp, pytest, urllib3

        AUTH = {"Authorization": "Basic " + base64.b64encode(b"fakeroute:fakeroute-secret").decode()}

        def test_aiohttp(fakeroute):
            async def buy():
                async with aiohttp.ClientSession(headers=AUTH) as session:
                    async with session.get("https://api.flowroute.com/v2/numbers/available",
                                           params={"starts_with": "1206", "limit": "1"}) as found:
                        assert found.status == 200 and found.headers["Content-Type"] == "application/vnd.api+json"
                        number = (await found.json(content_type=None))["data"][0]["id"]
                    async with session.post(f"https://api.flowroute.com/v2/numbers/{number}") as bought:
                        assert bought.status == 201
                    route = {"data": {"type": "route", "attributes": {"route_type": "host", "value": "pbx.example.com",
                                                                       "alias": "pbx"}}}
                    async with session.post("https://api.flowroute.com/v2/routes", json=route) as created:
                        assert created.status == 201, await created.text()
                    return number

            number = asyncio.run(buy())
            assert number in fakeroute.state["default"].flowroute.numbers
            fakeroute.assert_called("flowroute", "POST", "/v2/routes", times=1,
                                    body={"data": {"attributes": {"alias": "pbx"}}})

        def test_aiohttp_dropped_connection_and_error_status(fakeroute):
            # aiohttp sends an idempotent request once more when the connection drops: drop both.
            fakeroute.fail(provider="flowroute", path="/v2/routes", drop=True, times=2)
            fakeroute.fail(503, provider="flowroute", path="/v2/numbers")

            async def calls():
                async with aiohttp.ClientSession(headers=AUTH) as session:
                    with pytest.raises(aiohttp.ClientError):
                        await session.get("https://api.flowroute.com/v2/routes")
                    async with session.get("https://api.flowroute.com/v2/numbers") as failed:
                        assert failed.status == 503
                    async with session.get("https://api.flowroute.com/v2/routes") as fine:
                        return fine.status

            assert asyncio.run(calls()) == 200
            assert [c.response is None for c in fakeroute.calls(path="/v2/routes")] == [True, True, False]

        def test_urllib3(fakeroute):
            http = urllib3.PoolManager(headers=AUTH)
            answer = http.request("GET", "https://api.flowroute.com/v2/routes")
            assert answer.status == 200 and answer.json()["data"][0]["id"] == "0"
            body = json.dumps({"data": {"type": "route", "attributes": {"route_type": "uri",
                                                                        "value": "sip:a@b.example", "alias": "a"}}})
            created = urllib3.request("POST", "https://api.flowroute.com/v2/routes", body=body,
                                      headers={**AUTH, "Content-Type": "application/vnd.api+json"})
            assert created.status == 201
            call = fakeroute.assert_called("flowroute", "POST", "/v2/routes", times=1)[0]
            assert call.headers["User-Agent"].startswith("python-urllib3/")

        def test_urllib3_retries_a_dropped_connection_as_urllib3_does(fakeroute):
            fakeroute.fail(provider="flowroute", drop=True, times=2)
            answer = urllib3.PoolManager(headers=AUTH).request("GET", "https://api.flowroute.com/v2/routes",
                                                              retries=urllib3.Retry(3, backoff_factor=0))
            assert answer.status == 200 and len(fakeroute.requests) == 3
            fakeroute.fail(provider="flowroute", drop=True, times=None)
            with pytest.raises(urllib3.exceptions.MaxRetryError, match="fakeroute dropped the connection"):
                urllib3.request("GET", "https://api.flowroute.com/v2/routes", retries=urllib3.Retry(1))

        @pytest.mark.fakeroute(block_unknown_hosts=True)
        def test_blocked(fakeroute):
            with pytest.raises(urllib3.exceptions.MaxRetryError, match="blocks calls to unknown hosts"):
                urllib3.request("GET", "https://example.com/")
            with pytest.raises(urllib3.exceptions.NewConnectionError, match="blocks calls to unknown hosts"):
                urllib3.request("GET", "https://example.com/", retries=False)

            async def get():
                async with aiohttp.ClientSession() as session:
                    await session.get("https://example.com/")

            with pytest.raises(aiohttp.ClientConnectorError, match="blocks calls to unknown hosts"):
                asyncio.run(get())
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_unknown_hosts_go_out_untouched_with_every_client(pytester: pytest.Pytester):
    pytester.makeini(INI)
    pytester.makepyfile("""
        import asyncio, http.server, threading
        import aiohttp, urllib3

        def test_loopback_server(fakeroute):
            class Hello(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    self.send_header("Content-Length", "11")
                    self.end_headers()
                    self.wfile.write(b"real server")

                def log_message(self, *args):
                    pass

            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_port}/"

            async def fetch():
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as answer:
                        return await answer.text()

            try:
                assert urllib3.request("GET", url).data == b"real server"
                assert asyncio.run(fetch()) == "real server"
                assert len(fakeroute.requests) == 0
            finally:
                server.shutdown()
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_twilio_sdk_sync_and_async_work_unchanged(pytester: pytest.Pytester):
    pytester.makeini(INI)
    pytester.makepyfile("""
        import pytest
        from twilio.base.exceptions import TwilioRestException
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        def test_sync(fakeroute, fakeroute_twilio):
            assert fakeroute_twilio.routes.v2.phone_numbers("+12065550100").update(voice_region="ie1").voice_region \\
                == "ie1"

        @pytest.mark.asyncio
        async def test_async_client_on_aiohttp(fakeroute):
            creds = fakeroute.credentials("twilio")
            http_client = AsyncTwilioHttpClient()
            client = Client(creds["account_sid"], creds["auth_token"], http_client=http_client)
            try:
                updated = await client.routes.v2.phone_numbers("+12065550100").update_async(
                    voice_region="au1", friendly_name="Sydney desk")
                assert updated.voice_region == "au1"
                fetched = await client.routes.v2.phone_numbers("+12065550100").fetch_async()
                assert fetched.friendly_name == "Sydney desk"
                with pytest.raises(TwilioRestException) as missing:
                    await client.routes.v2.sip_domains("nowhere.sip.twilio.com").fetch_async()
                assert missing.value.status == 404
            finally:
                await http_client.close()
            fakeroute.assert_called("twilio", "POST", "/v2/PhoneNumbers/*", times=1,
                                    body={"VoiceRegion": "au1", "FriendlyName": "Sydney desk"})
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_async_tests_under_pytest_asyncio_and_anyio(pytester: pytest.Pytester):
    pytester.makeini(INI)
    pytester.makepyfile("""
        import httpx, pytest

        async def owned(fakeroute):
            key = fakeroute.credentials("agentmessage")["api_keys"][0]["key"]
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as client:
                answer = await client.get("https://api.agentmsg.io/v1/phone-numbers")
            return len(answer.json()["data"])

        @pytest.mark.asyncio
        async def test_pytest_asyncio(fakeroute):
            assert await owned(fakeroute) == len(fakeroute.state["default"].agentmessage.numbers)

        @pytest.mark.anyio
        async def test_anyio(fakeroute):
            assert await owned(fakeroute) == len(fakeroute.state["default"].agentmessage.numbers)

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param
    """)
    pytester.runpytest().assert_outcomes(passed=3)


def test_httpx_clients_share_one_ssl_context_while_intercepting(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import ssl
        import httpx

        def context(client):
            return client._transport._pool._ssl_context

        def test_shared(fakeroute):
            first, second = httpx.Client(), httpx.AsyncClient()
            assert context(first) is context(second)
            assert context(first).verify_mode == ssl.CERT_REQUIRED  # the default settings, loaded once
            own = ssl.create_default_context()
            assert context(httpx.Client(verify=own)) is own  # a context of the test's own is used as given
            unverified = httpx.Client(verify=False)
            assert context(unverified) is not context(first) and context(unverified).verify_mode == ssl.CERT_NONE
            assert httpx.get("https://api.flowroute.com/v2/routes",
                             auth=("fakeroute", "fakeroute-secret")).status_code == 200

        def test_after(fakeroute):
            pass

        def test_not_intercepting():
            assert context(httpx.Client()) is not context(httpx.Client())
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)
