"""The tiny study's report in a real browser (headless Chromium): figures render, nothing is
logged as an error, and the page needs no network."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import missing_programs, require

pytestmark = pytest.mark.e2e

APT_INSTALL = "sudo apt-get install chromium chromium-driver"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)

# Every <img>, once loaded and decoded: [src prefix, complete, naturalWidth, naturalHeight].
IMAGES_JS = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
Promise.allSettled(imgs.map((img) => img.decode())).then(() =>
  done(imgs.map((img) => [img.src.slice(0, 40), img.complete, img.naturalWidth,
                          img.naturalHeight])));
"""

# Whatever in the DOM would fetch from the network.
NETWORK_REFS_JS = """
const refs = [];
for (const s of document.querySelectorAll("script[src]")) refs.push("script src=" + s.src);
for (const l of document.querySelectorAll("link[href]")) {
  if (/^https?:/i.test(l.href)) refs.push("link href=" + l.href);
}
const styles = Array.from(document.querySelectorAll("style"), (s) => s.textContent);
for (const el of document.querySelectorAll("[style]")) styles.push(el.getAttribute("style"));
for (const css of styles) {
  if (/@import/i.test(css)) refs.push("@import in a stylesheet");
  const url = css.match(/url\\(\\s*['"]?\\s*https?:[^)]*\\)/i);
  if (url) refs.push("stylesheet " + url[0]);
}
for (const e of performance.getEntriesByType("resource")) {
  if (/^https?:/i.test(e.name)) refs.push("resource " + e.name);
}
return refs;
"""


@pytest.fixture(scope="session")
def chromium() -> tuple[Path, Path]:
    """Chromium and its driver, found on PATH: CI must have them (.ci/run installs them);
    elsewhere the tests skip without them."""
    require(missing_programs("chromium", "chromedriver"), "Chromium", APT_INSTALL)
    return Path(shutil.which("chromium")), Path(shutil.which("chromedriver"))


@pytest.fixture(scope="module")
def report(chromium, tiny_run) -> str:
    """The tiny study's report as a file:// URL (``chromium`` first: no study if skipped)."""
    path = tiny_run / "results" / "tiny" / "report.html"
    assert path.is_file(), path
    return path.as_uri()


@pytest.fixture(scope="module")
def driver(chromium, tmp_path_factory):
    """Headless Chromium with its own profile; selenium-manager kept off the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    saved = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    browser_path, driver_path = chromium
    options.binary_location = str(browser_path)
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(driver_path)), options=options)
    browser.set_page_load_timeout(60)
    browser.set_script_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        if saved is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = saved


def load(driver, url: str) -> None:
    """Open ``url`` and wait until the document, images included, has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def assert_images_render(driver) -> None:
    images = driver.execute_async_script(IMAGES_JS)
    assert images, "the report has no <img>"
    broken = [img for img in images if not (img[1] and img[2] > 0 and img[3] > 0)]
    assert not broken, f"{len(broken)} of {len(images)} images did not decode: {broken}"


def assert_no_console_errors(driver) -> None:
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, "console errors:\n" + "\n".join(e["message"] for e in severe)


def test_report_renders_without_errors(driver, report):
    load(driver, report)
    assert driver.title, "the report has no <title>"
    assert_images_render(driver)
    assert_no_console_errors(driver)


def test_report_needs_no_network(driver, report):
    load(driver, report)
    assert driver.execute_script(NETWORK_REFS_JS) == []

    # The proof: the same page with the network switched off still renders in full.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    try:
        load(driver, report)
        assert driver.execute_script("return navigator.onLine") is False
        assert_images_render(driver)
        assert_no_console_errors(driver)
        assert driver.execute_script(NETWORK_REFS_JS) == []
    finally:
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        driver.execute_cdp_cmd("Network.disable", {})
