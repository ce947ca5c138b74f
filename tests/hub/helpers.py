"""Driving a hub in Chromium: log in with the shared password, open the workbook, run, submit."""
from __future__ import annotations

import re
from pathlib import Path

from browser.helpers import REPO, TEXTAREA, dismiss_dialogs, lab_command, reveal, wait_idle, wait_kernel_ready

ARTIFACTS = REPO / "artifacts" / "hub"
SUBMIT_JA = "講師に提出"


def new_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    ctx.set_default_timeout(60_000)
    return ctx.new_page()


def shot(page, request, label: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}-{label}.png"
    page.screenshot(path=str(path))
    return path


def login(page, hub, user: str, password: str = "opsvalue-demo", next_url: str = "") -> None:
    page.goto(f"{hub.url}/hub/login" + (f"?next={next_url}" if next_url else ""))
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")


def wait_workbook(page, notebook: str = "00_review.ipynb") -> None:
    """After login the hub spawns the server and lands on notebook 00; wait for its kernel."""
    page.wait_for_url(re.compile(rf".*/lab/tree/opsvalue/{re.escape(notebook)}.*"), timeout=120_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
    dismiss_dialogs(page)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=60_000)
    wait_kernel_ready(page, 120_000)


def open_notebook(page, hub, user: str, notebook: str) -> None:
    page.goto(f"{hub.url}/user/{user}/lab/tree/opsvalue/{notebook}?reset")
    wait_workbook(page, notebook)


def run_all(page) -> None:
    lab_command(page, "notebook:run-all-cells")
    page.wait_for_timeout(500)
    wait_idle(page)


def answer_first_box(page, text: str) -> None:
    box = reveal(page.locator(TEXTAREA).first)
    box.click()
    box.press_sequentially(text, delay=5)
    out = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-textarea textarea")).first
    reveal(out.locator(".opsvalue-saved", has_text="保存しました").first, timeout=20_000)  # this answer's own status


def submit_button(page):
    return reveal(page.locator(".jp-OutputArea-output button", has_text=SUBMIT_JA))
