"""A downstream project as users have one: fakeroute built as a wheel and installed (not editable) in a fresh venv
in a temporary folder, then a suite there using every client and the twilio async SDK, run with ``-n 2``.

The wheel alone brings only what serving needs; the build prints no warning; the plugin is found through its
entry point inside the package, with no top-level module of its own."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from tests.support import REPO

# What serving needs: fakeroute's six dependencies and theirs. Anything else in the venv is a regression.
SERVING = {"fakeroute", "werkzeug", "markupsafe", "jsonschema", "attrs", "jsonschema-specifications", "referencing",
           "rpds-py", "typing-extensions", "waitress", "phonenumberslite", "jsonschema-rs", "orjson", "pip",
           "setuptools"}
TEST_TOOLS = ["pytest", "pytest-xdist", "pytest-asyncio", "requests", "httpx", "aiohttp", "urllib3", "twilio"]

CLIENTS = '''
import asyncio, base64, json

import aiohttp, httpx, pytest, requests, urllib3
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

FLOWROUTE = "https://api.flowroute.com"
AUTH = ("fakeroute", "fakeroute-secret")
BASIC = {"Authorization": "Basic " + base64.b64encode(b"fakeroute:fakeroute-secret").decode()}


def test_where_fakeroute_comes_from():
    import fakeroute
    assert "site-packages" in fakeroute.__file__
    with pytest.raises(ImportError):
        import conftest_plugin  # noqa: F401  the repository's thin entry is not installed


def test_requests(fakeroute):
    assert requests.get(f"{FLOWROUTE}/v2/routes", auth=AUTH).json()["data"][0]["id"] == "0"
    fakeroute.assert_called("flowroute", "GET", "/v2/routes", times=1)


def test_httpx_sync(fakeroute):
    assert httpx.get(f"{FLOWROUTE}/v2/numbers", auth=AUTH).status_code == 200


@pytest.mark.asyncio
async def test_httpx_async(fakeroute):
    async with httpx.AsyncClient(auth=AUTH) as client:
        assert (await client.get(f"{FLOWROUTE}/v2/numbers")).status_code == 200


def test_aiohttp(fakeroute):
    async def get():
        async with aiohttp.ClientSession(headers=BASIC) as session:
            async with session.get(f"{FLOWROUTE}/v2/routes") as answer:
                return answer.status
    assert asyncio.run(get()) == 200


def test_urllib3(fakeroute):
    assert urllib3.request("GET", f"{FLOWROUTE}/v2/routes", headers=BASIC).json()["data"][0]["id"] == "0"


def test_twilio_sync(fakeroute_twilio):
    assert fakeroute_twilio.routes.v2.phone_numbers("+12065550100").fetch().voice_region == "us1"


@pytest.mark.asyncio
async def test_twilio_async(fakeroute):
    creds = fakeroute.credentials("twilio")
    http_client = AsyncTwilioHttpClient()
    try:
        client = Client(creds["account_sid"], creds["auth_token"], http_client=http_client)
        number = await client.routes.v2.phone_numbers("+12065550100").update_async(voice_region="ie1")
        assert number.voice_region == "ie1"
    finally:
        await http_client.close()


def test_webhooks_into_a_wsgi_app(fakeroute, fakeroute_flowroute):
    seen = []

    def app(environ, start_response):
        seen.append(json.loads(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))))
        start_response("200 OK", [])
        return [b""]

    fakeroute.deliver_to(app)
    fakeroute_flowroute.put(f"{FLOWROUTE}/v2.1/messages/sms_callback",
                            json={"data": {"attributes": {"callback_url": "https://app.example/in"}}})
    fakeroute.inbound("flowroute", to="12065550100", from_="12065551234", body="hi")
    assert seen[0]["data"]["attributes"]["body"] == "hi"
'''


def _run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_a_downstream_project_installs_the_wheel_and_runs_every_client_with_xdist(tmp_path: Path):
    source = tmp_path / "source"  # built from a copy: the build never writes into the repository
    shutil.copytree(REPO / "fakeroute", source / "fakeroute", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS")}

    build = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "dist", source, env=env)
    warnings = [line for line in build.splitlines() if re.search(r"warning", line, re.I)
                and "byte-compiling is disabled" not in line]  # PYTHONDONTWRITEBYTECODE, not the build
    assert warnings == []
    (wheel,) = (tmp_path / "dist").glob("fakeroute-*.whl")

    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", wheel, env=env)
    listed = json.loads(_run(python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check", env=env))
    installed = {package["name"].lower().replace("_", "-") for package in listed}
    assert installed - SERVING == set(), "the wheel alone must bring only what serving needs"
    assert "fakeroute serve" in _run(tmp_path / "venv" / "bin" / "fakeroute", "serve", "--help", env=env)
    entry = _run(python, "-c", "from importlib.metadata import entry_points; "
                 "print([e.value for e in entry_points(group='pytest11') if e.name == 'fakeroute'])", env=env)
    assert entry.strip() == "['fakeroute.pytest_plugin']"

    _run(python, "-m", "pip", "install", "--quiet", *TEST_TOOLS, env=env)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (project / "test_clients.py").write_text(CLIENTS)
    shutil.copy(REPO / "tests" / "test_downstream_example.py", project)  # the in-repo downstream suite, as is
    result = _run(python, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider", cwd=project, env=env)
    assert re.search(r"=+ 15 passed(, \d+ warnings?)? in ", result), result  # nothing failed, skipped or errored
