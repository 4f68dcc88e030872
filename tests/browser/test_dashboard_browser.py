"""The dashboard in a real browser: Debian's Chromium, headless, driven by Selenium through
/usr/bin/chromedriver, against uvicorn serving the app on a free loopback port.

One browser for the module; one server per database (SQLite and PostgreSQL), seeded small:
the infusion pump and a glucose monitor (another team's) stored, NVD + KEV synced, one user
per role. The flows are the ones a team works through: product security logs in, uploads an
SBOM and triages a finding; the regulatory reviewer approves it from the approval queue; the
auditor reads it in the audit trail; the hospital customer sees only its own product; the
administrator manages users.
``SOUPWATCH_UPDATE_SCREENS=1`` writes each role's main screen to docs/screens/ (SQLite run,
quantized to 64 colours to keep the PNGs small).
Without Chromium the module is skipped with the reason, and fails under ``CI=1``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from soupwatch.config import Settings
from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, load_target, record_snapshot, store_document
from tests.debs import skip_or_fail
from tests.unit.server.conftest import EXAMPLES, NOW, PASSWORD, SCANNED_FEEDS, options

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
UPDATE_SCREENS = os.environ.get("SOUPWATCH_UPDATE_SCREENS") == "1"
OWN, OTHER = "infusion-pump", "glucose-monitor"


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing: apt-get install chromium chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    reason = _missing()
    if reason:
        skip_or_fail(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1200,860",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Live:
    """The served app: its base URL and its store."""

    url: str
    store: Any
    dialect: str


def _seed(store: Any) -> None:
    for team in ("pump-team", "glucose-team"):
        accounts.create_team(store, team, actor="seed", now=NOW)
    for product, team in ((OWN, "pump-team"), (OTHER, "glucose-team")):
        path = EXAMPLES / f"{product}.cdx.json"
        store_document(store, load_target(path), product, "1.0", source=str(path), now=NOW)
        accounts.set_grant(store, team, product, True, actor="seed", now=NOW)
    for name, role, teams in (
        ("ada", Role.ADMINISTRATOR, ()),
        ("sec", Role.PRODUCT_SECURITY, ("pump-team",)),
        ("reg", Role.REGULATORY_REVIEWER, ("pump-team",)),
        ("aud", Role.AUDITOR, ()),
        ("hosp", Role.HOSPITAL_CUSTOMER, ("glucose-team",)),
    ):
        accounts.create_user(
            store, name, role, PASSWORD, actor="seed", now=NOW, cost=accounts.CHEAP, teams=teams
        )


@pytest.fixture
def live(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Live]:
    """uvicorn serving the seeded app on a free loopback port, in a thread."""
    import uvicorn

    from soupwatch.server.app import create_app

    app = create_app(settings, options(allowed_hosts=("127.0.0.1",)))
    store = app.state.store
    _seed(store)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", store, store.dialect)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _login(driver: Any, live: Live, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{live.url}/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    _wait(driver, lambda: "/login" not in driver.current_url)
    assert f"{name} (" in driver.find_element(By.CLASS_NAME, "user").text


def _accessible(driver: Any) -> None:
    """The page's basics: ``lang``, one h1 and no skipped heading level, a label for every
    visible form control, a skip link to ``#main``."""
    from selenium.webdriver.common.by import By

    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    levels = [int(h.tag_name[1]) for h in driver.find_elements(By.CSS_SELECTOR, "h1,h2,h3,h4")]
    assert levels[:1] == [1] and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    labelled = {label.get_attribute("for") for label in driver.find_elements(By.TAG_NAME, "label")}
    for control in driver.find_elements(By.CSS_SELECTOR, "input, select, textarea"):
        if control.get_attribute("type") == "hidden":
            continue
        name = control.get_attribute("name")
        assert control.get_attribute("id") in labelled or control.get_attribute("aria-label"), (
            f"{driver.current_url}: the {name!r} control has no label"
        )
    assert driver.find_element(By.CSS_SELECTOR, "a.skip").get_attribute("href").endswith("#main")


def _screen(driver: Any, live: Live, name: str) -> None:
    """Check the page's accessibility basics; save it as docs/screens/<name>.png (asked for,
    SQLite run only)."""
    _accessible(driver)
    if UPDATE_SCREENS and live.dialect == "sqlite":
        from io import BytesIO

        from PIL import Image

        SCREENS.mkdir(parents=True, exist_ok=True)
        shot = Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB")
        small = shot.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        small.save(SCREENS / f"{name}.png", optimize=True)


def _wait(driver: Any, until: Any) -> None:
    """Wait (at most 10 s) until ``until()`` holds: a form post's page has loaded."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(
        driver,
        10,
        poll_frequency=0.05,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    ).until(lambda _: until())


def _h1(driver: Any, want: str | None = None) -> str:
    """The page's heading (first waiting for it to read ``want``, when given)."""
    from selenium.webdriver.common.by import By

    def text() -> str:
        found = driver.find_elements(By.TAG_NAME, "h1")
        return str(found[0].text) if found else ""

    if want is not None:
        from selenium.common.exceptions import TimeoutException

        # on a timeout the caller's assertion shows what the page says instead
        with contextlib.suppress(TimeoutException):
            _wait(driver, lambda: text() == want)
    return text()


