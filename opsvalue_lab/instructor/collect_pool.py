"""Worker processes for `collect`: reading, hashing and checking many submission files on every
core while the main process files the results into the course store, in input order.

The workers are forked before the main process opens the course store (a SQLite connection must
not cross a fork), and they never touch the store: they get the sha256 of every submission the
course already holds, so that a second run does not check those files again. Each worker takes
every n-th chunk of a run of files and answers with one msgpack frame per chunk on its own pipe; the
main process reads the frames in chunk order, so results arrive in input order. A pipe and a fork
are all it takes (no `concurrent.futures`: its import alone costs as much as checking 100 files,
and it pickles every result). Where fork is not available, or for a small batch, collect runs in
one process. A worker that dies does not lose a file: `Collector.files` reads the rest itself.
"""
from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from .collect_read import Ready, read_and_check, warm
from .course_schema import DB_NAME

__all__ = ["MIN_FILES_FOR_WORKERS", "WorkerDied", "Workers", "default_workers"]

MIN_FILES_FOR_WORKERS = 200  # below this, starting workers costs more than it saves
CHUNK = 32                   # files per frame from a worker
_HEAD = struct.Struct(">I")  # a frame: its length, then msgpack
_encode = msgspec.msgpack.Encoder().encode
_paths = msgspec.msgpack.Decoder(list[str]).decode
_results = msgspec.msgpack.Decoder(list[tuple[str, Ready | str | None]]).decode


class WorkerDied(Exception):
    """A worker ended before it sent all its results (killed, or out of memory)."""


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


def _widen(fd: int) -> None:
    """A results pipe that holds many frames (Linux: up to pipe-max-size, 1 MiB by default), so a
    worker keeps checking while the main process reads another worker's frame."""
    try:
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as fh:
            size = int(fh.read())
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), min(size, 4 << 20))
    except (OSError, ValueError):
        pass  # a smaller pipe only makes workers wait more


def _send(fd: int, payload: bytes) -> None:
    view = memoryview(_HEAD.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> bytes | None:
    """One frame, or None at the end of the pipe (or a frame cut short: its writer died)."""
    head = _read(fd, _HEAD.size)
    return None if head is None else _read(fd, _HEAD.unpack(head)[0])


def _read(fd: int, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        b = os.read(fd, min(n - got, 1 << 20))
        if not b:
            return None
        parts.append(b)
        got += len(b)
    return b"".join(parts)


def _serve(jobs: int, results: int, known: frozenset[str]) -> None:
    """A worker's life: for each run of files it is sent, (its share of) the chunks' results."""
    while (frame := _receive(jobs)) is not None:
        paths = _paths(frame)
        for chunk in (paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)):
            _send(results, _encode([read_and_check(Path(p), known) for p in chunk]))


class Workers:
    """``with Workers(course_dir, n) as mapper``: *mapper(paths)* yields `read_and_check` results in
    order (from n forked workers; `WorkerDied` if one dies), or is None when n is 1 or fork is not
    available."""

    def __init__(self, course_dir: str | Path, n: int) -> None:
        self.course_dir, self.n = course_dir, n
        self.procs: list[tuple[int, int, int]] = []  # (pid, jobs fd, results fd)
        self.broken = False  # a worker died, or a run was left half read: the main process reads the rest

    def __enter__(self) -> Callable[[list[Path]], Iterator[Any]] | None:
        if self.n <= 1 or not hasattr(os, "fork"):
            return None
        warm()  # loaded once here and inherited by every worker, not loaded again in each
        known = known_shas(self.course_dir)
        for _ in range(self.n):
            jobs_r, jobs_w = os.pipe()
            res_r, res_w = os.pipe()
            _widen(res_w)
            pid = os.fork()
            if pid == 0:  # the worker: default SIGTERM (the main process ends it), Ctrl-C is not its,
                code = 1
                try:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    os.nice(5)  # the main process, filing into the store, is the critical path
                    for _pid, j, r in self.procs:  # earlier workers' pipe ends are not this worker's
                        os.close(j)
                        os.close(r)
                    os.close(jobs_w)
                    os.close(res_r)
                    _serve(jobs_r, res_w, known)
                    code = 0
                finally:
                    os._exit(code)  # never the parent's atexit handlers or buffered output
            os.close(jobs_r)
            os.close(res_w)
            self.procs.append((pid, jobs_w, res_r))
        return self.map

    def map(self, paths: list[Path]) -> Iterator[tuple[str, Ready | str | None]]:
        if self.broken:
            raise WorkerDied("the collect workers are not in use any more")
        self.broken, n = True, len(self.procs)  # until every frame of this run has been read
        try:
            for k, (_pid, jobs, _res) in enumerate(self.procs):  # worker k: chunks k, k+n, k+2n, …
                _send(jobs, _encode([str(p) for i in range(k * CHUNK, len(paths), n * CHUNK)
                                     for p in paths[i:i + CHUNK]]))
        except OSError:  # a worker is gone already (its pipe is closed)
            raise WorkerDied("a collect worker ended early") from None
        for i in range(0, len(paths), CHUNK):
            frame = _receive(self.procs[(i // CHUNK) % n][2])
            if frame is None:
                raise WorkerDied(f"a collect worker ended before it sent the results of {len(paths) - i} files")
            yield from _results(frame)
        self.broken = False

    def __exit__(self, *exc: Any) -> None:
        for pid, jobs, res in self.procs:
            for fd in (jobs, res):
                os.close(fd)
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
        self.procs = []
