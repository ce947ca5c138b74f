"""The ja/ and en/ copies of a notebook open at once, each in its own kernel: the answer saved in
one makes the other's box stale; that box says so, shows the saved text and overwrites nothing until
the trainee chooses."""
from __future__ import annotations

import pytest

from .conftest import open_workbook, start_lab
from .helpers import TEXTAREA, open_lab, reveal, run_all, shot, wait_store

EN_TEXT = "Written in the English copy first"
JA_TEXT = "日本語版で後から書いた文章"


@pytest.fixture(scope="module")
def lab(server_factory, opsvalue_cli, tmp_path_factory):
    return start_lab(server_factory, opsvalue_cli, tmp_path_factory, "ja", "lab-stale")


def test_the_stale_copy_says_so_and_overwrites_nothing_until_the_trainee_chooses(page, request, lab):
    srv, ws = lab
    open_lab(page, srv, "03_service_delivery.ipynb")
    run_all(page)
    en = page.context.new_page()
    open_lab(en, srv, "en/03_service_delivery.ipynb")
    run_all(en)
    box = en.locator(TEXTAREA).first
    box.scroll_into_view_if_needed()
    box.click()
    box.press_sequentially(EN_TEXT, delay=5)
    reveal(en.locator(".jp-OutputArea-output .opsvalue-saved", has_text="Saved").first, timeout=15_000)
    wb = open_workbook(ws)
    try:
        wait_store(lambda: wb.latest("pre-1"), EN_TEXT, what="pre-1 from the en copy")
        page.bring_to_front()
        ja = page.locator(TEXTAREA).first  # shown before the en copy saved: stale now
        ja.scroll_into_view_if_needed()
        ja.click()
        ja.press_sequentially(JA_TEXT, delay=5)
        out = page.locator(".jp-OutputArea-output").filter(has=page.locator("textarea")).first
        reveal(out.get_by_text("別の場所", exact=False).first, timeout=15_000)
        reveal(out.get_by_text(EN_TEXT).first)  # the saved text is shown for comparison
        shot(page, request, "stale")
        assert wb.latest("pre-1") == EN_TEXT  # nothing overwritten
        out.get_by_role("button", name="自分の回答で上書き保存").click()
        wait_store(lambda: wb.latest("pre-1"), JA_TEXT, what="pre-1 after 'keep mine'")
        reveal(out.locator(".opsvalue-saved", has_text="保存しました").first, timeout=15_000)
        assert [v.value for v in wb.history("pre-1")] == [EN_TEXT, JA_TEXT]
    finally:
        wb.close()
        en.close()
