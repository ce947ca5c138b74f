"""The course store: every collected submission of a class, in <course>/course.sqlite3 (SQLite, WAL).

The schema, its version and the store's errors are `course_schema`; the instructor's comments are
`course_comments`; this module imports submissions (`collect`, the hub service) and answers the
instructor's questions about the class in plain data.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, catalogue
from ..model import Task, tasks_from_data
from ..store_schema import identify, migrate
from ..store_values import is_answered, json_text, split_value
from .course_comments import CourseComments, now_iso
from .course_schema import COURSE_STORE, DB_NAME, CourseError, connect, query

__all__ = ["COURSE_POINTER", "DB_NAME", "AnswerRow", "Course", "CourseError", "Trainee", "anonymous_labels",
           "now_iso", "query"]

_ROWS = 200  # answer rows per INSERT (3 values each and the id; SQLite allows 32,766)
_CHUNK = 64  # submissions per SAVEPOINT in batch()


@functools.lru_cache(maxsize=64)
def _insert_answers(rows: int) -> str:
    """INSERT of *rows* answers of one submission: ?1 is its id, then (exercise id, value, saved at) each."""
    return "INSERT INTO answers VALUES " + ",".join(f"(?1,?{3 * i + 2},?{3 * i + 3},?{3 * i + 4})" for i in range(rows))


COURSE_POINTER = ".opsvalue-course"  # beside instructor notebooks (`opsvalue-lab review`): the course folder


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


class Course(CourseComments):
    """One course store. Thread-safe (one lock); every write is one transaction with busy retries
    (`store_schema.Transactions`); cheap queries return plain data."""

    def __init__(self, course_dir: str | Path, *, cat: Catalogue | None = None) -> None:
        self.dir = Path(course_dir).expanduser()
        self.catalogue = cat or catalogue()
        self._batch = False
        self._chunk: list[Callable[[sqlite3.Connection], str]] | None = None  # batch(): since the savepoint
        path = self.dir / DB_NAME
        try:
            if self.dir.exists() and not self.dir.is_dir():
                raise CourseError(f"course directory {self.dir} is a file, not a directory")
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CourseError(f"course directory {self.dir} cannot be used: {e.strerror or e}") from None
        if path.exists() and not path.is_file():
            raise CourseError(f"course store {path}: could not open: it is not a regular file")
        super().__init__(path, connect(path), COURSE_STORE)
        try:  # identify first without writing (a foreign file stays untouched), then WAL and the schema
            self._tx("open", lambda c: identify(c, path, COURSE_STORE), write=False)
            self._retry("open", lambda: self._require().execute("PRAGMA journal_mode=WAL").fetchone())
            self._tx("open", lambda c: migrate(c, path, COURSE_STORE))
        except BaseException:
            self.close()
            raise

    @classmethod
    def open(cls, course_dir: str | Path | None = None, **kw: Any) -> Course:
        return cls(course_dir or os.environ.get("OPSVALUE_COURSE") or "course", **kw)

    def _q(self, sql: str, params: Iterable[Any] = (), action: str = "read") -> list[tuple]:
        return query(self._require(), self._lock, self.path, sql, params, action)

    # ---- writing (used by collect) -------------------------------------------------------
    @contextlib.contextmanager
    def batch(self, seconds: float = 1.0) -> Iterator[Callable[[], None]]:
        """Group many add_submission calls into few transactions (each submission still all-or-nothing:
        see add_submission). Yields `tick()`: call it after each input; it commits once *seconds* have passed
        since the transaction began, so a long import never holds the write lock for long (the hub
        service waits up to BUSY_TIMEOUT) and does not pay a synced commit every few files. Re-running
        collect is idempotent, so an interrupted batch loses nothing that a second run does not bring back."""
        db = self._require()
        began = 0.0

        def begin() -> None:
            nonlocal began
            self._retry("import submissions", lambda: db.execute("BEGIN IMMEDIATE"))
            began, self._chunk = time.monotonic(), None

        def tick() -> None:
            if time.monotonic() - began >= seconds:
                self._retry("import submissions", lambda: db.execute("COMMIT"))
                begin()
        with self._lock:
            try:
                begin()
                self._batch = True
                yield tick
                self._retry("import submissions", lambda: db.execute("COMMIT"))
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                self._batch, self._chunk = False, None

    def has_sha(self, sha256: str) -> bool:
        return bool(self._q("SELECT 1 FROM submissions WHERE sha256 = ?", (sha256,)))

    def add_submission(self, *, trainee_id: str, profile: dict, sha256: str, source: str, created_at: str,
                       catalogue_version: str, schema_version: str,
                       answers: Sequence[tuple[str, str, str | None]]) -> str:
        """Store one submission (*answers*: (exercise id, the answer as JSON text (`json_text`), saved at));
        returns 'imported' (new trainee), 'updated' (now current) or 'history' (older than the current
        one, kept); 'duplicate' when the sha256 is known."""
        def write(db: sqlite3.Connection) -> str:
            cur = db.execute(
                "INSERT INTO submissions (trainee_id, sha256, source, created_at, catalogue_version,"
                " schema_version, profile, imported_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (sha256) DO NOTHING",
                (trainee_id, sha256, source, created_at, catalogue_version, str(schema_version),
                 json_text(profile), now_iso()))
            if not cur.rowcount:  # that sha256 is in the store already
                return "duplicate"
            sid = cur.lastrowid
            for i in range(0, len(answers), _ROWS):  # many rows per statement: a third less time than one each
                part = answers[i:i + _ROWS]
                db.execute(_insert_answers(len(part)), [sid, *chain.from_iterable(part)])
            fields = (str(profile.get("name") or ""), str(profile.get("cohort") or ""), str(profile.get("lang") or ""))
            if db.execute("INSERT INTO trainees VALUES (?,?,?,?,?) ON CONFLICT (trainee_id) DO NOTHING",
                          (trainee_id, *fields, sid)).rowcount:
                return "imported"
            row = db.execute("SELECT s.created_at, s.id FROM trainees t JOIN submissions s"
                             " ON s.id = t.current WHERE t.trainee_id = ?", (trainee_id,)).fetchone()
            if row is None or (created_at, sid) >= (row[0], row[1]):  # None: no current submission yet
                db.execute("UPDATE trainees SET name=?, cohort=?, lang=?, current=? WHERE trainee_id=?",
                           (*fields, sid, trainee_id))
                return "updated"
            return "history"
        if not self._batch:
            return self._tx("import a submission", write)
        with self._lock:  # inside batch(): this submission alone is undone if it fails
            db = self._require()
            if self._chunk is None or len(self._chunk) >= _CHUNK:  # a savepoint per chunk, not per
                if self._chunk is not None:                        # submission: each costs a journal
                    db.execute("RELEASE chunk")                     # of the pages it touches
                db.execute("SAVEPOINT chunk")
                self._chunk = []
            try:
                status = write(db)
            except BaseException as e:
                db.execute("ROLLBACK TO chunk")  # this submission and the chunk's earlier ones undone…
                for earlier in self._chunk:
                    earlier(db)                  # …and the earlier ones written again, as they were
                if isinstance(e, sqlite3.Error):
                    raise CourseError(f"course store {self.path}: could not import a submission: {e}") from None
                raise
            self._chunk.append(write)
            return status

    def log(self, source: str, status: str, detail: str = "", sha256: str = "") -> None:
        self._q("INSERT OR IGNORE INTO import_log (at, source, status, detail, sha256) VALUES (?,?,?,?,?)",
                (now_iso(), source, status, detail, sha256), "write the import log")

    def import_log(self) -> list[dict]:
        return [dict(zip(("at", "source", "status", "detail", "sha256"), r))
                for r in self._q("SELECT at, source, status, detail, sha256 FROM import_log ORDER BY id")]

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
        pair = self.catalogue.pair_of(a)
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
