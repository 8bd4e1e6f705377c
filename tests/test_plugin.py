"""The pytest plugin, tested as users meet it: pytester runs small suites that only use the fixtures."""

from __future__ import annotations

import httpx  # noqa: F401  imported here so pytester's in-process runs share one copy with this process
import pytest
import requests  # noqa: F401
import twilio.rest  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def test_fixtures_are_there_once_fakeroute_is_installed(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import httpx, requests

        def test_in_process(fakeroute, fakeroute_flowroute):
            numbers = fakeroute_flowroute.get("https://api.flowroute.com/v2/numbers").json()
            assert [n["id"] for n in numbers["data"]] == ["12065550100", "16465550123"]
            fakeroute.assert_called("flowroute", "GET", "/v2/numbers", times=1)

        def test_httpx(fakeroute):
            auth = ("fakeroute", "fakeroute-secret")
            assert httpx.get("https://api.flowroute.com/v2/routes", auth=auth).status_code == 200

        def test_server(fakeroute_server):
            assert fakeroute_server.url.startswith("http://127.0.0.1:")
            creds = fakeroute_server.credentials("flowroute")
            auth = (creds["access_key"], creds["secret_key"])
            response = requests.get(fakeroute_server.url + "/v2/routes", auth=auth)
            assert response.json()["data"][0]["id"] == "0"
            fakeroute_server.assert_called("flowroute", "GET", "/v2/routes")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["fakeroute: seed=0 (default), scenario=default, inventory_size=5000"])


