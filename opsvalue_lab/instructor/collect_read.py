"""Reading what `collect` is given, without the course store: files, folders and zip archives are
turned into checked submissions (`Ready`) or a one-line reason why not.

Nothing here writes or opens the store, so it can run in worker processes (`collect_pool`). Zip
members are read in memory (never extracted) with per-member, total and member-count limits and
bounded reads.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Container, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import msgspec

from .. import submission as sub
from ..catalogue import catalogue
from ..json_parse import fast_decoder
from ..jsonfile import read_bounded
from ..store_values import json_text

if TYPE_CHECKING:
    import zipfile

SUFFIX = sub.SUFFIX  # one home: the submission format
MAX_FILE_BYTES = int(getattr(sub, "MAX_BYTES", 5 * 1024 * 1024))
MAX_ZIP_TOTAL = 500 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UTC_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?\+00:00")


def shown(text: str, limit: int = 300) -> str:
    """A name or reason made safe for one terminal line (no control or bidi characters)."""
    s = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    return s if len(s) <= limit else s[:limit] + "…"


class Ready(msgspec.Struct, frozen=True, array_like=True):
    """One submission, checked, in the shape the course store takes (plain data: it crosses processes
    as msgpack)."""
    trainee_id: str
    profile: dict[str, str]
    created_at: str
    catalogue_version: str
    schema_version: str
    answers: list[tuple[str, str, str | None]]  # (exercise id, answer as JSON text (encoded here, in the
                                                #  worker), saved at)
    kept: str  # "; kept, not in the current catalogue: …" or ""

    @property
    def who(self) -> str:
        return self.profile.get("trainee_id") or self.profile.get("name") or ""


def warm() -> None:
    """Load what checking needs (the catalogue, the JSON decoder) once, e.g. before forking workers."""
    catalogue()
    fast_decoder()


def kept_note(s: sub.Submission) -> str:
    """"; kept, not in the current catalogue: id (why), …" for a submission made under an earlier catalogue."""
    if not s.orphans:
        return ""
    return "; kept, not in the current catalogue: " + ", ".join(
        f"{k} ({o['reason']})" for k, o in sorted(s.orphans.items()))


def iso_utc(value: Any) -> str:
    """A timestamp as UTC ISO 8601 (one form in the store, so that comparing the texts orders them)."""
    if isinstance(value, str) and _UTC_ISO.fullmatch(value):
        return value  # already in that form (what the workbook writes)
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
    who = str(profile.get("name") or "").strip()
    if who:
        return "name:" + who
    raise sub.SubmissionError(name, "profile.trainee_id", "and profile.name are both empty: cannot tell whose it is")


def check(data: bytes, name: str) -> Ready:
    """Validate one submission's bytes (``submission.parse_submission``); SubmissionError if bad."""
    s = sub.parse_submission(data, name)
    profile, at = dict(s.profile or {}), s.all_saved_at()
    return Ready(trainee_id=_trainee_id(profile, name), profile=profile, created_at=iso_utc(s.created_at),
                 catalogue_version=str(s.catalogue_version), schema_version=str(s.schema_version),
                 answers=[(k, json_text(v), iso_utc(at[k]) if k in at else None) for k, v in s.all_answers().items()],
                 kept=kept_note(s))  # all_answers: the kept parts too


def one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def rejection(e: sub.SubmissionError, name: str) -> str:
    """The reason of a SubmissionError without the file name (the status line names the source)."""
    reason = one_line(e)
    return reason[len(name) + 2:] if reason.startswith(name + ": ") else reason


def read_file(path: Path) -> bytes | str:
    """The bytes of one submission file (bounded read), or why it cannot be taken."""
    try:
        with open(path, "rb", buffering=0) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return f"file is {size} bytes, larger than the {MAX_FILE_BYTES}-byte submission limit"
            data = read_bounded(fh, MAX_FILE_BYTES, size)
    except OSError as e:
        return f"cannot be read: {e.strerror or e}"
    if len(data) > MAX_FILE_BYTES:
        return f"larger than the {MAX_FILE_BYTES}-byte submission limit"
    return data


def check_bytes(data: bytes, name: str, known: Container[str] = frozenset()) -> tuple[str, Ready | str | None]:
    """One submission's bytes, checked: (sha256, Ready | rejection reason | None = a known duplicate)."""
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        return sha, None
    try:
        return sha, check(data, name)
    except sub.SubmissionError as e:
        return sha, rejection(e, name)


def read_and_check(path: Path, known: Container[str] = frozenset()) -> tuple[str, Ready | str | None]:
    """One file, read and checked: as `check_bytes`, or ("", why it cannot be read)."""
    data = read_file(path)
    return ("", data) if isinstance(data, str) else check_bytes(data, path.name, known)


def walk(folder: Path) -> Iterator[Path]:
    """The submission files and zip archives under *folder*, sorted as paths. Like ``rglob``: symbolic
    links to files are followed, links to folders are not, and a subfolder that cannot be listed is
    passed over (the folder itself raises OSError). os.scandir: no stat per file."""
    found: list[str] = []
    folders = [str(folder)]
    while folders:
        here = folders.pop()
        try:
            entries = list(os.scandir(here))
        except PermissionError:
            if here == str(folder):
                raise
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    folders.append(e.path)
                elif e.is_file() and (e.name.lower().endswith(SUFFIX) or e.name.lower().endswith(".zip")):
                    found.append(e.path)
            except OSError:
                continue
    found.sort(key=lambda s: s.split(os.sep))  # the order of the paths' parts, as sorting Paths gives
    yield from map(Path, found)


def member_problem(info: zipfile.ZipInfo) -> str:
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


def archive_members(path: Path) -> Iterator[tuple[str, str, bytes | str]]:
    """(source, member name, bytes or why not) for each member of a zip archive; a whole archive
    that cannot be used is one item with the archive as its source."""
    import zipfile  # here, not at the top: most collects hold no archive, and the import is slow
    import zlib
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        yield str(path), "", "not a zip archive" if isinstance(e, zipfile.BadZipFile) else f"cannot be read: {e}"
        return
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if len(infos) > MAX_ZIP_MEMBERS:
            yield str(path), "", f"archive has {len(infos)} members; the limit is {MAX_ZIP_MEMBERS}"
            return
        total = 0
        for info in infos:
            source, name = f"{path}!{info.filename}", PurePosixPath(info.filename).name
            reason = member_problem(info)
            if reason:
                yield source, name, reason
                continue
            if total + info.file_size > MAX_ZIP_TOTAL:
                yield source, name, f"archive holds more than {MAX_ZIP_TOTAL} bytes uncompressed; the rest was not read"
                continue
            try:
                with zf.open(info) as fh:
                    data = read_bounded(fh, MAX_FILE_BYTES, info.file_size)
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
                    OSError, EOFError, ValueError) as e:
                yield source, name, f"member cannot be read ({shown(str(e), 120)})"
                continue
            total += len(data)
            if len(data) > MAX_FILE_BYTES or len(data) != info.file_size:
                yield source, name, ("member is larger than its header says or than the "
                                     f"{MAX_FILE_BYTES}-byte limit (not read further)")
                continue
            yield source, name, data
