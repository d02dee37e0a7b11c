"""tm serve as a person uses it, in a real Chromium driven by Selenium: search and see the match;
sign in, edit a unit, export, find the edit in the file; sign out, and an edit is refused.

The server is `tm serve` itself, started as a process on a free port. Screenshots of every page
go to tests/output/browser/ (TM_BROWSER_SHOTS elsewhere)."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE, require_tool, serving

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PASSWORD = "correct horse battery"
SHOTS = Path(os.environ.get("TM_BROWSER_SHOTS", ROOT / "tests" / "output" / "browser"))
QUERY = "The parties discussed the development of transport links between the two countries."
EDITED = "The sides discussed transport and logistics links between the two countries."


def _tm(*args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "tm", *args], input=stdin, text=True, check=True, capture_output=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = str(folder / "tm.db")
    _tm("build", str(SAMPLE), "--db", db, "--encoder", "ngram")
    _tm("user", "add", "anna", "--db", db, "--password-stdin", stdin=PASSWORD + "\n")
    with serving(db, "--exports", str(folder)) as (url, _process):
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = require_tool("chromium")
    driver_path = require_tool("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    downloads = tmp_path_factory.mktemp("downloads")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def wait_for(driver, css: str):
    return WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, css))


def test_search_shows_the_match_and_leads_to_its_release(server, browser):
    browser.get(server)
    box = browser.find_element(By.NAME, "q")
    box.send_keys(QUERY)
    box.submit()
    match = wait_for(browser, ".match")
    assert "85%" in match.text and "sample/2024-001" in match.text
    shot(browser, "search")
    match.find_element(By.LINK_TEXT, "sample/2024-001").click()
    wait_for(browser, "table")
    assert "Turkmenistan and Mongolia" in browser.find_element(By.TAG_NAME, "table").text
    shot(browser, "release")


def test_sign_in_edit_export_and_find_the_edit_in_the_file(server, browser):
    browser.get(server + "/login?next=/review")
    browser.find_element(By.ID, "name").send_keys("anna")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "submit").click()
    assert wait_for(browser, "#user").text == "anna"
    shot(browser, "review")
    browser.get(server + "/releases/sample/2024-001")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[class]")
    row = next(r for r in rows if "The parties discussed" in r.text)
    row.find_element(By.TAG_NAME, "a").click()
    english = wait_for(browser, "#text-en")
    english.clear()
    english.send_keys(EDITED)
    browser.find_element(By.ID, "save").click()
    assert "reviewed by anna" in wait_for(browser, "#reviewed").text
    assert browser.find_element(By.ID, "text-en").get_attribute("value") == EDITED
    shot(browser, "unit")
    browser.get(server + "/files")
    Select(browser.find_element(By.NAME, "format")).select_by_visible_text("tmx")
    shot(browser, "files")
    browser.find_element(By.ID, "download").click()
    exported = browser.downloads / "en-tk.tmx"
    WebDriverWait(browser, 20).until(lambda _d: exported.is_file() and exported.stat().st_size > 0)
    text = exported.read_text(encoding="utf-8")
    assert EDITED in text and '<prop type="x-reviewed-by">anna</prop>' in text
    browser.get(server + "/corrections")
    assert EDITED in browser.find_element(By.TAG_NAME, "table").text
    shot(browser, "corrections")
    browser.get(server + "/overview")
    assert len(browser.find_elements(By.CSS_SELECTOR, "img")) == 4
    shot(browser, "overview")


def sign_in(server, browser) -> None:
    browser.get(server + "/login?next=/review")
    browser.find_element(By.ID, "name").send_keys("anna")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "submit").click()
    # The sign-in page may show a session already signed in: wait for the page it leads to.
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/review"))
    assert wait_for(browser, "#user").text == "anna"


def press(browser, *keys: str) -> None:
    """Keys typed on the page itself, not into a field."""
    browser.execute_script("document.activeElement.blur()")
    ActionChains(browser).send_keys(*keys).perform()


def test_the_keyboard_copies_a_match_walks_the_queue_accepts_and_saves(server, browser):
    sign_in(server, browser)
    browser.get(server + "/?q=" + QUERY.replace(" ", "+"))
    first = wait_for(browser, ".match")
    assert first.find_element(By.CSS_SELECTOR, "button.copy").text == "Copy"
    press(browser, "1")
    WebDriverWait(browser, 5).until(lambda _d: first.get_attribute("data-copied") == "true")
    press(browser, "/")
    assert browser.switch_to.active_element.get_attribute("name") == "q"
    browser.get(server + "/review")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-unit]")
    second = rows[1].get_attribute("data-unit")
    press(browser, "j", "j")
    assert "selected" in rows[1].get_attribute("class") and "selected" not in rows[0].get_attribute("class")
    press(browser, "a")  # accepts the second unit; the queue comes back without it
    WebDriverWait(browser, 10).until(
        lambda d: (
            second not in [r.get_attribute("data-unit") for r in d.find_elements(By.CSS_SELECTOR, "tr[data-unit]")]
        )
    )
    browser.get(server + f"/units/{second}")
    assert "reviewed by anna" in wait_for(browser, "#reviewed").text
    field = browser.find_element(By.CSS_SELECTOR, "textarea[name]")
    field.send_keys(" Saved by keyboard.")
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()

    def stored(_driver) -> bool:
        with urllib.request.urlopen(f"{server}/api/units/{second}") as answer:
            texts = json.load(answer)["unit"]["texts"]
        return any(text.endswith("Saved by keyboard.") for text in texts.values())

    WebDriverWait(browser, 10).until(stored)
    shot(browser, "keyboard")


def test_after_signing_out_an_edit_is_refused(server, browser):
    browser.get(server + "/review")
    unit_link = wait_for(browser, "td a")
    unit_path = "/units/" + unit_link.text
    browser.get(server + unit_path)
    stale_token = browser.find_element(By.NAME, "csrf").get_attribute("value")
    browser.find_element(By.ID, "sign-out").click()
    wait_for(browser, "#sign-in")
    browser.get(server + unit_path)
    assert not browser.find_elements(By.ID, "save")
    status = browser.execute_async_script(
        """const [path, token, done] = arguments;
        fetch(path + '/edit', {method: 'POST', body: new URLSearchParams({csrf: token, en: 'Forged.'})})
            .then(answer => done(answer.status));""",
        unit_path,
        stale_token,
    )
    assert status == 401
    browser.get(server + unit_path)
    assert "Forged." not in browser.page_source
    shot(browser, "signed-out")
