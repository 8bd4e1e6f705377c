"""The dashboard in a real browser: headless Chromium driven by Selenium against a served World.

Skipped only when Selenium, Chromium or chromedriver cannot be found (``.ci/run`` installs Debian's
``chromium`` and ``chromium-driver``); any other failure fails. A screenshot is kept as a test artifact in
``$FAKEROUTE_ARTIFACTS`` or ``build/artifacts/``.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fakeroute.app import FakerouteApp
from fakeroute.server import FakerouteServer
from fakeroute.world import World
from tests.support.flowroute import FLOWROUTE_AUTH

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
WINDOW = (1280, 900)
WAIT = 15  # seconds at most for the browser to show what it should


def _find(name: str, debian_path: str) -> str | None:
    found = shutil.which(name)
    return found or (debian_path if os.access(debian_path, os.X_OK) else None)


CHROMIUM = _find("chromium", "/usr/bin/chromium")
CHROMEDRIVER = _find("chromedriver", "/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason=f"headless Chromium is not installed (chromium: {CHROMIUM or 'not found'}, chromedriver: "
           f"{CHROMEDRIVER or 'not found'}); on Debian: apt-get install chromium chromium-driver",
)


def artifacts_dir() -> Path:
    directory = Path(os.environ.get("FAKEROUTE_ARTIFACTS") or REPO / "build" / "artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars"):
        options.add_argument(argument)
    # Both paths given: Selenium Manager has nothing to look up or download.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def world() -> World:
    return World(seed=0)


@pytest.fixture
def server(world: World) -> Iterator[FakerouteServer]:
    with FakerouteServer(FakerouteApp(world)) as served:
        yield served


def buy_a_number(url: str) -> str:
    with requests.Session() as session:
        session.headers.update(FLOWROUTE_AUTH)
        found = session.get(f"{url}/v2/numbers/available", params={"limit": 1}, timeout=10)
        found.raise_for_status()
        number = found.json()["data"][0]["id"]
        session.post(f"{url}/v2/numbers/{number}", timeout=10).raise_for_status()
    return number


def save_full_page(driver, path: Path) -> None:
    """A screenshot of the whole page, not only the window's part of it (Chromium's DevTools protocol)."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))


def flowroute_state(driver) -> str:
    return driver.find_element(By.ID, "state-default-flowroute").text


def test_a_bought_number_shows_and_the_reset_button_clears_it(browser, server: FakerouteServer, world: World):
    number = buy_a_number(server.url)
    browser.get(f"{server.url}/_fakeroute/")
    assert browser.title == "fakeroute · default (built-in)"
    assert number in flowroute_state(browser)
    assert number in browser.find_element(By.ID, "journal").text
    save_full_page(browser, artifacts_dir() / "dashboard.png")

    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, "reset").click()
    wait = WebDriverWait(browser, WAIT, ignored_exceptions=[StaleElementReferenceException])
    wait.until(EC.staleness_of(page))  # the page reloaded...
    wait.until(lambda driver: number not in flowroute_state(driver))  # ...without the number
    assert "No requests yet." in browser.find_element(By.ID, "journal").text
    # The reset went to the server; reloading the page asked for nothing the journal records (no favicon).
    assert not world.journal.all()
    flowroute = next(p for p in world.providers if p.name == "flowroute")
    owned = flowroute.dump_state(world.accounts["default"].state("flowroute"))["numbers"]
    assert number not in {n["value"] for n in owned}


def test_the_journal_filter_form_narrows_the_requests(browser, server: FakerouteServer):
    requests.get(f"{server.url}/v2/numbers", headers=FLOWROUTE_AUTH, timeout=10).raise_for_status()
    twilio = requests.get(f"{server.url}/v2/PhoneNumbers/+12065550100", timeout=10,
                          auth=("ACfa4e7000000000000000000000000001", "fakeroute-auth-token"))
    twilio.raise_for_status()
    browser.get(f"{server.url}/_fakeroute")
    assert "/v2/PhoneNumbers/+12065550100" in browser.find_element(By.ID, "journal").text

    Select(browser.find_element(By.NAME, "provider")).select_by_value("flowroute")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait = WebDriverWait(browser, WAIT, ignored_exceptions=[StaleElementReferenceException])
    wait.until(lambda driver: "provider=flowroute" in driver.current_url)
    journal = browser.find_element(By.ID, "journal").text
    assert "1 of 2 requests match" in journal
    assert "/v2/numbers" in journal and "/v2/PhoneNumbers" not in journal
