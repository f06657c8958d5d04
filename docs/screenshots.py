"""Retake the MLflow UI screenshots that README.md shows (docs/img/mlflow-*.png).

Starts ``mlflow ui`` on the study's store, bound to 127.0.0.1 on a free port, opens it in
Debian's headless Chromium (``apt-get install chromium chromium-driver``) and saves:

- mlflow-experiment.png: the study's experiment, its runs table with the cell runs;
- mlflow-compare.png: the current cell runs side by side (negative_r2_pct, mean_r2, ... columns);
- mlflow-metric.png: one cell run's Model metrics tab: its test R² trial by trial (step =
  trial).

Usage: python docs/screenshots.py [--store sqlite:///results/mlflow.db] [--study negative-r2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[1]
# Found on PATH (Debian installs both in /usr/bin); "" when missing.
CHROMIUM = shutil.which("chromium") or ""
CHROMEDRIVER = shutil.which("chromedriver") or ""
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
    "--hide-scrollbars",
)
WIDTH, HEIGHT = 1480, 900
CURRENT = "tags.`negr2.current` = 'true'"
EXPERIMENT_TAGS = ("negr2.scenario", "negr2.model", "negr2.current")
# Metric columns of the compare view, with their widths in pixels (full values, 1480 px).
COMPARE_METRICS = {
    "negative_r2_pct": 122,
    "negative_r2_pct_lo": 140,
    "negative_r2_pct_hi": 140,
    "mean_r2": 128,
    "median_r2": 128,
}
SERVER_TIMEOUT = 180  # seconds for `mlflow ui` to answer (10-40 s here)
PAGE_TIMEOUT = 90  # seconds for a page to render its table or chart
SETTLE = 1.0  # seconds for transitions to finish once the content is there

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["SE_OFFLINE"] = "true"  # selenium-manager must not look for browsers online


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def mlflow_ui(store: str, log: Path):
    """``mlflow ui`` on 127.0.0.1, yielding its base URL once it answers; always stopped."""
    port = free_port()
    cmd = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", store]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        server = subprocess.Popen(
            cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"mlflow ui exited with {server.returncode}:\n{tail(log)}")
            if answers(url + "/"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"mlflow ui did not answer in {SERVER_TIMEOUT} s:\n{tail(log)}")
            time.sleep(1)
        print(f"mlflow ui answers on {url}")
        yield url
    finally:
        stop(server)


def answers(url: str) -> bool:
    """True when ``url`` answers HTTP 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:  # refused while starting, or an HTTP error
        return False


def stop(server: subprocess.Popen) -> None:
    """Stop the server and the workers it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)
    deadline = time.monotonic() + 10
    while group_alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def chromium(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        # The page itself WIDTH x HEIGHT (a headless window keeps room for browser chrome).
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.set_page_load_timeout(PAGE_TIMEOUT)
        yield driver
    finally:
        driver.quit()


def find_runs(store: str, study: str):
    """The study's experiment, its current cell runs and its current study run(s)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store)
    experiment = client.get_experiment_by_name(study)
    if experiment is None:
        names = ", ".join(e.name for e in client.search_experiments())
        sys.exit(f"no experiment {study!r} in {store}; there are: {names}")
    current = client.search_runs([experiment.experiment_id], CURRENT, max_results=1000)
    cells = sorted(
        (r for r in current if "negr2.model" in r.data.tags), key=lambda r: r.info.run_name
    )
    studies = client.search_runs([experiment.experiment_id], "tags.`negr2.kind` = 'study'")
    if not cells:
        sys.exit(f"experiment {study!r} has no current cell runs ({CURRENT})")
    return experiment.experiment_id, cells, studies


def ui_state(driver, base: str, experiment_id: str, state: dict) -> None:
    """Preset the runs table (columns, widths, expanded rows) the way the UI stores it,
    with MLflow's assistant panel closed."""
    driver.get(base + "/health")  # any page of the origin, outside the app
    items = {
        f'MLflowLocalStorage-1.1-ExperimentPage-["{experiment_id}"]-ReactComponentState': state,
        f"MLflowLocalStorage-1.1-ExperimentView-{experiment_id}-expandRows": True,
        "mlflow.assistant.panelOpen_v1": False,
        "mlflow.assistant.fab.autoOpenedOnFirstLoad_v1": True,
    }
    driver.execute_script("localStorage.clear()")
    for key, value in items.items():
        driver.execute_script(
            "localStorage.setItem(arguments[0], arguments[1])", key, json.dumps(value)
        )


