"""The same trainee flow once in the English notebooks (shorter: type, saved, stored)."""
from __future__ import annotations

import pytest

from .conftest import open_workbook, start_lab
from .helpers import TEXTAREA, open_lab, reveal, run_all, shot, wait_store

TYPED = "Less firefighting, the business never stops 🚀 Lead time lowered (l/L) — 運用"


@pytest.fixture(scope="module")
def lab_en(server_factory, opsvalue_cli, tmp_path_factory):
    return start_lab(server_factory, opsvalue_cli, tmp_path_factory, "en", "lab-en")


def test_en_pre1_typed_saved_stored(page, request, lab_en):
    srv, ws = lab_en
    open_lab(page, srv, "03_service_delivery.ipynb")
    # lecture figures are embedded in the markdown: drawn before anything has run
    fig = reveal(page.locator(".jp-MarkdownCell img").first)
    fig.wait_for(state="visible")
    assert fig.evaluate("img => img.complete && img.naturalWidth") > 300
    run_all(page)
    box = reveal(page.locator(TEXTAREA).first)
    box.click()
    box.press_sequentially(TYPED, delay=10)
    # the status span, not any text containing "saved" ("Not saved yet" would match)
    reveal(page.locator(".jp-OutputArea-output .opsvalue-saved", has_text="Saved").first, timeout=15_000)
    shot(page, request, "saved")
    wb = open_workbook(ws)
    try:
        wait_store(lambda: wb.latest("pre-1"), TYPED, what="pre-1")
    finally:
        wb.close()
