"""Instructor comments autosave like answers: status honest until the commit, every version kept,
the history shown, a pending comment written when the kernel stops (flush_all)."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from opsvalue_lab.instructor.comment_box import CommentBox, flush_all
from opsvalue_lab.instructor.course import Course


def wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.01)


def test_a_comment_autosaves_with_status_and_history(tmp_path: Path) -> None:
    with Course(tmp_path / "c") as course:
        box = CommentBox(course, "t-1", "pre-1", "", "en")
        # named for screen readers by what it comments on (visible text says it above the box)
        assert box.box.description == "Instructor's comment on t-1's pre-1"
        box.box.value = "Good start"
        assert "Unsaved" in box.status.text and "Saved" not in box.status.text and box.pending
        wait_for(lambda: course.comment("t-1", "pre-1") == "Good start" and "Saved" in box.status.text)
        box.box.value = "Good start <b>and</b> a clear example"
        wait_for(lambda: not box.pending and "Saved" in box.status.text)
        box.box.value = ""  # deleting is a version too
        assert box.flush()
        assert course.comment("t-1", "pre-1") == ""
        assert [v["comment"] for v in course.comment_history("t-1", "pre-1")] == [
            "Good start", "Good start <b>and</b> a clear example", ""]
        assert "History (3)" in box.history.value and "&lt;b&gt;and&lt;/b&gt;" in box.history.value
        assert "(deleted)" in box.history.value
        assert box.flush() and len(course.comment_history("t-1", "pre-1")) == 3  # unchanged: nothing new
        again = CommentBox(course, "t-1", "pre-1", course.comment("t-1", "pre-1"), "ja")
        assert "保存しました" in again.status.text and "履歴（3 件）" in again.history.value


def test_a_pending_comment_is_written_when_the_kernel_stops(tmp_path: Path) -> None:
    with Course(tmp_path / "c") as course:
        box = CommentBox(course, "t-2", "work-1", "", "ja")
        box.box.value = "閉じる直前のコメント"
        assert box.pending
        flush_all()  # what atexit runs when the instructor's kernel stops
        assert course.comment("t-2", "work-1") == "閉じる直前のコメント" and not box.pending
