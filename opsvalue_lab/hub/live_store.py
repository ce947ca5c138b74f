"""Live answers in the course store: the latest mirrored answer per hub user × exercise.

The tables (live_answers, live_pins) are created by the course store's schema code
(instructor/course.py); this module only reads and writes them. Every change gets a new number from
one increasing sequence (`seq`), so a page asks "what changed since N?" and never misses an update.
A mirror older than what is stored (by the trainee's own saved_at) is ignored: the newest answer
wins even when a retry arrives late.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..instructor.course import Course, CourseError, now_iso, query


@dataclass(frozen=True)
class LiveRow:
    user: str
    exercise_id: str
    value: Any
    saved_at: str
    received_at: str
    seq: int
    first_seq: int
    hidden: bool


_COLS = "user, exercise_id, value, saved_at, received_at, seq, first_seq, hidden"


def _row(r: tuple) -> LiveRow:
    return LiveRow(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], r[6], bool(r[7]))


class LiveStore:
    """Live rows of one course store (its own connection to the same SQLite file, WAL)."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self.path = course.path
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA synchronous=NORMAL")
            (top,), = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM live_answers").fetchall()
        except sqlite3.Error as e:
            raise CourseError(f"course store {self.path}: live tables cannot be used: {e}") from None
        self._seq = int(top)

    @property
    def seq(self) -> int:
        """The number of the newest change (0 when nothing was ever mirrored)."""
        return self._seq

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _q(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        return query(self._db, self._lock, self.path, sql, params)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- writing ---------------------------------------------------------------------------
    def put(self, user: str, exercise_id: str, value: Any, saved_at: str) -> int | None:
        """Store a mirrored answer; its seq, or None when it changes nothing (same value, or an answer
        saved later is already stored)."""
        text = json.dumps(value, ensure_ascii=False)
        with self._lock:
            old = self._q("SELECT saved_at, value, first_seq FROM live_answers WHERE user=? AND exercise_id=?",
                          (user, exercise_id))
            if old and (old[0][0] > saved_at or old[0][1] == text):
                return None
            seq = self._next()
            self._q(f"INSERT INTO live_answers ({_COLS}) VALUES (?,?,?,?,?,?,?,0)"
                    " ON CONFLICT (user, exercise_id) DO UPDATE SET value=excluded.value,"
                    " saved_at=excluded.saved_at, received_at=excluded.received_at, seq=excluded.seq",
                    (user, exercise_id, text, saved_at, now_iso(), seq, old[0][2] if old else seq))
            return seq

    def hide(self, exercise_id: str, user: str, hidden: bool = True) -> int | None:
        """Hide an answer from the projection (it stays stored); None when there is no such answer."""
        with self._lock:
            if not self._q("SELECT 1 FROM live_answers WHERE user=? AND exercise_id=?", (user, exercise_id)):
                return None
            seq = self._next()
            self._q("UPDATE live_answers SET hidden=?, seq=? WHERE user=? AND exercise_id=?",
                    (int(hidden), seq, user, exercise_id))
            return seq

    def pin(self, exercise_id: str, user: str | None) -> int:
        """Pin one user's answer on an exercise page (None: unpin)."""
        with self._lock:
            if user is None:
                self._q("DELETE FROM live_pins WHERE exercise_id=?", (exercise_id,))
            else:
                self._q("INSERT INTO live_pins VALUES (?,?,?) ON CONFLICT (exercise_id) DO UPDATE"
                        " SET user=excluded.user, pinned_at=excluded.pinned_at", (exercise_id, user, now_iso()))
            return self._next()

    # ---- reading ---------------------------------------------------------------------------
    def pinned(self, exercise_id: str) -> str | None:
        r = self._q("SELECT user FROM live_pins WHERE exercise_id=?", (exercise_id,))
        return r[0][0] if r else None

    def rows(self, exercise_ids: Iterable[str], since: int = 0) -> list[LiveRow]:
        """Rows of these exercises changed after *since*, oldest change first."""
        ids = list(exercise_ids)
        marks = ",".join("?" * len(ids))
        return [_row(r) for r in self._q(f"SELECT {_COLS} FROM live_answers WHERE exercise_id IN ({marks})"
                                         " AND seq > ? ORDER BY seq", (*ids, since))]

    def of_users(self, exercise_ids: Iterable[str], users: Iterable[str]) -> list[LiveRow]:
        ids, us = list(exercise_ids), list(users)
        if not us:
            return []
        return [_row(r) for r in self._q(
            f"SELECT {_COLS} FROM live_answers WHERE exercise_id IN ({','.join('?' * len(ids))})"
            f" AND user IN ({','.join('?' * len(us))})", (*ids, *us))]

    def order(self, exercise_ids: Iterable[str]) -> dict[str, int]:
        """user → the first change number of that user on these exercises (a stable, anonymous key)."""
        ids = list(exercise_ids)
        return dict(self._q(f"SELECT user, MIN(first_seq) FROM live_answers WHERE exercise_id IN"
                            f" ({','.join('?' * len(ids))}) GROUP BY user", ids))

    def values(self, exercise_id: str) -> dict[str, Any]:
        """user → latest value (hidden answers included: they are still answers)."""
        return {u: json.loads(v) for u, v in self._q(
            "SELECT user, value FROM live_answers WHERE exercise_id=?", (exercise_id,))}

    def users(self) -> set[str]:
        return {r[0] for r in self._q("SELECT DISTINCT user FROM live_answers")}
