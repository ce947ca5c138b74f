"""The instructor's comments in the course store: one current comment per trainee × exercise, and
every version kept (deletions as empty versions). A base of `Course`."""
from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..catalogue import Catalogue
from ..store_schema import Transactions

_now: tuple[int, str] = (0, "")


def now_iso() -> str:
    """The current second in UTC, ISO 8601 (as the course store keeps times); one text per second,
    made once (a batch of 10,000 imports asks 20,000 times)."""
    global _now
    t = int(time.time())
    if _now[0] != t:
        _now = (t, datetime.fromtimestamp(t, UTC).isoformat())
    return _now[1]


class CourseComments(Transactions):
    catalogue: Catalogue

    def _q(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        raise NotImplementedError  # Course's query

    def set_comment(self, trainee_id: str, exercise_id: str, text: str, author: str | None = None) -> str:
        """Save (or with empty text, delete) the instructor's comment on one answer, in one transaction
        with its history. Returns the time written; saving the unchanged comment again writes nothing
        and returns the time it was written."""
        author = author or os.environ.get("OPSVALUE_INSTRUCTOR") or "instructor"
        at = now_iso()
        keep = text if text.strip() else ""

        def write(db: sqlite3.Connection) -> str:
            row = db.execute("SELECT comment, written_at FROM comment_history WHERE trainee_id=? AND "
                             "exercise_id=? ORDER BY id DESC LIMIT 1", (trainee_id, exercise_id)).fetchone()
            if row is None:
                cur = db.execute("SELECT comment FROM comments WHERE trainee_id=? AND exercise_id=?",
                                 (trainee_id, exercise_id)).fetchone()
                if not keep and cur is None:
                    return ""  # deleting what was never written
            elif row[0] == keep:
                return str(row[1])
            if not keep:
                db.execute("DELETE FROM comments WHERE trainee_id=? AND exercise_id=?", (trainee_id, exercise_id))
            else:
                db.execute("INSERT INTO comments VALUES (?,?,?,?,?) ON CONFLICT (trainee_id, exercise_id) DO "
                           "UPDATE SET comment=excluded.comment, author=excluded.author, "
                           "written_at=excluded.written_at", (trainee_id, exercise_id, text, author, at))
            db.execute("INSERT INTO comment_history (trainee_id, exercise_id, comment, author, written_at) "
                       "VALUES (?,?,?,?,?)", (trainee_id, exercise_id, keep, author, at))
            return at
        return self._tx("save the comment", write)

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
