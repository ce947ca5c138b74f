"""Worker processes for `collect`: reading, hashing and checking many submission files on every
core while the main process files the results into the course store, in input order.

The workers are forked before the main process opens the course store (a SQLite connection must
not cross a fork), and they never touch the store: they get the sha256 of every submission the
course already holds, so that a second run does not check those files again. Where fork is not
available, or for a small batch, collect runs in one process. A worker that dies does not lose a
file: `Collector.files` reads the rest itself.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..catalogue import catalogue
from .collect_read import Ready, read_and_check
from .course import DB_NAME

__all__ = ["BrokenProcessPool", "MIN_FILES_FOR_WORKERS", "Workers", "default_workers"]

MIN_FILES_FOR_WORKERS = 200  # below this, starting workers costs more than it saves
CHUNK = 64                   # files per message to a worker
_known: frozenset[str] = frozenset()


def default_workers() -> int:
    """One worker per core the process may use, at most 8; $OPSVALUE_COLLECT_WORKERS overrides."""
    env = os.environ.get("OPSVALUE_COLLECT_WORKERS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def known_shas(course_dir: str | Path) -> frozenset[str]:
    """The sha256 of every submission in a course store, read through a short-lived read-only
    connection (empty if there is no store yet, or it cannot be read: the main process decides)."""
    path = Path(course_dir).expanduser() / DB_NAME
    if not path.is_file():
        return frozenset()
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return frozenset(r[0] for r in db.execute("SELECT sha256 FROM submissions"))
        finally:
            db.close()
    except sqlite3.Error:
        return frozenset()


def _init(known: frozenset[str]) -> None:
    """In each worker: the known sha256s; default signals (a handler inherited from the parent must not
    keep a worker alive when the pool terminates it; Ctrl-C is the main process's to handle)."""
    global _known
    _known = known
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _one(path: Path) -> tuple[str, Ready | str | None]:
    return read_and_check(path, _known)


class Workers:
    """``with Workers(course_dir, n) as mapper``: *mapper(paths)* yields `read_and_check` results in
    order (from n forked workers), or is None when n is 1 or fork is not available."""

    def __init__(self, course_dir: str | Path, n: int) -> None:
        self.course_dir, self.n = course_dir, n
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Callable[[list[Path]], Iterator[Any]] | None:
        if self.n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        catalogue()  # loaded once here and inherited by every worker, not loaded again in each
        self.pool = ProcessPoolExecutor(self.n, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_init, initargs=(known_shas(self.course_dir),))
        pool = self.pool
        pool.submit(int).result()  # fork every worker now, before the caller opens the store
        return lambda paths: pool.map(_one, paths, chunksize=CHUNK)

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
