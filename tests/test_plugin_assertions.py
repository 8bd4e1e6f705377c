"""What was called, asked as respx and responses users ask it: path patterns, filters, assertions whose failure
shows the test's own frame and the calls made instead; and the journal over HTTP (filters, limit, newest first)."""

from __future__ import annotations

import pytest
import requests

from fakeroute.journal import Journal, Recorded, path_pattern

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

FLOWROUTE_AUTH = ("fakeroute", "fakeroute-secret")


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("/v2/numbers/*", "/v2/numbers/12065550100", True),
    ("/v2/numbers/*", "/v2/numbers/12065550100/relationships/primary_route", False),
    ("/v2/numbers/*", "/v2/numbers", False),
    ("/v2/numbers/**", "/v2/numbers/12065550100/relationships/primary_route", True),
    ("/v2/**/primary_route", "/v2/numbers/12065550100/relationships/primary_route", True),
    ("/v2/numbers/1206*", "/v2/numbers/12065550100", True),
    ("/v2/numbers/1206*", "/v2/numbers/13125550100", False),
    ("/v2/PhoneNumbers/+12065550100", "/v2/PhoneNumbers/+12065550100", True),  # "+" is literal
    ("/v2.1/messages", "/v2x1/messages", False),  # so is "."
    ("/v2/numbers?", "/v2/numbersX", False),  # no fnmatch: "?" is literal too
])
def test_path_patterns_star_is_one_segment_double_star_any(pattern: str, path: str, matches: bool):
    assert bool(path_pattern(pattern).match(path)) is matches


def _entry(method: str, path: str, status: int = 200, *, body: bytes = b"", query: str = "",
           account: str = "default", content_type: str = "application/json") -> Recorded:
    return Recorded("flowroute", method, path, query, body, status, b"{}", account=account,
                    raw_headers={"CONTENT_TYPE": content_type})


def test_filters_by_status_account_query_and_body_fields():
    journal = Journal()
    journal.record(_entry("POST", "/v2.1/messages", 202, body=b'{"data": {"attributes": {"to": "12065551234", '
                                                              b'"body": "hi"}}}'))
    journal.record(_entry("POST", "/v2.1/messages", 202, body=b'{"data": {"attributes": {"to": "13125550000"}}}',
                          account="other"))
    journal.record(_entry("GET", "/v2/numbers", 200, query="limit=5&starts_with=1206"))
    journal.record(_entry("POST", "/Calls", 201, body=b"To=%2B12065551234&From=%2B1312", content_type=
                          "application/x-www-form-urlencoded"))
    assert len(journal.filter(body={"data": {"attributes": {"to": "12065551234"}}})) == 1
    assert len(journal.filter("flowroute", "post", "/v2.1/messages")) == 2  # the method in any case
    assert [e.account for e in journal.filter(account="other")] == ["other"]
    assert len(journal.filter(query={"limit": 5})) == 1  # values compared as text
    assert len(journal.filter(query={"limit": "5", "starts_with": "1207"})) == 0
    assert len(journal.filter(body={"To": "+12065551234"})) == 1  # a form body is a dict too
    assert len(journal.filter(body={"data": {"attributes": {"to": "12065551234", "body": "bye"}}})) == 0
    assert len(journal.filter(status=201)) == 1


def test_assert_called_message_lists_the_calls_made_marking_matches():
    journal = Journal()
    journal.record(_entry("POST", "/v2/numbers/12065550100", 201))
    journal.record(_entry("GET", "/v2/numbers/12065550100/relationships/primary_route"))
    with pytest.raises(AssertionError) as failed:
        journal.assert_called("flowroute", "POST", "/v2/numbers/*", times=2)
    assert str(failed.value) == (
        "expected flowroute POST /v2/numbers/* 2 time(s), found 1; calls made (2, * = matches):\n"
        "  * flowroute POST /v2/numbers/12065550100 -> 201\n"
        "    flowroute GET /v2/numbers/12065550100/relationships/primary_route -> 200")
    with pytest.raises(AssertionError, match="expected flowroute GET never, found 1"):
        journal.assert_not_called("flowroute", "GET")
    with pytest.raises(AssertionError, match=r"with body containing \{'to': 'x'\} at least once, found 0; no calls"):
        Journal().assert_called(body={"to": "x"})


