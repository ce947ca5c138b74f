"""Instructor CLI end to end on real files: demo-class → collect → report → feedback → trainee."""
from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opsvalue_lab.build_notebooks import build_instructor, repo_notebooks_dir
from opsvalue_lab.cli import main
from opsvalue_lab.instructor.course import Course, CourseError
from opsvalue_lab.instructor.demo import write_demo
from opsvalue_lab.store import Workbook

EXE = Path(sys.executable).with_name("opsvalue-lab")


def dump_db(course: Path) -> list[str]:
    con = sqlite3.connect(course / "course.sqlite3")
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_cli_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    subs, course, fb = tmp_path / "subs", tmp_path / "course", tmp_path / "fb"
    assert main(["demo-class", "--n", "30", "--out", str(subs), "--seed", "7"]) == 0
    assert len(list(subs.glob("*.opsvalue.json"))) == 30
    capsys.readouterr()

    assert main(["collect", str(subs), "--course", str(course)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("imported: ") for line in out) == 30
    assert out[-1].startswith("summary: 30 imported, 0 updated, 0 duplicate, 0 rejected")

    before = dump_db(course)  # a second run over the same inputs changes nothing
    assert main(["collect", str(subs), "--course", str(course)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("duplicate: ") for line in out) == 30
    assert dump_db(course) == before

    with Course(course) as c:
        assert c.counts() == {"trainees": 30, "submissions": 30}
        c.set_comment("demo-00001", "pre-1", "受け取り手を一人、具体的に書いてみましょう。")
        rows = c.answers_for("pre-1")
        assert len(rows) == 30 and rows[0].comment.startswith("受け取り手")
        assert all(r.value == r.pre for r in rows)  # pre-1 is the pre side of its pair
        assert len(c.class_points()) > 20

    html_path, csv_path = tmp_path / "r.html", tmp_path / "r.csv"
    assert main(["report", "--course", str(course), "--out", str(html_path), "--csv", str(csv_path)]) == 0
    page = html_path.read_text(encoding="utf-8")
    assert "受け取り手を一人" in page and "data:image/png;base64," in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    n_ex = len(Course(course).catalogue.assignments)
    assert len(table) == 1 + 30 * n_ex

    assert main(["report", "--course", str(course), "--out", str(tmp_path / "a.html"), "--csv",
                 str(tmp_path / "a.csv"), "--anonymise", "--lang", "en"]) == 0
    anon = (tmp_path / "a.html").read_text(encoding="utf-8") + (tmp_path / "a.csv").read_text("utf-8-sig")
    assert "demo-00001" not in anon and "T001" in anon and "T030" in anon

    assert main(["feedback", "export", "--course", str(course), "--out", str(fb)]) == 0
    files = list(fb.iterdir())
    assert [f.name for f in files] == ["demo-00001.opsvalue-feedback.json"]

    ws = tmp_path / "trainee"
    with Workbook.open(ws) as wb:
        wb.set_profile(name="森 拓也", trainee_id="demo-00001", cohort="A", lang="ja")
    capsys.readouterr()
    assert main(["feedback", "import", str(files[0]), "--workspace", str(ws)]) == 0
    with Workbook.open(ws) as wb:
        assert wb.feedback()["pre-1"][0]["comment"].startswith("受け取り手を一人")


def test_newer_submission_updates_and_older_is_history(tmp_path: Path, capsys) -> None:
    ws, course = tmp_path / "ws", tmp_path / "course"
    with Workbook.open(ws) as wb:
        wb.set_profile(name="Aya", trainee_id="t-1", cohort="A", lang="en")
        wb.save("pre-1", "first draft")
        first = wb.export(tmp_path / "one.opsvalue.json")
        wb.save("pre-1", "second draft")
        second = wb.export(tmp_path / "two.opsvalue.json")
    # make the first one clearly older (same second is possible on a fast machine)
    doc = json.loads(first.read_text("utf-8"))
    doc["created_at"] = "2020-01-01T00:00:00+00:00"
    from opsvalue_lab.jsonfile import dump
    first.write_bytes(dump(doc))
    assert main(["collect", str(second), "--course", str(course)]) == 0
    assert main(["collect", str(first), "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "imported: " in out and "updated (older than the current submission; kept as history)" in out
    with Course(course) as c:
        assert c.answers_of("t-1")["pre-1"] == "second draft"
        assert [s["current"] for s in c.submissions_of("t-1")] == [0, 1]


def test_subprocess_collect_and_exit_codes(tmp_path: Path) -> None:
    write_demo(5, tmp_path / "subs", seed=1)
    run = subprocess.run([str(EXE), "collect", str(tmp_path / "subs"), "--course", str(tmp_path / "c")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "summary: 5 imported" in run.stdout and "Traceback" not in run.stderr
    (tmp_path / "bad.opsvalue.json").write_bytes(b"{not json")
    run = subprocess.run([str(EXE), "collect", str(tmp_path / "bad.opsvalue.json"), "--course",
                          str(tmp_path / "c")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "rejected: " in run.stdout and "Traceback" not in run.stderr
    (tmp_path / "afile").write_text("x")
    run = subprocess.run([str(EXE), "collect", str(tmp_path / "subs"), "--course", str(tmp_path / "afile")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "is a file" in run.stderr and "Traceback" not in run.stderr


def test_demo_is_deterministic_and_varied(tmp_path: Path) -> None:
    a = [p.read_bytes() for p in write_demo(40, tmp_path / "a", seed=3)]
    b = [p.read_bytes() for p in write_demo(40, tmp_path / "b", seed=3)]
    assert a == b
    docs = [json.loads(x) for x in a]
    langs = {d["profile"]["lang"] for d in docs}
    assert langs == {"ja", "en"}
    assert any("self-assessment-after" not in d["answers"] for d in docs)
    assert len({d["answers"].get("pre-1", {}).get("value") for d in docs}) > 20


def test_instructor_notebooks_are_deterministic(tmp_path: Path) -> None:
    src = repo_notebooks_dir() / "src" / "instructor.toml"
    one = build_instructor(src, tmp_path / "x")
    two = build_instructor(src, tmp_path / "y")
    assert [p.name for p in one] == ["ja.ipynb", "en.ipynb"]
    for p, q in zip(one, two):
        assert p.read_bytes() == q.read_bytes()
        nb = json.loads(p.read_text("utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert code and all(c["outputs"] == [] and c["metadata"]["jupyter"]["source_hidden"] for c in code)
        assert all("".join(c["source"]).startswith(("iv.", "import opsvalue_lab.instructor.nbapi")) for c in code)


def test_review_widgets_escape_and_save(tmp_path: Path) -> None:
    from opsvalue_lab.instructor import review
    ws = tmp_path / "ws"
    with Workbook.open(ws) as wb:
        wb.set_profile(name="<b>Eve</b>", trainee_id="e-1", cohort="A", lang="en")
        wb.save("work-1", "<script>alert(1)</script>")
        wb.export(tmp_path / "e.opsvalue.json")
    assert main(["collect", str(tmp_path / "e.opsvalue.json"), "--course", str(tmp_path / "c")]) == 0
    with Course(tmp_path / "c") as c:
        q = review.QuestionReview(c, "en")
        q.pick.value = "work-1"
        text = "".join(ch.value for row in q.rows.children[1:] for ch in row.children[:1])
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text
        assert "&lt;b&gt;Eve&lt;/b&gt;" in text
        box = q.rows.children[1].children[1].children[0]  # the comment box of the first row
        box.value = "Good"
        assert c.comment("e-1", "work-1") == ""  # autosaved after the pause, not at once
        deadline = time.monotonic() + 10
        while c.comment("e-1", "work-1") != "Good":  # a condition, not a sleep
            assert time.monotonic() < deadline, "the comment was not autosaved"
            time.sleep(0.02)
        t = review.TraineeReview(c, "ja")
        shown = "".join(x.value for x in t.body.children if isinstance(x, review.w.HTML))
        assert "&lt;script&gt;" in shown and "<script>" not in shown
        table = review.CompletionTable(c, "en").table.value
        assert "✗" in table and "&lt;b&gt;Eve&lt;/b&gt;" in table and "<b>Eve" not in table
        # e-1 answered work-1 only: the other in-class works are listed as missing by id, work-1 is not
        missing = table[table.index("Not answered:"):] if "Not answered:" in table else table
        assert "work-2" in missing and "work-1," not in missing and "post-3" in missing
        charts = review.ClassCharts(c, "en")
        assert len(charts.images.children) == 0  # no self-assessment yet: a message, no error
        assert "⚠" not in charts.status.text


def test_batch_commits_in_chunks_and_a_failed_submission_rolls_back_alone(tmp_path: Path) -> None:
    with Course(tmp_path / "c") as c:
        with c.batch(seconds=0) as tick:  # a commit at every tick
            for i in range(7):
                tick()
                c.add_submission(trainee_id=f"t{i}", profile={"name": f"n{i}"}, sha256=f"{i:064x}", source="s",
                                 created_at="2026-11-28T00:00:00+00:00", catalogue_version="v", schema_version="1",
                                 answers=[("pre-1", json.dumps(f"answer {i}"), None)])
            with pytest.raises(CourseError):  # a broken insert inside the batch (an answer SQLite cannot bind)
                c.add_submission(trainee_id="bad", profile={}, sha256="f" * 64, source="s",
                                 created_at="2026-11-28T00:00:00+00:00", catalogue_version="v", schema_version="1",
                                 answers=[("pre-1", object(), None)])  # type: ignore[list-item]
    with Course(tmp_path / "c") as c:
        assert sorted(t.trainee_id for t in c.trainees()) == [f"t{i}" for i in range(7)]
        assert not c.has_sha("f" * 64)
        assert [r.value for r in c.answers_for("pre-1") if r.trainee.trainee_id == "t6"] == ["answer 6"]


def test_instructor_notebook_header_and_errors_speak_the_language(tmp_path: Path, monkeypatch) -> None:
    from opsvalue_lab.instructor import nbapi
    shown: list = []
    monkeypatch.setattr(nbapi, "_show", shown.append)
    monkeypatch.delenv("OPSVALUE_COURSE", raising=False)
    write_demo(3, tmp_path / "demo", seed=2)
    assert main(["collect", str(tmp_path / "demo"), "--course", str(tmp_path / "c")]) == 0
    nbapi.begin("ja", course=tmp_path / "c")
    assert "受講者 3 名・提出ファイル 3 件" in shown[-1].value
    nbapi.begin("en", course=tmp_path / "c")
    assert "3 trainees, 3 submission files" in shown[-1].value
    (tmp_path / "file").write_text("x")
    nbapi.begin("ja", course=tmp_path / "file")  # a file where the course folder should be
    assert "opsvalue-error" in shown[-1].data and "Traceback" not in shown[-1].data
    nbapi._state["course"] = None
