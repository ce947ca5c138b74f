"""Importing submissions into the course store (a base of `Course`): one submission in one
transaction, or many in a `batch()` (a transaction per second, a SAVEPOINT per 64 submissions, and a
submission that fails undone alone); every import is in the import log."""
from __future__ import annotations

import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

from ..store_schema import Transactions
from ..store_values import json_text
from .course_comments import now_iso
from .course_schema import CourseError

_ROWS = 200  # answer rows per INSERT (3 values each and the id; SQLite allows 32,766)
_CHUNK = 64  # submissions per SAVEPOINT in batch()


@functools.lru_cache(maxsize=64)
def _insert_answers(rows: int) -> str:
    """INSERT of *rows* answers of one submission: ?1 is its id, then (exercise id, value, saved at) each."""
    return "INSERT INTO answers VALUES " + ",".join(f"(?1,?{3 * i + 2},?{3 * i + 3},?{3 * i + 4})" for i in range(rows))


class CourseImports(Transactions):
    """`Course`'s writing side, used by `collect` and the hub service."""
    _batch = False
    _chunk: list[Callable[[sqlite3.Connection], str]] | None = None  # batch(): written since the savepoint

    def _q(self, sql: str, params: Iterable[Any] = (), action: str = "read") -> list[tuple]:
        raise NotImplementedError  # Course's query

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
