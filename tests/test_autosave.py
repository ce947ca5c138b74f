"""Honest autosave: the status never claims "saved" before the commit, the save never depends on the
widget update, a keystroke never waits for the disk, a locked store is given up on within the time a
stopping kernel has, and a stale view never overwrites a newer answer without the trainee's choice."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.store import KERNEL_SAVE_BUDGET, StoreError, Workbook, busy_timeout_within
from opsvalue_lab.widgets.answer import AnswerView


def _first(kind: str) -> str:
    return next(a.id for a in catalogue().assignments if a.kind == kind)


def wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture
def wb(tmp_path: Path):
    book = Workbook.open(tmp_path)
    yield book
    book.close()


def _peek(path: Path, ex: str) -> str | None:
    """The newest stored text, read by another connection (WAL readers never wait for a writer)."""
    c = sqlite3.connect(str(path))
    try:
        row = c.execute("SELECT value FROM answer_version WHERE exercise_id = ? ORDER BY id DESC LIMIT 1",
                        (ex,)).fetchone()
        return None if row is None else row[0]
    finally:
        c.close()


class Locker:
    """Another program holding the store's write lock until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_status_says_unsaved_from_the_first_keystroke_until_the_commit(wb: Workbook) -> None:
    ex = _first("text")
    v = AnswerView(wb, ex, "en")
    v.boxes[None].value = "first"
    assert v.flush() and "Saved" in v.status.text
    lock = Locker(wb.path)  # the next commit cannot happen yet
    try:
        v.boxes[None].value = "first, then more"
        assert "Saved" not in v.status.text and "Unsaved" in v.status.text and v.pending
        wait_for(lambda: "Saving" in v.status.text)  # the pause is over; the commit is waiting
        assert _peek(wb.path, ex) == '"first"' and v.pending
    finally:
        lock.release()
    wait_for(lambda: "Saved" in v.status.text)
    assert wb.latest(ex) == "first, then more" and not v.pending
    assert [h.value for h in wb.history(ex)] == ["first", "first, then more"]  # one version per pause


def test_quick_typing_is_one_version_after_the_pause(wb: Workbook) -> None:
    ex = _first("text")
    v = AnswerView(wb, ex, "ja")
    for s in ("う", "うん", "運用", "運用の", "運用の価値"):
        v.boxes[None].value = s
    wait_for(lambda: "保存しました" in v.status.text)
    assert [h.value for h in wb.history(ex)] == ["運用の価値"]
    assert v.boxes[None].value == "運用の価値"  # never written back


def test_a_failing_widget_update_never_skips_the_save(wb: Workbook, monkeypatch) -> None:
    ex = _first("text")
    v = AnswerView(wb, ex, "en")

    def broken(*_a, **_k):
        raise RuntimeError("the front-end went away")
    monkeypatch.setattr(v.status, "info", broken)
    monkeypatch.setattr(v.status, "saved", broken)
    v.boxes[None].value = "kept although the status cannot be drawn"
    wait_for(lambda: wb.latest(ex) == "kept although the status cannot be drawn")
    wait_for(lambda: not v.pending)
    v.boxes[None].value = "and with flush"
    assert v.flush() and wb.latest(ex) == "and with flush"


def test_a_keystroke_never_waits_for_a_save_that_waits_for_the_disk(wb: Workbook) -> None:
    ex = _first("text")
    v = AnswerView(wb, ex, "en")
    lock = Locker(wb.path)
    try:
        v.boxes[None].value = "a"
        wait_for(lambda: "Saving" in v.status.text)  # the save is blocked on the lock now
        typed = threading.Thread(target=lambda: setattr(v.boxes[None], "value", "ab"))
        typed.start()
        typed.join(timeout=2)
        assert not typed.is_alive(), "the keystroke handler waited for the blocked save"
        assert "Unsaved" in v.status.text
    finally:
        lock.release()
    wait_for(lambda: wb.latest(ex) == "ab" and "Saved" in v.status.text)


def test_a_locked_store_is_given_up_on_before_a_stopping_kernel_is_terminated(tmp_path: Path) -> None:
    from jupyter_client.manager import KernelManager
    grace = KernelManager().shutdown_wait_time / 2  # SIGTERM comes after half the shutdown wait
    assert KERNEL_SAVE_BUDGET < grace
    ex = _first("text")
    book = Workbook.open(tmp_path, busy_timeout=busy_timeout_within(KERNEL_SAVE_BUDGET))
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sqlite3, sys, time\n"
                               f"c = sqlite3.connect({str(book.path)!r}, isolation_level=None)\n"
                               "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="locked"):
            book.save(ex, "waits")
        waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
        book.close()
    assert waited < grace, f"waited {waited:.2f} s; the kernel is terminated after {grace} s"


