"""Accessibility in a real Chromium (issue 16): axe-core over every Voila section page (ja, en)
after answering something, over the instructor notebook's outputs and over the HTML report; the
accessible names of text boxes, radio groups and charts; a keyboard-only walk through one section.

axe-core is pinned in tests/browser/axe_version.txt and installed by `make test` into .axe/ (`npm install
--prefix .axe axe-core@<version>`); one Voila server serves the whole module.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import base_env, open_workbook
from .helpers import REPO, free_port, require, reveal, shot, wait_store

AXE_VERSION = (REPO / "tests" / "browser" / "axe_version.txt").read_text(encoding="utf-8").strip()  # one pin
AXE_JS = REPO / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
SECTIONS = ["00_review", "01_cost_trap", "02_value", "03_service_delivery", "04_service_value",
            "05_delivery_value", "06_summary"]
BLOCKING = ("critical", "serious")


def _axe_source() -> str:
    require(AXE_JS.exists(), f"{AXE_JS} is missing: run `npm install --prefix .axe axe-core@{AXE_VERSION}` "
                             "(make test does this)")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, label: str, include: str | None = None) -> list[dict]:
    """Inject the pinned axe-core, run it, print every finding; return the blocking ones."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    assert page.evaluate("() => axe.version") == AXE_VERSION
    found = page.evaluate("""async (inc) => {
        const ctx = inc ? {include: [[inc]]} : document;
        const r = await axe.run(ctx, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: '
                + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300))}));
    }""", include)
    for v in found:
        print(f"[axe {label}] {v['impact']} {v['id']} ({len(v['nodes'])}): {v['help']}")
        for n in v["nodes"][:5]:
            print(f"      {n}")
    return [v for v in found if v["impact"] in BLOCKING]


def names_of(page, role: str) -> list[str]:
    """Accessible names of every element with *role*, read from Playwright's aria snapshot."""
    import yaml
    out = []
    for el in page.get_by_role(role).all():
        tree = yaml.safe_load(el.aria_snapshot()) or [""]
        head = tree[0] if isinstance(tree[0], str) else next(iter(tree[0]))  # "role \"name\"" [: children]
        m = re.match(rf'{role} "(.*)"', str(head), re.S)
        out.append(m.group(1).replace('\\"', '"').strip() if m else "")
    return out


# -- one Voila server for the module ---------------------------------------------------------------
@pytest.fixture(scope="module")
def voila_a11y(server_factory, opsvalue_cli, tmp_path_factory):
    root = tmp_path_factory.mktemp("voila-a11y")
    ws = root / "workspace"
    port = free_port()
    cmd = [*opsvalue_cli, "app", "--workspace", str(ws), "--lang", "ja", "--port", str(port), "--no-browser"]
    srv = server_factory(cmd, cwd=root, env=base_env(root), name="voila-a11y", port=port,
                         url=f"http://127.0.0.1:{port}/")
    return srv, ws


def open_section(page, srv, name: str, lang: str) -> None:
    path = f"{name}.ipynb" if lang == "ja" else f"en/{name}.ipynb"
    external: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else external.append(r.url))
    page.goto(f"{srv.base}/voila/render/{path}", timeout=120_000)
    page.wait_for_function("() => window.__opsvalueA11y === true", timeout=120_000)
    page.wait_for_selector("#rendered_cells", state="visible", timeout=120_000)
    page.wait_for_function("() => !document.querySelector('.voila-spinner') || "
                           "getComputedStyle(document.querySelector('.voila-spinner')).display === 'none'",
                           timeout=120_000)
    settle(page)
    assert page.evaluate("() => document.documentElement.lang") == lang
    assert not external, f"{path} fetched from outside the machine: {external}"


def settle(page, timeout: float = 120) -> None:
    """Wait until every code cell's widgets are on the page: the number of widget views is non-zero
    and has not changed over three checks 0.3 s apart."""
    import time
    js = "() => document.querySelectorAll('.jupyter-widgets, .widget-html, figure').length"
    deadline, last, same = time.monotonic() + timeout, -1, 0
    while time.monotonic() < deadline:
        n = page.evaluate(js)
        same = same + 1 if n == last and n > 0 else 0
        if same >= 3:
            return
        last = n
        page.wait_for_timeout(300)
    raise AssertionError(f"the page's widgets did not settle within {timeout}s")


