"""The course store's schema version, foreign and newer files, an unversioned store from before, a
writer holding the lock in another process, and a read-only course folder (real SQLite files)."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from faults import read_only  # tests/faults.py

from opsvalue_lab.instructor.collect import collect
from opsvalue_lab.instructor.course import DB_NAME, Course, CourseError
from opsvalue_lab.instructor.course_schema import COURSE_STORE, V1
from opsvalue_lab.instructor.demo import write_demo


def pragmas(path: Path) -> tuple[int, int]:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0], db.execute("PRAGMA application_id").fetchone()[0]
    finally:
        db.close()


def test_a_new_course_store_is_versioned_and_marked(tmp_path: Path) -> None:
    with Course(tmp_path / "c"):
        pass
    assert pragmas(tmp_path / "c" / DB_NAME) == (COURSE_STORE.version, COURSE_STORE.application_id)


def test_a_foreign_sqlite_file_is_named_and_left_untouched(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    path = tmp_path / "c" / DB_NAME
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT)")
    db.execute("INSERT INTO photos VALUES (1, 'holiday')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(CourseError, match="another program") as e:
        Course(tmp_path / "c")
    assert str(path) in str(e.value)
    assert path.read_bytes() == before and not Path(str(path) + "-wal").exists()


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    with Course(tmp_path / "c"):
        pass
    db = sqlite3.connect(tmp_path / "c" / DB_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(CourseError, match="newer opsvalue-lab"):
        Course(tmp_path / "c")


def test_an_unversioned_store_from_before_is_upgraded_in_place_and_keeps_everything(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    old_ddl = V1.split("CREATE TABLE IF NOT EXISTS live_answers")[0]  # before the live view existed
    db = sqlite3.connect(tmp_path / "c" / DB_NAME)
    db.executescript(old_ddl)
    db.execute("INSERT INTO comments VALUES ('t-1', 'pre-1', 'よく書けています', 'me', '2026-11-01T00:00:00+00:00')")
    db.commit()
    db.close()
    assert pragmas(tmp_path / "c" / DB_NAME) == (0, 0)
    write_demo(3, tmp_path / "in", seed=1)
    assert collect([tmp_path / "in"], tmp_path / "c", lambda _line: None).counts["imported"] == 3
    with Course(tmp_path / "c") as c:
        assert c.comment("t-1", "pre-1") == "よく書けています"
        assert c.counts() == {"trainees": 3, "submissions": 3}
        assert c._q("SELECT count(*) FROM live_answers") == [(0,)]  # the newer tables were added
    assert pragmas(tmp_path / "c" / DB_NAME) == (1, COURSE_STORE.application_id)


HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO comments VALUES ('t-2', 'pre-1', 'from the other process', 'hub', '2026-11-01T00:00:00+00:00')")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


def test_a_comment_waits_for_another_process_holding_the_write_lock(tmp_path: Path) -> None:
    with Course(tmp_path / "c") as c:
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(c.path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdin is not None
            assert holder.stdout.readline().strip() == "locked"
            result: list[object] = []
            t = threading.Thread(target=lambda: result.append(c.set_comment("t-1", "pre-1", "待っていました")))
            t.start()
            t.join(timeout=0.5)
            assert t.is_alive(), "the save must wait while the other process holds the lock"
            holder.stdin.write("go\n")
            holder.stdin.flush()
            t.join(timeout=30)
            assert not t.is_alive() and result and isinstance(result[0], str)
            assert holder.wait(timeout=30) == 0
        finally:
            if holder.poll() is None:
                holder.kill()
        assert c.comment("t-1", "pre-1") == "待っていました"
        assert c.comment("t-2", "pre-1") == "from the other process"


def test_a_read_only_course_folder_gives_a_sentence_naming_the_file_and_loses_nothing(tmp_path: Path) -> None:
    c = Course(tmp_path / "c")
    c.set_comment("t-1", "pre-1", "first")
    frozen = [p for p in sorted((tmp_path / "c").iterdir()) if not p.name.endswith("-shm")]
    try:
        with read_only(*frozen, tmp_path / "c"):
            with pytest.raises(CourseError) as e:
                c.set_comment("t-1", "pre-1", "second")
            assert str(c.path) in str(e.value) and "read-only" in str(e.value)
            assert c.comment("t-1", "pre-1") == "first"  # reading still works
        assert c.set_comment("t-1", "pre-1", "second")
        assert [h["comment"] for h in c.comment_history("t-1", "pre-1")] == ["first", "second"]
    finally:
        c.close()
