"""Feedback files: written by the instructor, checked, imported once into the right trainee's workbook."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opsvalue_lab.cli import main as cli_main
from opsvalue_lab.feedback import (
    MAX_COMMENTS,
    FeedbackError,
    import_feedback,
    parse_feedback,
    read_feedback,
    write_feedback,
)
from opsvalue_lab.jsonfile import MAX_BYTES, signed
from opsvalue_lab.store import Workbook

COMMENTS = [
    {"exercise_id": "pre-1", "comment": "核心を突いています。\r\n次は具体例を 👍", "author": "講師 A",
     "written_at": "2026-11-20T09:00:00+00:00"},
    {"exercise_id": "post-3", "comment": "<script>alert(1)</script> は文字のまま", "author": "講師 A",
     "written_at": "2026-11-21T09:00:00+09:00"},
]


@pytest.fixture
def wb(tmp_path: Path):
    w = Workbook.open(tmp_path / "ws")
    w.set_profile(trainee_id="T-001", name="山田")
    yield w
    w.close()


@pytest.fixture
def fb_file(tmp_path: Path) -> Path:
    return write_feedback(tmp_path / "T-001.opsvalue-feedback.json", trainee_id="T-001", course="2026秋",
                          comments=COMMENTS)


def test_write_read_and_import_once(wb: Workbook, fb_file: Path) -> None:
    fb = read_feedback(fb_file)
    assert fb["trainee_id"] == "T-001" and fb["course"] == "2026秋" and fb["comments"] == COMMENTS
    assert parse_feedback(fb_file.read_bytes(), "zip-member") == fb
    assert import_feedback(wb, fb_file) == 2
    assert import_feedback(wb, fb_file) == 0  # idempotent
    got = wb.feedback()
    assert got["pre-1"][0]["comment"] == COMMENTS[0]["comment"]
    assert got["post-3"][0] == {k: COMMENTS[1][k] for k in ("comment", "author", "written_at")}


def test_a_second_file_adds_only_new_comments(wb: Workbook, fb_file: Path, tmp_path: Path) -> None:
    import_feedback(wb, fb_file)
    more = COMMENTS + [{"exercise_id": "pre-1", "comment": "追記", "author": "講師 B",
                        "written_at": "2026-11-22T09:00:00+00:00"}]
    p2 = write_feedback(tmp_path / "again.opsvalue-feedback.json", trainee_id="T-001", course="2026秋",
                        comments=more)
    assert import_feedback(wb, p2) == 1
    assert len(wb.feedback()["pre-1"]) == 2


def test_feedback_for_someone_else_is_refused(wb: Workbook, tmp_path: Path) -> None:
    p = write_feedback(tmp_path / "x.opsvalue-feedback.json", trainee_id="T-999", course="c", comments=COMMENTS)
    with pytest.raises(FeedbackError, match="someone else") as e:
        import_feedback(wb, p)
    assert e.value.field == "trainee_id" and e.value.file == str(p)
    assert wb.feedback() == {}


def test_workbook_without_trainee_id(tmp_path: Path, fb_file: Path) -> None:
    with Workbook.open(tmp_path / "blank") as w:
        with pytest.raises(FeedbackError, match="no trainee ID"):
            import_feedback(w, fb_file)


def test_write_refuses_invalid_comments(tmp_path: Path) -> None:
    bad = [{**COMMENTS[0], "exercise_id": "nope"}]
    with pytest.raises(FeedbackError, match="exercise_id"):
        write_feedback(tmp_path / "b.opsvalue-feedback.json", trainee_id="T", course="c", comments=bad)
    assert not (tmp_path / "b.opsvalue-feedback.json").exists()


def _doc(fb_file: Path) -> dict[str, Any]:
    return json.loads(fb_file.read_text("utf-8"))


EDITS = {
    "wrong version": (lambda d: d.update(schema_version=7), "schema_version"),
    "wrong format": (lambda d: d.update(format="opsvalue-submission"), "format"),
    "unknown exercise": (lambda d: d["comments"][0].update(exercise_id="__proto__"), "comments[0].exercise_id"),
    "comment not text": (lambda d: d["comments"][0].update(comment={"html": 1}), "comments[0].comment"),
    "extra comment key": (lambda d: d["comments"][0].update(onclick="x"), "comments[0].onclick"),
    "missing author": (lambda d: d["comments"][1].pop("author"), "comments[1].author"),
    "bad written_at": (lambda d: d["comments"][0].update(written_at="soon"), "comments[0].written_at"),
    "comments not list": (lambda d: d.update(comments={"a": 1}), "comments"),
    "too many comments": (lambda d: d.update(comments=d["comments"][:1] * (MAX_COMMENTS + 1)), "comments"),
    "empty trainee": (lambda d: d.update(trainee_id=" "), "trainee_id"),
    "trainee not text": (lambda d: d.update(trainee_id=12), "trainee_id"),
    "missing course": (lambda d: d.pop("course"), "course"),
    "unknown key": (lambda d: d.update(script="x"), "script"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_hostile_feedback_is_refused_naming_file_and_field(fb_file: Path, tmp_path: Path, case: str) -> None:
    d = _doc(fb_file)
    edit, field = EDITS[case]
    edit(d)
    p = tmp_path / "evil.opsvalue-feedback.json"
    p.write_text(json.dumps(signed(d), ensure_ascii=False), "utf-8")
    with pytest.raises(FeedbackError) as e:
        read_feedback(p)
    assert e.value.file == str(p) and e.value.field == field and field in str(e.value)


def test_tampered_feedback(fb_file: Path, tmp_path: Path) -> None:
    d = _doc(fb_file)
    d["comments"][0]["comment"] = "changed after signing"
    p = tmp_path / "t.opsvalue-feedback.json"
    p.write_text(json.dumps(d, ensure_ascii=False), "utf-8")
    with pytest.raises(FeedbackError, match="checksum") as e:
        read_feedback(p)
    assert e.value.field == "sha256"


@pytest.mark.parametrize("raw, words", [
    (b"{" * 100_000, "nested deeper"),
    (b" " * (MAX_BYTES + 1), "limit"),
    (b"\x80abc", "UTF-8"),
])
def test_hostile_feedback_bytes(tmp_path: Path, raw: bytes, words: str) -> None:
    p = tmp_path / "evil.opsvalue-feedback.json"
    p.write_bytes(raw)
    with pytest.raises(FeedbackError, match=words):
        read_feedback(p)


def test_cli_import(wb: Workbook, fb_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(wb.workspace)
    assert cli_main(["feedback", "import", str(fb_file), "--workspace", ws]) == 0
    assert "2 new comment" in capsys.readouterr().out
    assert cli_main(["feedback", "import", str(fb_file), "--workspace", ws]) == 0
    assert "0 new comment" in capsys.readouterr().out
    assert cli_main(["feedback", "import", str(tmp_path / "missing.json"), "--workspace", ws]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err
