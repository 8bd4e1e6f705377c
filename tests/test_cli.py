"""``fakeroute`` on the command line: --version, help with defaults and environment variables, the admin token
(given, from the environment, generated for a non-loopback host), the access log in text and JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import requests

from fakeroute import __version__
from fakeroute.cli import build_parser
from tests.support.flowroute import FLOWROUTE_AUTH
from tests.test_server import start_cli


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fakeroute", *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.terminate()
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    return out, err


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"fakeroute {__version__}"


def test_serve_help_shows_every_option_with_its_default_and_environment_variable():
    result = run("serve", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # argparse wraps lines
    parser = build_parser()
    serve = parser._subparsers._group_actions[0].choices["serve"]
    options = [a for a in serve._actions if a.option_strings and a.dest != "help"]
    assert len(options) == 14  # --clock-start included
    for action in options:
        flag = action.option_strings[0]
        env = "FAKEROUTE_" + flag.removeprefix("--").replace("-", "_").upper()
        described = re.search(re.escape(flag) + r".*?\(default: [^;]+; env " + env, text)
        assert described, f"{flag}: no default and {env} in the help"


def test_environment_variables_set_the_options_and_the_command_line_wins():
    env = {**os.environ, "FAKEROUTE_SEED": "11", "FAKEROUTE_ADMIN_TOKEN": "from-env", "FAKEROUTE_CLOCK": "real"}
    process, url = start_cli(env=env)
    try:
        assert requests.get(f"{url}/_fakeroute/state", timeout=10).status_code == 401
        assert requests.get(f"{url}/_fakeroute/state", headers={"Authorization": "Bearer from-env"},
                            timeout=10).status_code == 200
        first = requests.get(f"{url}/v2/numbers/available?limit=1", headers=FLOWROUTE_AUTH, timeout=10).json()
    finally:
        stop(process)
    process, url = start_cli("--seed", "11", "--admin-token", "given")
    try:
        assert requests.get(f"{url}/_fakeroute/state", headers={"Authorization": "Bearer given"},
                            timeout=10).status_code == 200
        again = requests.get(f"{url}/v2/numbers/available?limit=1", headers=FLOWROUTE_AUTH, timeout=10).json()
    finally:
        stop(process)
    assert first["data"][0]["id"] == again["data"][0]["id"]


@pytest.mark.parametrize(("env", "named"), [
    ({"FAKEROUTE_PORT": "eighty"}, "FAKEROUTE_PORT"),
    ({"FAKEROUTE_CLOCK": "sundial"}, "FAKEROUTE_CLOCK"),
    ({"FAKEROUTE_CONNECTION_LIMIT": "0"}, "FAKEROUTE_CONNECTION_LIMIT"),
    ({"FAKEROUTE_QUIET": "maybe"}, "FAKEROUTE_QUIET"),
])
def test_a_bad_environment_variable_is_refused_by_name(env, named):
    result = run("serve", "--port", "0", env=env)
    assert result.returncode == 2 and named in result.stderr


def test_a_non_loopback_host_without_a_token_gets_one_printed_after_the_ready_line():
    process = subprocess.Popen([sys.executable, "-m", "fakeroute", "serve", "--host", "0.0.0.0", "--port", "0",
                                "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = process.stdout.readline().strip()
        assert ready.startswith("fakeroute listening on http://0.0.0.0:")
        token_line = process.stdout.readline().strip()
        assert token_line.startswith("fakeroute admin token: ")
        token = token_line.removeprefix("fakeroute admin token: ")
        assert len(token) >= 32
        url = "http://127.0.0.1:" + ready.rsplit(":", 1)[1]  # only loopback traffic in tests
        assert requests.get(f"{url}/_fakeroute/health", timeout=10).status_code == 200
        assert requests.get(f"{url}/_fakeroute/accounts", timeout=10).status_code == 401
        assert requests.get(f"{url}/_fakeroute/accounts", headers={"Authorization": f"Bearer {token}"},
                            timeout=10).status_code == 200
    finally:
        stop(process)


def test_the_access_log_has_one_line_per_request_on_stderr():
    process, url = start_cli(quiet=False)
    requests.get(f"{url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=10)
    requests.get(f"{url}/v2/numbers/19995550000", headers=FLOWROUTE_AUTH, timeout=10)
    requests.get(f"{url}/_fakeroute/health", timeout=10)
    requests.get(f"{url}/v2/routes%0Afake-line", timeout=10)
    out, err = stop(process)
    assert out == ""  # stdout holds the ready line only (read by start_cli)
    lines = err.splitlines()
    assert re.fullmatch(r"127\.0\.0\.1 GET /v2/routes flowroute default 200 \d+\.\d+ms", lines[0]), lines
    assert re.fullmatch(r"127\.0\.0\.1 GET /v2/numbers/19995550000 flowroute default 404 \d+\.\d+ms", lines[1])
    assert re.fullmatch(r"127\.0\.0\.1 GET /_fakeroute/health admin - 200 \d+\.\d+ms", lines[2])
    assert lines[3].startswith("127.0.0.1 GET /v2/routes%0Afake-line flowroute - 404")  # one line, escaped
    assert len(lines) == 4


def test_the_access_log_in_json():
    process, url = start_cli("--log-format", "json", quiet=False)
    requests.get(f"{url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=10)
    _, err = stop(process)
    # Only access-log lines are JSON; waitress may warn on stderr too on a loaded machine (task queue depth).
    (line,) = [text for text in err.splitlines() if text.startswith("{")]
    entry = json.loads(line)
    assert entry == {**entry, "remote": "127.0.0.1", "method": "GET", "path": "/v2/routes", "provider": "flowroute",
                     "account": "default", "status": 200}
    assert isinstance(entry["ms"], float) and entry["time"].endswith("+00:00")


def test_quiet_logs_nothing():
    process, url = start_cli(quiet=True)
    requests.get(f"{url}/v2/routes", headers=FLOWROUTE_AUTH, timeout=10)
    _, err = stop(process)
    assert err == ""