def test_the_fixture_asserts_and_failures_show_only_the_test_frame(pytester: pytest.Pytester):
    pytester.makepyfile("""
        def test_called(fakeroute, fakeroute_flowroute):
            base = "https://api.flowroute.com"
            fakeroute_flowroute.post(f"{base}/v2/numbers/12065550100/relationships/primary_route",
                                     json={"data": {"type": "route", "id": "0"}})
            fakeroute_flowroute.get(f"{base}/v2/numbers", params={"limit": 2})
            fakeroute.assert_called("flowroute", "PATCH", "/v2/numbers/**", times=0)
            fakeroute.assert_called("flowroute", "POST", "/v2/numbers/**", times=1,
                                    body={"data": {"id": "0"}})
            fakeroute.assert_not_called("flowroute", "POST", "/v2/numbers/*")
            assert [c.path for c in fakeroute.calls(query={"limit": "2"})] == ["/v2/numbers"]

        def test_fails(fakeroute, fakeroute_flowroute):
            fakeroute_flowroute.get("https://api.flowroute.com/v2/numbers/13125550199")
            fakeroute.assert_called("flowroute", "POST", "/v2/numbers/*")

        def test_fails_not_called(fakeroute, fakeroute_flowroute):
            fakeroute_flowroute.get("https://api.flowroute.com/v2/routes")
            fakeroute.assert_not_called(path="/v2/routes")
    """)
    result = pytester.runpytest("--fakeroute-seed=42")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*def test_fails(fakeroute, fakeroute_flowroute):",
        ">*fakeroute.assert_called(\"flowroute\", \"POST\", \"/v2/numbers/*\")",
        "E*AssertionError: expected flowroute POST /v2/numbers/* at least once, found 0; calls made (1, * = matches):",
        "E*flowroute GET /v2/numbers/13125550199 -> 404",
        "*- fakeroute -*",
        "seed=42 (--fakeroute-seed)*",
        "replay with: pytest --fakeroute-seed=42 *test_fails",
        "*expected /v2/routes never, found 1*",
    ])
    output = result.stdout.str()
    assert "fakeroute/journal.py" not in output and "fakeroute/testing.py" not in output


# -- GET /_fakeroute/requests ------------------------------------------------------------------------


def test_journal_over_http_newest_first_with_limit_filters_and_optional_bodies(server_url: str):
    session = requests.Session()
    session.auth = FLOWROUTE_AUTH
    for n in range(5):
        session.get(f"{server_url}/v2/numbers", params={"limit": n + 1}, timeout=5)
    later = requests.post(f"{server_url}/_fakeroute/clock", json={"advance": 60}, timeout=5).json()["now"]
    session.get(f"{server_url}/v2/numbers/13125550199", timeout=5)
    session.get(f"{server_url}/v2/routes", auth=("fakeroute-other", "fakeroute-other-secret"), timeout=5)
    journal = f"{server_url}/_fakeroute/requests"

    everything = requests.get(journal, timeout=5).json()
    assert everything["total"] == 7 and everything["limit"] == 100
    assert [e["path"] for e in everything["requests"][:2]] == ["/v2/routes", "/v2/numbers/13125550199"]

    page = requests.get(journal, params={"limit": 2, "path": "/v2/numbers", "bodies": "false"}, timeout=5).json()
    assert page["total"] == 5 and [e["query"]["limit"] for e in page["requests"]] == [["5"], ["4"]]
    assert "body" not in page["requests"][0] and "response" not in page["requests"][0]
    (newest,) = requests.get(journal, params={"limit": 1}, timeout=5).json()["requests"]
    assert newest["body"] is None and newest["response"]["data"][0]["type"] == "route"

    assert [e["account"] for e in requests.get(journal, params={"account": "other"}, timeout=5).json()["requests"]] \
        == ["other"]
    assert requests.get(journal, params={"path": "/v2/numbers/*", "status": 404}, timeout=5).json()["total"] == 1
    assert requests.get(journal, params={"method": "post"}, timeout=5).json()["total"] == 0
    since = requests.get(journal, params={"since": later}, timeout=5).json()["requests"]
    assert [e["path"] for e in since] == ["/v2/routes", "/v2/numbers/13125550199"]


@pytest.mark.parametrize(("query", "message"), [
    ({"limit": "0"}, "limit must be an integer from 1 to 10000, got '0'"),
    ({"limit": "10001"}, "limit must be an integer from 1 to 10000"),
    ({"limit": "many"}, "limit must be an integer"),
    ({"limit": "²"}, "limit must be an integer"),  # a digit to str.isdigit, not to int()
    ({"status": "x"}, "status must be an integer from 100 to 599"),
    ({"since": "yesterday"}, "since must be an ISO 8601 time"),
    ({"bodies": "maybe"}, "bodies must be true or false"),
])
def test_journal_over_http_names_a_bad_parameter(server_url: str, query: dict, message: str):
    answer = requests.get(f"{server_url}/_fakeroute/requests", params=query, timeout=5)
    assert answer.status_code == 400 and message in answer.json()["error"]
