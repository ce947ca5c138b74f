"""The course store: every collected submission of a class, in <course>/course.sqlite3 (SQLite, WAL).

The schema, its version and the store's errors are `course_schema`; importing submissions (`collect`,
the hub service) is `course_import`; the instructor's comments are `course_comments`; this module
opens the store and answers the instructor's questions about the class in plain data.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, catalogue
from ..model import Task, tasks_from_data
from ..store_schema import identify, migrate
from ..store_values import is_answered, split_value
from .course_comments import CourseComments, now_iso
from .course_import import CourseImports
from .course_schema import COURSE_STORE, DB_NAME, CourseError, connect, query

__all__ = ["COURSE_POINTER", "DB_NAME", "AnswerRow", "Course", "CourseError", "Trainee", "anonymous_labels",
           "now_iso", "query"]

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


class Course(CourseImports, CourseComments):
    """One course store. Thread-safe (one lock); every write is one transaction with busy retries
    (`store_schema.Transactions`); cheap queries return plain data."""

    def __init__(self, course_dir: str | Path, *, cat: Catalogue | None = None) -> None:
        self.dir = Path(course_dir).expanduser()
        self.catalogue = cat or catalogue()
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
