"""A trainee in JupyterLab (ja): the pre-1 answer survives real typing, a kernel restart and the
store; IME-style input arrives intact; the self-assessment redraws its matrix."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import open_workbook, start_lab
from .helpers import TEXTAREA, open_lab, restart_run_all, reveal, run_all, shot, wait_idle, wait_store

# Japanese, an emoji and both l and L (JupyterLab swallowed "L" in text boxes: ipywidgets#3836)
TYPED = "障害対応を減らし、事業を止めない🚀 Lead time lowered; L and l both kept"
IME = "運用の価値"


@pytest.fixture(scope="module")
def lab_ja(server_factory, opsvalue_cli, tmp_path_factory):
    return start_lab(server_factory, opsvalue_cli, tmp_path_factory, "ja", "lab-ja")


def test_pre1_typed_saved_restarted_and_stored(page, request, lab_ja):
    srv, ws = lab_ja
    open_lab(page, srv, "03_service_delivery.ipynb")
    run_all(page)
    shot(page, request, "ran")
    boxes = page.locator(TEXTAREA)
    assert boxes.count() >= 3, "03 should show the pre-1, pre-2.1 and pre-2.2 answer boxes"
    pre1 = boxes.nth(0)
    pre1.scroll_into_view_if_needed()
    pre1.click()
    pre1.press_sequentially(TYPED, delay=10)  # real key events, one per character
    assert pre1.input_value() == TYPED, "the text box itself lost characters while typing"
    reveal(page.locator(".jp-OutputArea-output .opsvalue-saved", has_text="保存しました").first,
           timeout=15_000)
    shot(page, request, "typed-saved")
    wb = open_workbook(ws)
    try:
        wait_store(lambda: wb.latest("pre-1"), TYPED, what="pre-1")
        # IME-style commit: one input event with the whole composed string
        pre21 = boxes.nth(1)
        pre21.scroll_into_view_if_needed()
        pre21.click()
        page.keyboard.insert_text(IME)
        wait_store(lambda: wb.latest("pre-2.1"), IME, what="pre-2.1 (insert_text)")
    finally:
        wb.close()

    restart_run_all(page)
    boxes = page.locator(TEXTAREA)
    boxes.nth(0).wait_for()
    assert boxes.nth(0).input_value() == TYPED
    assert boxes.nth(1).input_value() == IME
    reveal(page.locator(".jp-OutputArea-output .opsvalue-saved").first)
    page.wait_for_timeout(500)  # let lazily rendered cells around it paint before the screenshot
    shot(page, request, "after-restart")
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
                        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count() == 0
    wb = open_workbook(ws)
    try:
        assert wb.latest("pre-1") == TYPED
        assert wb.latest("pre-2.1") == IME
    finally:
        wb.close()


def test_self_assessment_redraws_matrix(page, request, lab_ja):
    srv, ws = lab_ja
    open_lab(page, srv, "04_service_value.ipynb")
    run_all(page)
    add = page.locator(".jp-OutputArea-output button", has_text="業務を追加")
    reveal(add)
    out = page.locator(".jp-OutputArea-output").filter(
        has=page.locator("button", has_text="業務を追加"))
    # no task yet: no second matrix under the table (the reference matrix is shown above it)
    assert out.locator("img:visible").count() == 0
    shot(page, request, "before")
    add.click()
    name = out.locator(".widget-text input[type='text']").last
    reveal(name).click()
    name.press_sequentially("障害対応 L1", delay=10)
    name.press("Enter")
    level = out.locator(".widget-dropdown select").nth(1)  # kind, level, rep, unit: level is 2nd
    options = level.locator("option").all_inner_texts()
    level.select_option(label=options[-1])  # the highest level (根本解決)
    handle = out.locator(".noUi-handle").last
    handle.focus()
    for _ in range(8):
        handle.press("ArrowRight")
    wb = open_workbook(ws)
    try:
        def last_task():
            v = wb.latest("self-assessment-before") or []
            return (v[-1]["name"], v[-1]["level"], round(v[-1]["proactivity"], 1)) if v else None
        # 0.5 + 8 × 0.1 = 1.3: every key press reached the kernel and the last one was saved
        wait_store(last_task, ("障害対応 L1", "root", 1.3), what="self-assessment row")
    finally:
        wb.close()
    wait_idle(page)
    img = out.locator("img").last
    img.wait_for(state="visible", timeout=15_000)
    before = img.get_attribute("src")
    assert before, "the live matrix should show once there is a task"
    handle.press("ArrowRight")  # one more edit: 1.4, and the matrix is drawn again
    # the chart is one HTML block (image, text alternative, table) replaced whole on a redraw: the
    # locator is re-resolved on each poll, never an element handle that the redraw detaches
    expect(img).not_to_have_attribute("src", before, timeout=15_000)
    assert img.get_attribute("src") != before
    wb = open_workbook(ws)
    try:
        wait_store(last_task, ("障害対応 L1", "root", 1.4), what="self-assessment row after one more key")
    finally:
        wb.close()
    wait_idle(page)
    row_text = out.inner_text()
    assert "事前的" in row_text, "the proactivity word should say proactive (事前的) at 1.4"
    assert "× 1.4" in row_text, "the numbers beside the row should use proactivity 1.4"
    img.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot(page, request, "after")
