"""Quiz attempts and imported instructor comments in the answer store (floor 3).

The two tables beside the answer history: every quiz attempt is kept (the last one counts) and
instructor comments are imported once each. :class:`opsvalue_lab.store.Workbook` is built on
:class:`QuizFeedbackRecords`; open the store with ``Workbook.open``, never with this class.
"""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from .catalogue import Catalogue
from .store_schema import Transactions
from .store_values import check_comment


def now_iso() -> str:
    """The current instant as stored: ISO 8601, UTC, microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def parse_iso(iso: str) -> datetime:
    """A stored instant as a tz-aware datetime (a naive one is UTC)."""
    dt = datetime.fromisoformat(iso)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class QuizFeedbackRecords(Transactions):
    """The quiz and feedback part of a :class:`~opsvalue_lab.store.Workbook`."""

    catalogue: Catalogue

    # ---- quizzes -------------------------------------------------------------------------
    def record_quiz(self, quiz_id: str, option: int) -> bool:
        """Keep one attempt; returns whether *option* (0-based) is the correct one."""
        try:
            quiz = self.catalogue.quiz(quiz_id)
        except KeyError:
            raise ValueError(f"unknown quiz id {quiz_id!r}") from None
        if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < len(quiz.options):
            raise ValueError(f"quiz {quiz_id!r}: option {option!r} must be 0 – {len(quiz.options) - 1}")
        correct = option == quiz.answer
        self._tx(f"save quiz {quiz_id!r}", lambda c: c.execute(
            "INSERT INTO quiz_attempt (quiz_id, option, correct, attempted_at) VALUES (?, ?, ?, ?)",
            (quiz_id, option, int(correct), now_iso())))
        return correct

    def quiz_results(self) -> dict[str, dict[str, Any]]:
        """{quiz_id: {"attempts", "last_option", "correct"}} (correct = the last attempt's)."""
        return self._read(self._quiz)

    @staticmethod
    def _quiz(c: sqlite3.Connection) -> dict[str, dict[str, Any]]:
        rows = c.execute("SELECT q.quiz_id, n.attempts, q.option, q.correct FROM quiz_attempt q JOIN "
                         "(SELECT max(id) AS last, count(*) AS attempts FROM quiz_attempt GROUP BY quiz_id) n "
                         "ON q.id = n.last ORDER BY q.quiz_id").fetchall()
        return {qid: {"attempts": n, "last_option": opt, "correct": bool(ok)} for qid, n, opt, ok in rows}

    def quiz_score_by_section(self) -> dict[int, list[int]]:
        """{section id: [quizzes answered correctly (last attempt), quizzes in the section]}."""
        results = self.quiz_results()
        out: dict[int, list[int]] = {}
        for q in self.catalogue.quizzes:
            bucket = out.setdefault(q.section, [0, 0])
            bucket[0] += bool(results.get(q.id, {}).get("correct"))
            bucket[1] += 1
        return out

    # ---- feedback ------------------------------------------------------------------------
    def save_feedback(self, comments: list[dict[str, Any]]) -> int:
        """Keep instructor comments; returns how many were new (importing twice adds nothing)."""
        if not isinstance(comments, list):
            raise ValueError(f"comments must be a list, got {type(comments).__name__}")
        checked = [check_comment(self.catalogue, c, f"comments[{i}]") for i, c in enumerate(comments)]
        at = now_iso()

        def write(c: sqlite3.Connection) -> int:
            new = 0
            for m in checked:
                cur = c.execute("INSERT OR IGNORE INTO feedback (exercise_id, comment, author, written_at, "
                                "imported_at) VALUES (?, ?, ?, ?, ?)",
                                (m["exercise_id"], m["comment"], m["author"], m["written_at"], at))
                new += cur.rowcount
            return new
        return self._tx("save feedback", write)

    def feedback(self) -> dict[str, list[dict[str, str]]]:
        """{exercise_id: [{"comment", "author", "written_at"}]}, oldest first."""
        rows = self._read(lambda c: c.execute(
            "SELECT exercise_id, comment, author, written_at FROM feedback ORDER BY id").fetchall())
        rows.sort(key=lambda r: parse_iso(r[3]))  # by instant, whatever the time zone (stable for ties)
        out: dict[str, list[dict[str, str]]] = {}
        for eid, comment, author, written in rows:
            out.setdefault(eid, []).append({"comment": comment, "author": author, "written_at": written})
        return out
