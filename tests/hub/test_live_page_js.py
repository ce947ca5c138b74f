"""live.js in Chromium against the live routes (stand-in app): the stream and the polling fallback
both bring new answers without a reload; names only after the toggle; hide and pin from the page
are kept in the store; the self-assessment charts refresh; nothing breaks the page's CSP."""
from __future__ import annotations

import pytest

from .live_support import PREFIX, feed, put, start_app, wait_for

pytestmark = pytest.mark.browser
PROBLEMS: list[str] = []
TASK = {"name": "月次パッチ適用", "kind": "fulfilment", "level": "formal", "proactivity": 0.6,
        "lead_time": 3, "lead_time_unit": "days", "repeatability": "structured"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-js")
    srv = start_app(tmp, tmp / "data", name="live-js")
    yield srv
    srv.stop()


@pytest.fixture
def projector(browser, app):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(20_000)
    ctx.add_cookies([{"name": "tok", "value": "tok-teacher", "url": app.base + PREFIX}])
    page = ctx.new_page()
    PROBLEMS.clear()
    page.on("console", lambda m: PROBLEMS.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: PROBLEMS.append(str(e)))
    yield page
    ctx.close()


def _open(page, app, path: str, mode: str) -> None:
    page.goto(f"{app.base}{PREFIX}{path}")
    page.wait_for_function(f"() => document.body.dataset.mode === '{mode}'")
    page.evaluate("window.__sameDocument = true")


@pytest.mark.parametrize("query,mode", [("", "stream"), ("?poll=1", "poll")])
def test_answers_arrive_without_reload_and_names_only_after_the_toggle(projector, app, query, mode):
    ex = "work-2" if mode == "stream" else "work-3"
    _open(projector, app, f"live/{ex}{query}", mode)
    for i, text in enumerate(["first answer", "<b>second</b> answer", "三番目の回答"], start=1):
        put(app, f"tok-t{i}", ex, text)
    wait_for(lambda: projector.locator("#cards .card").count() == 3, 10, "three cards")
    assert "<b>second</b> answer" in projector.inner_text("#cards") and projector.locator("#cards b").count() == 0
    assert projector.locator(".card .name").count() == 0 and "trainee1" not in projector.inner_text("body")
    put(app, "tok-t1", ex, "first answer, rewritten")
    wait_for(lambda: "first answer, rewritten" in projector.inner_text("#cards"), 10, "the update")
    assert projector.locator("#cards .card").count() == 3
    projector.click("#names-toggle")
    wait_for(lambda: projector.locator(".card .name").count() == 3, 10, "names")
    assert "names=1" in projector.url and "names-on" in (projector.get_attribute("body", "class") or "")
    projector.click("#names-toggle")
    wait_for(lambda: projector.locator(".card .name").count() == 0 and projector.locator(".card").count() == 3,
             10, "anonymous again")
    assert projector.evaluate("window.__sameDocument") is True
    assert PROBLEMS == []  # console errors, CSP violations, script errors


def test_hide_and_pin_from_the_page_are_kept(projector, app):
    put(app, "tok-t4", "work-4", "an answer to discuss")
    put(app, "tok-t5", "work-4", "an answer to hide")
    _open(projector, app, "live/work-4", "stream")
    card = projector.locator("#cards .card", has_text="an answer to hide")
    card.locator("button", has_text="投影から隠す").click()
    wait_for(lambda: projector.locator("#hidden-cards .card", has_text="an answer to hide").count() == 1, 10, "hidden")
    assert "an answer to hide" not in projector.inner_text("#cards")
    projector.locator("#cards .card", has_text="an answer to discuss").locator("button", has_text="ピン留め").click()
    wait_for(lambda: "an answer to discuss" in projector.inner_text("#pinned"), 10, "pinned")
    snap = feed(app, "work-4")
    by = {c["lines"][0]["text"]: c for c in snap["cards"]}
    assert by["an answer to hide"]["hidden"] and by["an answer to discuss"]["pinned"]
    projector.reload()  # kept in the store: a new page shows the same
    projector.wait_for_function("() => document.body.dataset.mode === 'stream'")
    assert "an answer to discuss" in projector.inner_text("#pinned")
    assert "an answer to hide" not in projector.inner_text("#cards")
    assert PROBLEMS == []  # console errors, CSP violations, script errors


def test_self_assessment_charts_refresh_with_new_answers(projector, app):
    put(app, "tok-t6", "self-assessment-before", [TASK])
    _open(projector, app, "live/self-assessment-before?lang=en", "stream")
    img = projector.locator("#chart-matrix")
    wait_for(lambda: projector.evaluate("document.getElementById('chart-matrix').naturalWidth") > 0, 20, "chart")
    first = img.get_attribute("src")
    put(app, "tok-t7", "self-assessment-after", [{**TASK, "proactivity": 1.2}])
    wait_for(lambda: img.get_attribute("src") != first, 15, "the chart refreshed")
    wait_for(lambda: projector.evaluate("document.getElementById('chart-delivery').naturalWidth") > 0, 20, "chart")
    assert "Before" in projector.inner_text("#cards") and "After" in projector.inner_text("#cards")
    assert PROBLEMS == []  # console errors, CSP violations, script errors
