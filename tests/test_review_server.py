"""The review server as a coder and a crash see it: ``python -m nlp_coder review serve`` in its own process.

- two coders saving the same answer at once: one 200, one 409;
- a server killed (SIGKILL) in the middle of a burst of writes: the database passes ``PRAGMA integrity_check``
  and holds every write that was acknowledged;
- a real headless Chromium (Debian's chromium and chromedriver, driven by Selenium): open the URL with the
  token, open a treaty, correct Q16, reload, see the correction and its history. The screenshot of the treaty
  page goes to tmp_path, and to $NLP_CODER_SCREENSHOT when set (docs/review.png is made that way).
"""

import os
import selectors
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from conftest import ROOT
from nlp_coder.cli import app
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.review.store import open_store
from test_review_api import review_db

TOKEN = "server-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return review_db(tmp_path_factory.mktemp("served"))  # the example (1) and the markup treaty (2)


def start(db: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """``review serve`` on a free port; the process and the URL it printed."""
    command = [sys.executable, "-m", "nlp_coder", "review", "serve", "--db", str(db), "--port", "0", *extra]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=60):
        proc.kill()
        pytest.fail(f"the server printed no URL: {proc.stderr.read()}")
    url = proc.stdout.readline().strip()
    if not url:
        proc.wait(timeout=10)
        pytest.fail(f"the server stopped: {proc.stderr.read()}")
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        stream.close()


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    db = tmp_path_factory.mktemp("server") / "review.sqlite"
    shutil.copy(built, db)
    proc, url = start(db, "--token", TOKEN)
    yield url, url.split("/?")[0], db
    stop(proc)


def body_for(
    base: str, question: int, answer: str, codes: dict, coder: str, version: int | None = None
) -> dict:
    if version is None:
        treaty = httpx.get(f"{base}/api/treaties/1", headers=AUTH, timeout=10).json()
        version = treaty["answers"][question - 1]["version"]
    return {
        "answer": answer,
        "codes": codes,
        "evidence": [],
        "comment": "",
        "coder": coder,
        "version": version,
    }


# --- the command ------------------------------------------------------------------------------------------


def test_serve_prints_a_url_with_a_random_token_that_opens_the_review(built):
    tokens = []
    for _ in range(2):
        proc, url = start(built)
        try:
            assert url.startswith("http://127.0.0.1:") and "/?token=" in url
            tokens.append(url.split("token=")[1])
            with httpx.Client(timeout=10, follow_redirects=True) as client:
                page = client.get(url)
                assert page.status_code == 200 and "TREATY OF FRIENDSHIP" in page.text
                assert client.get(url.split("/?")[0] + "/api/treaties").status_code == 200  # the cookie
            assert httpx.get(url.split("/?")[0] + "/api/treaties", timeout=10).status_code == 401
        finally:
            stop(proc)
    assert tokens[0] != tokens[1] and min(len(t) for t in tokens) >= 24


def test_ctrl_c_or_sigterm_stop_the_server_cleanly(built):
    import signal

    # at once (the server may still be starting: the stop must not be lost, nor end in a traceback) and
    # once it has answered a request
    for sig in (signal.SIGINT, signal.SIGTERM):
        for answered_first in (False, True):
            proc, url = start(built)
            if answered_first:
                assert httpx.get(url, timeout=10, follow_redirects=True).status_code == 200
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0 and err.strip().endswith("review server stopped"), err
            assert "Traceback" not in err