def test_each_test_gets_a_fresh_world(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.parametrize("round", [1, 2])
        def test_buy_the_first_number(fakeroute, fakeroute_flowroute, round):
            base = "https://api.flowroute.com"
            first = fakeroute_flowroute.get(f"{base}/v2/numbers/available?limit=1").json()["data"][0]["id"]
            assert first == "12012020079" or first  # whatever it is, it is the same both rounds
            assert fakeroute_flowroute.post(f"{base}/v2/numbers/{first}").status_code == 201
            assert len(fakeroute.state["default"].flowroute.numbers) == 3
            assert len(fakeroute.requests) == 2

        @pytest.mark.parametrize("round", [1, 2])
        def test_server_is_reset_too(fakeroute_server, round):
            import requests
            auth = ("fakeroute", "fakeroute-secret")
            url = fakeroute_server.url
            number = requests.get(f"{url}/v2/numbers/available?limit=1", auth=auth).json()["data"][0]["id"]
            assert requests.post(f"{url}/v2/numbers/{number}", auth=auth).status_code == 201
            assert len(fakeroute_server.requests) == 2
    """)
    pytester.runpytest().assert_outcomes(passed=4)


SEED_PROBE = """
    import pytest

    def test_seed(fakeroute):
        print("SEED", fakeroute.seed)

    @pytest.mark.fakeroute(seed=9)
    def test_marked(fakeroute):
        print("MARKED", fakeroute.seed)
"""


@pytest.mark.parametrize(
    ("ini", "args", "env", "expected", "origin"),
    [
        ("", [], None, 0, "default"),
        ("", [], "3", 3, "$FAKEROUTE_SEED"),
        ("fakeroute_seed = 5", [], "3", 5, "ini fakeroute_seed"),
        ("fakeroute_seed = 5", ["--fakeroute-seed=7"], "3", 7, "--fakeroute-seed"),
    ],
)
def test_seed_precedence_marker_then_cli_then_ini_then_env(pytester, monkeypatch, ini, args, env, expected, origin):
    if env is None:
        monkeypatch.delenv("FAKEROUTE_SEED", raising=False)
    else:
        monkeypatch.setenv("FAKEROUTE_SEED", env)
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(SEED_PROBE)
    result = pytester.runpytest("-s", *args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"fakeroute: seed={expected} ({origin})*", f"*SEED {expected}*", "*MARKED 9*"])


def test_scenario_from_the_command_line_and_marker(pytester: pytest.Pytester):
    solo = '{"accounts": [{"id": "solo", "flowroute": {"access_key": "k", "secret_key": "s"}}]}'
    pytester.makefile(".json", mine=solo)
    pytester.makepyfile("""
        import pytest

        def test_cli_scenario(fakeroute):
            assert fakeroute.state.accounts == ["solo"]

        @pytest.mark.fakeroute(scenario="default", inventory_size=300)
        def test_marker_wins(fakeroute):
            assert fakeroute.state.accounts == ["default", "other"]
            assert len(fakeroute.world.inventory) == 300  # numbers the scenario owns come on top, taken
    """)
    pytester.runpytest("--fakeroute-scenario=mine.json").assert_outcomes(passed=2)


def test_failure_reports_show_the_seed_and_the_calls(pytester: pytest.Pytester):
    pytester.makepyfile("""
        def test_fails(fakeroute, fakeroute_flowroute):
            fakeroute_flowroute.get("https://api.flowroute.com/v2/numbers/13125550199")
            fakeroute.assert_called("flowroute", "POST", "/v2/numbers/*")
    """)
    result = pytester.runpytest("--fakeroute-seed=42")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*expected flowroute POST /v2/numbers/* at least once, found 0; calls made (1, * = matches):",
        "*flowroute GET /v2/numbers/13125550199 -> 404",
        "*- fakeroute -*",
        "seed=42 (--fakeroute-seed)*",
        "replay with: pytest --fakeroute-seed=42 *test_fails",
    ])


def test_interception_is_removed_after_a_failing_test(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import httpx
        import requests.adapters

        def test_a_fails_while_intercepting(fakeroute):
            assert requests.adapters.HTTPAdapter.send.__module__ == "fakeroute.transport"
            raise RuntimeError("boom")

        def test_b_runs_after_it():
            assert requests.adapters.HTTPAdapter.send.__module__ == "requests.adapters"
            assert requests.Session.merge_environment_settings.__module__ == "requests.sessions"
            assert httpx.HTTPTransport.handle_request.__module__ == "httpx._transports.default"
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1, failed=1)


def test_unknown_hosts_pass_through_unless_blocked(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest, requests, httpx

        def test_other_hosts_go_out_for_real(fakeroute):
            import http.server, threading

            class Hello(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"real server")

                def log_message(self, *args):
                    pass

            server = http.server.HTTPServer(("127.0.0.1", 0), Hello)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                url = f"http://127.0.0.1:{server.server_port}/"
                assert requests.get(url).text == "real server"
                assert httpx.get(url).text == "real server"
                assert len(fakeroute.requests) == 0
            finally:
                server.shutdown()

        @pytest.mark.fakeroute(block_unknown_hosts=True)
        def test_blocked(fakeroute, fakeroute_server):
            with pytest.raises(requests.ConnectionError, match="blocks calls to unknown hosts: example.com"):
                requests.get("https://example.com/")
            with pytest.raises(httpx.ConnectError, match="example.com"):
                httpx.get("https://example.com/")
            assert requests.get(fakeroute_server.url + "/_fakeroute/health").status_code == 200
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_injected_faults_and_the_clock(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest, requests
        from twilio.base.exceptions import TwilioRestException

        def test_twilio_503_once(fakeroute, fakeroute_twilio):
            fakeroute.fail(503, provider="twilio", times=1)
            with pytest.raises(TwilioRestException) as failed:
                fakeroute_twilio.routes.v2.phone_numbers("+12065550100").fetch()
            assert failed.value.status == 503
            assert fakeroute_twilio.routes.v2.phone_numbers("+12065550100").fetch().voice_region == "us1"

        def test_dropped_connection(fakeroute, fakeroute_flowroute):
            fakeroute.fail(provider="flowroute", method="GET", path="/v2/routes", drop=True)
            with pytest.raises(requests.ConnectionError):
                fakeroute_flowroute.get("https://api.flowroute.com/v2/routes")
            assert fakeroute_flowroute.get("https://api.flowroute.com/v2/routes").status_code == 200

        def test_rate_limit(fakeroute, fakeroute_flowroute):
            fakeroute.fail(429, retry_after=7, times=None, path="/v2/numbers*")
            for _ in range(3):
                response = fakeroute_flowroute.get("https://api.flowroute.com/v2/numbers")
                assert response.status_code == 429 and response.headers["Retry-After"] == "7"

        def test_clock(fakeroute):
            before = fakeroute.clock.peek()
            fakeroute.clock.advance(hours=2)
            assert (fakeroute.clock.peek() - before).total_seconds() == 7200
    """)
    pytester.runpytest().assert_outcomes(passed=4)


def test_runs_under_xdist_with_two_workers(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest, requests

        @pytest.mark.parametrize("i", range(8))
        def test_buy(fakeroute, fakeroute_flowroute, i):
            base = "https://api.flowroute.com"
            number = fakeroute_flowroute.get(f"{base}/v2/numbers/available?limit=1").json()["data"][0]["id"]
            assert fakeroute_flowroute.post(f"{base}/v2/numbers/{number}").status_code == 201

        @pytest.mark.parametrize("i", range(4))
        def test_server(fakeroute_server, i):
            auth = ("fakeroute", "fakeroute-secret")
            number = requests.get(f"{fakeroute_server.url}/v2/numbers/available?limit=1", auth=auth).json()
            assert requests.post(f"{fakeroute_server.url}/v2/numbers/{number['data'][0]['id']}",
                                 auth=auth).status_code == 201
    """)
    result = pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=12)
    result.stdout.fnmatch_lines(["*2 workers*"])


def test_marker_rejects_unknown_arguments(pytester: pytest.Pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakeroute(sed=1)
        def test_typo(fakeroute):
            pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown argument(s): sed*"])
