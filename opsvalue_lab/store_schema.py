"""SQLite stores' schemas, their versioning, one transaction helper, and SQLite errors turned into
sentences (floor 2). Used by the trainee's answer store (`ANSWER_STORE`, this module's MIGRATIONS)
and the instructor's course store (`instructor/course_schema.py`).

``PRAGMA user_version`` holds the schema version; ``PRAGMA application_id`` marks the file as an
opsvalue store of that kind so that a foreign SQLite database is never mistaken for (or turned into)
one.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Self, TypeVar

from .errors import OpsValueError

SCHEMA_VERSION = 1
APPLICATION_ID = 0x4F505356  # "OPSV"
RETRIES = 4  # whole-transaction attempts, each after SQLite's own busy_timeout ran out
T = TypeVar("T")

MIGRATIONS: dict[int, str] = {
    # version -> DDL that brings version-1 to version
    1: """
    CREATE TABLE profile (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE answer_version (            -- append-only history of every answer
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT NOT NULL,
        value       TEXT NOT NULL,            -- canonical JSON
        saved_at    TEXT NOT NULL             -- ISO 8601, UTC
    );
    CREATE INDEX answer_version_by_exercise ON answer_version (exercise_id, id);
    CREATE TABLE quiz_attempt (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        quiz_id      TEXT NOT NULL,
        option       INTEGER NOT NULL,
        correct      INTEGER NOT NULL,
        attempted_at TEXT NOT NULL
    );
    CREATE TABLE feedback (                  -- instructor comments imported from feedback files
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise_id TEXT NOT NULL,
        comment     TEXT NOT NULL,
        author      TEXT NOT NULL,
        written_at  TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        UNIQUE (exercise_id, author, written_at, comment)
    );
    """,
}

# SQLite primary result codes (the low byte of the extended code)
BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB, PERM = 5, 6, 8, 10, 11, 13, 14, 26, 3


class StoreError(OpsValueError):
    """The answer store could not be opened, read or written. ``path`` names the file."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"answer store {self.path}: {message}")


@dataclass(frozen=True)
class Schema:
    """One kind of opsvalue SQLite store."""
    what: str                       # "answer store": how messages name the file
    place: str                      # "workspace": the folder the user would move
    version: int                    # the newest schema version this code writes
    application_id: int
    migrations: Mapping[int, str]   # version -> DDL that brings version-1 to version
    error: Callable[[Path, str], OpsValueError]  # (path, sentence) -> the exception to raise
    legacy_table: str = ""          # a version-0 file holding this table is an unversioned store of this kind


ANSWER_STORE = Schema("answer store", "workspace", SCHEMA_VERSION, APPLICATION_ID, MIGRATIONS, StoreError)


def code(exc: BaseException) -> int | None:
    """SQLite's primary result code of *exc*, if it has one."""
    c = getattr(exc, "sqlite_errorcode", None)
    return None if c is None else c & 0xFF


def is_busy(exc: BaseException) -> bool:
    return code(exc) in (BUSY, LOCKED) or "locked" in str(exc) or "busy" in str(exc)


def explain(path: Path, exc: BaseException, action: str, schema: Schema = ANSWER_STORE) -> OpsValueError:
    """The schema's error (a StoreError for the answer store) whose sentence says what happened and
    what to do; the raw message is appended."""
    c = code(exc)
    place = schema.place
    raw = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, sqlite3.Error):
        raw = f"sqlite: {exc}"
    if c in (BUSY, LOCKED) or (c is None and is_busy(exc)):
        why = "it is locked by another program that is still writing; try again in a moment"
    elif c in (READONLY, PERM) or "readonly" in str(exc) or isinstance(exc, PermissionError):
        why = f"the {place} folder or the file is read-only; move the {place} to a folder you can write to"
    elif c == FULL or "disk is full" in str(exc) or getattr(exc, "errno", None) == 28:
        why = "the disk is full; free some space and save again (nothing you typed was lost)"
    elif c in (NOTADB, CORRUPT):
        why = (f"the file is damaged or is not an opsvalue {schema.what}; it was left untouched. "
               "Move it aside (keep it for your instructor) to start a fresh one")
    elif c in (CANTOPEN, IOERR) and not _writable(path):
        why = f"the {place} folder or the file is read-only; move the {place} to a folder you can write to"
    elif c in (CANTOPEN, IOERR) and _nearly_full(path):
        why = "the disk is full; free some space and save again (nothing you typed was lost)"
    elif c == CANTOPEN:
        why = "the file cannot be opened (missing folder, no permission, or not a regular file)"
    elif c == IOERR:
        why = ("the disk refused the write (full, over quota, removed or read-only?); "
               "fix that and save again (nothing you typed was lost)")
    else:
        why = "an unexpected storage problem"
    return schema.error(path, f"could not {action}: {why} ({raw})")


