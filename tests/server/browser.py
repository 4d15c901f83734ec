"""Playwright driving Debian's Chromium (no browser download): the fixture the console's browser tests share.

Skips with the reason where no Chromium is installed, and fails instead under STATEWRIGHT_REQUIRE_BROWSER=1
(set by .ci/run, which installs it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("STATEWRIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("STATEWRIGHT_REQUIRE_BROWSER=1, but no chromium is installed (apt-get install chromium)")
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def page_of(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors  # a test can assert the page's scripts threw nothing
    page.goto(url)
    return page
