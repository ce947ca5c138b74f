"""The course store's SQLite schema and versioning, on the same helper as the trainee's answer store
(`store_schema`: schema version, application id, one transaction per call with busy retries,
errors as sentences naming the file).

Tables: trainees (one row per trainee; `current` is the newest submission), submissions (every
submission ever imported, older ones kept as history, unique by sha256), answers (per submission),
comments (instructor's comment per trainee × exercise) and its history, and import_log. The hub
service's live view (hub/live_store.py) reads and writes live_answers (latest mirrored answer per
hub user × exercise, with the instructor's hidden flag) and live_pins (the pinned answer per
exercise). A course store written before the schema was versioned (user_version 0, with a
submissions table) is brought to version 1 in place: every statement of version 1 is IF NOT EXISTS.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import OpsValueError
from ..store_schema import Schema, explain

DB_NAME = "course.sqlite3"
BUSY_TIMEOUT = 5.0  # seconds SQLite waits for another writer (the hub service) before a retry

V1 = """
CREATE TABLE IF NOT EXISTS trainees (
    trainee_id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', cohort TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT '', current INTEGER);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY, trainee_id TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    created_at TEXT NOT NULL, catalogue_version TEXT, schema_version TEXT, profile TEXT NOT NULL,
    imported_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS submissions_trainee ON submissions(trainee_id, created_at);
CREATE TABLE IF NOT EXISTS answers (
    submission_id INTEGER NOT NULL, exercise_id TEXT NOT NULL, value TEXT NOT NULL, saved_at TEXT,
    PRIMARY KEY (submission_id, exercise_id));
CREATE TABLE IF NOT EXISTS comments (
    trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, comment TEXT NOT NULL, author TEXT NOT NULL,
    written_at TEXT NOT NULL, PRIMARY KEY (trainee_id, exercise_id));
CREATE TABLE IF NOT EXISTS comment_history (
    id INTEGER PRIMARY KEY, trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, comment TEXT NOT NULL,
    author TEXT NOT NULL, written_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS comment_history_of ON comment_history(trainee_id, exercise_id, id);
CREATE TABLE IF NOT EXISTS import_log (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL,
    detail TEXT NOT NULL, sha256 TEXT NOT NULL DEFAULT '', UNIQUE (source, status, detail, sha256));
CREATE TABLE IF NOT EXISTS live_answers (
    user TEXT NOT NULL, exercise_id TEXT NOT NULL, value TEXT NOT NULL, saved_at TEXT NOT NULL,
    received_at TEXT NOT NULL, seq INTEGER NOT NULL, first_seq INTEGER NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (user, exercise_id));
CREATE INDEX IF NOT EXISTS live_answers_seq ON live_answers(exercise_id, seq);
CREATE TABLE IF NOT EXISTS live_pins (
    exercise_id TEXT PRIMARY KEY, user TEXT NOT NULL, pinned_at TEXT NOT NULL);
"""


class CourseError(OpsValueError):
    """The course directory or its store cannot be used; the message names the path."""


def _error(path: Path, sentence: str) -> CourseError:
    return CourseError(f"course store {path}: {sentence}")


COURSE_STORE = Schema(what="course store", place="course", version=1, application_id=0x4F505343,  # "OPSC"
                      migrations={1: V1}, error=_error, legacy_table="submissions")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the course store at *path*: autocommit (transactions are explicit) and
    synchronous=FULL as the trainee store, so a commit is on disk. Nothing is written to the file
    here: `Course` identifies it first, then turns on WAL and sets up the schema."""
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
    except sqlite3.Error as e:
        raise explain(path, e, "open", COURSE_STORE) from None
    return db


def query(db: sqlite3.Connection, lock: Any, path: Path, sql: str, params: Iterable[Any] = (),
          action: str = "read") -> list[tuple]:
    """One statement on a course-store connection under its lock; a SQLite error becomes a sentence
    naming the file (`store_schema.explain`)."""
    with lock:
        try:
            return db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as e:
            raise explain(path, e, action, COURSE_STORE) from None
