"""In a real browser (headless Chromium + chromedriver from Debian, Selenium), with axe-core on every page.

A coordinator signs in, switches to Dutch, downloads a template, uploads a
file with three mistakes, reads them, uploads the corrected file and gets the
receipt; the evaluator sets up the second factor and sees the submission on
the status page. axe-core (``npm ci`` into ./node_modules, never fetched at
test time) runs on each page: no critical or serious violation.

Skipped when Chromium, chromedriver or axe-core is missing, unless ``CI`` is
set (then it fails). ``PORTAL_SCREENSHOTS=DIR`` keeps a PNG of each page.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from evaluation.intake.pseudonymise import PseudonymKey

from .helpers import REPO, detainee_frame, three_mistakes, write_file

from evaluation.instruments import Catalogue

#: coordinators get the latest published version
DETAINEE_PUBLISHED = Catalogue().latest("detainee", published_only=True)

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _need():
    missing = [p for p in (CHROMIUM, DRIVER, str(AXE)) if not Path(p).exists()]
    if os.environ.get("PORTAL_TEST_DATABASE") == "postgresql":
        pytest.skip("browser test runs once, on the default database")
    if missing:
        msg = f"missing for the browser test: {', '.join(missing)} (scripts/system-deps.sh, make install)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_portal():
    _need()
    root = Path(tempfile.mkdtemp(prefix="portal-browser-"))
    key = PseudonymKey.generate()
    env = dict(os.environ, PEER_EVAL_WORKSPACE=str(root / "ws"), PORTAL_STATE_DIR=str(root / "state"),
               PEER_EVAL_KEY=key.text(), DJANGO_SETTINGS_MODULE="evaluation.portal.settings.development",
               PYTHONPATH=str(REPO), PEER_EVAL_NAMES_DIR=str(root / "controller"))
    (root / "controller").mkdir()
    from .test_interviews import NAMES

    (root / "controller" / "names_P04.csv").write_text(NAMES, encoding="utf-8")
    env.pop("DATABASE_URL", None)
    env.pop("PEER_EVAL_KEY_FILE", None)
    manage = [sys.executable, "-m", "evaluation.portal"]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=root, timeout=300)
    from evaluation.store import Workspace

    Workspace.open(root / "ws")
    accounts = {"coord": ("coord-p04", "coordinator", "P04", "en"), "eval": ("eval-1", "evaluator", None, "en")}
    passwords = {}
    for k, (name, role, site, lang) in accounts.items():
        pw = f"Browser-test-{k}-{os.getpid()}"
        args = [*manage, "adduser", name, "--role", role, "--language", lang, "--password-stdin"]
        if site:
            args += ["--site", site]
        subprocess.run(args, input=pw + "\n", text=True, env=env, check=True, cwd=root, timeout=120,
                       capture_output=True)
        passwords[k] = (name, pw)
    port = _free_port()
    server = subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, cwd=root,
                              stdout=open(root / "server.log", "wb"), stderr=subprocess.STDOUT)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "accounts": passwords, "root": root}
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(live_portal):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = live_portal["root"] / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1280,1000", "--lang=en-GB"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.implicitly_wait(15)  # every find_element waits for the next page
    driver.downloads = downloads
    yield driver
    driver.quit()


def _axe(driver, name: str, results: dict) -> None:
    """Run axe-core on the page; remember critical/serious violations; keep a screenshot when asked."""
    driver.set_script_timeout(60)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    out = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))));")
    results[name] = [v for v in out if v["impact"] in ("critical", "serious")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(shots) / f"{len(results):02d}-{name}.png"))


def _wait_url(driver, part: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: part in d.current_url, f"no page {part}: {driver.current_url}")


def _wait_text(driver, text: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: text in d.page_source, f"no text {text!r}")


def _sign_in(driver, base, name, password):
    from selenium.webdriver.common.by import By

    driver.get(base + "/accounts/login/")
    driver.find_element(By.ID, "id_username").send_keys(name)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()


def test_coordinator_session_and_evaluator_status_in_chromium(live_portal, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, d, axe = live_portal["url"], browser, {}
    d.get(base + "/accounts/login/")
    _axe(d, "login", axe)
    name, pw = live_portal["accounts"]["coord"]
    _sign_in(d, base, name, pw)
    _wait_url(d, "/prison/P04/")
    assert "Send a file" in d.page_source

    # switch to Dutch
    Select(d.find_element(By.ID, "language-select")).select_by_value("nl")
    d.find_element(By.ID, "language-go").click()
    _wait_text(d, "Een bestand sturen")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    _axe(d, "dashboard", axe)

    # download a template (CSV + data dictionary) in Dutch
    d.find_element(By.LINK_TEXT, "Sjablonen").click()
    _axe(d, "templates", axe)
    d.find_element(By.ID, "tpl-detainee-csv").click()
    for _ in range(100):
        got = [p for p in d.downloads.glob("*.zip")]
        if got:
            break
        time.sleep(0.1)
    assert got and got[0].name == f"detainee_{DETAINEE_PUBLISHED}_nl.zip"
    with zipfile.ZipFile(got[0]) as zf:
        names = zf.namelist()
        template = zf.read(f"detainee_{DETAINEE_PUBLISHED}_nl.csv").decode("utf-8-sig", errors="replace")
    assert f"detainee_{DETAINEE_PUBLISHED}_nl.codebook.csv" in names

    # fill it in (synthetic people): first with three mistakes
    good = detainee_frame("P04", n=15, seed=44)
    header = [ln for ln in template.splitlines() if ln and not ln.startswith("#")][0]
    bad_path = write_file(three_mistakes(good), tmp_path / "gedetineerden_P04.csv")
    assert [ln for ln in bad_path.read_text(encoding="cp1252").splitlines() if not ln.startswith("#")][0] == header
    d.find_element(By.LINK_TEXT, "Mijn gevangenis").click()
    d.find_element(By.ID, "id_file").send_keys(str(bad_path))
    d.find_element(By.ID, "check-button").click()
    verdict = d.find_element(By.ID, "verdict").text
    assert "3 problemen moeten eerst verbeterd worden" in verdict  # the intake's verdict or the portal's
    rows = d.find_elements(By.CSS_SELECTOR, "table.problems tbody tr")
    assert len(rows) == 3
    seen_rows = sorted(int(r.find_elements(By.TAG_NAME, "td")[0].text) for r in rows)
    # spreadsheet rows: the '#' line is row 1, the header row 2, the 2nd/4th/6th person rows 4, 6, 8
    assert seen_rows == [4, 6, 8]
    d.implicitly_wait(0)
    assert not d.find_elements(By.ID, "submit-button")
    d.implicitly_wait(15)
    _axe(d, "check-errors", axe)

    # the corrected file
    ok_path = write_file(good, tmp_path / "gedetineerden_P04_verbeterd.csv")
    d.find_element(By.LINK_TEXT, "Een ander bestand opladen").click()
    d.find_element(By.ID, "id_file").send_keys(str(ok_path))
    d.find_element(By.ID, "check-button").click()
    assert "Druk op 'Versturen'" in d.find_element(By.ID, "verdict").text
    _axe(d, "check-ok", axe)
    # another worker is storing a file: this one waits, and the page says so (no request waits)
    from .test_background import HOLDER

    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(live_portal["root"] / "state" / "workspace.lock"),
                               str(live_portal["root"] / "ws" / "evaluation.sqlite"), "120"],
                              stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        d.find_element(By.ID, "submit-button").click()
        assert "Uw bestand wacht om opgeslagen te worden" in d.find_element(By.ID, "pending-state").text
        pending_url = d.current_url
        _axe(d, "pending", axe)
        d.get(base + "/prison/P04/")
        assert "wordt opgeslagen" in d.find_element(By.ID, "recent").find_element(By.XPATH, "..").text
        d.execute_script("document.getElementById('recent').scrollIntoView()")
        _axe(d, "dashboard-pending", axe)
        d.get(pending_url)
        d.find_element(By.ID, "pending-state")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    sid = d.find_element(By.ID, "receipt-id").text  # the page's script goes to the receipt once stored
    assert sid.startswith("S") and d.find_element(By.ID, "receipt-rows").text == "15"
    _axe(d, "receipt", axe)
    d.get(base + "/prison/P04/history/")
    _wait_text(d, sid)
    _axe(d, "history", axe)
    d.get(base + "/guide/")
    assert "Handleiding voor coördinatoren" in d.page_source
    _axe(d, "guide", axe)
    d.find_element(By.CSS_SELECTOR, "form.logout button").click()
    _wait_url(d, "/accounts/login/")

    # the evaluator: second factor first, then the status page shows the submission
    from django_otp.oath import TOTP

    name, pw = live_portal["accounts"]["eval"]
    _sign_in(d, base, name, pw)
    _wait_url(d, "/accounts/2fa/setup/")
    _axe(d, "otp-setup", axe)
    secret = d.find_element(By.CSS_SELECTOR, "main code").text
    token = TOTP(base64.b32decode(secret)).token()
    d.find_element(By.ID, "id_token").send_keys(f"{token:06d}")
    d.find_element(By.CSS_SELECTOR, "main button.primary").click()
    _wait_url(d, "/evaluator/")
    assert "P04" in d.find_element(By.ID, "status-table").text
    _wait_text(d, sid)
    _axe(d, "status", axe)
    # an interview import: check, then import with the server's names list
    from .test_interviews import _qdpx

    d.get(f"{base}/evaluator/interviews/")
    Select(d.find_element(By.ID, "id_site")).select_by_value("P04")
    d.find_element(By.ID, "id_file").send_keys(str(_qdpx(tmp_path / "coded_P04.qdpx", "P04")))
    d.find_element(By.ID, "check-button").click()
    verdict = d.find_element(By.ID, "verdict").text  # the intake's verdict (issue 15) or the portal's own sentence
    assert "will be accepted" in verdict or "can be imported" in verdict
    _axe(d, "interview-check", axe)
    d.find_element(By.ID, "import-button").click()
    isid = d.find_element(By.ID, "receipt-id").text
    d.get(f"{base}/evaluator/interviews/")
    _wait_text(d, isid)
    assert "detainees" in d.page_source and "Jan Peeters" not in d.page_source
    for page in ("linkage", "quarantine", "interviews", "quotes", "audit", "builds"):
        d.get(f"{base}/evaluator/{page}/")
        assert d.find_element(By.TAG_NAME, "h1").text
        _axe(d, page, axe)
    assert "gedetineerden_P04" not in d.page_source

    bad = {page: v for page, v in axe.items() if v}
    assert not bad, bad
    assert len(axe) >= 16
