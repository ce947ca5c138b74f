"""Content changes between cohorts: renames are data (migrations.toml), answers the current catalogue
lacks are kept and shown, and a cohort overlay adds, replaces and hides questions end to end."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsvalue_lab.catalogue import CatalogueError, catalogue, default_dir, load_catalogue
from opsvalue_lab.instructor.collect import collect
from opsvalue_lab.instructor.course import Course
from opsvalue_lab.instructor.report import write_report
from opsvalue_lab.jsonfile import dump
from opsvalue_lab.store import Workbook
from opsvalue_lab.submission import FORMAT, SCHEMA_VERSION, read_submission

REPO = Path(__file__).resolve().parent.parent


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    s = path.read_text(encoding="utf-8")
    assert s.count(old) >= count, f"fixture text {old!r} not in {path.name}"
    path.write_text(s.replace(old, new, count), encoding="utf-8")


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opsvalue_lab.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


# ---- renames across two catalogue versions ---------------------------------------------------

@pytest.fixture
def v2(tmp_path: Path) -> Path:
    """Catalogue version 2: pre-1 renamed, a field of review-1 renamed, an option of change-before renamed."""
    d = tmp_path / "v2"
    shutil.copytree(default_dir(), d)
    a = d / "assignments.toml"
    _edit(a, 'id = "pre-1"\n', 'id = "pre-1x"\n')
    _edit(a, 'pair = "pre-1"\n', 'pair = "pre-1x"\n')
    _edit(a, 'key = "purpose"\n', 'key = "why"\n')
    _edit(a, 'key = "never_personally"\n', 'key = "never_me"\n')
    _edit(d / "sections.toml", 'version = "', 'version = "2-')
    (d / "migrations.toml").write_text(
        '[ids]\n"pre-1" = "pre-1x"\n[fields."review-1"]\npurpose = "why"\n'
        '[options."change-before"]\nnever_personally = "never_me"\n', encoding="utf-8")
    return d


def test_a_submission_and_a_store_from_version_1_read_under_version_2(tmp_path: Path, v2: Path) -> None:
    v1cat, v2cat = catalogue(), load_catalogue(v2)
    assert v2cat.version != v1cat.version
    ws = tmp_path / "ws"
    with Workbook.open(ws, catalogue=v1cat) as wb:
        wb.set_profile(name="山田", trainee_id="t-1")
        wb.save("pre-1", "最初の版")
        wb.save("pre-1", "二番目の版")
        wb.save("review-1", {"purpose": "事業のため", "resources": "手順書", "action": "届ける"})
        wb.save("change-before", "never_personally")
        path = wb.export(tmp_path / "t-1.opsvalue.json")
    sub = read_submission(path, catalogue=v2cat)
    assert sub.orphans == {}
    assert sub.answers["pre-1x"] == "二番目の版" and "pre-1" not in sub.answers
    assert [h["value"] for h in sub.history["pre-1x"]] == ["最初の版", "二番目の版"]
    assert sub.answers["review-1"] == {"why": "事業のため", "resources": "手順書", "action": "届ける"}
    assert sub.answers["change-before"] == "never_me"
    # the trainee's own store, opened with version 2, shows the same answers under the new names
    with Workbook.open(ws, catalogue=v2cat) as wb:
        assert wb.latest("pre-1x") == "二番目の版"
        assert [v.value for v in wb.history("pre-1x")] == ["最初の版", "二番目の版"]
        assert (wb.latest("review-1") or {})["why"] == "事業のため"
        assert wb.answers()["change-before"] == "never_me"
        assert wb.progress()["answered"] == 3
        again = read_submission(wb.export(tmp_path / "again.opsvalue.json"), catalogue=v2cat)
    assert again.answers == sub.answers and again.orphans == {}


@pytest.mark.parametrize("text, key", [
    ('[ids]\n"pre-1" = "nowhere"\n', "pre-1"),
    ('[ids]\n"a" = "b"\n"b" = "a"\n', "a"),
    ('[fields."review-1"]\npurpose = "nope"\n', "purpose"),
    ('[options."pre-1x"]\nx = "y"\n', "pre-1x"),
    ('[renames]\n', "renames"),
])
def test_a_bad_migration_names_the_file_and_key(v2: Path, text: str, key: str) -> None:
    (v2 / "migrations.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        load_catalogue(v2)
    assert e.value.file == str(v2 / "migrations.toml") and e.value.key == key


# ---- answers the current catalogue lacks ------------------------------------------------------

def _old_submission(path: Path) -> Path:
    cat = catalogue()
    at = "2026-11-20T10:00:00+00:00"
    doc = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "catalogue_version": "2025.1",
           "created_at": at, "profile": {"name": "Old Timer", "trainee_id": "t-old", "cohort": "", "lang": "en"},
           "answers": {"retired-q": {"value": "=HYPERLINK(\"x\") <b>kept</b>", "saved_at": at},
                       "review-1": {"value": {"purpose": "p", "resources": "r", "action": "a",
                                              "gone_field": "a field that was removed"}, "saved_at": at},
                       "change-before": {"value": "maybe_later", "saved_at": at},
                       next(a.id for a in cat.assignments if a.kind == "text"): {"value": "plain", "saved_at": at}},
           "history": {"retired-q": [{"value": "first draft", "saved_at": "2026-11-19T10:00:00+00:00"},
                                     {"value": "=HYPERLINK(\"x\") <b>kept</b>", "saved_at": at}]},
           "quiz": {"q-retired": {"attempts": 2, "last_option": 1, "correct": False}}}
    path.write_bytes(dump(doc))
    return path


def test_answers_the_catalogue_lacks_are_kept_collected_and_reported(tmp_path: Path) -> None:
    path = _old_submission(tmp_path / "old.opsvalue.json")
    sub = read_submission(path)
    assert set(sub.orphans) == {"retired-q", "review-1", "change-before", "quiz:q-retired"}
    assert sub.orphans["review-1"]["value"] == {"gone_field": "a field that was removed"}
    assert sub.answers["review-1"] == {"purpose": "p", "resources": "r", "action": "a"}
    assert [h["value"] for h in sub.orphans["retired-q"]["history"]][0] == "first draft"
    lines: list[str] = []
    tally = collect([path], tmp_path / "course", out=lines.append)
    assert tally.counts["imported"] == 1 and tally.kept == 1
    assert "kept, not in the current catalogue" in lines[0] and "retired-q" in lines[0] and "gone_field" in lines[0]
    with Course(tmp_path / "course") as course:
        kept = {(o["exercise_id"], json.dumps(o["value"])) for o in course.orphans()}
    assert ("retired-q", json.dumps("=HYPERLINK(\"x\") <b>kept</b>")) in kept
    assert ("change-before", json.dumps("maybe_later")) in kept
    html_path, csv_path = write_report(tmp_path / "course", tmp_path / "r.html", csv=tmp_path / "a.csv", lang="en")
    html = html_path.read_text(encoding="utf-8")
    assert "Answers not in the current catalogue" in html
    assert "&lt;b&gt;kept&lt;/b&gt;" in html and "<b>kept</b>" not in html
    assert "a field that was removed" in html and "maybe_later" in html
    assert csv_path is not None
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    kept_rows = [r for r in rows if r[3] == "retired-q"]
    assert kept_rows and kept_rows[0][8].startswith("'=HYPERLINK")  # OWASP prefix still applies
    # the instructor notebook's trainee view shows them too, escaped
    from opsvalue_lab.instructor.review import TraineeReview
    with Course(tmp_path / "course") as course:
        view = TraineeReview(course, "en")
        shown = "".join(getattr(x, "value", "") for x in view.body.children)
    assert "Not in the current catalogue" in shown and "retired-q" in shown
    assert "&lt;b&gt;kept&lt;/b&gt;" in shown and "a field that was removed" in shown and "<b>kept" not in shown


def test_export_keeps_an_answer_the_overlay_hides(tmp_path: Path) -> None:
    hidden = catalogue().ids[0]
    over = tmp_path / "cohort"
    (over / "exercises").mkdir(parents=True)
    (over / "exercises" / "assignments.toml").write_text(f'hide = ["{hidden}"]\n', encoding="utf-8")
    cat = load_catalogue(overlay=over)
    assert hidden not in cat.ids and cat.version.endswith("+cohort")
    kind = catalogue().assignment(hidden).kind
    value = {k: "mine" for k in catalogue().assignment(hidden).field_keys} if kind == "fields" else "mine"
    with Workbook.open(tmp_path / "ws") as wb:
        wb.save(hidden, value)
    with Workbook.open(tmp_path / "ws", catalogue=cat) as wb:
        path = wb.export(tmp_path / "s.opsvalue.json")
    sub = read_submission(path, catalogue=cat)
    assert sub.orphans[hidden]["value"] == value
    assert read_submission(path).answers[hidden] == value  # back under the shipped catalogue: an answer again


# ---- cohort overlays --------------------------------------------------------------------------

NEW_Q = '''
[[assignment]]
id = "cohort-1"
section = 3
timing = "after"
kind = "text"
title = { ja = "コホート課題：自社の例", en = "Cohort question: an example from your company" }
prompt.ja = "自社の運用で、価値が届いていないと感じた場面を書いてください。"
prompt.en = "Describe a moment at your company when ops value did not reach anyone."
guidance = { ja = "具体的な場面を一つ選びます。", en = "Pick one concrete moment." }
example.ja = "月次報告が読まれていなかった。誰も問い合わせてこなかった。"
example.en = "Nobody read the monthly report. Nobody asked about it."
reflection = { ja = "誰に届けたかったのか。", en = "Whom did you want to reach?" }
'''


def _overlay(tmp_path: Path) -> Path:
    over = tmp_path / "cohort-a"
    ex, src = over / "exercises", over / "notebooks" / "src"
    ex.mkdir(parents=True)
    src.mkdir(parents=True)
    cat = catalogue()
    hide_q = cat.quizzes[0].id
    replaced = cat.ids[0]
    (ex / "assignments.toml").write_text(
        'hide = ["work-5"]\n' + NEW_Q +
        f'\n[[assignment]]\nid = "{replaced}"\n'
        'prompt = { ja = "コホート用の問い", en = "The cohort\'s own prompt" }\n',
        encoding="utf-8")
    (ex / "quizzes.toml").write_text(f'hide = ["{hide_q}"]\n', encoding="utf-8")
    s03 = next((REPO / "notebooks" / "src").glob("03_*.toml"))
    text = s03.read_text(encoding="utf-8") + '\n[[cell]]\nkind = "exercise"\nid = "cohort-1"\n'
    (src / s03.name).write_text(text, encoding="utf-8")
    return over


def test_an_overlay_adds_replaces_and_hides_through_every_command(tmp_path: Path, monkeypatch) -> None:
    over = _overlay(tmp_path)
    cat = load_catalogue(overlay=over)
    assert "cohort-1" in cat.ids and "work-5" not in cat.ids
    assert cat.assignment(cat.ids[0]).prompt("en") == "The cohort's own prompt"
    assert cat.quizzes[0].id != catalogue().quizzes[0].id
    r = _cli("--catalogue", str(over), "build-notebooks")
    assert r.returncode == 0, r.stderr
    nb03 = (over / "notebooks" / "ja" / next((REPO / "notebooks" / "src").glob("03_*.toml")).with_suffix(".ipynb").name)
    assert 'ov.exercise(\\"cohort-1\\")' in nb03.read_text(encoding="utf-8")
    every = "".join(p.read_text(encoding="utf-8") for p in (over / "notebooks" / "ja").glob("*.ipynb"))
    assert "work-5" not in every and catalogue().quizzes[0].id not in every
    assert _cli("build-notebooks", "--check", env={"OPSVALUE_CATALOGUE": str(over)}).returncode == 0
    demo, course = tmp_path / "demo", tmp_path / "course"
    r = _cli("demo-class", "--n", "5", "--out", str(demo), "--catalogue", str(over))
    assert r.returncode == 0, r.stderr
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in demo.glob("*.json")]
    assert any("cohort-1" in d["answers"] for d in docs) and not any("work-5" in d["answers"] for d in docs)
    r = _cli("collect", str(demo), "--course", str(course), env={"OPSVALUE_CATALOGUE": str(over)})
    assert r.returncode == 0 and "5 imported" in r.stdout, r.stdout + r.stderr
    r = _cli("report", "--course", str(course), "--out", str(tmp_path / "r.html"), "--lang", "en",
             "--catalogue", str(over))
    assert r.returncode == 0, r.stderr
    assert "Cohort question: an example from your company" in (tmp_path / "r.html").read_text(encoding="utf-8")
    # a trainee workspace started with the overlay gets the overlay's notebooks
    from opsvalue_lab.launch import prepare_workspace
    monkeypatch.setenv("OPSVALUE_CATALOGUE", str(over))
    assert catalogue().overlay == str(over.resolve())  # catalogue() itself honours the variable
    ws = prepare_workspace(tmp_path / "ws", "en")
    assert "cohort-1" in (ws / nb03.name).read_text(encoding="utf-8")


@pytest.mark.parametrize("file, text, key", [
    ("assignments.toml", '[[assignment]]\nid = "pre-1"\ntiming = "someday"\n', "timing"),
    ("assignments.toml", 'hide = ["no-such-id"]\n', "hide"),
    ("assignments.toml", '[[assignment]]\nid = "brand-new"\nsection = 3\n', "guidance"),
    ("quizzes.toml", '[[quiz]]\nid = "q-level-01"\ntopic = "weather"\n', "topic"),
])
def test_an_overlay_error_names_the_overlay_file_and_key(tmp_path: Path, file: str, text: str, key: str) -> None:
    over = tmp_path / "bad"
    (over / "exercises").mkdir(parents=True)
    (over / "exercises" / file).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        load_catalogue(overlay=over)
    assert e.value.file == str(over / "exercises" / file) and e.value.key == key
    r = _cli("exercises", "--catalogue", str(over))
    assert r.returncode == 2 and str(over / "exercises" / file) in r.stderr and key in r.stderr


# ---- adding a question exactly as the README says --------------------------------------------

@pytest.mark.slow
def test_adding_a_question_as_the_readme_says_works_end_to_end(tmp_path: Path) -> None:
    """README: an entry in exercises/assignments.toml, a cell in notebooks/src/, `make notebooks`;
    then the notebook (real kernel), the store, export, demo-class, collect and report all carry it."""
    nbclient = pytest.importorskip("nbclient")
    import nbformat
    copy = tmp_path / "repo"
    for part in ("opsvalue_lab", "exercises", "notebooks"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "exercises" / "assignments.toml").open("a", encoding="utf-8") as fh:
        fh.write(NEW_Q)
    s03 = next((copy / "notebooks" / "src").glob("03_*.toml"))
    with s03.open("a", encoding="utf-8") as fh:
        fh.write('\n[[cell]]\nkind = "exercise"\nid = "cohort-1"\n')
    env = {"PYTHONPATH": str(copy), "OPSVALUE_CATALOGUE": ""}
    r = _cli("build-notebooks", env=env, cwd=copy)  # what `make notebooks` runs
    assert r.returncode == 0, r.stderr
    assert _cli("build-notebooks", "--check", env=env, cwd=copy).returncode == 0
    name = s03.with_suffix(".ipynb").name
    nb = nbformat.read(copy / "notebooks" / "en" / name, as_version=4)
    assert any('ov.exercise("cohort-1")' in c.source for c in nb.cells)
    # the notebook in a real kernel: the new answer box shows and saves to the store
    ws = tmp_path / "ws"
    (ws / ".opsvalue").mkdir(parents=True)
    nb.cells.append(nbformat.v4.new_code_cell(
        "v = [x for x in ov._state['views'] if getattr(x, 'exercise_id', '') == 'cohort-1'][0]\n"
        "v.boxes[None].value = 'Nobody read our report.'\nassert v.flush()\n"
        "ov.workbook().set_profile(name='Ann', trainee_id='t-new')"))
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=180, allow_errors=False,
                                     resources={"metadata": {"path": str(ws)}})
    client.execute(env={**os.environ, **env, "OPSVALUE_WORKSPACE": str(ws)}, cwd=str(ws))
    errors = [o for c in nb.cells for o in c.get("outputs", []) if "class='opsvalue-error'" in json.dumps(o)]
    assert not errors, errors
    (tmp_path / "subs").mkdir()
    r = _cli("export", "--workspace", str(ws), "--out", str(tmp_path / "subs"), env=env, cwd=copy)
    assert r.returncode == 0, r.stderr
    sub = json.loads(Path(r.stdout.strip().splitlines()[0]).read_text(encoding="utf-8"))
    assert sub["answers"]["cohort-1"]["value"] == "Nobody read our report."
    r = _cli("demo-class", "--n", "8", "--out", str(tmp_path / "subs"), env=env, cwd=copy)
    assert r.returncode == 0, r.stderr
    r = _cli("collect", str(tmp_path / "subs"), "--course", str(tmp_path / "course"), env=env, cwd=copy)
    assert r.returncode == 0 and "9 imported" in r.stdout, r.stdout + r.stderr
    r = _cli("report", "--course", str(tmp_path / "course"), "--out", str(tmp_path / "r.html"), "--csv",
             str(tmp_path / "a.csv"), "--lang", "en", env=env, cwd=copy)
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Cohort question: an example from your company" in html and "Nobody read our report." in html
    assert "not in the current catalogue" not in html  # the new question is a question, not a leftover
    assert "cohort-1" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
