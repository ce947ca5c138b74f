"""AnswerView headless: save/restore, debounce, error + retry, example locked until own answer."""
from __future__ import annotations

import time

import ipywidgets as w
import pytest

from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.store import Workbook
from opsvalue_lab.store_values import MAX_ANSWER_CHARS
from opsvalue_lab.widgets.answer import AnswerView


def _first(kind: str) -> str:
    return next(a.id for a in catalogue().assignments if a.kind == kind)


def _all_text(widget) -> str:
    """Every string value in the widget tree (what a front-end could ever see)."""
    out = []
    stack = [widget]
    while stack:
        x = stack.pop()
        if isinstance(x, (w.HTML, w.Label, w.Textarea)):
            out.append(x.value)
        stack.extend(getattr(x, "children", ()))
    return "\n".join(out)


@pytest.fixture
def wb(tmp_path):
    book = Workbook.open(tmp_path)
    yield book
    book.close()


def test_text_save_and_restore(wb):
    ex = _first("text")
    v = AnswerView(wb, ex, "ja")
    v.boxes[None].value = "運用の価値とは、業務継続のための課題解決を届けること"
    assert v.flush()
    assert wb.latest(ex) == "運用の価値とは、業務継続のための課題解決を届けること"
    assert "✔ 保存しました" in v.status.text
    assert f"{len(wb.latest(ex))} 文字" in v.count.value  # character count
    again = AnswerView(wb, ex, "ja")  # re-running the cell shows wb.latest()
    assert again.boxes[None].value == wb.latest(ex)
    assert "保存しました" in again.status.text


def test_fields_save_partial_and_restore(wb):
    ex = _first("fields")
    keys = catalogue().assignment(ex).field_keys
    v = AnswerView(wb, ex, "en")
    v.boxes[keys[0]].value = "continuity of the business"
    assert v.flush()
    saved = wb.latest(ex)
    assert saved[keys[0]] == "continuity of the business"
    assert all(saved[k] == "" for k in keys[1:])  # empty fields are fine
    again = AnswerView(wb, ex, "en")
    assert again.boxes[keys[0]].value == "continuity of the business"
    assert "Saved" in again.status.text


def test_debounce_saves_after_pause_and_coalesces(wb):
    ex = _first("text")
    v = AnswerView(wb, ex, "ja")
    for s in ("う", "うん", "運用", "運用の", "運用の価値"):  # quick typing (IME-like updates)
        v.boxes[None].value = s
    assert v.pending and "保存しました" not in v.status.text  # inside the pause: not claimed saved
    end = time.monotonic() + 10
    while (v.pending or "保存しました" not in v.status.text) and time.monotonic() < end:  # a condition, not a sleep
        time.sleep(0.01)
    hist = wb.history(ex)
    assert [h.value for h in hist] == ["運用の価値"]  # one version per pause
    assert v.boxes[None].value == "運用の価値"  # never rewritten
    assert "保存しました" in v.status.text


def test_validation_error_keeps_text_and_retry_saves(wb):
    ex = _first("text")
    v = AnswerView(wb, ex, "en")
    too_long = "x" * (MAX_ANSWER_CHARS + 1)
    v.boxes[None].value = too_long
    assert not v.flush()
    assert "Could not save" in v.status.text and "Traceback" not in v.status.text
    assert "limit" in v.status.text
    assert v.boxes[None].value == too_long  # the typed text stays in the box
    assert v.retry.layout.display != "none"
    v.boxes[None].value = "short enough"  # fix the cause, then press "Save again"
    v.retry.click()
    assert wb.latest(ex) == "short enough"
    assert v.retry.layout.display == "none"
    assert "Saved" in v.status.text


def test_store_error_is_friendly_and_names_the_file(tmp_path):
    ex = _first("text")
    book = Workbook.open(tmp_path)
    v = AnswerView(book, ex, "ja")
    book.close()
    # the store is gone from under the view: its folder is replaced by a file (works as root too)
    for p in sorted((tmp_path / ".opsvalue").iterdir()):
        p.unlink()
    (tmp_path / ".opsvalue").rmdir()
    (tmp_path / ".opsvalue").write_text("not a folder")
    v.boxes[None].value = "大事な回答"
    assert not v.flush()
    assert "保存できませんでした" in v.status.text and "answers.sqlite3" in v.status.text
    assert v.boxes[None].value == "大事な回答"
    assert v.retry.layout.display != "none"
    # fix the cause: the folder is back and the workbook open again
    (tmp_path / ".opsvalue").unlink()
    v.wb = Workbook.open(tmp_path)
    try:
        v.retry.click()
        assert v.wb.latest(ex) == "大事な回答"
        assert "保存しました" in v.status.text
    finally:
        v.wb.close()


def test_example_hidden_until_own_saved_answer(wb):
    ex = _first("text")
    a = catalogue().assignment(ex)
    v = AnswerView(wb, ex, "ja")
    assert v.example_button.disabled
    assert a.example.ja.strip()[:20] not in _all_text(v.widget)
    v.example_button.click()  # disabled: clicking reveals nothing
    assert not v.example_area.children
    v.boxes[None].value = "   "  # blank is not an answer
    v.flush()
    assert v.example_button.disabled
    v.boxes[None].value = "自分の回答"
    v.flush()
    assert not v.example_button.disabled
    v.example_button.click()
    assert v.example_area.children
    shown = _all_text(v.widget)
    assert "回答例" in shown and "振り返り" in shown
    # a fresh view asks the store, not widget state
    assert not AnswerView(wb, ex, "ja").example_button.disabled


def test_feedback_shown_under_answer(wb):
    ex = _first("text")
    wb.save_feedback([{"exercise_id": ex, "comment": "よく書けています <b>!</b>", "author": "講師",
                       "written_at": "2026-11-20T10:00:00+00:00"}])
    text = _all_text(AnswerView(wb, ex, "ja").widget)
    assert "よく書けています &lt;b&gt;!&lt;/b&gt;" in text and "講師からのフィードバック" in text


def test_wrong_kind_rejected(wb):
    with pytest.raises(ValueError):
        AnswerView(wb, _first("choice"), "ja")
