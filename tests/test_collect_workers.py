"""`collect` with worker processes files exactly what one process files, in the same order, and a
worker killed with SIGKILL loses nothing."""
from __future__ import annotations

import os
import signal
import sqlite3
import zipfile
from pathlib import Path

import pytest

from opsvalue_lab.instructor import collect_pool
from opsvalue_lab.instructor.collect import collect
from opsvalue_lab.instructor.collect_pool import MIN_FILES_FOR_WORKERS
from opsvalue_lab.instructor.demo import write_demo


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("inputs")
    paths = write_demo(MIN_FILES_FOR_WORKERS + 40, src / "class", seed=3)
    (src / "class" / "broken.opsvalue.json").write_bytes(b'{"format": "opsvalue-submission", ')
    (src / "class" / "tampered.opsvalue.json").write_bytes(paths[0].read_bytes().replace(b'"lang"', b'"lang" ', 1)
                                                           .replace(b"demo-00001", b"demo-99999"))
    (src / "class" / "copy.opsvalue.json").write_bytes(paths[5].read_bytes())
    with zipfile.ZipFile(src / "class" / "late.zip", "w") as zf:
        zf.writestr("late/x.opsvalue.json", paths[7].read_bytes())
        zf.writestr("late/notes.txt", "hello")
    return src / "class"


def course_content(course: Path) -> list:
    db = sqlite3.connect(course / "course.sqlite3")
    try:
        return [db.execute("SELECT trainee_id, name, cohort, lang FROM trainees ORDER BY trainee_id").fetchall(),
                db.execute("SELECT s.sha256, s.trainee_id, s.source, s.created_at, a.exercise_id, a.value, a.saved_at "
                           "FROM submissions s JOIN answers a ON a.submission_id = s.id "
                           "ORDER BY s.sha256, a.exercise_id").fetchall(),
                db.execute("SELECT source, status, detail, sha256 FROM import_log ORDER BY id").fetchall()]
    finally:
        db.close()


def run(inputs: Path, course: Path, workers: int) -> list[str]:
    lines: list[str] = []
    collect([inputs], course, lines.append, workers=workers)
    return lines


def test_workers_file_the_same_as_one_process_in_the_same_order(inputs: Path, tmp_path: Path) -> None:
    one = run(inputs, tmp_path / "one", 1)
    two = run(inputs, tmp_path / "two", 2)
    assert one == two
    assert course_content(tmp_path / "one") == course_content(tmp_path / "two")
    statuses = [line.split(":")[0] for line in two]
    assert statuses.count("imported") == MIN_FILES_FOR_WORKERS + 40
    assert statuses.count("duplicate") == 2  # the copy and the zip member
    assert statuses.count("rejected") == 3  # broken JSON, checksum mismatch, notes.txt in the zip
    assert any("tampered" in line and "checksum mismatch" in line for line in two)
    again = run(inputs, tmp_path / "two", 2)  # the known submissions reach the workers: all duplicates
    assert [line.split(":")[0] for line in again].count("duplicate") == MIN_FILES_FOR_WORKERS + 42
    assert course_content(tmp_path / "two")[:2] == course_content(tmp_path / "one")[:2]


def test_a_worker_killed_mid_batch_loses_no_file(inputs: Path, tmp_path: Path, monkeypatch) -> None:
    real = collect_pool.read_and_check
    victim = sorted(inputs.glob("*.opsvalue.json"))[100].name

    def dies_on_the_victim(path: Path, known):  # runs in the forked worker
        if path.name == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, known)

    monkeypatch.setattr(collect_pool, "read_and_check", dies_on_the_victim)
    lines = run(inputs, tmp_path / "killed", 2)
    assert any(victim in line and line.startswith("imported") for line in lines)
    assert [line.split(":")[0] for line in lines].count("imported") == MIN_FILES_FOR_WORKERS + 40
    monkeypatch.undo()
    assert course_content(tmp_path / "killed")[:2] == (run(inputs, tmp_path / "plain", 1) and
                                                      course_content(tmp_path / "plain")[:2])
