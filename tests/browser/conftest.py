"""Playwright on Debian's Chromium (no browser download). Screenshots go to var/test-screenshots/ (untracked):
`make test` leaves the working tree clean; the README's pictures come from `make screenshots` (tools/screenshots.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.datasets.conftest import dataset, elements, save, subdistricts, topic  # noqa: F401  (catalogue fixtures for journeys)

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("POC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("POC_TEST_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "test-screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="th-TH", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    from tests.conftest import TEST_PASSWORD

    def do_login(username: str, password: str = TEST_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        page.wait_for_load_state("networkidle")

    return do_login


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
