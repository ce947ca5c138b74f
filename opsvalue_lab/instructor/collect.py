"""`opsvalue-lab collect SRC… --course DIR`: import submission files, folders and zip archives.

Every input gets one line: imported / updated / duplicate / rejected: reason. One bad input never
stops the batch, and a second run over the same inputs changes nothing. Reading and checking the
inputs is `collect_read` (no store); with many files, that part runs in one worker process per core
(`collect_pool`) while this process files the results into the course store, in input order.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .collect_pool import MIN_FILES_FOR_WORKERS, WorkerDied, Workers, default_workers
from .collect_read import (
    MAX_FILE_BYTES,
    SUFFIX,
    Ready,
    archive_members,
    check_bytes,
    read_and_check,
    shown,
    walk,
)
from .course import Course

__all__ = ["MAX_FILE_BYTES", "Collector", "Tally", "collect", "cli_collect"]


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in
                                                              ("imported", "updated", "duplicate", "rejected")})
    lines: list[str] = field(default_factory=list)
    kept: int = 0  # inputs with answers the current catalogue lacks (kept, listed in their line)


class Collector:
    """Imports one batch into a course; `out` receives one line per input."""

    def __init__(self, course: Course, out: Callable[[str], None] = print,
                 tick: Callable[[], None] = lambda: None) -> None:
        self.course, self.out, self.tally, self.tick = course, out, Tally(), tick

    def _report(self, source: str, status: str, detail: str = "", sha: str = "") -> None:
        key = "updated" if status == "history" else status
        self.tally.counts[key] += 1
        text = {"history": "updated (older than the current submission; kept as history)"}.get(status, status)
        line = f"{text}: {shown(source)}" + (f": {shown(detail)}" if detail else "")
        self.tally.lines.append(line)
        self.out(line)
        if status != "duplicate":
            self.course.log(source, status, detail, sha)

    def take(self, data: bytes, source: str, name: str) -> str:
        """One submission's bytes (already size-bounded) into the course; returns the status line's
        first word (imported / updated / history / duplicate / rejected)."""
        return self.file_result(source, *check_bytes(data, name, self))

    def file_result(self, source: str, sha: str, result: Ready | str | None) -> str:
        """File one input's outcome (from `collect_read`): a Ready submission, a rejection reason, or
        None for a known duplicate. Returns the status's first word."""
        self.tick()
        if result is None:
            self._report(source, "duplicate", "", sha)
            return "duplicate"
        if isinstance(result, str):
            self._report(source, "rejected", result, sha)
            return "rejected"
        r = result
        status = self.course.add_submission(
            trainee_id=r.trainee_id, profile=r.profile, sha256=sha, source=source, created_at=r.created_at,
            catalogue_version=r.catalogue_version, schema_version=r.schema_version, answers=r.answers)
        self.tally.kept += bool(r.kept) and status != "duplicate"
        self._report(source, status, (f"trainee {r.who}" + r.kept) if status != "duplicate" else "", sha)
        return status

    def archive(self, path: Path) -> None:
        for source, name, item in archive_members(path):
            if isinstance(item, str):
                self._report(source, "rejected", item)
            else:
                self.take(item, source, name)

    def files(self, paths: list[Path], mapper: Callable[[list[Path]], Iterator] | None = None) -> None:
        """Plain submission files, in order. *mapper* (like ``map``) may run `read_and_check` in worker
        processes; if a worker dies, the files not yet filed are read here instead."""
        done = 0
        try:
            results = mapper(paths) if mapper else (read_and_check(p, self) for p in paths)
            for sha, result in results:
                self.file_result(str(paths[done]), sha, result)
                done += 1
        except WorkerDied:
            for p in paths[done:]:
                self.file_result(str(p), *read_and_check(p, self))

    def __contains__(self, sha: object) -> bool:  # `read_and_check(path, known=self)`: a known sha256
        return isinstance(sha, str) and self.course.has_sha(sha)

    def one(self, item: Input, mapper: Callable[[list[Path]], Iterator] | None = None) -> None:
        """One item of `inputs`: a run of plain files, an archive, or an input refused as a whole."""
        if item.files:
            self.files(item.files, mapper)
        elif item.archive is not None:
            self.archive(item.archive)
        else:
            self._report(item.source, "rejected", item.reason)


