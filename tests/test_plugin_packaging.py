"""How fakeroute installs: the plugin inside the package, light to load in every pytest run, what serving needs."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

import conftest_plugin
import fakeroute.inventory
import fakeroute.pytest_plugin
import fakeroute.scenario
import fakeroute.testing
from fakeroute.providers import PROVIDERS
from tests.support import REPO

# Top-level packages, then fakeroute's own modules, that a run not using fakeroute must not pay for (not jsonschema_rs:
# schemathesis's own pytest plugin, in the test extra, loads it anyway).
HEAVY = ("werkzeug", "jsonschema", "orjson", "waitress", "phonenumbers", "faker",
         "fakeroute.world", "fakeroute.providers", "fakeroute.app", "fakeroute.inventory", "fakeroute.server")


def test_the_entry_point_is_inside_the_package_and_the_wheel_has_no_top_level_module():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"] == {"fakeroute": "fakeroute.pytest_plugin"}
    assert "py-modules" not in project["tool"].get("setuptools", {})
    assert project["project"]["license"] == "MIT"  # an SPDX string: no deprecated license table to warn about


def test_the_root_conftest_plugin_re_exports_every_hook_and_fixture():
    names = fakeroute.pytest_plugin.__all__
    assert {"pytest_addoption", "pytest_configure", "fakeroute", "fakeroute_server", "fakeroute_twilio"} <= set(names)
    assert all(getattr(conftest_plugin, name) is getattr(fakeroute.pytest_plugin, name) for name in names)


def test_client_fixtures_cover_every_default_provider():
    assert fakeroute.pytest_plugin.CLIENT_FIXTURE_PROVIDERS == tuple(sorted(p.name for p in PROVIDERS))


def test_the_defaults_the_light_settings_repeat_agree_with_their_sources():
    assert fakeroute.testing.DEFAULT_SCENARIO == fakeroute.scenario.DEFAULT_SCENARIO
    assert fakeroute.testing.DEFAULT_SIZE == fakeroute.inventory.DEFAULT_SIZE


def _loaded_heavy(code: str) -> list[str]:
    found = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
                           capture_output=True, text=True, check=True, timeout=60).stdout.split()
    return [m for m in found if m.split(".")[0] in HEAVY or m.startswith(HEAVY[6:])]


def test_importing_the_plugin_imports_nothing_heavy():
    assert _loaded_heavy("import fakeroute.pytest_plugin, fakeroute.testing") == []


def test_a_suite_that_uses_no_fixture_loads_nothing_heavy(pytester: pytest.Pytester):
    pytester.makepyfile(f"""
        import sys

        def test_plain():
            heavy = {HEAVY!r}
            assert [m for m in sys.modules if m.split(".")[0] in heavy or m.startswith(heavy[6:])] == []
    """)
    # Other installed plugins that load werkzeug themselves (pytest-httpserver, the bench extra) are left out.
    result = pytester.runpytest_subprocess("-p", "no:faker", "-p", "no:pytest_httpserver")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["fakeroute: seed=0 (default), scenario=default, inventory_size=5000"])