@pytest.mark.synced(*SCANNED_FEEDS)
def test_each_role_works_in_the_browser(browser: Any, live: Live, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    d, url = browser, live.url

    # Anonymous: sent to the login form.
    d.delete_all_cookies()
    d.get(f"{url}/")
    assert d.current_url.startswith(f"{url}/login?next=")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"

    # Product security: portfolio, upload an SBOM as a new release, triage its top finding.
    _login(d, live, "sec")
    assert _h1(d, "Portfolio") == "Portfolio"
    ActionChains(d).send_keys(Keys.TAB).perform()  # the skip link is the first stop
    assert d.switch_to.active_element.get_attribute("class") == "skip"
    ActionChains(d).send_keys(Keys.ENTER).perform()
    assert d.current_url.endswith("#main")
    rows = d.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert any(OWN in r.text for r in rows) and not any(OTHER in r.text for r in rows)
    record_snapshot(live.store, now=NOW)  # the day before the upload: nothing scanned
    d.find_element(By.LINK_TEXT, "Upload SBOM").click()
    _h1(d, "Upload an SBOM")
    d.find_element(By.ID, "product").send_keys(OWN)
    d.find_element(By.ID, "release").send_keys("1.1")
    d.find_element(By.ID, "sbom").send_keys(str(EXAMPLES / f"{OWN}.cdx.json"))
    d.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    assert _h1(d, f"{OWN} 1.1") == f"{OWN} 1.1", d.find_element(By.TAG_NAME, "main").text[:300]
    today = record_snapshot(live.store)  # today: the uploaded release's findings
    open_now = sum(r.open for r in today)
    d.get(f"{url}/")
    assert open_now > 0
    assert f"open {open_now}" in d.find_element(By.CSS_SELECTOR, "figure.trend figcaption").text
    _screen(d, live, "product_security")
    d.get(f"{url}/products/{OWN}/releases/1.1")
    Select(d.find_element(By.ID, "f-risk")).select_by_value("critical")
    d.find_element(By.CSS_SELECTOR, "form.filters button").click()
    _wait(d, lambda: "risk=critical" in d.current_url)
    link = d.find_element(By.CSS_SELECTOR, "table tbody tr td:nth-child(2) a")
    vuln = link.text
    link.click()
    assert _h1(d, f"{vuln} in {OWN} 1.1") == f"{vuln} in {OWN} 1.1"
    _screen(d, live, "finding")
    Select(d.find_element(By.ID, "state-1")).select_by_value("not_affected")
    Select(d.find_element(By.ID, "justification-1")).select_by_value("code_not_reachable")
    d.find_element(By.ID, "reason-1").send_keys("the vulnerable function is never called")
    d.find_element(By.CSS_SELECTOR, "form.triage button[type=submit]").click()
    _wait(d, lambda: "recorded=" in d.current_url)
    assert "Decision recorded: not_affected" in d.find_element(By.CLASS_NAME, "notice").text
    history = d.find_element(By.XPATH, "//h2[.='Decision history']/following-sibling::table")
    assert "sec" in history.text and "not_affected" in history.text

    d.find_element(By.ID, "comment-1").send_keys("checked with the firmware team")
    d.find_element(By.CSS_SELECTOR, "form[action^='/decisions/'] button").click()
    _wait(d, lambda: "checked with the firmware team" in d.find_element(By.TAG_NAME, "main").text)

    # Regulatory reviewer: the approval queue holds the decision; approving names its version.
    _login(d, live, "reg")
    d.find_element(By.LINK_TEXT, "Approvals").click()
    _h1(d, "Approval queue")
    queued = d.find_element(By.CSS_SELECTOR, "section.review")
    assert vuln in queued.text and "by sec" in queued.text
    _screen(d, live, "regulatory_reviewer")
    queued.find_element(By.CSS_SELECTOR, "input[name=reason]").send_keys("four eyes: agreed")
    queued.find_element(By.CSS_SELECTOR, "form[action$='/approve'] button").click()
    _wait(d, lambda: "done=" in d.current_url)
    assert "approved" in d.find_element(By.CLASS_NAME, "notice").text
    d.get(f"{url}/products/{OWN}/releases/1.1/findings/{vuln}")
    main = d.find_element(By.TAG_NAME, "main").text
    assert "approved by reg" in main and "checked with the firmware team" in main
    assert not d.find_elements(By.CSS_SELECTOR, "form[action$='/decision']")  # no triage

    # Auditor: the audit trail verifies and names who uploaded and who decided.
    _login(d, live, "aud")
    d.find_element(By.LINK_TEXT, "Audit trail").click()
    _h1(d, "Audit trail")
    assert "The hash chain verifies" in d.find_element(By.CLASS_NAME, "notice").text
    trail = d.find_element(By.CSS_SELECTOR, "table tbody").text
    assert "vex.create" in trail and "sbom.upload" in trail and "vex.approve" in trail
    _screen(d, live, "auditor")

    # Hospital customer: only its product; another team's product is an HTML 404 page.
    _login(d, live, "hosp")
    body = d.find_element(By.TAG_NAME, "main").text
    assert OTHER in body and OWN not in body
    assert not d.find_elements(By.LINK_TEXT, "Upload SBOM")
    _screen(d, live, "hospital_customer")
    d.get(f"{url}/products/{OWN}")
    assert _h1(d, "404 Not Found") == "404 Not Found"

    # Administrator: users and teams, a new user created through the form.
    _login(d, live, "ada")
    d.find_element(By.LINK_TEXT, "Users and teams").click()
    _h1(d, "Users and teams")
    d.find_element(By.ID, "u-name").send_keys("newbie")
    Select(d.find_element(By.ID, "u-role")).select_by_value("auditor")
    d.find_element(By.ID, "u-password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR, "form[action='/admin/users'] button").click()
    _wait(d, lambda: "done=" in d.current_url)
    assert "user newbie created" in d.find_element(By.CLASS_NAME, "notice").text
    _screen(d, live, "administrator")
