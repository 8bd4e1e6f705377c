"""fakeroute's pytest plugin (entry point ``pytest11``): fixtures, marker, options; the logic is in fakeroute.testing.

pytest imports this module in every run of every project that installs fakeroute, so it imports nothing of
fakeroute's own (werkzeug, jsonschema, the providers, waitress) until a test asks for one of its fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .server import FakerouteServer
    from .testing import Fakeroute, Settings, Worlds

# The providers of the client fixtures (fakeroute_<name>). Named here rather than read from
# fakeroute.providers.PROVIDERS so that loading the plugin imports no provider; a test checks they agree.
CLIENT_FIXTURE_PROVIDERS = ("agentmessage", "flowroute", "twilio")

_WORLDS: pytest.StashKey[Worlds] = pytest.StashKey()
_SETTINGS: pytest.StashKey[Settings] = pytest.StashKey()
_USED: pytest.StashKey[Fakeroute] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fakeroute")
    group.addoption("--fakeroute-seed", type=int, default=None, help="seed of the fake worlds (default 0)")
    group.addoption("--fakeroute-scenario", default=None, help="scenario file or built-in name")
    parser.addini("fakeroute_seed", "seed of the fake worlds ($FAKEROUTE_SEED, then 0, when unset)")
    parser.addini("fakeroute_scenario", "scenario file (relative to the rootdir) or built-in name")
    parser.addini("fakeroute_inventory_size", "count of purchasable numbers (default 5000)")
    parser.addini("fakeroute_clock_start", "where the fake clock starts, ISO 8601 (default 2026-01-01T00:00:00Z)")
    parser.addini("fakeroute_block_unknown_hosts", "fail calls to hosts other than the providers' and loopback",
                  type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    from .testing import MARKER_HELP, resolve_settings

    config.addinivalue_line("markers", MARKER_HELP)
    config.stash[_SETTINGS] = resolve_settings(
        cli_seed=config.getoption("fakeroute_seed"),
        ini_seed=config.getini("fakeroute_seed"),
        cli_scenario=config.getoption("fakeroute_scenario"),
        ini_scenario=config.getini("fakeroute_scenario"),
        ini_inventory_size=config.getini("fakeroute_inventory_size"),
        ini_block_unknown_hosts=config.getini("fakeroute_block_unknown_hosts"),
        ini_clock_start=config.getini("fakeroute_clock_start"),
        rootdir=config.rootpath,
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"fakeroute: {config.stash[_SETTINGS].describe()}"


def _worlds(config: pytest.Config) -> Worlds:
    if _WORLDS not in config.stash:
        from .testing import Worlds

        config.stash[_WORLDS] = Worlds()
    return config.stash[_WORLDS]


@pytest.fixture
def fakeroute(request: pytest.FixtureRequest) -> Iterator[Fakeroute]:
    """A fresh fake for this test, answering in-process for the providers' real hosts (requests, httpx, aiohttp,
    urllib3); webhooks go to the apps given to ``deliver_to`` (or the marker's ``deliver_to``)."""
    from .testing import Fakeroute, split_marker
    from .transport import Interceptor

    marker = request.node.get_closest_marker("fakeroute")
    world_args, deliver_to = split_marker(marker.kwargs if marker else {})
    settings = request.config.stash[_SETTINGS].with_marker(world_args)
    world, app = _worlds(request.config).get(settings)
    world.reset()
    fake = Fakeroute(world, app, settings)
    request.node.stash[_USED] = fake
    if deliver_to is not None:
        fake.deliver_to(request.getfixturevalue(deliver_to) if isinstance(deliver_to, str) else deliver_to)
    try:
        with Interceptor(app, block_unknown_hosts=settings.block_unknown_hosts, before_call=fake.deliver):
            yield fake
    finally:
        fake.close()
    fake.raise_delivery_errors()


@pytest.fixture(scope="session")
def fakeroute_server_session(request: pytest.FixtureRequest) -> Iterator[tuple[FakerouteServer, Fakeroute]]:
    """The session's real HTTP server on 127.0.0.1 (a free port), started once per session or xdist worker."""
    from .server import FakerouteServer
    from .testing import Fakeroute, Worlds

    settings = request.config.stash[_SETTINGS]
    world, app = Worlds().get(settings)  # its own World: in-process tests never touch it
    with FakerouteServer(app) as server:
        yield server, Fakeroute(world, app, settings, url=server.url)


@pytest.fixture
def fakeroute_server(request: pytest.FixtureRequest,
                     fakeroute_server_session: tuple[FakerouteServer, Fakeroute]) -> Fakeroute:
    """The session server, reset to the scenario for this test: ``.url``, ``.credentials(...)``, ``.requests``."""
    _, fake = fakeroute_server_session
    fake.reset()
    request.node.stash[_USED] = fake
    return fake


def _client_fixture(provider: str) -> Any:
    def fixture(fakeroute: Fakeroute) -> Iterator[Any]:
        try:
            client = fakeroute.client(provider)
        except ImportError as exc:  # the provider's client library (requests, twilio) is not installed
            pytest.skip(f"fakeroute_{provider} needs {exc.name}: {exc}")
        yield client
        close = getattr(client, "close", None)
        if callable(close):
            close()

    fixture.__doc__ = (f"A client of {provider} for the default account, as ``Provider.client`` makes it "
                       "(a requests.Session with its credentials; the official twilio.rest.Client for twilio).")
    return pytest.fixture(fixture, name=f"fakeroute_{provider}")


# One client fixture per provider: fakeroute_agentmessage, fakeroute_flowroute, fakeroute_twilio.
for _provider in CLIENT_FIXTURE_PROVIDERS:
    globals()[f"fakeroute_{_provider}"] = _client_fixture(_provider)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    fake = item.stash.get(_USED, None)
    if fake is not None and report.failed:
        report.sections.append(("fakeroute", fake.failure_report(item.nodeid)))
    return report


# What the repository's root conftest_plugin.py re-exports: every hook and fixture.
__all__ = sorted(name for name in globals() if name.startswith(("pytest_", "fakeroute")))
