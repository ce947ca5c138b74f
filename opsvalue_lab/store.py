"""The answer store: every word a trainee types is kept, versioned and exportable (floor 3).

One SQLite file per workspace, ``<workspace>/.opsvalue/answers.sqlite3``, in WAL mode with
``synchronous=FULL``: a save returns only after its transaction is committed to disk. History is
append-only; saving a value equal to the latest adds no version. Values are canonical JSON text
(see :mod:`opsvalue_lab.store_values` for the shapes, limits and the Unicode rule).

Every failure reaches the caller as :class:`StoreError` naming the file (locked, read-only, disk
full, damaged); the store never deletes, replaces or "repairs" a file it cannot read.

This module opens the store and keeps the profile and the answers; quiz attempts and imported
instructor comments: :mod:`opsvalue_lab.store_records`.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .catalogue import TIMINGS, Catalogue
from .catalogue import catalogue as packaged_catalogue
from .errors import OpsValueError
from .store_records import QuizFeedbackRecords, now_iso, parse_iso
from .store_schema import RETRIES, StoreError, explain, identify, migrate
from .store_values import (
    LANGS,
    MAX_PROFILE_CHARS,
    PROFILE_KEYS,
    canonical,
    check_str,
    check_value,
    is_answered,
)
from .submission import write_submission

__all__ = ["Workbook", "Version", "Conflict", "StoreError", "STORE_DIR", "STORE_FILE"]

STORE_DIR = ".opsvalue"
STORE_FILE = "answers.sqlite3"
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds SQLite waits for another writer, per attempt
# In a notebook kernel a save may wait for a locked store at most this long in total: jupyter_client
# gives a stopping kernel shutdown_wait_time = 5 s and sends SIGTERM after half of it, and the last
# pending answer is written while the kernel stops.
KERNEL_SAVE_BUDGET = 2.0


def busy_timeout_within(total: float) -> float:
    """The per-attempt busy timeout that keeps every attempt plus the back-off sleeps within *total*."""
    sleeps = 0.05 * (2 ** (RETRIES - 1) - 1)
    return max(0.05, (total - sleeps) / RETRIES)


@dataclass(frozen=True)
class Version:
    """One saved version of one answer."""

    exercise_id: str
    value: Any
    saved_at: datetime  # tz-aware UTC


ANY: Any = object()  # save(expect=ANY): no check of what the caller last saw


class Conflict(OpsValueError):
    """The answer was saved elsewhere (another window, the other language's notebook) since the caller
    showed it; ``latest`` is that newer version. Nothing was written."""

    def __init__(self, latest: Version | None) -> None:
        self.latest = latest
        super().__init__("this answer was saved elsewhere since it was shown; nothing was overwritten")


class Workbook(QuizFeedbackRecords):
    """A trainee's answers in one workspace. Thread-safe; several processes may share the file.

    Quiz attempts and imported comments: :class:`~opsvalue_lab.store_records.QuizFeedbackRecords`."""

    def __init__(self, workspace: Path, path: Path, conn: sqlite3.Connection, cat: Catalogue) -> None:
        super().__init__(path, conn)
        self.workspace, self.catalogue = workspace, cat

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, workspace: str | Path, *, catalogue: Catalogue | None = None,
             busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Workbook:
        """Open (creating if needed) the store of *workspace*; StoreError if that is impossible."""
        ws = Path(workspace)
        path = ws / STORE_DIR / STORE_FILE
        if ws.exists() and not ws.is_dir():
            raise StoreError(path, f"could not open: the workspace {ws} is a file, not a folder")
        if path.parent.exists() and not path.parent.is_dir():
            raise StoreError(path, f"could not open: {path.parent} is a file, not a folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise explain(path, e, "create its folder") from e
        if path.exists() and not path.is_file():
            raise StoreError(path, "could not open: it is not a regular file")
        try:
            conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as e:
            raise explain(path, e, "open") from e
        wb = cls(ws, path, conn, catalogue or packaged_catalogue())
        try:
            wb._setup()
        except BaseException:
            wb.close()
            raise
        return wb

    def _setup(self) -> None:
        conn = self._require()

        def check(c: sqlite3.Connection) -> None:
            # Read-only checks first: a damaged or foreign file is never written to.
            rows = c.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                raise StoreError(self.path, "could not open: the file is damaged "
                                 f"({'; '.join(str(r[0]) for r in rows[:3])}); it was left untouched. "
                                 "Move it aside (keep it for your instructor) to start a fresh one")
            identify(c, self.path)
        # One read transaction: another process creating the schema at this moment is seen either
        # wholly or not at all (separate reads could see its user_version without its tables).
        self._tx("open", check, write=False)
        self._retry("open", lambda: self._wal(conn))
        self._tx("open", lambda c: migrate(c, self.path))  # identifies again, inside the write

    @staticmethod
    def _wal(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")

    # ---- profile -------------------------------------------------------------------------
    @property
    def profile(self) -> dict[str, str]:
        """{"name", "trainee_id", "cohort", "lang"}; "" when unset."""
        return self._read(self._profile)

    @staticmethod
    def _profile(c: sqlite3.Connection) -> dict[str, str]:
        got = dict(c.execute("SELECT key, value FROM profile").fetchall())
        return {k: got.get(k, "") for k in PROFILE_KEYS}

    def set_profile(self, *, name: str | None = None, trainee_id: str | None = None,
                    cohort: str | None = None, lang: str | None = None) -> None:
        """Set the given entries (None leaves one unchanged); ValueError names a bad entry."""
        given = {"name": name, "trainee_id": trainee_id, "cohort": cohort, "lang": lang}
        items = {k: check_str(v, f"profile.{k}", MAX_PROFILE_CHARS) for k, v in given.items() if v is not None}
        if items.get("lang", "") not in LANGS:
            raise ValueError(f"profile.lang: {items['lang']!r} must be 'ja' or 'en'")
        self._tx("save the profile", lambda c: c.executemany(
            "INSERT OR REPLACE INTO profile (key, value) VALUES (?, ?)", list(items.items())))

    # ---- answers -------------------------------------------------------------------------
    def save(self, exercise_id: str, value: Any, *, expect: Any = ANY) -> Version | None:
        """Keep *value* as the newest version; None when it equals the latest. ValueError if invalid.

        *expect*: the ``saved_at`` of the version the caller last showed (None: nothing saved then).
        When the newest version is another one with other text (saved elsewhere since), nothing is
        written and :class:`Conflict` carries that version: a stale view never overwrites silently."""
        normal = check_value(self.catalogue, exercise_id, value)
        text = canonical(normal)
        ids = self._ids(exercise_id)

        def write(c: sqlite3.Connection) -> Version | None:
            row = c.execute(f"SELECT exercise_id, value, saved_at FROM answer_version WHERE exercise_id IN "
                            f"({','.join('?' * len(ids))}) ORDER BY id DESC LIMIT 1", ids).fetchone()
            if row is not None and row[0] == exercise_id and row[1] == text:
                return None
            if expect is not ANY and (None if row is None else parse_iso(row[2])) != expect:
                raise Conflict(Version(exercise_id, self.catalogue.migrate(row[0], json.loads(row[1]))[1],
                                       parse_iso(row[2])) if row else None)
            at = now_iso()
            c.execute("INSERT INTO answer_version (exercise_id, value, saved_at) VALUES (?, ?, ?)",
                      (exercise_id, text, at))
            return Version(exercise_id, json.loads(text), parse_iso(at))
        return self._tx(f"save answer {exercise_id!r}", write)

    def _ids(self, exercise_id: str) -> tuple[str, ...]:
        """*exercise_id* and the ids earlier catalogues used for it (exercises/migrations.toml)."""
        return (exercise_id, *self.catalogue.old_ids(exercise_id))

    def latest_version(self, exercise_id: str) -> Version | None:
        """The newest saved version (under this id or an earlier one), or None if never saved."""
        ids = self._ids(exercise_id)
        row = self._read(lambda c: c.execute(
            f"SELECT exercise_id, value, saved_at FROM answer_version WHERE exercise_id IN "
            f"({','.join('?' * len(ids))}) ORDER BY id DESC LIMIT 1", ids).fetchone())
        if row is None:
            return None
        return Version(exercise_id, self.catalogue.migrate(row[0], json.loads(row[1]))[1], parse_iso(row[2]))

    def latest(self, exercise_id: str) -> Any | None:
        """The newest saved value, or None if never saved."""
        v = self.latest_version(exercise_id)
        return None if v is None else v.value

    def history(self, exercise_id: str) -> list[Version]:
        """Every saved version, oldest first (versions saved under an earlier id included)."""
        ids = self._ids(exercise_id)
        rows = self._read(lambda c: c.execute(
            f"SELECT exercise_id, value, saved_at FROM answer_version WHERE exercise_id IN "
            f"({','.join('?' * len(ids))}) ORDER BY id", ids).fetchall())
        return [Version(exercise_id, self.catalogue.migrate(e, json.loads(v))[1], parse_iso(at)) for e, v, at in rows]

    def _latest_rows(self, c: sqlite3.Connection) -> list[tuple[str, str, str]]:
        return c.execute("SELECT exercise_id, value, saved_at FROM answer_version WHERE id IN "
                         "(SELECT max(id) FROM answer_version GROUP BY exercise_id)").fetchall()

    def answers(self) -> dict[str, Any]:
        """The latest value of every exercise saved at least once (blank values included), under
        current ids (an answer saved under an earlier id counts for its new id)."""
        out: dict[str, tuple[str, Any]] = {}
        for eid, v, at in self._read(self._latest_rows):
            nid, value = self.catalogue.migrate(eid, json.loads(v))
            if nid not in out or at > out[nid][0]:
                out[nid] = (at, value)
        return {k: v for k, (_, v) in out.items()}

    def progress(self) -> dict[str, Any]:
        """Answered/total overall, by section and by timing (blank values count as unanswered)."""
        done = {eid for eid, v in self.answers().items() if is_answered(v)}
        by_section: dict[int, list[int]] = {}
        by_timing: dict[str, list[int]] = {t: [0, 0] for t in TIMINGS}
        for a in self.catalogue.assignments:
            for bucket in (by_section.setdefault(a.section, [0, 0]), by_timing[a.timing]):
                bucket[0] += a.id in done
                bucket[1] += 1
        total = len(self.catalogue.assignments)
        answered = sum(a.id in done for a in self.catalogue.assignments)
        return {"answered": answered, "total": total, "by_section": by_section, "by_timing": by_timing}

    # ---- export --------------------------------------------------------------------------
    def snapshot(self, include_history: bool = True) -> dict[str, Any]:
        """Profile, answers, history and quiz results read in one consistent transaction."""
        def read(c: sqlite3.Connection) -> dict[str, Any]:
            answers = {eid: {"value": json.loads(v), "saved_at": at} for eid, v, at in self._latest_rows(c)}
            history: dict[str, list[dict[str, Any]]] = {}
            if include_history:
                for eid, v, at in c.execute("SELECT exercise_id, value, saved_at FROM answer_version "
                                            "ORDER BY id"):
                    history.setdefault(eid, []).append({"value": json.loads(v), "saved_at": at})
            return {"profile": self._profile(c), "answers": answers, "history": history, "quiz": self._quiz(c)}
        return self._read(read)

    def export(self, path: str | Path, *, include_history: bool = True, force: bool = False) -> Path:
        """Write the submission file (see :mod:`opsvalue_lab.submission`); returns its path."""
        return write_submission(self, path, include_history=include_history, force=force)

    def __repr__(self) -> str:
        return f"Workbook({str(self.workspace)!r})"
