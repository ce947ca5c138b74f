"""A trainee types and, within 0.2 s of the last keystroke (inside the autosave pause), the kernel is
restarted from JupyterLab: the text is in the store all the same, and comes back after Run All."""
from __future__ import annotations

import pytest

from opsvalue_lab.widgets.autosave import DEBOUNCE_SECONDS

from .conftest import open_workbook, start_lab
from .helpers import TEXTAREA, open_lab, run_all, shot, wait_idle, wait_kernel_ready, wait_store

TYPED = "再起動の直前まで打っていた文章 — typed right up to the restart"


@pytest.fixture(scope="module")
def lab(server_factory, opsvalue_cli, tmp_path_factory):
    return start_lab(server_factory, opsvalue_cli, tmp_path_factory, "ja", "lab-restart")


def test_a_kernel_restarted_within_0_2_s_of_typing_loses_nothing(page, request, lab):
    srv, ws = lab
    open_lab(page, srv, "03_service_delivery.ipynb")
    run_all(page)
    box = page.locator(TEXTAREA).first
    box.scroll_into_view_if_needed()
    box.click()
    box.evaluate("el => el.addEventListener('input', () => { window.__lastInput = performance.now(); })")
    box.press_sequentially(TYPED, delay=5)
    # As soon as the kernel has the whole text (its character count says so) and while its status
    # still says "未保存" (inside the autosave pause, nothing committed), JupyterLab's own session
    # client restarts the kernel (what Kernel → Restart does after its dialog). Keystrokes still in
    # flight in the browser are not the kernel's to save, so the test waits for the kernel's echo
    # instead of racing it.
    seen = page.evaluate("""async ([n, box]) => {
        const block = box.closest('.opsvalue-answer');
        const count = () => [...block.querySelectorAll('small')].map(e => e.textContent).join(' ');
        const end = performance.now() + 10000;
        while (!count().startsWith(n + ' ') && performance.now() < end) {
            await new Promise(r => setTimeout(r, 2));
        }
        const status = [...block.querySelectorAll('.opsvalue-announce')].map(e => e.textContent).join(' ');
        const w = window.jupyterapp.shell.currentWidget;
        const gap = performance.now() - window.__lastInput;
        window.__restart = w.sessionContext.restartKernel();
        return {gap, status, count: count()};
    }""", [len(TYPED), box.element_handle()])
    assert seen["count"].startswith(f"{len(TYPED)} "), f"the kernel never had the whole text: {seen}"
    assert "未保存" in seen["status"] and "保存しました" not in seen["status"], \
        f"the restart should come inside the autosave pause, before any save: {seen}"
    print(f"restart {seen['gap']:.0f} ms after the last keystroke")
    assert seen["gap"] < DEBOUNCE_SECONDS * 1000, f"the restart came {seen['gap']:.0f} ms after the last keystroke"
    page.wait_for_function("() => window.__restart !== undefined")
    page.evaluate("() => window.__restart")  # resolves when the new kernel is there
    wait_kernel_ready(page)
    wb = open_workbook(ws)
    try:
        wait_store(lambda: wb.latest("pre-1"), TYPED, what="pre-1 after the restart")
        assert len(wb.history("pre-1")) == 1
    finally:
        wb.close()
    run_all(page)
    wait_idle(page)
    assert page.locator(TEXTAREA).first.input_value() == TYPED
    shot(page, request, "after-restart")
