"""The course store: every collected submission of a class, in <course>/course.sqlite3 (SQLite, WAL).

Tables: trainees (one row per trainee; `current` is the newest submission), submissions (every
submission ever imported, older ones kept as history, unique by sha256), answers (per submission),
comments (instructor's comment per trainee × exercise) and import_log. The hub service's live view
(hub/live_store.py) adds live_answers (latest mirrored answer per hub user × exercise, with the
instructor's hidden flag) and live_pins (the pinned answer per exercise).
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, catalogue
from ..errors import OpsValueError
from ..model import Task, tasks_from_data
from ..store_values import split_value
from .values import is_answered, pair_order

DB_NAME = "course.sqlite3"
COURSE_POINTER = ".opsvalue-course"  # beside instructor notebooks (`opsvalue-lab review`): the course folder

_SCHEMA = """
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



def query(db: sqlite3.Connection, lock: Any, path: Path, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    """One statement on a course-store connection under its lock; a SQLite error names the file."""
    with lock:
        try:
            return db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as e:
            raise CourseError(f"course store {path}: {e}") from None

class CourseError(OpsValueError):
    """The course directory or its store cannot be used; the message names the path."""


@dataclass(frozen=True)
class Trainee:
    trainee_id: str
    name: str
    cohort: str
    lang: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.trainee_id})" if self.name and self.name != self.trainee_id else self.trainee_id