def answer_something(page, lang: str) -> None:
    from playwright.sync_api import Error as PlaywrightError
    box = page.locator(".widget-textarea textarea")
    if box.count():
        for attempt in range(3):  # a widget view may be replaced while the page finishes rendering
            try:
                box.first.fill("a11y: 確認のための回答" if lang == "ja" else "a11y: an answer to check")
                break
            except PlaywrightError as e:
                if "not attached" not in str(e) or attempt == 2:
                    raise
                settle(page)
        saved = "保存しました" if lang == "ja" else "Saved"
        page.wait_for_function("""(w) => Array.from(document.querySelectorAll('[aria-live] .opsvalue-saved'))
            .some(e => (e.textContent || '').includes(w))""", arg=saved, timeout=15_000)
        return
    radio = page.locator(".widget-radio-box input[type=radio]")
    if radio.count():
        reveal(radio.first).check()


def test_axe_the_landing_page(page, voila_a11y):
    """`opsvalue-lab app`'s list of sections: no blocking axe finding, the workbook's language, every
    section by its title, and a sans-serif font (Voila's own list page sets none)."""
    srv, _ws = voila_a11y
    page.goto(f"{srv.base}/", timeout=120_000)
    page.wait_for_selector("ul.voila-notebooks li a", timeout=120_000)
    assert page.evaluate("() => document.documentElement.lang") == "ja"
    bad = run_axe(page, "ja/landing")
    assert not bad, f"critical/serious axe findings on the landing page: {bad}"
    links = page.locator("ul.voila-notebooks li a").all_inner_texts()
    assert any("第6章" in t or "まとめ" in t for t in links), links
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "sans-serif" in font or "Noto Sans" in font or "system-ui" in font, font


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_axe_every_voila_section(page, request, voila_a11y, lang):
    srv, _ws = voila_a11y
    blocking, unnamed = {}, {}
    for name in SECTIONS:
        open_section(page, srv, name, lang)
        answer_something(page, lang)
        page.wait_for_timeout(300)  # the page script names new nodes on the next animation frame
        bad = run_axe(page, f"{lang}/{name}")
        if bad:
            blocking[name] = [(v["impact"], v["id"], v["nodes"][:3]) for v in bad]
        for role in ("textbox", "radiogroup", "img", "slider", "spinbutton"):
            names = names_of(page, role)
            if any(not n for n in names):
                unnamed.setdefault(name, []).append((role, names))
        if name in ("04_service_value", "06_summary"):
            shot(page, request, f"{lang}-{name}", full_page=False)
    assert not blocking, f"critical/serious axe findings ({lang}): {blocking}"
    assert not unnamed, f"controls or charts without an accessible name ({lang}): {unnamed}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_names_of_text_boxes_radio_groups_and_charts(page, voila_a11y, lang):
    """The names say which question (and field) a control belongs to, in the page's language."""
    srv, _ws = voila_a11y
    open_section(page, srv, "03_service_delivery", lang)
    boxes = names_of(page, "textbox")
    groups = names_of(page, "radiogroup")
    assert len(boxes) >= 3 and all(boxes), boxes
    assert len(groups) >= 6 and all(groups), groups
    q = "問" if lang == "ja" else "Question"
    assert all(g.startswith(q) for g in groups), groups
    from opsvalue_lab.catalogue import catalogue
    assert boxes[:3] == [catalogue().assignment(i).title(lang) for i in ("pre-1", "pre-2.1", "pre-2.2")], boxes
    figures = names_of(page, "img")
    assert len(figures) >= 2 and all(figures), figures
    assert all(("図「" if lang == "ja" else "Figure \"") in f for f in figures), figures
    # the chart pages: the trainee's matrix and delivery chart (drawn in the dashboard when asked for)
    # are named and have a table view
    open_section(page, srv, "06_summary", lang)
    charts = page.locator("figure.opsvalue-chart")
    assert charts.count() == 0
    from opsvalue_lab.i18n import lookup, ui_table
    page.get_by_role("button", name=lookup(ui_table("dashboard"), "show_charts", lang)).click()
    charts.nth(1).wait_for(timeout=30_000)
    assert charts.count() >= 2
    for i in range(charts.count()):
        chart = charts.nth(i)
        alt = chart.locator("img").get_attribute("alt")
        assert alt and (("マトリクス" in alt or "チャート" in alt) if lang == "ja" else "chart" in alt.lower()
                        or "matrix" in alt.lower()), alt
        table = chart.locator("details table")
        assert table.count() == 1 and table.locator("th").count() >= 5


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; if (!e) return {};
        const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
        return {tag: e.tagName, type: e.type || '', text: (e.textContent || '').trim().slice(0, 60),
                key: e.id || e.outerHTML.slice(0, 120), outline: s.outlineStyle + ' ' + s.outlineWidth,
                visible: r.width > 0 && r.height > 0}; }""")


def tab_to(page, predicate, *, limit: int = 200, back: bool = False) -> dict:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        f = focused(page)
        if predicate(f):
            return f
    raise AssertionError(f"{'Shift+Tab' if back else 'Tab'} never reached the control (last focus {focused(page)})")


CONTROLS = ("textarea:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), "
            "button:not([disabled]), summary, [role=slider][tabindex]")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_keyboard_only_walk(page, request, voila_a11y, lang):
    """03 without the mouse: Tab reaches every control (Shift+Tab goes back), a hint opens, a text
    answer is typed and saved, a quiz is answered and its result is read from the live region."""
    srv, ws = voila_a11y
    open_section(page, srv, "03_service_delivery", lang)
    hint = "ヒント" if lang == "ja" else "Hint"
    page.locator("body").focus()
    # every visible control is reached by Tab, each with a visible focus outline
    wanted = page.evaluate(f"""() => Array.from(document.querySelectorAll('#rendered_cells :is({CONTROLS})'))
        .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden').length""")
    page.evaluate("() => { window.__reached = new Set(); "
                  "document.addEventListener('focusin', e => window.__reached.add(e.target)); }")
    for _ in range(wanted + 40):
        page.keyboard.press("Tab")
        f = focused(page)
        if f.get("tag") in ("TEXTAREA", "BUTTON", "SUMMARY", "INPUT"):
            assert "none" not in f["outline"] and not f["outline"].endswith(" 0px"), f"focus not visible: {f}"
    reached = page.evaluate(f"""() => Array.from(document.querySelectorAll('#rendered_cells :is({CONTROLS})'))
        .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
        .filter(e => !window.__reached.has(e) && !(e.type === 'radio' && Array.from(window.__reached).some(
            r => r.type === 'radio' && r.closest('.widget-radio-box') === e.closest('.widget-radio-box'))))
        .map(e => e.outerHTML.slice(0, 100))""")
    assert not reached, f"Tab never reached: {reached}"
    # a hint: Tab from the top to the first ヒント summary, open it with Enter
    page.goto(page.url)
    page.wait_for_function("() => window.__opsvalueA11y === true", timeout=120_000)
    page.wait_for_selector("#rendered_cells", state="visible", timeout=120_000)
    settle(page)
    page.locator("body").focus()
    tab_to(page, lambda f: f.get("tag") == "SUMMARY" and f["text"] == hint)
    shot(page, request, f"{lang}-1-hint-focused")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.parentElement.open") is True
    shot(page, request, f"{lang}-2-hint-open")
    # the text answer: Tab on to the first text box, type, the status line (aria-live) says saved
    f = tab_to(page, lambda f: f.get("tag") == "TEXTAREA")
    typed = "キーボードだけで回答" if lang == "ja" else "Answered with the keyboard only"
    page.keyboard.press("Control+A")  # the ja and en pages share one workbook: replace earlier text
    page.keyboard.type(typed)
    shot(page, request, f"{lang}-3-typed")
    saved = "保存しました" if lang == "ja" else "Saved"
    page.wait_for_function("""(w) => Array.from(document.querySelectorAll('[aria-live]'))
        .some(e => (e.textContent || '').includes(w))""", arg=saved, timeout=15_000)
    # Shift+Tab goes back to the hint
    tab_to(page, lambda f: f.get("tag") == "SUMMARY" and f["text"] == hint, back=True, limit=5)
    wb = open_workbook(ws)
    try:
        tried_before = sum(int(r.get("attempts", 0)) for r in (wb.quiz_results() or {}).values())
    finally:
        wb.close()
    # the quiz: Tab to the first radio group, choose with the arrow keys, Tab to "check", Enter
    tab_to(page, lambda f: f.get("type") == "radio")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    shot(page, request, f"{lang}-4-radio")
    check = "答え合わせ" if lang == "ja" else "Check"
    tab_to(page, lambda f: f.get("tag") == "BUTTON" and f["text"] == check, limit=10)
    shot(page, request, f"{lang}-5-check-focused")
    page.keyboard.press("Enter")
    result = page.wait_for_function("""(words) => { const live = Array.from(document.querySelectorAll(
            '.opsvalue-announce[aria-live=polite]')).map(e => e.textContent || '');
        return live.find(t => words.some(w => t.includes(w))) || null; }""",
        arg=["✔ 正解", "✘ 不正解"] if lang == "ja" else ["✔ Correct", "✘ Not quite"], timeout=15_000).json_value()
    assert result
    shot(page, request, f"{lang}-6-result")
    wb = open_workbook(ws)
    try:
        ex = "pre-1"
        wait_store(lambda: wb.latest(ex), typed, what=ex)
        wait_store(lambda: sum(int(r.get("attempts", 0)) for r in (wb.quiz_results() or {}).values()),
                   tried_before + 1, what="quiz attempts")
    finally:
        wb.close()


