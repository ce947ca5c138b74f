"""`opsvalue-lab collect SRC… --course DIR`: import submission files, folders and zip archives.

Every input gets one line: imported / updated / duplicate / rejected: reason. One bad input never
stops the batch, and a second run over the same inputs changes nothing. Zip members are read in
memory (never extracted) with per-member, total and member-count limits and bounded reads.
"""
from __future__ import annotations

import hashlib
import re
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from .. import submission as sub
from .course import Course

SUFFIX = sub.SUFFIX  # one home: the submission format
MAX_FILE_BYTES = int(getattr(sub, "MAX_BYTES", 5 * 1024 * 1024))
MAX_ZIP_TOTAL = 500 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(text: str, limit: int = 300) -> str:
    """A name or reason made safe for one terminal line (no control or bidi characters)."""
    s = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return s if len(s) <= limit else s[:limit] + "…"


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in
                                                              ("imported", "updated", "duplicate", "rejected")})
    lines: list[str] = field(default_factory=list)
    kept: int = 0  # inputs with answers the current catalogue lacks (kept, listed in their line)


def kept_note(s: sub.Submission) -> str:
    """"; kept, not in the current catalogue: id (why), …" for a submission made under an earlier catalogue."""
    if not s.orphans:
        return ""
    return "; kept, not in the current catalogue: " + ", ".join(
        f"{k} ({o['reason']})" for k, o in sorted(s.orphans.items()))


def _iso_utc(value: Any) -> str:
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def _trainee_id(profile: dict, name: str) -> str:
    tid = str(profile.get("trainee_id") or "").strip()
    if tid:
        return tid
    name = str(profile.get("name") or "").strip()
    if name:
        return "name:" + name
    raise sub.SubmissionError(name, "profile.trainee_id", "and profile.name are both empty: cannot tell whose it is")


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
        self.tick()
        sha = hashlib.sha256(data).hexdigest()
        try:
            if self.course.has_sha(sha):
                self._report(source, "duplicate", "", sha)
                return "duplicate"
            s = sub.parse_submission(data, name)
            profile = dict(s.profile or {})
            status = self.course.add_submission(
                trainee_id=_trainee_id(profile, name), profile=profile, sha256=sha, source=source,
                created_at=_iso_utc(s.created_at), catalogue_version=str(s.catalogue_version),
                schema_version=str(s.schema_version), answers=s.all_answers(),  # kept parts too
                saved_at={k: _iso_utc(v) for k, v in s.all_saved_at().items()})
            who = profile.get("trainee_id") or profile.get("name") or ""
            kept = kept_note(s)
            self.tally.kept += bool(kept) and status != "duplicate"
            self._report(source, status, (f"trainee {who}" + kept) if status != "duplicate" else "", sha)
            return status
        except sub.SubmissionError as e:
            reason = _one_line(e)
            self._report(source, "rejected", reason[len(name) + 2:] if reason.startswith(name + ": ") else reason, sha)
            return "rejected"

    def file(self, path: Path) -> None:
        source = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self._report(source, "rejected", f"file is {size} bytes, larger than the "
                                                 f"{MAX_FILE_BYTES}-byte submission limit")
                return
            with path.open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            self._report(source, "rejected", f"cannot be read: {e.strerror or e}")
            return
        if len(data) > MAX_FILE_BYTES:
            self._report(source, "rejected", f"larger than the {MAX_FILE_BYTES}-byte submission limit")
            return
        self.take(data, source, path.name)

    def archive(self, path: Path) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            reason = "not a zip archive" if isinstance(e, zipfile.BadZipFile) else f"cannot be read: {e}"
            self._report(str(path), "rejected", reason)
            return
        with zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            if len(infos) > MAX_ZIP_MEMBERS:
                self._report(str(path), "rejected", f"archive has {len(infos)} members; the limit is "
                                                    f"{MAX_ZIP_MEMBERS}")
                return
            total = 0
            for info in infos:
                source = f"{path}!{info.filename}"
                reason = _member_problem(info)
                if reason:
                    self._report(source, "rejected", reason)
                    continue
                if total + info.file_size > MAX_ZIP_TOTAL:
                    self._report(source, "rejected", f"archive holds more than {MAX_ZIP_TOTAL} bytes "
                                                     "uncompressed; the rest was not read")
                    continue
                try:
                    with zf.open(info) as fh:
                        data = fh.read(MAX_FILE_BYTES + 1)
                except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
                        OSError, EOFError, ValueError) as e:
                    self._report(source, "rejected", f"member cannot be read ({shown(str(e), 120)})")
                    continue
                total += len(data)
                if len(data) > MAX_FILE_BYTES or len(data) != info.file_size:
                    self._report(source, "rejected", "member is larger than its header says or than the "
                                                     f"{MAX_FILE_BYTES}-byte limit (not read further)")
                    continue
                self.take(data, source, PurePosixPath(info.filename).name)

    def source(self, src: str | Path) -> None:
        path = Path(src)
        try:
            if path.is_dir():
                found = False
                for p in _walk(path):
                    found = True
                    self.archive(p) if p.suffix.lower() == ".zip" else self.file(p)
                if not found:
                    self._report(str(path), "rejected", f"folder holds no *{SUFFIX} file or zip archive")
            elif path.suffix.lower() == ".zip":
                self.archive(path) if path.is_file() else self._report(str(path), "rejected", "not found")
            elif path.is_file():
                self.file(path)
            else:
                self._report(str(path), "rejected", "not found")
        except OSError as e:
            self._report(str(path), "rejected", f"cannot be read: {e.strerror or e}")


def _walk(folder: Path) -> Iterator[Path]:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and (p.name.lower().endswith(SUFFIX) or p.suffix.lower() == ".zip"):
            yield p


def _member_problem(info: zipfile.ZipInfo) -> str:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\x00" in name:
        return "unsafe member name (absolute path or '..'); not read"
    if name.lower().endswith(".zip"):
        return "nested zip archives are not read; unpack it and collect it separately"
    if not name.lower().endswith(SUFFIX):
        return f"not a submission file (*{SUFFIX})"
    if info.flag_bits & 0x1:
        return "member is encrypted"
    if info.file_size > MAX_FILE_BYTES:
        return f"member is {info.file_size} bytes, larger than the {MAX_FILE_BYTES}-byte submission limit"
    return ""


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def collect(sources: list[str | Path], course_dir: str | Path, out: Callable[[str], None] = print) -> Tally:
    """Import every source into the course at *course_dir*; returns the tally."""
    with Course(course_dir) as course, course.batch() as tick:
        c = Collector(course, out, tick)
        for s in sources:
            c.source(s)
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
            more = collect(args.sources, args.course, out)
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
