"""The answer store: saving, history, validation, progress, quizzes, feedback, concurrency."""
from __future__ import annotations

import functools
import queue
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from opsvalue_lab import store as store_module
from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.store import STORE_DIR, STORE_FILE, StoreError, Version, Workbook
from opsvalue_lab.store_schema import SCHEMA_VERSION
from opsvalue_lab.store_values import MAX_ANSWER_CHARS, MAX_TASKS

TASK = {"name": "障害対応", "kind": "incident", "level": "formal", "proactivity": 0.3, "lead_time": 4}


@pytest.fixture
def wb(tmp_path: Path):
    w = Workbook.open(tmp_path / "ws")
    yield w
    w.close()


def test_open_creates_a_wal_store_with_a_schema_version(tmp_path: Path) -> None:
    with Workbook.open(tmp_path / "ws") as w:
        assert w.path == tmp_path / "ws" / STORE_DIR / STORE_FILE
        assert w.profile == {"name": "", "trainee_id": "", "cohort": "", "lang": ""}
    conn = sqlite3.connect(w.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_save_keeps_every_version_and_skips_repeats(wb: Workbook) -> None:
    v1 = wb.save("pre-1", "運用は価値を届けること")
    assert isinstance(v1, Version) and v1.saved_at.tzinfo is not None
    assert v1.saved_at.utcoffset() == UTC.utcoffset(None)
    assert wb.save("pre-1", "運用は価値を届けること") is None
    wb.save("pre-1", "second")
    wb.save("pre-1", "運用は価値を届けること")
    assert [v.value for v in wb.history("pre-1")] == ["運用は価値を届けること", "second", "運用は価値を届けること"]
    assert wb.latest("pre-1") == "運用は価値を届けること"
    assert wb.latest("pre-2.1") is None and wb.history("pre-2.1") == []


def test_every_kind_round_trips_and_persists(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    with Workbook.open(ws) as w:
        w.save("review-1", {"purpose": "事業継続", "action": ""})
        w.save("change-before", "never_as_org")
        v = w.save("self-assessment-before", [TASK])
        assert v is not None and v.value[0]["lead_time_unit"] == "hours"  # stored as Task.to_dict()
        w.save("work-1", "")
    with Workbook.open(ws) as w:
        got = w.answers()
    assert got["review-1"] == {"purpose": "事業継続", "action": ""}
    assert got["change-before"] == "never_as_org"
    assert got["self-assessment-before"][0]["proactivity"] == 0.3
    assert got["work-1"] == ""


@pytest.mark.parametrize("eid, value, words", [
    ("nope", "x", ["nope"]),
    ("pre-1", 42, ["pre-1", "value"]),
    ("pre-1", None, ["pre-1", "value"]),
    ("pre-1", "x" * (MAX_ANSWER_CHARS + 1), ["pre-1", "limit"]),
    ("pre-1", "ok\ud800", ["pre-1", "surrogate"]),
    ("review-1", "text", ["review-1", "value"]),
    ("review-1", {"purpose": 1}, ["review-1", "purpose"]),
    ("review-1", {"bogus": "x"}, ["review-1", "bogus"]),
    ("change-before", "maybe", ["change-before", "value"]),
    ("self-assessment-before", [{**TASK, "proactivity": 3}], ["self-assessment-before", "tasks[0]"]),
    ("self-assessment-before", [{**TASK, "level": "great"}], ["self-assessment-before", "level"]),
    ("self-assessment-before", [TASK] * (MAX_TASKS + 1), ["self-assessment-before", "limit"]),
    ("self-assessment-before", {"a": 1}, ["self-assessment-before", "list"]),
    ("q-level-01", "x", ["q-level-01"]),
])
def test_save_rejects_bad_values_naming_exercise_and_field(wb: Workbook, eid, value, words) -> None:
    with pytest.raises(ValueError) as e:
        wb.save(eid, value)
    for w in words:
        assert w in str(e.value)
    assert wb.answers() == {}


def test_progress_counts_blank_values_as_unanswered(wb: Workbook) -> None:
    cat = catalogue()
    p = wb.progress()
    assert p["answered"] == 0 and p["total"] == len(cat.assignments)
    assert sum(t for _, t in p["by_section"].values()) == p["total"]
    assert set(p["by_timing"]) == {"before", "in_class", "after"}
    wb.save("pre-1", "  \n")
    wb.save("review-1", {"purpose": "", "resources": ""})
    wb.save("self-assessment-before", [])
    assert wb.progress()["answered"] == 0
    wb.save("pre-1", "answer")
    wb.save("review-1", {"purpose": "", "resources": "人"})
    wb.save("self-assessment-before", [TASK])
    wb.save("work-1", "in class")
    p = wb.progress()
    assert p["answered"] == 4
    sec = cat.assignment("pre-1").section
    assert p["by_section"][sec][0] >= 1
    assert p["by_timing"]["before"][0] == 3 and p["by_timing"]["in_class"][0] == 1


def test_profile(wb: Workbook) -> None:
    wb.set_profile(name="山田 花子", trainee_id="T-001")
    wb.set_profile(lang="en")
    assert wb.profile == {"name": "山田 花子", "trainee_id": "T-001", "cohort": "", "lang": "en"}
    with pytest.raises(ValueError, match="lang"):
        wb.set_profile(lang="fr")
    with pytest.raises(ValueError, match="trainee_id"):
        wb.set_profile(trainee_id="x" * 500)
    with pytest.raises(ValueError, match="name"):
        wb.set_profile(name=3)  # type: ignore[arg-type]


def test_quizzes(wb: Workbook) -> None:
    cat = catalogue()
    q = cat.quizzes[0]
    wrong = (q.answer + 1) % len(q.options)
    assert wb.record_quiz(q.id, wrong) is False
    assert wb.record_quiz(q.id, q.answer) is True
    assert wb.quiz_results() == {q.id: {"attempts": 2, "last_option": q.answer, "correct": True}}
    by = wb.quiz_score_by_section()
    assert by[q.section] == [1, sum(x.section == q.section for x in cat.quizzes)]
    assert sum(t for _, t in by.values()) == len(cat.quizzes)
    for bad in (-1, len(q.options), True, "1"):
        with pytest.raises(ValueError, match=q.id):
            wb.record_quiz(q.id, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no-such-quiz"):
        wb.record_quiz("no-such-quiz", 0)


def test_feedback_is_idempotent(wb: Workbook) -> None:
    c = [{"exercise_id": "pre-1", "comment": "よく書けています", "author": "講師",
          "written_at": "2026-11-01T10:00:00+00:00"},
         {"exercise_id": "pre-1", "comment": "second", "author": "講師", "written_at": "2026-11-02T10:00:00+00:00"}]
    assert wb.save_feedback(c) == 2
    assert wb.save_feedback(c) == 0
    assert [x["comment"] for x in wb.feedback()["pre-1"]] == ["よく書けています", "second"]
    with pytest.raises(ValueError, match="exercise_id"):
        wb.save_feedback([{**c[0], "exercise_id": "zzz"}])
    with pytest.raises(ValueError, match="written_at"):
        wb.save_feedback([{**c[0], "written_at": "yesterday"}])


def test_closed_workbook_raises_store_error(tmp_path: Path) -> None:
    w = Workbook.open(tmp_path / "ws")
    w.close()
    w.close()
    with pytest.raises(StoreError, match="closed"):
        w.save("pre-1", "x")


def test_threads_share_one_workbook(wb: Workbook) -> None:
    ids = ["pre-1", "pre-2.1", "pre-2.2", "work-1", "work-2", "work-3", "work-4", "work-5"]
    errors: list[BaseException] = []

    def worker(eid: str) -> None:
        try:
            for i in range(25):
                wb.save(eid, f"{eid}-{i}")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker, args=(e,)) for e in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for eid in ids:
        assert [v.value for v in wb.history(eid)] == [f"{eid}-{i}" for i in range(25)]


WRITER = """
import os, sys, time
from opsvalue_lab.store import Workbook
ws, tag, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
print("ready", flush=True)
while not os.path.exists(go):  # start together: both processes write at the same moment
    time.sleep(0.0005)
with Workbook.open(ws) as wb:
    for i in range(n):
        wb.save("pre-1", f"{tag}-{i}")
        wb.save("work-" + str(1 + i % 5), f"{tag}-{i}")
        wb.record_quiz("q-level-01", i % 2)
        time.sleep(0.002)  # a trainee types between saves; without a pause SQLite lets one writer run ahead
print("done", flush=True)
"""


def _race(ws: Path, go: Path, n: int) -> list[str]:
    """Two writer processes released at once into *ws*; returns pre-1's history after checking all."""
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(ws), tag, str(n), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in "AB"]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    with Workbook.open(ws) as wb:
        pre = [v.value for v in wb.history("pre-1")]
        assert sorted(pre) == sorted(f"{t}-{i}" for t in "AB" for i in range(n))
        works = [v.value for k in range(1, 6) for v in wb.history(f"work-{k}")]
        assert sorted(works) == sorted(pre)
        assert wb.quiz_results()["q-level-01"]["attempts"] == 2 * n
    return pre


@pytest.mark.slow
def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    # The workspace does not exist yet: both processes also race to create the schema.
    for attempt in range(3):  # a loaded machine may run one writer to the end before the other starts
        pre = _race(tmp_path / f"ws{attempt}", tmp_path / f"go{attempt}", 80)
        if sum(a[0] != b[0] for a, b in zip(pre, pre[1:])) >= 2:
            return
    pytest.fail("the two writers never overlapped in 3 tries; the test proved nothing")


OPENER = """
import sys
from opsvalue_lab.store import Workbook
for line in sys.stdin:
    print("start", flush=True)
    Workbook.open(line.strip()).close()
    print("opened", flush=True)
"""


class _PausesAfterVersionRead(sqlite3.Connection):
    """A connection that runs ``pause()`` once, right after reading ``PRAGMA user_version``."""

    pause: Any = None

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        cur = super().execute(sql, *args)
        if sql == "PRAGMA user_version" and self.pause is not None:
            pause, self.pause = self.pause, None
            pause()
        return cur


@pytest.mark.slow
def test_a_store_created_by_another_process_during_open_is_not_foreign(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process creates the schema while this one is identifying the new file, every round.

    This process stops right after reading the (still empty) schema version and lets a second
    process open the same new workspace; it resumes when that process is done, or after WINDOW
    seconds when the second process waits for this one's read transaction. Reads outside one
    transaction would then see the other's tables without its version: "a foreign database".
    """
    WINDOW, ROUNDS = 0.5, 10
    other = subprocess.Popen([sys.executable, "-c", OPENER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert other.stdin is not None and other.stdout is not None and other.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    out = other.stdout

    def read_lines() -> None:
        for x in out:
            lines.put(x.strip())
    threading.Thread(target=read_lines, daemon=True).start()

    def expect(word: str, timeout: float) -> None:
        try:
            got = lines.get(timeout=timeout)
        except queue.Empty:
            if other.poll() is None:
                raise
            pytest.fail(f"the other process stopped: {other.stderr.read() if other.stderr else ''}")
        assert got == word

    def let_the_other_process_in(ws: Path, done_in_window: list[bool]) -> None:
        assert other.stdin is not None
        other.stdin.write(f"{ws}\n")
        other.stdin.flush()
        expect("start", 60)
        try:
            expect("opened", WINDOW)
            done_in_window.append(True)
        except queue.Empty:
            pass  # it waits for our transaction and finishes after us

    real_connect = sqlite3.connect
    try:
        for n in range(ROUNDS):
            ws = tmp_path / f"ws{n}"
            done_in_window: list[bool] = []
            pause = functools.partial(let_the_other_process_in, ws, done_in_window)

            def connect(*args: Any, pause: Any = pause, **kwargs: Any) -> sqlite3.Connection:
                conn = real_connect(*args, factory=_PausesAfterVersionRead, **kwargs)
                conn.pause = pause
                return conn
            monkeypatch.setattr(store_module.sqlite3, "connect", connect)
            with Workbook.open(ws) as w:
                w.save("pre-1", f"round {n}")
            monkeypatch.setattr(store_module.sqlite3, "connect", real_connect)
            if not done_in_window:
                expect("opened", 60)
            with Workbook.open(ws) as w:
                assert w.latest("pre-1") == f"round {n}"
    finally:
        other.stdin.close()
        try:
            other.wait(timeout=30)
        finally:
            other.kill()
    assert other.returncode == 0, other.stderr.read()


def test_feedback_sorted_by_instant_across_time_zones(wb: Workbook) -> None:
    wb.save_feedback([
        {"exercise_id": "pre-1", "comment": "later", "author": "a", "written_at": "2026-11-01T10:00:00+00:00"},
        {"exercise_id": "pre-1", "comment": "earlier", "author": "a", "written_at": "2026-11-01T18:00:00+09:00"},
    ])
    assert [c["comment"] for c in wb.feedback()["pre-1"]] == ["earlier", "later"]
