"""fakeroute's pytest plugin (entry point ``pytest11``): fixtures, the marker, options. Logic lives in fakeroute."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fakeroute.providers import PROVIDERS, Provider
from fakeroute.server import FakerouteServer
from fakeroute.testing import Fakeroute, Settings, Worlds, resolve_settings
from fakeroute.transport import Interceptor

_WORLDS = pytest.StashKey[Worlds]()
_SETTINGS = pytest.StashKey[Settings]()
_USED = pytest.StashKey[Fakeroute]()


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
    config.addinivalue_line(
        "markers", "fakeroute(seed=0, scenario='default', inventory_size=5000, block_unknown_hosts=False, "
        "providers=fakeroute.providers.PROVIDERS, rate_limits=None, clock_start=None): the fake World this test gets",
    )
    config.stash[_WORLDS] = Worlds()
    config.stash[_SETTINGS] = resolve_settings(
        cli_seed=config.getoption("fakeroute_seed"),
        ini_seed=config.getini("fakeroute_seed"),
        cli_scenario=config.getoption("fakeroute_scenario"),
        ini_scenario=config.getini("fakeroute_scenario"),
        ini_inventory_size=config.getini("fakeroute_inventory_size"),
        ini_block_unknown_hosts=config.getini("fakeroute_block_unknown_hosts"),
        rootdir=config.rootpath,
        ini_clock_start=config.getini("fakeroute_clock_start"),
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"fakeroute: {config.stash[_SETTINGS].describe()}"


def _settings(request: pytest.FixtureRequest) -> Settings:
    settings = request.config.stash[_SETTINGS]
    marker = request.node.get_closest_marker("fakeroute")
    return settings.with_marker(marker.kwargs) if marker else settings


@pytest.fixture
def fakeroute(request: pytest.FixtureRequest) -> Iterator[Fakeroute]:
    """A fresh fake for this test, answering in-process for the providers' real hosts (requests, httpx)."""
    settings = _settings(request)
    world, app = request.config.stash[_WORLDS].get(settings)
    world.reset()
    fake = Fakeroute(world, app, settings)
    request.node.stash[_USED] = fake
    with Interceptor(app, block_unknown_hosts=settings.block_unknown_hosts):
        yield fake


@pytest.fixture(scope="session")
def fakeroute_server_session(request: pytest.FixtureRequest) -> Iterator[tuple[FakerouteServer, Fakeroute]]:
    """The session's real HTTP server on 127.0.0.1 (a free port), started once per session or xdist worker."""
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


def _client_fixture(provider: Provider) -> Any:
    def fixture(fakeroute: Fakeroute) -> Iterator[Any]:
        try:
            client = fakeroute.client(provider.name)
        except ImportError as exc:  # the provider's client library (requests, twilio) is not installed
            pytest.skip(f"fakeroute_{provider.name} needs {exc.name}: {exc}")
        yield client
        close = getattr(client, "close", None)
        if callable(close):
            close()

    fixture.__doc__ = f"A client of {provider.name} for the default account: {type(provider).client.__doc__}"
    return pytest.fixture(fixture, name=f"fakeroute_{provider.name}")


# One client fixture per provider (fakeroute_flowroute, fakeroute_twilio, fakeroute_agentmessage), made from
# the provider objects: each says what its client is (``Provider.client``).
for _provider in PROVIDERS:
    globals()[f"fakeroute_{_provider.name}"] = _client_fixture(_provider)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    fake = item.stash.get(_USED, None)
    if fake is not None and report.failed:
        calls = fake.requests.all()[-20:]
        lines = [f"{fake.settings.describe()}",
                 f"replay with: pytest --fakeroute-seed={fake.seed} {item.nodeid}",
                 f"last {len(calls)} call(s) to the fake:"]
        lines += [f"  {c}" for c in calls] or ["  (none)"]
        report.sections.append(("fakeroute", "\n".join(lines)))
    return report
