"""A trainee in Voila (`opsvalue-lab app`): answer, saved, reload, answer shown again; no code."""
from __future__ import annotations

import re

import pytest

from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.i18n import ui_table

from .conftest import base_env, open_workbook
from .helpers import free_port, reveal, shot, wait_store

TYPED = "価値は見える化して初めて伝わる 🚀 Lead time lowered"
NOTEBOOK = "03_service_delivery.ipynb"


@pytest.fixture(scope="module")
def voila_app(server_factory, opsvalue_cli, tmp_path_factory):
    root = tmp_path_factory.mktemp("voila")
    ws = root / "workspace"
    port = free_port()
    cmd = [*opsvalue_cli, "app", "--workspace", str(ws), "--lang", "ja", "--port", str(port),
           "--no-browser"]
    srv = server_factory(cmd, cwd=root, env=base_env(root), name="voila", port=port,
                         url=f"http://127.0.0.1:{port}/")
    return srv, ws


def open_section(page, srv):
    page.goto(f"{srv.base}/voila/render/{NOTEBOOK}", timeout=120_000)
    box = page.locator(".widget-textarea textarea").first
    reveal(box, timeout=120_000)
    return box


def test_voila_answer_survives_reload_and_no_code(page, request, voila_app):
    srv, ws = voila_app
    box = open_section(page, srv)
    shot(page, request, "opened", full_page=False)
    # markdown cells keep a .jp-InputArea for their rendered text; code cells must have none
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .CodeMirror, .cm-editor")
    assert code.count() == 0, f"{code.count()} code input areas are on the Voila page"
    # the lecture figures are embedded in markdown (attachments) and must be drawn, not broken links
    figs = page.locator(".jp-MarkdownCell img, .jp-RenderedMarkdown img")
    assert figs.count() == 2, f"03 embeds two lecture figures, the page shows {figs.count()}"
    for i in range(figs.count()):
        reveal(figs.nth(i))
        assert figs.nth(i).evaluate("img => img.complete && img.naturalWidth") > 300
    body = page.inner_text("body")
    for code in ("import opsvalue_lab", "ov.exercise", "ov.begin", "Traceback"):
        assert code not in body, f"{code!r} is visible to the trainee in Voila"
    box.click()
    box.press_sequentially(TYPED, delay=10)
    reveal(page.locator(".opsvalue-saved", has_text="保存しました").first, timeout=15_000)
    shot(page, request, "saved")
    wb = open_workbook(ws)
    try:
        wait_store(lambda: wb.latest("pre-1"), TYPED, what="pre-1")
    finally:
        wb.close()
    page.reload()
    box = page.locator(".widget-textarea textarea").first
    reveal(box, timeout=120_000)
    assert box.input_value() == TYPED
    shot(page, request, "reloaded", full_page=True)
    assert not re.search(r"Traceback|Error:", page.inner_text("body"))


def test_voila_landing_page_lists_the_sections(page, request, voila_app):
    srv, _ws = voila_app
    page.goto(f"{srv.base}/", timeout=120_000)
    for name in ("00_review", "01_cost_trap", "02_value", "03_service_delivery", "04_service_value",
                 "05_delivery_value", "06_summary"):
        page.get_by_text(name, exact=False).first.wait_for(timeout=60_000)
    shot(page, request, "landing", full_page=True)
    # the page speaks the workbook's language: ui.toml [voila] and the sections' titles, no English
    words = {k: v["ja"] for k, v in ui_table("voila").items()}
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.title() == words["title"]
    assert page.get_by_role("heading", name=words["title"]).count() == 1
    items = page.get_by_role("list", name=words["list"]).get_by_role("link")
    texts = items.all_inner_texts()
    for s in catalogue().sections:
        assert f"{s.title('ja')} ({s.id:02d}_{s.slug}.ipynb)" in texts, texts
    assert f"en ({words['folder']})" in texts, texts
    body = page.inner_text("body")
    assert words["heading"] in body
    for english in ("Select items", "Voilà Home", "Name", "Modified"):
        assert english not in body, f"{english!r} is on the Japanese landing page"
    # a folder's page too: the way up is in Japanese
    page.get_by_role("link", name=f"en ({words['folder']})").click()
    page.get_by_role("link", name=f"{words['up']} (..)").wait_for(timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "ja" and "Select items" not in page.inner_text("body")
    page.go_back()
    page.get_by_text("04_service_value.ipynb").first.wait_for(timeout=30_000)
    # opening a section from the list, as a person would (Voila may open it in a new tab)
    with page.context.expect_page(timeout=30_000) as opened:
        page.get_by_text("04_service_value.ipynb").first.click()
    section = opened.value
    section.locator(".widget-button", has_text="業務を追加").first.wait_for(timeout=120_000)
    assert "04_service_value" in section.url
    section.close()