def wait_for(driver, description: str, script: str, *args) -> None:
    """Wait until ``script`` (JavaScript returning a boolean) is true."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(driver, PAGE_TIMEOUT, poll_frequency=0.5).until(
            lambda d: d.execute_script(script, *args)
        )
    except TimeoutException:
        shot = Path(tempfile.gettempdir()) / "negr2-screenshot-timeout.png"
        driver.save_screenshot(str(shot))
        raise TimeoutError(
            f"{description}: not there after {PAGE_TIMEOUT} s (see {shot})"
        ) from None


# True once the runs table shows every run name in arguments[0] and every column in
# arguments[1], with a value (not "-") in some row of the first of those columns.
TABLE_READY_JS = """
const [names, columns] = arguments;
const text = Array.from(document.querySelectorAll(".ag-row"), (r) => r.textContent).join("\\n");
if (!names.every((name) => text.includes(name))) return false;
const ids = new Set(Array.from(document.querySelectorAll(".ag-header-cell"),
                               (h) => h.getAttribute("col-id")));
if (!columns.every((c) => ids.has(c))) return false;
if (!columns.length) return true;
const cells = document.querySelectorAll(`.ag-row [col-id="${columns[0]}"]`);
return Array.from(cells).some((c) => !["", "-"].includes(c.textContent.trim()));
"""

# The run page's metric chart cards. True once there are arguments[0] of them and the r2 card
# has drawn its line at least arguments[1] pixels wide.
CARDS = '[data-testid="experiment-view-compare-runs-card"]'
CHARTS_READY_JS = f"""
const [count, width] = arguments;
const cards = Array.from(document.querySelectorAll('{CARDS}'));
if (cards.length !== count) return false;
const card = cards.find((c) => c.querySelector('[title="r2"]'));
const plot = card && card.querySelector(".js-plotly-plot");
const line = plot && plot.querySelector(".scatterlayer path.js-line");
return Boolean(line) && (line.getAttribute("d") || "").length > 100
  && plot.getBoundingClientRect().width >= width;
"""


def save(driver, path: Path) -> None:
    time.sleep(SETTLE)
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    driver.save_screenshot(str(path))
    print(
        f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}"
        f" ({path.stat().st_size // 1024} KB)"
    )


def runs_url(base: str, experiment_id: str, **params) -> str:
    query = urlencode({"workflowType": "machine_learning", **params}, quote_via=quote)
    return f"{base}/#/experiments/{experiment_id}/runs?{query}"


def col(kind: str, key: str) -> str:
    return f"{kind}.`{key}`"


def shoot_experiment(driver, base, experiment_id, cells, studies, out: Path) -> None:
    columns = [col("tags", t) for t in EXPERIMENT_TAGS]
    dataset = col("attributes", "Dataset")
    state = {
        "searchFilter": "",
        "selectedColumns": [dataset, *columns],
        "columnOrder": [
            col("attributes", "Run Name"),
            "runDateAndNestInfo",
            "duration",
            dataset,
            *columns,
        ],
        "columnWidths": {
            col("attributes", "Run Name"): 235,
            dataset: 215,
            **dict.fromkeys(columns, 130),
        },
        "runsExpanded": {r.info.run_id: True for r in studies},
    }
    ui_state(driver, base, experiment_id, state)
    driver.get(runs_url(base, experiment_id, searchFilter=""))
    names = [r.info.run_name for r in cells[:8]]
    wait_for(driver, "the runs table", TABLE_READY_JS, names, columns)
    save(driver, out / "mlflow-experiment.png")


def shoot_compare(driver, base, experiment_id, cells, studies, out: Path) -> None:
    columns = [col("metrics", m) for m in COMPARE_METRICS]
    order = col("metrics", "mean_r2")
    state = {
        "searchFilter": CURRENT,
        "orderByKey": order,
        "orderByAsc": True,
        "selectedColumns": columns,
        "columnOrder": [col("attributes", "Run Name"), "runDateAndNestInfo", "duration", *columns],
        "columnWidths": {
            col("attributes", "Run Name"): 225,
            **{col("metrics", m): width for m, width in COMPARE_METRICS.items()},
        },
        "runsExpanded": {r.info.run_id: True for r in studies},
    }
    ui_state(driver, base, experiment_id, state)
    driver.get(
        runs_url(base, experiment_id, searchFilter=CURRENT, orderByKey=order, orderByAsc="true")
    )
    names = [r.info.run_name for r in cells[:8]]
    wait_for(driver, "the filtered runs table", TABLE_READY_JS, names, columns)
    save(driver, out / "mlflow-compare.png")


def shoot_metric(driver, base, experiment_id, run, out: Path) -> None:
    """The run page's Model metrics tab, searched for the r2 chart, widened."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    ui_state(driver, base, experiment_id, {})
    driver.get(
        f"{base}/#/experiments/{experiment_id}/runs/{run.info.run_id}/model-metrics"
        "?workflowType=machine_learning"
    )
    search_box = "input[placeholder='Search metric charts']"
    wait_for(
        driver,
        f"the metric charts of {run.info.run_name}",
        f"return document.querySelector(`{search_box}`) !== null"
        f" && document.querySelector('{CARDS}') !== null",
    )
    search = driver.find_element(By.CSS_SELECTOR, search_box)
    search.send_keys("^r2$")
    wait_for(driver, "the r2 chart alone", CHARTS_READY_JS, 1, 0)
    # Widen the card with its resize handle (bottom right) to the width of the page.
    handle = driver.find_element(By.CSS_SELECTOR, '[data-testid="draggable-card-resize-handle"]')
    dx = WIDTH - 30 - int(handle.rect["x"])  # near the page's edge; the card snaps to its grid
    ActionChains(driver).click_and_hold(handle).move_by_offset(dx // 2, 70).move_by_offset(
        dx - dx // 2, 70
    ).release().perform()
    wait_for(driver, "the widened r2 chart", CHARTS_READY_JS, 1, 0.6 * WIDTH)
    ActionChains(driver).move_to_element_with_offset(search, 0, -120).perform()  # hover nothing
    save(driver, out / "mlflow-metric.png")