class Input(NamedTuple):
    files: list[Path] = []     # plain submission files, in order
    archive: Path | None = None
    source: str = ""           # an input refused as a whole: its name and why
    reason: str = ""


def inputs(sources: Iterable[str | Path]) -> Iterator[Input]:
    """What the sources hold, in order: runs of plain files, archives, and inputs refused whole."""
    for src in sources:
        path = Path(src)
        try:
            if path.is_dir():
                found = list(walk(path))
                if not found:
                    yield Input(source=str(path), reason=f"folder holds no *{SUFFIX} file or zip archive")
                run: list[Path] = []
                for p in found:
                    if p.suffix.lower() == ".zip":
                        if run:
                            yield Input(files=run)
                            run = []
                        yield Input(archive=p)
                    else:
                        run.append(p)
                if run:
                    yield Input(files=run)
            elif path.suffix.lower() == ".zip":
                yield Input(archive=path) if path.is_file() else Input(source=str(path), reason="not found")
            elif path.is_file():
                yield Input(files=[path])
            else:
                yield Input(source=str(path), reason="not found")
        except OSError as e:
            yield Input(source=str(path), reason=f"cannot be read: {e.strerror or e}")


def collect(sources: list[str | Path], course_dir: str | Path, out: Callable[[str], None] = print,
            workers: int = 1) -> Tally:
    """Import every source into the course at *course_dir*; returns the tally. With *workers* > 1
    and enough files, reading and checking runs in that many worker processes (`collect_pool`)."""
    items = list(inputs(sources))
    n_files = sum(len(i.files) for i in items)
    with Workers(course_dir, workers if n_files >= MIN_FILES_FOR_WORKERS else 1) as mapper, \
            Course(course_dir) as course, course.batch() as tick:
        c = Collector(course, out, tick)
        for item in items:
            c.one(item, mapper)
        return c.tally


class _Lines:
    """Status lines to stdout in batches (one write per 200 lines or half a second), not one per file."""

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.last = time.monotonic()

    def __call__(self, line: str) -> None:
        self.buf.append(line)
        if len(self.buf) >= 200 or time.monotonic() - self.last > 0.5:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            sys.stdout.write("\n".join(self.buf) + "\n")
            sys.stdout.flush()
            self.buf.clear()
        self.last = time.monotonic()


def cli_collect(args) -> int:
    hub, token = getattr(args, "hub", None), getattr(args, "token", None)
    if not args.sources and not hub:
        print("collect: give files, folders or zip archives, or --hub URL --token TOKEN", file=sys.stderr)
        return 2
    if hub and not token:
        print("collect: --hub needs --token (an instructor's hub API token)", file=sys.stderr)
        return 2
    tally = Tally()
    if hub:
        from ..hub.pull import pull  # the hub's submissions, through the same Collector
        tally = pull(hub, str(token), args.course)
    if args.sources:
        out = _Lines()
        try:
            more = collect(args.sources, args.course, out, workers=default_workers())
        finally:
            out.flush()
        tally.counts = {k: tally.counts[k] + more.counts[k] for k in tally.counts}
        tally.kept += more.kept
    n = tally.counts
    print(f"summary: {n['imported']} imported, {n['updated']} updated, {n['duplicate']} duplicate, "
          f"{n['rejected']} rejected" + (" (see the rejected lines above)" if n["rejected"] else ""))
    if tally.kept:
        print(f"kept: {tally.kept} submission(s) hold answers the current catalogue lacks; nothing was dropped "
              "(see 'kept, not in the current catalogue' above; the report lists them)")
    if n["imported"] + n["updated"] + n["duplicate"] == 0:
        print("collect: no submission could be read", file=sys.stderr)
        return 1
    return 0
