"""What tests/browser and tests/hub share: ONE Playwright (sync API) and ONE Chromium per session.

Playwright's sync API runs its own asyncio loop on the main thread; a second `sync_playwright()`
started while the first lives fails ("using Playwright Sync API inside the asyncio loop"), so the
browser suites must share this one. Under CI=true a missing Playwright or Chromium FAILS with what
to install (tests/browser/helpers.require); elsewhere it skips with the reason.
"""
from __future__ import annotations

import signal
import threading

import pytest
from browser.helpers import CHROMIUM, CHROMIUM_ARGS, require


def pytest_configure(config):
    """A SIGTERM (e.g. from `timeout`) becomes KeyboardInterrupt, so fixture teardown still stops
    the servers (JupyterLab, Voilà, the hub) instead of leaving them orphaned."""
    if threading.current_thread() is threading.main_thread():
        def _term(_sig, _frm):
            raise KeyboardInterrupt("SIGTERM")
        signal.signal(signal.SIGTERM, _term)


@pytest.fixture(scope="session")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:  # pragma: no cover - depends on the machine
        require(False, f"playwright for Python is not importable ({e}); "
                       "install the test extra: pip install -e '.[test]'")
    require(bool(CHROMIUM), "no `chromium` on PATH: install Debian's chromium (apt-get install chromium, "
                            "as .ci/run does); `playwright install` cannot download browsers here")
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    b = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()