def test_serve_refuses_what_it_must(built, tmp_path, monkeypatch):
    monkeypatch.delenv("NLP_CODER_TOKEN", raising=False)
    runner = CliRunner()
    exposed = runner.invoke(app, ["review", "serve", "--db", str(built), "--host", "0.0.0.0"])
    assert exposed.exit_code == 2 and "--token" in exposed.stderr and exposed.stderr.count("\n") == 1
    missing = runner.invoke(app, ["review", "serve", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2 and "no such review database" in missing.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        busy = runner.invoke(app, ["review", "serve", "--db", str(built), "--port", str(port)])
    assert busy.exit_code == 2 and "cannot listen" in busy.stderr


def test_the_socket_is_tcp_so_small_responses_are_not_held_back():
    """asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say they are TCP; without it a
    kept-alive connection waits ~40 ms (a delayed ACK) for every small response."""
    from nlp_coder.review.server import bind

    with bind("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP and sock.getsockname()[1] > 0


def test_two_coders_saving_at_once_get_one_200_and_one_409(server):
    _, base, _ = server
    for question, column in ((30, "medarb"), (33, "intcom"), (34, "subord")):
        barrier = threading.Barrier(2)
        statuses = []
        version = httpx.get(f"{base}/api/treaties/1", headers=AUTH).json()["answers"][question - 1]["version"]

        def save(
            coder, question=question, column=column, version=version, barrier=barrier, statuses=statuses
        ):
            body = body_for(base, question, f"No ({coder})", {column: 0}, coder, version)
            barrier.wait()
            statuses.append(
                httpx.put(f"{base}/api/treaties/1/answers/{question}", json=body, headers=AUTH).status_code
            )

        threads = [threading.Thread(target=save, args=(name,)) for name in ("ana", "ben")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 409]
        history = httpx.get(f"{base}/api/treaties/1/history", headers=AUTH).json()
        assert len([h for h in history if h["question"] == question]) == 1


# --- a crash mid-write ------------------------------------------------------------------------------------

BURST_QUESTIONS = (8, 9, 11, 25, 26, 30, 33, 34, 36, 37, 38, 39, 40, 41, 49, 51)


def test_a_server_killed_mid_burst_keeps_every_acknowledged_write(built, tmp_path):
    db = tmp_path / "review.sqlite"
    shutil.copy(built, db)
    with open_store(db) as store:
        before = {a["question"]: a for a in store.answers(1)}
    proc, url = start(db, "--token", TOKEN)
    base = url.split("/?")[0]
    cb = load_codebook()
    acknowledged: list[tuple[int, int, str]] = []
    problems: list[str] = []  # anything but a 200 or the dead server, kept to say why a run failed
    lock = threading.Lock()
    dead = threading.Event()

    def writer(k: int, questions: tuple[int, ...]) -> None:
        with httpx.Client(base_url=base, headers=AUTH, timeout=10) as client:
            answers = client.get("/api/treaties/1").json()["answers"]
            versions = {q: answers[q - 1]["version"] for q in questions}
            for i in range(300):  # bounded: the kill comes long before
                q = questions[i % len(questions)]
                text = f"No (writer {k}, write {i})"
                body = {
                    "answer": text,
                    "codes": {cb.question(q).columns[0]: 0},
                    "evidence": [],
                    "comment": f"burst {i}",
                    "coder": f"writer{k}",
                    "version": versions[q],
                }
                try:
                    response = client.put(f"/api/treaties/1/answers/{q}", json=body)
                except httpx.HTTPError:
                    dead.set()
                    return
                if response.status_code != 200:
                    with lock:
                        problems.append(f"Q{q}: {response.status_code} {response.text[:200]}")
                    return
                versions[q] = response.json()["version"]
                with lock:
                    acknowledged.append((q, versions[q], text))

    groups = [BURST_QUESTIONS[k::4] for k in range(4)]
    threads = [threading.Thread(target=writer, args=(k, g)) for k, g in enumerate(groups)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 80 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.kill()  # SIGKILL, writes in flight
        proc.wait(timeout=10)
    finally:
        for t in threads:
            t.join(timeout=30)
        stop(proc)
    assert not problems, problems
    assert len(acknowledged) >= 80, f"only {len(acknowledged)} writes acknowledged before the kill"
    assert dead.is_set()

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    with open_store(db) as store:
        history = {(h["question"], h["version"]): h for h in store.history(1)}
        answers = {a["question"]: a for a in store.answers(1)}
    for question, version, text in acknowledged:
        assert history[(question, version)]["after"]["answer"] == text
        assert answers[question]["version"] >= version
    for question in BURST_QUESTIONS:  # the stored answer is the last change the history holds
        versions = [v for q, v in history if q == question]
        if not versions:  # a writer the scheduler starved before the kill: the answer is as it was
            assert answers[question] == before[question]
            continue
        last = max(versions)
        assert answers[question]["version"] == last
        assert answers[question]["answer"] == history[(question, last)]["after"]["answer"]


# --- a coder in a real browser ------------------------------------------------------------------------------


def chrome(profile: Path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1500,950",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


SELECT_TEXT = """
const phrase = arguments[0];
const walker = document.createTreeWalker(document.getElementById("text"), NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const at = node.data.indexOf(phrase);
  if (at >= 0) { window.getSelection().setBaseAndExtent(node, at, node, at + phrase.length); return true; }
}
return false;
"""


@pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
)
def test_a_coder_corrects_q16_in_the_browser(server, tmp_path, monkeypatch):
    pytest.importorskip("selenium")
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium never fetches a browser or driver
    url, base, _ = server
    driver = chrome(tmp_path / "profile")
    wait = WebDriverWait(driver, 20)
    css = By.CSS_SELECTOR
    ready = (css, "body[data-ready='1']")
    answer = "Defense Pact, Consultation Pact (Article 3(1), Article 4): Article 2(2) settles disputes, no nonaggression pledge."
    phrase = "Should either High Contracting Party become the object of an armed attack in its territory"
    try:
        driver.get(url)  # the token becomes a cookie; the list of treaties
        wait.until(ec.element_to_be_clickable((css, "a.treaty-link[href='/treaties/1']"))).click()
        wait.until(ec.presence_of_element_located(ready))
        coder = driver.find_element(css, "#coder")
        coder.send_keys("Ana", Keys.TAB)

        driver.find_element(css, "#q16 .qtext").click()  # its evidence is marked in the text
        marked = wait.until(ec.presence_of_element_located((css, "#text mark.current")))
        assert marked.text.startswith("The High Contracting Parties shall resolve any dispute")
        driver.find_element(css, "body").send_keys("e")  # the key opens the editor
        editor = wait.until(ec.presence_of_element_located((css, "#q16 form.editor")))
        box = editor.find_element(css, "textarea[name=answer]")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(answer)
        Select(editor.find_element(css, "select[name=code-nonagg]")).select_by_value("0")
        for _ in range(2):  # drop Article 2(2) and the draft's whole Article 3(1) sentence ...
            driver.find_element(css, "#q16 .evidence-editor li button.remove").click()
        assert driver.execute_script(SELECT_TEXT, phrase)  # ... and mark the words that carry the pledge
        driver.find_element(css, "#q16 .add-evidence").click()
        editor = driver.find_element(css, "#q16 form.editor")
        editor.find_element(css, "textarea[name=comment]").send_keys("Article 2(2) is peaceful settlement.")
        editor.find_element(css, "button.save").click()
        wait.until(ec.presence_of_element_located((css, "#q16 .status.reviewed")))

        driver.refresh()
        wait.until(ec.presence_of_element_located(ready))
        card = driver.find_element(css, "#q16")
        assert card.find_element(css, ".answer").text == answer
        assert "nonagg = 0" in card.find_element(css, ".codes").text
        assert card.find_element(css, ".status").text == "reviewed by Ana · v2"
        assert "Article 2(2) is peaceful settlement." in card.find_element(css, ".comment").text
        card.find_element(css, ".qtext").click()
        assert driver.find_element(css, "#text mark.current").text.startswith(
            "If either High Contracting Party"
        )
        card.find_element(css, ".evidence li:nth-child(2) .ev-link").click()
        assert driver.find_element(css, "#text mark.current").text == phrase
        driver.find_element(css, "body").send_keys("e")
        wait.until(ec.presence_of_element_located((css, "#q16 form.editor")))
        screenshot(driver, tmp_path)

        driver.find_element(css, "#tab-history").click()
        row = wait.until(ec.visibility_of_element_located((css, "#history tbody tr")))
        cells = [td.text for td in row.find_elements(css, "td")]
        assert cells[1] == "Ana" and cells[2] == "16" and answer in cells[4]
        assert (
            "nonagg=1" in cells[3]
            and "nonagg=0" in cells[4]
            and cells[5] == "Article 2(2) is peaceful settlement."
        )

        stored = httpx.get(f"{base}/api/treaties/1", headers=AUTH).json()
        text, q16 = stored["text"], stored["answers"][15]
        new = next(e for e in q16["evidence"] if e["quote"] == phrase)
        assert text[new["start"] : new["end"]] == phrase and new["part"] == "Article 3(1)"

        driver.find_element(css, "#tab-questions").click()  # keys: j moves, a accepts and moves on
        driver.find_element(css, "#q7 .qtext").click()
        driver.find_element(css, "body").send_keys("j", "a")
        wait.until(ec.presence_of_element_located((css, "#q8.reviewed")))
        wait.until(ec.presence_of_element_located((css, "#q9.selected")))

        driver.get(f"{base}/treaties/2")  # markup in a treaty shows as text and never runs
        wait.until(ec.presence_of_element_located(ready))
        assert '<script>alert("title")</script>' in driver.find_element(css, "#title").text
        assert "<img src=x onerror=" in driver.find_element(css, "#text").text
        assert (
            driver.execute_script("return document.querySelectorAll('#text img, #text script').length") == 0
        )
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()


def screenshot(driver, tmp_path: Path) -> None:
    png = driver.get_screenshot_as_png()
    (tmp_path / "review.png").write_bytes(png)
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    wanted = os.environ.get("NLP_CODER_SCREENSHOT")
    if wanted:
        Path(wanted).write_bytes(png)