@dataclass(frozen=True)
class AnswerRow:
    """One trainee's answer to a question; for paired questions also the pre and post values."""
    trainee: Trainee
    value: Any
    saved_at: str
    pre: Any = None
    post: Any = None
    comment: str = ""


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Course:
    """One course store. Thread-safe (one lock); cheap queries return plain data."""

    def __init__(self, course_dir: str | Path, *, cat: Catalogue | None = None) -> None:
        self.dir = Path(course_dir).expanduser()
        self.path = self.dir / DB_NAME
        self.catalogue = cat or catalogue()
        self._lock = threading.RLock()
        self._batch = False
        try:
            if self.dir.exists() and not self.dir.is_dir():
                raise CourseError(f"course directory {self.dir} is a file, not a directory")
            self.dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # as the trainee store: a commit is on disk
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as e:
            raise CourseError(f"course store {self.path} cannot be used: {e}") from None
        except OSError as e:
            raise CourseError(f"course directory {self.dir} cannot be used: {e.strerror or e}") from None

    @classmethod
    def open(cls, course_dir: str | Path | None = None, **kw: Any) -> Course:
        return cls(course_dir or os.environ.get("OPSVALUE_COURSE") or "course", **kw)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Course:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _q(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return query(self._db, self._lock, self.path, sql, params)

    # ---- writing (used by collect) -------------------------------------------------------
    @contextlib.contextmanager
    def batch(self, every: int = 500) -> Iterator[Callable[[], None]]:
        """Group many add_submission calls into few transactions (each still all-or-nothing via a
        SAVEPOINT). Yields `tick()`: call it after each input; it commits every *every* ticks so a
        long import never holds the write lock for long. Re-running collect is idempotent, so an
        interrupted batch loses nothing that a second run does not bring back."""
        n = 0

        def tick() -> None:
            nonlocal n
            n += 1
            if n % every == 0:
                self._db.execute("COMMIT")
                self._db.execute("BEGIN IMMEDIATE")
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._batch = True
                yield tick
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            finally:
                self._batch = False

    def has_sha(self, sha256: str) -> bool:
        return bool(self._q("SELECT 1 FROM submissions WHERE sha256 = ?", (sha256,)))

    def add_submission(self, *, trainee_id: str, profile: dict, sha256: str, source: str, created_at: str,
                       catalogue_version: str, schema_version: str, answer_texts: dict[str, str],
                       saved_at: dict[str, str]) -> str:
        """Store one submission (*answer_texts*: exercise id → the answer as JSON text, `json_text`);
        returns 'imported' (new trainee), 'updated' (now current) or 'history' (older than the current
        one, kept); 'duplicate' when the sha256 is known."""
        with self._lock:
            db = self._db
            try:
                db.execute("SAVEPOINT one" if self._batch else "BEGIN IMMEDIATE")
                if db.execute("SELECT 1 FROM submissions WHERE sha256 = ?", (sha256,)).fetchone():
                    db.execute("RELEASE one" if self._batch else "ROLLBACK")
                    return "duplicate"
                cur = db.execute(
                    "INSERT INTO submissions (trainee_id, sha256, source, created_at, catalogue_version,"
                    " schema_version, profile, imported_at) VALUES (?,?,?,?,?,?,?,?)",
                    (trainee_id, sha256, source, created_at, catalogue_version, str(schema_version),
                     json.dumps(profile, ensure_ascii=False, sort_keys=True), now_iso()))
                sid = cur.lastrowid
                db.executemany("INSERT INTO answers VALUES (?,?,?,?)",
                               [(sid, ex, v, saved_at.get(ex)) for ex, v in answer_texts.items()])
                row = db.execute("SELECT s.created_at, s.id FROM trainees t JOIN submissions s"
                                 " ON s.id = t.current WHERE t.trainee_id = ?", (trainee_id,)).fetchone()
                fields = (str(profile.get("name") or ""), str(profile.get("cohort") or ""),
                          str(profile.get("lang") or ""))
                if row is None:
                    status = "imported"
                    db.execute("INSERT INTO trainees VALUES (?,?,?,?,?)", (trainee_id, *fields, sid))
                elif (created_at, sid) >= (row[0], row[1]):
                    status = "updated"
                    db.execute("UPDATE trainees SET name=?, cohort=?, lang=?, current=? WHERE trainee_id=?",
                               (*fields, sid, trainee_id))
                else:
                    status = "history"
                db.execute("RELEASE one" if self._batch else "COMMIT")
                return status
            except Exception as e:  # any failure: undo this submission only, then report it
                if self._batch:
                    db.execute("ROLLBACK TO one")
                    db.execute("RELEASE one")
                elif db.in_transaction:
                    db.execute("ROLLBACK")
                if not isinstance(e, sqlite3.Error):
                    raise
                raise CourseError(f"course store {self.path}: {e}") from None

    def log(self, source: str, status: str, detail: str = "", sha256: str = "") -> None:
        self._q("INSERT OR IGNORE INTO import_log (at, source, status, detail, sha256) VALUES (?,?,?,?,?)",
                (now_iso(), source, status, detail, sha256))

    def import_log(self) -> list[dict]:
        return [dict(zip(("at", "source", "status", "detail", "sha256"), r))
                for r in self._q("SELECT at, source, status, detail, sha256 FROM import_log ORDER BY id")]

    # ---- comments --------------------------------------------------------------------------
    def set_comment(self, trainee_id: str, exercise_id: str, text: str, author: str | None = None) -> str:
        """Save (or with empty text, delete) the instructor's comment on one answer, in one transaction
        with its history (every version kept, deletions as empty versions). Returns the time written;
        saving the unchanged comment again writes nothing."""
        author = author or os.environ.get("OPSVALUE_INSTRUCTOR") or "instructor"
        at = now_iso()
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                row = db.execute("SELECT comment, written_at FROM comment_history WHERE trainee_id=? AND "
                                 "exercise_id=? ORDER BY id DESC LIMIT 1", (trainee_id, exercise_id)).fetchone()
                old = row[0] if row else self.comment(trainee_id, exercise_id)
                if (row is not None or not text.strip()) and old == (text if text.strip() else ""):
                    db.execute("ROLLBACK")
                    return row[1] if row else ""
                if not text.strip():
                    db.execute("DELETE FROM comments WHERE trainee_id=? AND exercise_id=?", (trainee_id, exercise_id))
                else:
                    db.execute("INSERT INTO comments VALUES (?,?,?,?,?) ON CONFLICT (trainee_id, exercise_id) DO "
                               "UPDATE SET comment=excluded.comment, author=excluded.author, "
                               "written_at=excluded.written_at", (trainee_id, exercise_id, text, author, at))
                db.execute("INSERT INTO comment_history (trainee_id, exercise_id, comment, author, written_at) "
                           "VALUES (?,?,?,?,?)", (trainee_id, exercise_id, text if text.strip() else "", author, at))
                db.execute("COMMIT")
                return at
            except sqlite3.Error as e:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise CourseError(f"course store {self.path}: could not save the comment: {e}") from None

    def comment_history(self, trainee_id: str, exercise_id: str) -> list[dict[str, str]]:
        """Every saved version of one comment, oldest first ("" = deleted)."""
        rows = self._q("SELECT comment, author, written_at FROM comment_history WHERE trainee_id=? AND "
                       "exercise_id=? ORDER BY id", (trainee_id, exercise_id))
        return [{"comment": c, "author": a, "written_at": w} for c, a, w in rows]

    def comment(self, trainee_id: str, exercise_id: str) -> str:
        r = self._q("SELECT comment FROM comments WHERE trainee_id=? AND exercise_id=?", (trainee_id, exercise_id))
        return r[0][0] if r else ""

    def comments(self, trainee_id: str | None = None) -> dict[str, list[dict]]:
        """{trainee_id: [{"exercise_id","comment","author","written_at"}]} (catalogue order)."""
        sql = "SELECT trainee_id, exercise_id, comment, author, written_at FROM comments"
        rows = self._q(sql + (" WHERE trainee_id = ?" if trainee_id else ""), (trainee_id,) if trainee_id else ())
        order = {a.id: i for i, a in enumerate(self.catalogue.assignments)}
        out: dict[str, list[dict]] = {}
        for tid, ex, c, au, at in sorted(rows, key=lambda r: (r[0], order.get(r[1], 999), r[1])):
            out.setdefault(tid, []).append({"exercise_id": ex, "comment": c, "author": au, "written_at": at})
        return out

    # ---- reading ---------------------------------------------------------------------------
    def trainees(self) -> list[Trainee]:
        return [Trainee(*r) for r in self._q("SELECT trainee_id, name, cohort, lang FROM trainees"
                                             " ORDER BY trainee_id")]

    def trainee(self, trainee_id: str) -> Trainee:
        r = self._q("SELECT trainee_id, name, cohort, lang FROM trainees WHERE trainee_id=?", (trainee_id,))
        if not r:
            raise CourseError(f"course {self.dir}: no trainee with id {trainee_id!r}")
        return Trainee(*r[0])

    def counts(self) -> dict[str, int]:
        (t,), = self._q("SELECT COUNT(*) FROM trainees")
        (s,), = self._q("SELECT COUNT(*) FROM submissions")
        return {"trainees": t, "submissions": s}

    def submissions_of(self, trainee_id: str) -> list[dict]:
        """Every submission of one trainee, oldest first; `current` marks the one in use."""
        rows = self._q("SELECT s.id, s.created_at, s.source, s.sha256, s.id = t.current FROM submissions s"
                       " JOIN trainees t USING (trainee_id) WHERE s.trainee_id=? ORDER BY s.created_at, s.id",
                       (trainee_id,))
        return [dict(zip(("id", "created_at", "source", "sha256", "current"), r)) for r in rows]

    def current_answers(self, exercise_ids: Iterable[str] | None = None,
                        trainee_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """{trainee_id: {exercise_id: value}} of every trainee's (or the given trainees') current
        submission, one query."""
        sql = ("SELECT t.trainee_id, a.exercise_id, a.value FROM trainees t"
               " JOIN answers a ON a.submission_id = t.current")
        ids = list(exercise_ids) if exercise_ids is not None else None
        who = list(trainee_ids) if trainee_ids is not None else None
        where, params = [], []
        if ids is not None:
            where.append(f"a.exercise_id IN ({','.join('?' * len(ids))})")
            params += ids
        if who is not None:
            where.append(f"t.trainee_id IN ({','.join('?' * len(who))})")
            params += who
        if where:
            sql += " WHERE " + " AND ".join(where)
        out: dict[str, dict[str, Any]] = ({t.trainee_id: {} for t in self.trainees()} if who is None
                                          else {tid: {} for tid in who})
        for tid, ex, v in self._q(sql, params):
            out.setdefault(tid, {})[ex] = json.loads(v)
        return out

    def answers_for(self, exercise_id: str) -> list[AnswerRow]:
        """Every trainee's answer to one question (with the pre/post pair when it has one)."""
        a = self.catalogue.assignment(exercise_id)
        pair = pair_order(a, self.catalogue)
        ids = list(pair) if pair else [exercise_id]
        values = self.current_answers(ids)
        saved = dict(self._q("SELECT t.trainee_id, a.saved_at FROM trainees t JOIN answers a"
                             " ON a.submission_id = t.current WHERE a.exercise_id=?", (exercise_id,)))
        comments = dict(self._q("SELECT trainee_id, comment FROM comments WHERE exercise_id=?", (exercise_id,)))
        rows = []
        for t in self.trainees():
            v = values.get(t.trainee_id, {})
            rows.append(AnswerRow(t, v.get(exercise_id), saved.get(t.trainee_id) or "",
                                  v.get(pair[0]) if pair else None, v.get(pair[1]) if pair else None,
                                  comments.get(t.trainee_id, "")))
        return rows

    def answers_of(self, trainee_id: str) -> dict[str, Any]:
        """{exercise_id: value} of one trainee's current submission (catalogue order)."""
        self.trainee(trainee_id)
        rows = dict(self._q("SELECT a.exercise_id, a.value FROM trainees t JOIN answers a"
                            " ON a.submission_id = t.current WHERE t.trainee_id=?", (trainee_id,)))
        return {a.id: json.loads(rows[a.id]) for a in self.catalogue.assignments if a.id in rows}

    def orphans_of(self, trainee_id: str) -> list[dict[str, Any]]:
        """The answers of one trainee's current submission that the current catalogue lacks (kept)."""
        rows = self._q("SELECT a.exercise_id, a.value FROM trainees t JOIN answers a"
                       " ON a.submission_id = t.current WHERE t.trainee_id=?", (trainee_id,))
        return self.orphans({trainee_id: {ex: json.loads(v) for ex, v in rows}})

    def orphans(self, answers: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Answers (or parts) the current catalogue lacks, kept from submissions made under an earlier
        one: [{"trainee_id", "exercise_id", "value", "reason"}], by trainee then id. Never dropped."""
        answers = self.current_answers() if answers is None else answers
        out = []
        for tid in sorted(answers):
            for ex in sorted(answers[tid]):
                _ok, kept, why = split_value(self.catalogue, ex, answers[tid][ex])
                if kept is not None and is_answered(kept):
                    out.append({"trainee_id": tid, "exercise_id": ex, "value": kept, "reason": why})
        return out

    def completion(self, answers: dict[str, dict[str, Any]] | None = None) -> list[dict]:
        """Per trainee: {"trainee", "by_timing": {timing: [answered, total]}, "missing": {timing: [ids]}}."""
        answers = self.current_answers() if answers is None else answers
        return [self.completion_row(t, answers.get(t.trainee_id, {})) for t in self.trainees()]

    def completion_row(self, t: Trainee, mine: dict[str, Any]) -> dict[str, Any]:
        """One trainee's row of :meth:`completion`, from their current answers *mine*."""
        by: dict[str, list[int]] = {}
        missing: dict[str, list[str]] = {}
        for a in self.catalogue.assignments:
            done = is_answered(mine.get(a.id))
            by.setdefault(a.timing, [0, 0])
            by[a.timing][0] += done
            by[a.timing][1] += 1
            if not done:
                missing.setdefault(a.timing, []).append(a.id)
        return {"trainee": t, "by_timing": by, "missing": missing}

    def tasks(self, answers: dict[str, dict[str, Any]] | None = None) -> dict[str, tuple[list[Task], list[Task]]]:
        """{trainee_id: (before tasks, after tasks)}; unreadable self-assessments count as none."""
        ids = self.catalogue.self_assessment_ids
        answers = self.current_answers(ids) if answers is None else answers
        out = {}
        for tid, mine in answers.items():
            pair = []
            for ex in ids:
                try:
                    pair.append(tasks_from_data(mine[ex]) if mine.get(ex) else [])
                except ValueError:
                    pair.append([])
            out[tid] = (pair[0], pair[1])
        return out

    def class_points(self, labels: dict[str, str] | None = None,
                     answers: dict[str, dict[str, Any]] | None = None,
                     tasks: dict[str, tuple[list[Task], list[Task]]] | None = None) -> list:
        """TraineePoints for plots.class_matrix / class_delivery (labels: trainee_id → shown label)."""
        from ..model import TraineePoints
        labels = labels or {t.trainee_id: t.name or t.trainee_id for t in self.trainees()}
        tasks = self.tasks(answers) if tasks is None else tasks
        return [TraineePoints(label=labels.get(tid, tid), before=b, after=a)
                for tid, (b, a) in sorted(tasks.items()) if b or a]


def anonymous_labels(trainee_ids: Iterable[str]) -> dict[str, str]:
    """trainee_id → T001, T002, … in sorted id order (consistent across HTML, CSV and charts)."""
    ids = sorted(trainee_ids)
    width = max(3, len(str(len(ids))))
    return {tid: f"T{i:0{width}d}" for i, tid in enumerate(ids, 1)}