def test_a_stale_view_says_so_and_overwrites_nothing_until_the_trainee_chooses(tmp_path: Path) -> None:
    ex = _first("fields")
    keys = catalogue().assignment(ex).field_keys
    ja_kernel, en_kernel = Workbook.open(tmp_path), Workbook.open(tmp_path)  # ja/ and en/ copies open
    try:
        ja = AnswerView(ja_kernel, ex, "ja")
        en = AnswerView(en_kernel, ex, "en")
        en.boxes[keys[0]].value = "written in the English copy"
        assert en.flush()
        ja.boxes[keys[0]].value = "日本語版で書いた文章"  # the ja box still shows the older (empty) answer
        assert not ja.flush()
        assert (ja_kernel.latest(ex) or {})[keys[0]] == "written in the English copy"  # nothing overwritten
        assert "別の場所" in ja.status.text and ja.conflict_box.layout.display != "none"
        assert "written in the English copy" in ja.conflict_note.value
        ja.boxes[keys[0]].value = "日本語版で書いた文章、さらに追記"  # typing on does not overwrite either
        wait_for(lambda: not ja.autosave._handle and "別の場所" in ja.status.text)
        assert (ja_kernel.latest(ex) or {})[keys[0]] == "written in the English copy"
        ja.keep_mine.click()  # the trainee's choice
        assert (ja_kernel.latest(ex) or {})[keys[0]] == "日本語版で書いた文章、さらに追記"
        assert "保存しました" in ja.status.text and ja.conflict_box.layout.display == "none"
        # now the English box is the stale one; it takes the saved text instead
        en.boxes[keys[1]].value = "more English"
        assert not en.flush()
        en.use_other.click()
        assert en.boxes[keys[0]].value == "日本語版で書いた文章、さらに追記" and en.boxes[keys[1]].value == ""
        assert "Saved" in en.status.text
        assert [v.value[keys[0]] for v in en_kernel.history(ex)] == [
            "written in the English copy", "日本語版で書いた文章、さらに追記"]
    finally:
        ja_kernel.close()
        en_kernel.close()


def test_stale_choice_and_self_assessment_views_overwrite_nothing(tmp_path: Path) -> None:
    from opsvalue_lab.widgets.choice import ChoiceView
    from opsvalue_lab.widgets.selfassess import SelfAssessmentView
    ch = _first("choice")
    sa = _first("self_assessment")
    options = catalogue().assignment(ch).option_keys
    a, b = Workbook.open(tmp_path), Workbook.open(tmp_path)
    try:
        old_choice, old_tasks = ChoiceView(a, ch, "en"), SelfAssessmentView(a, sa, "en")
        fresh_choice = ChoiceView(b, ch, "en")
        fresh_choice.radio.value = options[0]
        fresh_tasks = SelfAssessmentView(b, sa, "en")
        fresh_tasks.add_row({"name": "Patching", "kind": "transition", "level": "formal", "proactivity": 0.5,
                                "lead_time": 3, "lead_time_unit": "days", "repeatability": "structured"})
        old_choice.radio.value = options[1]  # the stale view
        assert a.latest(ch) == options[0] and "elsewhere" in old_choice.status.text
        old_choice.conflict.use_other.click()
        assert old_choice.radio.value == options[0] and a.latest(ch) == options[0]
        old_choice.radio.value = options[1]  # now it stands on the newest version: saves
        assert a.latest(ch) == options[1]
        old_tasks.add_row({"name": "Backups", "kind": "other", "level": "root", "proactivity": 1.0,
                             "lead_time": 1, "lead_time_unit": "hours", "repeatability": "objective"})
        assert [t["name"] for t in a.latest(sa) or []] == ["Patching"] and old_tasks.conflict.active
        old_tasks.conflict.keep_mine.click()
        assert [t["name"] for t in a.latest(sa) or []] == ["Backups"] and not old_tasks.conflict.active
    finally:
        a.close()
        b.close()


def test_submit_includes_text_still_inside_its_autosave_pause(wb: Workbook) -> None:
    import json

    from opsvalue_lab.widgets.submit import SubmitView
    ex = _first("text")
    wb.set_profile(trainee_id="t-9", name="N")
    v = AnswerView(wb, ex, "en")
    v.boxes[None].value = "typed just before pressing Submit"
    assert v.pending  # still inside the pause
    path = SubmitView(wb, "en").submit()
    assert path is not None and not v.pending
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["answers"][ex]["value"] == "typed just before pressing Submit"
