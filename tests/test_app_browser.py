"""The app in headless Chromium (Debian's /usr/bin/chromium) through Playwright: pick a persona, talk, refresh
(the conversation comes back), end the call and read the scorecard; and a model failure mid-conversation
with "Verder met de gescripte klant". Screenshots go to artifacts/ (gitignored)."""

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
TURNS = [
    "Goedemiddag, u spreekt met Sanne. Wat vervelend dat u opnieuw moet bellen. Vertelt u eens wat er is gebeurd?",
    "Als ik het goed begrijp valt uw internet elke avond weg en bent u niet teruggebeld, klopt dat?",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium "
                       "(apt-get install chromium chromium-driver); CI installs it"),
    pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword).*"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(tmp: Path, **kwargs: Any) -> Iterator[str]:
    from roleplay.app import Store, build_app, launch

    demo = build_app(Store(f"sqlite:///{tmp / 'app.sqlite'}"), **kwargs)
    port = free_port()
    launch(demo, port=port, block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture
def browser_page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        # Playwright takes the profile folder here instead of a --user-data-dir flag
        context = p.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                       args=FLAGS, viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(30000)
        try:
            yield context.new_page()
        finally:
            context.close()


# the chat has n rows and the last one is a customer reply with text
REPLIED = """(n) => { const rows = document.querySelectorAll('#rp-chat .message-row');
  const last = rows[rows.length - 1];
  return rows.length >= n && last.classList.contains('bot-row') && last.innerText.trim().length > 0; }"""


def messages(page: Any) -> int:
    return int(page.locator("#rp-chat .message-row").count())


def say(page: Any, text: str) -> None:
    before = messages(page)
    page.fill("#rp-input textarea", text)
    page.click("#rp-send")
    try:
        page.wait_for_function(REPLIED, arg=before + 2)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "failed-turn.png"), full_page=True)
        raise
    page.wait_for_timeout(300)  # the stream's last chunk


def test_play_refresh_end_and_read_the_scorecard(tmp_path: Path, browser_page: Any) -> None:
    page = browser_page
    for url in serve(tmp_path):
        page.goto(url)
        page.get_by_text("Offline oefenmodus").wait_for()
        page.click("#start-boze-herhaalbeller")
        page.wait_for_function("document.querySelectorAll('#rp-chat .message-row').length >= 1")
        for text in TURNS:
            say(page, text)
        assert messages(page) == 5
        page.reload()  # a refresh: the open conversation comes back
        page.get_by_text(TURNS[1]).wait_for()
        assert messages(page) == 5
        page.get_by_text("Gesprek beëindigen").click()
        page.locator("#rp-total").wait_for()
        result = page.locator("#rp-result").inner_text()
        assert "Totaalscore" in result and "Hoe waarschijnlijk" in result and "Bron:" in result
        assert page.locator("#rp-result mark").count() >= 1  # the evidence is marked in the transcript
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "scorecard.png"), full_page=True)
        page.locator("#rp-result").screenshot(path=str(ARTIFACTS / "scorecard-detail.png"))
        page.get_by_role("tab", name="Geschiedenis").click()
        page.locator("#rp-history table").wait_for()
        assert "De boze herhaalbeller" in page.locator("#rp-history").inner_text()


def test_model_failure_in_the_browser(tmp_path: Path, browser_page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from roleplay.app import resolve_settings
    from roleplay.app._stand_in import stand_in_factory
    from roleplay.llm import fake_llm

    monkeypatch.setenv("ROLEPLAY_RETRY_ATTEMPTS", "1")
    settings = resolve_settings(model="fake/klant", judge="rules", customer_factory=stand_in_factory)
    page = browser_page
    with fake_llm(replies=["Goedemiddag, met Verbeek.", "Het valt elke avond weg."], faults=[None, "timeout"]):
        for url in serve(tmp_path, settings=settings, customer_factory=stand_in_factory):
            page.goto(url)
            page.click("#start-boze-herhaalbeller")
            page.get_by_text("Goedemiddag, met Verbeek.").wait_for()
            page.fill("#rp-input textarea", TURNS[0])
            page.click("#rp-send")
            page.get_by_text("De klant kon niet antwoorden").wait_for()
            assert page.get_by_text(TURNS[0]).count() >= 1  # what the trainee typed is still there
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "model-failure.png"), full_page=True)
            page.click("#rp-scripted")
            page.wait_for_function("document.querySelectorAll('#rp-chat .message-row').length >= 3")
            page.wait_for_function("!document.querySelector('#rp-status')?.innerText.includes('kon niet')")
            assert messages(page) == 3