# -- the instructor notebook's outputs (in Voila) and the HTML report ------------------------------
@pytest.fixture(scope="module")
def course_root(opsvalue_cli, tmp_path_factory):
    root = tmp_path_factory.mktemp("a11y-course")
    for args in (["demo-class", "--n", "6", "--out", str(root / "subs")],
                 ["collect", str(root / "subs"), "--course", str(root / "course")]):
        r = subprocess.run([*opsvalue_cli, *args], cwd=root, capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr
    return root


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_axe_instructor_notebook_outputs(page, request, course_root, server_factory, lang):
    import shutil

    from opsvalue_lab.launch import VOILA_TEMPLATE, install_voila_template
    nb = course_root / f"instructor-{lang}.ipynb"
    shutil.copy(REPO / "notebooks" / "instructor" / f"{lang}.ipynb", nb)
    env = base_env(course_root / f"cfg-{lang}")
    env["JUPYTER_PATH"] = str(install_voila_template(course_root / f"tpl-{lang}", lang))
    env["OPSVALUE_COURSE"] = str(course_root / "course")
    port = free_port()
    cmd = [sys.executable, "-m", "voila", nb.name, "--Voila.ip=127.0.0.1", f"--port={port}", "--no-browser",
           "--strip_sources=True", f"--template={VOILA_TEMPLATE}"]
    srv = server_factory(cmd, cwd=course_root, env=env, name=f"voila-instructor-{lang}", port=port,
                         url=f"http://127.0.0.1:{port}/")
    page.goto(srv.url, timeout=180_000)
    page.wait_for_function("() => window.__opsvalueA11y === true", timeout=180_000)
    page.wait_for_selector("figure.opsvalue-chart img", timeout=180_000)
    assert page.evaluate("() => document.documentElement.lang") == lang
    page.wait_for_timeout(300)
    shot(page, request, f"instructor-{lang}")
    bad = run_axe(page, f"instructor-{lang}", include="#rendered_cells")
    assert not bad, f"critical/serious axe findings in the instructor notebook ({lang}): {bad}"
    charts = names_of(page, "img")
    assert len(charts) >= 2 and all(charts), charts
    assert page.locator("figure.opsvalue-chart details table").count() >= 2


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_axe_html_report(browser, course_root, lang):
    from opsvalue_lab.instructor.report import write_report
    out = course_root / f"report-{lang}.html"
    write_report(course_root / "course", out, lang=lang)
    ctx = browser.new_context(bypass_csp=True)  # the report's CSP forbids injected scripts
    try:
        page = ctx.new_page()
        page.goto(out.as_uri())
        assert page.evaluate("() => document.documentElement.lang") == lang
        bad = run_axe(page, f"report-{lang}")
        assert not bad, f"critical/serious axe findings in the report ({lang}): {bad}"
        charts = page.locator("figure img")
        assert charts.count() >= 2 and all(charts.nth(i).get_attribute("alt") for i in range(charts.count()))
        assert page.locator("figure details table").count() >= 2, "each class chart has a table view"
    finally:
        ctx.close()


def test_start_turns_jupyterlab_news_off(tmp_path):
    """`opsvalue-lab start` writes the news/update settings into the workspace's settings dir."""
    from opsvalue_lab.launch import quiet_lab_settings
    env = quiet_lab_settings(tmp_path)
    f = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    import json
    assert json.loads(f.read_text())["fetchNews"] == "false"
    assert os.path.isdir(env["JUPYTERLAB_SETTINGS_DIR"])
