"""The instructor: demo class + one hostile submission → collect → instructor notebook → report."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import START_URL, base_env
from .helpers import free_port, open_lab, reveal, run_all, shot, wait_store

HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
N = 12


def cli(opsvalue_cli, *args, cwd):
    r = subprocess.run([*opsvalue_cli, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"opsvalue-lab {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture(scope="module")
def course(opsvalue_cli, tmp_path_factory):
    """A course workspace: 12 demo trainees + one hostile one, collected into <root>/course."""
    from opsvalue_lab.store import Workbook
    root = tmp_path_factory.mktemp("instructor")
    subs = root / "submissions"
    cli(opsvalue_cli, "demo-class", "--n", str(N), "--out", str(subs), cwd=root)
    wb = Workbook.open(root / "mallory")
    try:
        wb.set_profile(name="Mallory <b>", trainee_id="t-hostile", cohort="2026", lang="ja")
        wb.save("pre-1", HOSTILE)
        wb.export(subs / "t-hostile.opsvalue.json")
    finally:
        wb.close()
    cli(opsvalue_cli, "collect", str(subs), "--course", str(root / "course"), cwd=root)
    return root


def start_review(server_factory, opsvalue_cli, cwd: Path, course: str, name: str, *extra: str):
    """`opsvalue-lab review --course COURSE --no-browser --port N [extra]`, run in *cwd*."""
    port = free_port()
    cmd = [*opsvalue_cli, "review", "--course", course, "--no-browser", "--port", str(port), *extra]
    return server_factory(cmd, cwd=cwd, env=base_env(cwd / f".{name}-cfg"), name=name, port=port,
                          url_pattern=START_URL if "--app" not in extra else None,
                          url=f"http://127.0.0.1:{port}/" if "--app" in extra else None)


def test_review_command_shows_the_walkthrough_class(page, request, server_factory, opsvalue_cli,
                                                    tmp_path_factory):
    """README walk-through in a folder of its own (not the repository), then `review --course course`."""
    root = tmp_path_factory.mktemp("walkthrough")
    cli(opsvalue_cli, "demo-class", "--n", "200", "--out", "demo", cwd=root)
    cli(opsvalue_cli, "collect", "demo", "--course", "course", cwd=root)
    srv = start_review(server_factory, opsvalue_cli, root, "course", "review-200")
    open_lab(page, srv, "ja.ipynb")
    run_all(page)
    reveal(page.get_by_text("受講者 200 名").first, timeout=60_000)
    reveal(page.get_by_text("全 200 名").first, timeout=60_000)  # the views page through all 200
    shot(page, request, "review-200")
    assert (root / "course" / "review" / "ja.ipynb").is_file()


def test_review_app_serves_the_course_through_voila(page, request, course, server_factory, opsvalue_cli):
    elsewhere = course / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    srv = start_review(server_factory, opsvalue_cli, elsewhere, "../course", "review-app", "--app", "--lang", "en")
    page.goto(srv.url, timeout=120_000)
    reveal(page.get_by_text(f"{N + 1} trainees").first, timeout=120_000)
    assert "iv.begin" not in page.inner_text("body")  # code hidden
    shot(page, request, "review-app")


SECOND = "タブを閉じる直前のコメント"


def test_instructor_notebook_reviews_question_and_saves_comment(page, request, course,
                                                                 server_factory, opsvalue_cli):
    srv = start_review(server_factory, opsvalue_cli, course, "course", "lab-instructor")
    open_lab(page, srv, "ja.ipynb")
    run_all(page)
    pick = page.locator(".jp-OutputArea-output .widget-dropdown",
                        has_text="課題").locator("select").first
    reveal(pick)
    labels = pick.evaluate("s => Array.from(s.options).map(o => o.textContent)")
    pre1 = next((x for x in labels if x.split()[0] == "pre-1"), None)
    assert pre1, labels
    pick.select_option(label=pre1)
    out = page.locator(".jp-OutputArea-output").filter(has=page.locator("select"))\
        .filter(has=page.locator("textarea")).first
    # the picked question's answers replace the first question's: wait for the hostile one
    reveal(out.get_by_text("window.__pwned=1", exact=False).first, timeout=15_000)
    info = out.locator(".widget-html", has_text="全").first
    reveal(info)
    page.wait_for_function("el => /全 13 名/.test(el.textContent)", arg=info.element_handle(),
                           timeout=15_000)
    comments = out.locator(".widget-textarea textarea")
    assert comments.count() == N + 1, f"expected {N + 1} answer rows, saw {comments.count()}"
    text = out.inner_text()
    assert HOSTILE in text or "window.__pwned" in text, "the hostile answer should show as text"
    assert page.evaluate("() => window.__pwned") is None
    shot(page, request, "question")
    first = reveal(comments.first)
    first.click()
    comment = "よく書けています。Lead time の例をもう一つ 🚀"
    first.press_sequentially(comment, delay=5)
    # honest status: not "saved" while the pause runs, then saved with the time (no need to leave the box)
    reveal(out.locator(".widget-html", has_text="保存しました").first, timeout=15_000)
    shot(page, request, "commented")
    # closing the tab right after typing loses nothing: the kernel saves after the pause
    second = reveal(comments.nth(1))
    second.click()
    second.press_sequentially(SECOND, delay=5)
    # the kernel has every keystroke (it counts them) and saves after its pause: close the tab now
    reveal(out.locator(".widget-html", has_text=f"{len(SECOND)} 文字").first, timeout=15_000)
    page.close()
    from opsvalue_lab.instructor.course import Course

    def stored():
        c = Course(course / "course")
        try:
            return sorted(x["comment"] for v in c.comments().values() for x in v
                          if x["exercise_id"] == "pre-1")
        finally:
            c.close()
    wait_store(stored, sorted([comment, SECOND]), what="instructor comments (the tab closed after the second)")


def test_report_hostile_submission_is_inert(browser, request, course, opsvalue_cli):
    out = course / "report.html"
    cli(opsvalue_cli, "report", "--course", str(course / "course"), "--out", str(out), cwd=course)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    console, requests = [], []
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
    page.on("request", lambda r: requests.append(r.url))
    try:
        url = out.resolve().as_uri()
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        from .helpers import ARTIFACTS
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-top.png"))
        hostile = page.get_by_text("window.__pwned=1", exact=False).first
        reveal(hostile)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-hostile.png"))
        assert page.evaluate("() => window.__pwned") is None
        errors = [c for c in console if c[0] in ("error", "pageerror")]
        assert not errors, errors
        foreign = [u for u in requests if u != url and not u.startswith("data:")]
        assert not foreign, f"the report made requests: {foreign}"
        assert HOSTILE in page.inner_text("body")
    finally:
        ctx.close()