def shoot_report(report: Path, png: Path, width: int = 1300, height: int = 2200) -> None:
    """The top of a report as README shows it: headless Chromium, scaled to 1000 px."""
    from PIL import Image

    if not report.is_file():
        sys.exit(f"no report at {report}: run `make study` first")
    if not CHROMIUM:
        sys.exit("chromium missing from PATH: apt-get install chromium chromium-driver")
    with tempfile.TemporaryDirectory(prefix="negr2-screenshots-") as tmp:
        shot = Path(tmp) / "report.png"
        subprocess.run(
            [
                CHROMIUM,
                *CHROMIUM_ARGS,
                f"--user-data-dir={tmp}/profile",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--screenshot={shot}",
                report.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=PAGE_TIMEOUT,
        )
        with Image.open(shot) as image:
            size = (1000, round(image.height * 1000 / image.width))
            image.resize(size, Image.LANCZOS).save(png, optimize=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store",
        default="sqlite:///results/mlflow.db",
        help="MLflow backend store URI, relative paths from the repository root",
    )
    parser.add_argument("--study", default="negative-r2", help="the study (experiment) to show")
    parser.add_argument(
        "--model",
        default="LinearRegression",
        help="whose trial-by-trial r2 to chart (first cell of that model)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    parser.add_argument("--report", type=Path, help="instead: the top of this report.html")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if args.report:
        shoot_report(args.report.resolve(), out / "report.png")
        return

    os.chdir(REPO)  # relative store paths, as in the Makefile
    if not (CHROMIUM and CHROMEDRIVER):
        sys.exit("chromium or chromedriver missing: apt-get install chromium chromium-driver")
    if args.store.startswith("sqlite:///") and not Path(args.store[len("sqlite:///") :]).exists():
        sys.exit(f"no store at {args.store}: run `make study` first")

    experiment_id, cells, studies = find_runs(args.store, args.study)
    chart_run = next((r for r in cells if r.data.tags["negr2.model"] == args.model), cells[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="negr2-screenshots-") as tmp:
        tmp = Path(tmp)
        with (
            mlflow_ui(args.store, tmp / "mlflow-ui.log") as base,
            chromium(tmp / "profile") as driver,
        ):
            shoot_experiment(driver, base, experiment_id, cells, studies, out)
            shoot_compare(driver, base, experiment_id, cells, studies, out)
            shoot_metric(driver, base, experiment_id, chart_run, out)


if __name__ == "__main__":
    main()