def _writable(path: Path) -> bool:
    """False when the file (if present) or its folder cannot be written (also for root: chattr +i)."""
    probe = [p for p in (path, Path(str(path) + "-wal"), path.parent) if p.exists()]
    return all(os.access(p, os.W_OK) for p in probe)


def _nearly_full(path: Path) -> bool:
    try:
        import shutil  # only when a write failed: not worth its import on every start
        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


def identify(conn: sqlite3.Connection, path: Path, schema: Schema = ANSWER_STORE) -> int:
    """The schema version of an opsvalue store (0 when empty); the schema's error for a foreign or
    newer file.

    Call it inside a transaction: its three reads must see one state of the file, or another
    process's schema commit landing between them makes a new store look foreign.
    """
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    foreign = app not in (0, schema.application_id) or (version and app != schema.application_id)
    if version == 0 and not foreign:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        foreign = bool(tables) and not (schema.legacy_table and schema.legacy_table in tables)
    if foreign:
        raise schema.error(path, f"could not open: the file is a SQLite database of another program, "
                                 f"not an opsvalue {schema.what}; it was left untouched")
    if version > schema.version:
        raise schema.error(path, f"could not open: it was written by a newer opsvalue-lab "
                                 f"(schema {version}, this one knows {schema.version}); please upgrade")
    return version


def migrate(conn: sqlite3.Connection, path: Path, schema: Schema = ANSWER_STORE) -> None:
    """Bring the schema to its newest version inside the caller's write transaction."""
    version = identify(conn, path, schema)
    for v in range(version + 1, schema.version + 1):
        for stmt in schema.migrations[v].split(";"):
            if stmt.strip():
                conn.execute(stmt)
        conn.execute(f"PRAGMA user_version = {v}")
    if version < schema.version:
        conn.execute(f"PRAGMA application_id = {schema.application_id}")


class Transactions:
    """One SQLite connection shared by threads: a lock, bounded busy retries, one transaction per call."""

    def __init__(self, path: Path, conn: sqlite3.Connection, schema: Schema = ANSWER_STORE) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.RLock()
        self._schema = schema

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise self._schema.error(self.path, "it was closed; open it again")
        return self._conn

    def _retry(self, action: str, fn: Callable[[], T]) -> T:
        """Run *fn*, retrying a bounded number of times while another process holds the lock."""
        delay = 0.05
        for attempt in range(RETRIES):
            try:
                return fn()
            except sqlite3.Error as e:
                if is_busy(e) and attempt < RETRIES - 1:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise explain(self.path, e, action, self._schema) from e
        raise AssertionError("unreachable")

    def _tx(self, action: str, fn: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """Run *fn* in one transaction (IMMEDIATE when writing); returns after COMMIT."""
        def once() -> T:
            conn = self._require()
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                result = fn(conn)
                conn.execute("COMMIT")
            except BaseException:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                raise
            return result
        with self._lock:
            return self._retry(action, once)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self._tx("read", fn, write=False)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
