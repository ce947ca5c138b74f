"""The live class view on a real JupyterHub (hub + proxy + the opsvalue service, tests/hub/conftest.py):
three trainees type into work-1 in JupyterLab at once; the instructor's projector page shows all
three without a reload, anonymous until the toggle; a trainee is refused the page; hostile text
stays text; a stopped service loses nothing and the page catches up; live off mirrors nothing."""
from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from browser.helpers import TEXTAREA, reveal

from opsvalue_lab.hub.live_store import LiveStore
from opsvalue_lab.instructor.course import Course
from opsvalue_lab.store import Workbook

from .conftest import start_hub
from .helpers import login, new_page, open_notebook, run_all, shot, wait_workbook
from .live_support import wait_for

NOTICE_JA = "この講義では、回答が講師の画面にリアルタイムで共有されます"
TYPED = {
    "tr1": "一人目: 削減は仕方ないと思っていた。",
    "tr2": "Second: cuts landed on the ops team first.",
    "tr3": '<img src=x onerror="window.__pwned=1">三人目 & <b>bold?</b>',
}
MORE = {"tr1": " 続き1", "tr2": " more 2", "tr3": " 続き3"}
LIVE_PAGE = "/services/opsvalue/live/work-1"


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("live-hub")
    h = start_hub(root, live=True)
    try:
        yield h
    finally:
        h.stop()


def _service_pid(hub) -> int:
    import psutil
    for p in psutil.Process(hub.proc.pid).children(recursive=True):
        if "opsvalue_lab.hub.service" in " ".join(p.cmdline()):
            return p.pid
    raise AssertionError("the opsvalue service process is not running")


def _local(hub, user: str) -> str | None:
    with Workbook.open(hub.data / "homes" / user / "opsvalue") as wb:
        return wb.latest("work-1")


def _cards_text(page) -> str:
    return page.locator("#cards").inner_text()


def _open_work1(browser, hub, user: str):
    page = new_page(browser)
    login(page, hub, user)
    wait_workbook(page)
    open_notebook(page, hub, user, "01_cost_trap.ipynb")
    run_all(page)
    return page


def test_three_trainees_type_and_the_projector_follows(live_hub, browser, request):
    hub = live_hub
    teacher = new_page(browser)
    trainees: dict[str, Any] = {}
    try:
        login(teacher, hub, "teach", next_url=LIVE_PAGE)
        teacher.wait_for_url(f"**{LIVE_PAGE}**", timeout=60_000)
        # predicates are function expressions: a bare string would be eval'd, which the page's CSP forbids
        teacher.wait_for_function("() => document.body.dataset.mode === 'stream'", timeout=30_000)
        teacher.evaluate("window.__sameDocument = true")  # gone if the page ever reloads
        for user in TYPED:
            trainees[user] = _open_work1(browser, hub, user)
        for page in trainees.values():
            notice = reveal(page.locator(".jp-OutputArea-output .opsvalue-live-notice").first)
            wait_for(lambda n=notice: NOTICE_JA in n.inner_text(), 20, "the live notice in the answer box")
        boxes = {u: reveal(p.locator(TEXTAREA).first) for u, p in trainees.items()}
        shot(trainees["tr1"], request, "trainee-notice-ja")
        for start in range(0, max(map(len, TYPED.values())), 6):  # the three type in turns, in parallel
            for user, box in boxes.items():
                if TYPED[user][start:start + 6]:
                    box.press_sequentially(TYPED[user][start:start + 6], delay=5)
        for user, text in TYPED.items():
            wait_for(lambda t=text: t in _cards_text(teacher), 30, f"{user}'s answer on the live page")
        assert teacher.locator("#cards .card").count() == 3
        assert teacher.evaluate("window.__sameDocument") is True, "the page must not reload"
        assert teacher.locator(".card .name").count() == 0 and "tr1" not in teacher.inner_text("main")
        assert teacher.locator("#cards img, #cards b").count() == 0 and teacher.evaluate("window.__pwned") is None
        wait_for(lambda: teacher.inner_text("#logged-in") == "3", 20, "3 trainees logged in")
        assert teacher.inner_text("#answered") == "3"
        shot(teacher, request, "projector-anonymous-ja")

        teacher.click("#names-toggle")
        wait_for(lambda: teacher.locator(".card .name").count() == 3, 15, "names after the toggle")
        assert {teacher.locator(".card .name").nth(i).inner_text() for i in range(3)} == set(TYPED)
        assert "名前を表示中" in teacher.inner_text("#names-state")
        shot(teacher, request, "projector-names-ja")
        teacher.click("#names-toggle")
        wait_for(lambda: teacher.locator(".card .name").count() == 0 and teacher.locator(".card").count() == 3,
                 15, "anonymous again")

        # the service stops answering while the trainees keep typing: local saves go on
        pid = _service_pid(hub)
        os.kill(pid, signal.SIGSTOP)
        try:
            for user, box in boxes.items():
                box.press_sequentially(MORE[user], delay=5)
            for user in TYPED:
                wait_for(lambda u=user: _local(hub, u) == TYPED[u] + MORE[u], 30, f"{user}'s local save")
            for page in trainees.values():
                assert page.locator(".jp-OutputArea-output .opsvalue-error").count() == 0
        finally:
            os.kill(pid, signal.SIGCONT)
        for user in TYPED:
            wait_for(lambda u=user: (TYPED[u] + MORE[u]) in _cards_text(teacher), 45, f"{user} caught up")
        assert teacher.evaluate("window.__sameDocument") is True
        teacher.goto(f"{hub.url}{LIVE_PAGE}?lang=en")
        teacher.wait_for_function("() => document.body.dataset.mode === 'stream'", timeout=30_000)
        assert "Live answers" in teacher.title() and teacher.locator("#cards .card").count() == 3
        shot(teacher, request, "projector-anonymous-en")
    finally:
        for page in (teacher, *trainees.values()):
            page.context.close()


def test_a_trainee_is_refused_the_live_page(live_hub, browser):
    page = new_page(browser)
    try:
        with page.expect_response(lambda r: r.url.startswith(live_hub.url + LIVE_PAGE) and r.status != 302,
                                  timeout=60_000) as answer:
            login(page, live_hub, "tr1", next_url=LIVE_PAGE)
        assert answer.value.status == 403
        assert TYPED["tr2"] not in page.content()
        for path in (".json", "/events"):
            r = page.request.get(f"{live_hub.url}{LIVE_PAGE}{path}")
            assert r.status == 403, path
    finally:
        page.context.close()


def test_live_off_widgets_say_nothing_and_nothing_is_mirrored(tmp_path: Path, browser, request):
    hub = start_hub(tmp_path, live=False)
    try:
        page = _open_work1(browser, hub, "tr9")
        try:
            assert page.locator(".opsvalue-live-notice").count() == 0
            out = page.locator(".jp-OutputArea-output").all_inner_texts()
            assert not any("共有" in t or "shared live" in t for t in out)
            reveal(page.locator(TEXTAREA).first).press_sequentially("only on my disk", delay=5)
            wait_for(lambda: _local(hub, "tr9") == "only on my disk", 30, "the local save")
            shot(page, request, "live-off")
        finally:
            page.context.close()
        with Course(hub.data / "service" / "course") as course:
            store = LiveStore(course)
            assert store.rows(["work-1"]) == [] and store.seq == 0
            store.close()
    finally:
        hub.stop()
