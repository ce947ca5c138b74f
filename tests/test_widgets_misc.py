"""ChoiceView, ProfileView, SubmitView, FeedbackImportView and the nb facade, headless."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from opsvalue_lab import nb as ov
from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.feedback import write_feedback
from opsvalue_lab.store import Workbook
from opsvalue_lab.submission import read_submission
from opsvalue_lab.widgets.choice import ChoiceView
from opsvalue_lab.widgets.feedback_view import FeedbackImportView
from opsvalue_lab.widgets.profile import ProfileView
from opsvalue_lab.widgets.submit import SubmitView


@pytest.fixture
def wb(tmp_path):
    book = Workbook.open(tmp_path)
    yield book
    book.close()


def _first(kind: str) -> str:
    return next(a.id for a in catalogue().assignments if a.kind == kind)


def _comment(ex: str, text: str) -> dict:
    return {"exercise_id": ex, "comment": text, "author": "講師", "written_at": "2026-11-20T10:00:00+00:00"}


def test_choice_saves_on_change_and_restores(wb):
    ex = _first("choice")
    a = catalogue().assignment(ex)
    v = ChoiceView(wb, ex, "ja")
    assert v.radio.value is None
    assert [lbl for lbl, _k in v.radio.options] == [o.label("ja") for o in a.options]
    v.radio.value = a.options[1].key
    assert wb.latest(ex) == a.options[1].key
    assert "保存しました" in v.status.text
    assert ChoiceView(wb, ex, "en").radio.value == a.options[1].key


def test_profile_saves(wb):
    v = ProfileView(wb, "ja")
    v.name.value, v.trainee_id.value, v.cohort.value = "山田 花子", "t-001", "2026-11"
    v.lang_choice.value = "en"
    v.button.click()
    assert wb.profile == {"name": "山田 花子", "trainee_id": "t-001", "cohort": "2026-11", "lang": "en"}
    assert "保存しました" in v.status.text
    again = ProfileView(wb, "ja")
    assert again.trainee_id.value == "t-001" and again.lang_choice.value == "en"


def test_profile_error_is_friendly(wb):
    v = ProfileView(wb, "en")
    v.name.value = "x" * 500  # over the store's limit
    v.button.click()
    assert "⚠" in v.status.text and "Traceback" not in v.status.text


def test_submit_needs_id_then_writes_numbered_files(wb):
    wb.save(_first("text"), "答え")
    v = SubmitView(wb, "ja")
    assert "1 / " in v.summary.value
    assert v.submit() is None and "受講者ID" in v.status.text
    wb.set_profile(trainee_id="t-001")
    p1 = v.submit()
    p2 = v.submit()  # the same day: a new numbered file, not a failure
    assert p1 and p2 and p1 != p2
    assert p1.parent == (wb.workspace / "submissions").resolve()
    assert p1.name.startswith("t-001-") and p1.name.endswith(".opsvalue.json")
    assert p2.name.endswith("-2.opsvalue.json")
    assert str(p2) in v.result.value and "講師" in v.result.value
    assert read_submission(p1).answers[_first("text")] == "答え"


def test_feedback_upload_and_folder_import(wb):
    ex = _first("text")
    wb.set_profile(trainee_id="t-001")
    v = FeedbackImportView(wb, "ja")
    assert "ありません" in v.comments.value
    src = write_feedback(wb.workspace / "x.opsvalue-feedback.json", trainee_id="t-001", course="c",
                         comments=[_comment(ex, "具体例が良い")])
    n = v.import_bytes("mine.opsvalue-feedback.json", src.read_bytes())
    assert n == 1 and "具体例が良い" in v.comments.value
    assert not list((wb.workspace / ".opsvalue").glob("*.opsvalue-feedback.json"))  # temp file removed
    # the FileUpload path (ipywidgets 8 value format)
    other = write_feedback(wb.workspace / "y.opsvalue-feedback.json", trainee_id="t-001", course="c",
                           comments=[_comment(ex, "次は数字も")])
    v.upload.value = ({"name": "y.opsvalue-feedback.json", "type": "application/json",
                       "size": other.stat().st_size, "content": memoryview(other.read_bytes()),
                       "last_modified": datetime.now(UTC)},)
    assert "次は数字も" in v.comments.value
    # a file placed in <workspace>/feedback/ with its import button
    folder = wb.workspace / "feedback"
    folder.mkdir()
    write_feedback(folder / "t-001.opsvalue-feedback.json", trainee_id="t-001", course="c",
                   comments=[_comment(ex, "フォルダーから")])
    v.refresh()
    buttons = [c.children[1] for c in v.folder_box.children[1:]]
    assert len(buttons) == 1
    buttons[0].click()
    assert "フォルダーから" in v.comments.value
    assert len(wb.feedback()[ex]) == 3


def test_feedback_errors_are_friendly(wb):
    v = FeedbackImportView(wb, "en")
    assert v.import_bytes("notes.txt", b"{}") is None and "⚠" in v.status.text
    assert v.import_bytes("a.opsvalue-feedback.json", b"{not json") is None
    assert "⚠" in v.status.text and "Traceback" not in v.status.text


class _Shown(list):
    def __call__(self, obj):
        self.append(obj)


@pytest.fixture
def facade(tmp_path, monkeypatch):
    shown = _Shown()
    monkeypatch.setattr(ov, "_display", shown)
    monkeypatch.setenv("OPSVALUE_WORKSPACE", str(tmp_path))
    monkeypatch.setattr(ov, "_state", {"wb": None, "lang": "ja", "views": []})
    yield shown
    if ov._state["wb"] is not None:
        ov._state["wb"].close()


def test_facade_dispatch_returns_none(facade, tmp_path):
    assert ov.begin("en") is None
    assert ov._state["wb"].workspace.resolve() == tmp_path.resolve()
    assert ov.exercise(_first("text")) is None
    assert ov.exercise(_first("choice")) is None
    assert ov.widget("profile") is None
    assert ov.widget("submit") is None
    kinds = [type(x).__name__ for x in facade]
    assert kinds[0] == "HTML" and kinds.count("VBox") >= 4
    assert not any("opsvalue-error" in str(getattr(x, "data", "")) for x in facade[1:])


@pytest.mark.parametrize("call", [lambda: ov.exercise("no-such-id"), lambda: ov.widget("nope")])
def test_facade_errors_are_one_friendly_line(facade, call):
    ov.begin("ja")
    assert call() is None
    last = facade[-1]
    assert "opsvalue-error" in last.data and "Traceback" not in last.data and last.data.count("\n") == 0


def test_find_workspace_walks_up(tmp_path, monkeypatch):
    monkeypatch.delenv("OPSVALUE_WORKSPACE", raising=False)
    (tmp_path / ".opsvalue").mkdir()
    sub = tmp_path / "en"
    sub.mkdir()
    assert ov.find_workspace(sub) == tmp_path.resolve()


def test_facade_flush_writes_pending_saves_only(facade):
    ov.begin("ja")
    ex, other = [a.id for a in catalogue().assignments if a.kind == "text"][:2]
    ov.exercise(ex)
    ov.exercise(other)
    view = next(v for v in ov._state["views"] if getattr(v, "exercise_id", None) == ex)
    view.boxes[None].value = "途中まで"
    ov.flush()  # e.g. at kernel exit, before the 0.8 s pause is over
    wb = ov._state["wb"]
    assert wb.latest(ex) == "途中まで" and wb.history(other) == []
