"""The feedback file ``*.opsvalue-feedback.json``: an instructor's comments going back to one trainee.

Format (UTF-8 JSON, schema_version 1)::

    {"format": "opsvalue-feedback", "schema_version": 1, "course": "...", "trainee_id": "...",
     "created_at": "<UTC ISO 8601>",
     "comments": [{"exercise_id", "comment", "author", "written_at"}, ...], "sha256": "<hex>"}

Checked like a submission (see :mod:`opsvalue_lab.jsonfile`): MAX_BYTES, MAX_DEPTH, checksum,
known exercise ids, MAX_COMMENTS comments of at most MAX_COMMENT_CHARS characters each.
Importing the same file twice adds nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalogue import Catalogue
from .catalogue import catalogue as packaged_catalogue
from .jsonfile import MAX_BYTES, MAX_DEPTH, FileFormatError, atomic_write, dump, load, read_bytes
from .store_values import MAX_COMMENT_CHARS, MAX_PROFILE_CHARS, check_comment, check_str, check_timestamp

if TYPE_CHECKING:
    from .store import Workbook

__all__ = ["FeedbackError", "write_feedback", "feedback_bytes", "read_feedback", "parse_feedback", "import_feedback",
           "FORMAT", "SCHEMA_VERSION", "SUFFIX", "MAX_BYTES", "MAX_DEPTH", "MAX_COMMENTS",
           "MAX_COMMENT_CHARS"]

FORMAT = "opsvalue-feedback"
SCHEMA_VERSION = 1
SUFFIX = ".opsvalue-feedback.json"
MAX_COMMENTS = 2_000
_KEYS = {"format", "schema_version", "course", "trainee_id", "created_at", "comments", "sha256"}


class FeedbackError(FileFormatError):
    """A feedback file is unusable, or meant for someone else; ``.file`` and ``.field`` say where."""


def _check(cat: Catalogue, name: str, doc: dict[str, Any]) -> dict[str, Any]:
    for k in sorted(_KEYS - set(doc)):
        raise FeedbackError(name, k, "missing")
    for k in sorted(set(doc) - _KEYS):
        raise FeedbackError(name, k[:80], "unknown entry")
    try:
        check_str(doc["course"], "course", MAX_PROFILE_CHARS)
        check_str(doc["trainee_id"], "trainee_id", MAX_PROFILE_CHARS)
        check_timestamp(doc["created_at"], "created_at")
    except ValueError as e:
        where, _, problem = str(e).partition(": ")
        raise FeedbackError(name, where, problem) from None
    if not doc["trainee_id"].strip():
        raise FeedbackError(name, "trainee_id", "is empty")
    comments = doc["comments"]
    if not isinstance(comments, list):
        raise FeedbackError(name, "comments", f"must be a list, not {type(comments).__name__}")
    if len(comments) > MAX_COMMENTS:
        raise FeedbackError(name, "comments", f"{len(comments):,} comments; the limit is {MAX_COMMENTS:,}")
    checked = []
    for i, c in enumerate(comments):
        try:
            checked.append(check_comment(cat, c, f"comments[{i}]"))
        except ValueError as e:
            where, _, problem = str(e).partition(": ")
            raise FeedbackError(name, where, problem) from None
    return {"course": doc["course"], "trainee_id": doc["trainee_id"], "created_at": doc["created_at"],
            "comments": checked, "sha256": doc["sha256"]}


def parse_feedback(data: bytes, name: str, *, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Validate feedback bytes: {"course", "trainee_id", "created_at", "comments", "sha256"}."""
    doc = load(data, name, FORMAT, (SCHEMA_VERSION,), FeedbackError)
    return _check(catalogue or packaged_catalogue(), name, doc)


def read_feedback(path: str | Path, *, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Read and validate a feedback file; FeedbackError names the file and field if bad."""
    return parse_feedback(read_bytes(path, FeedbackError), str(path), catalogue=catalogue)


def feedback_bytes(name: str, *, trainee_id: str, course: str, comments: list[dict[str, Any]],
                   catalogue: Catalogue | None = None) -> bytes:
    """One trainee's feedback document as file bytes, validated (the file and the hub service's answer)."""
    doc = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "course": course, "trainee_id": trainee_id,
           "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
           "comments": [dict(c) for c in comments]}
    data = dump(doc)
    if len(data) > MAX_BYTES:
        raise FeedbackError(name, "comments", f"{len(data):,} bytes; the limit is {MAX_BYTES:,}")
    parse_feedback(data, name, catalogue=catalogue)
    return data


def write_feedback(path: str | Path, *, trainee_id: str, course: str, comments: list[dict[str, Any]],
                   force: bool = True, catalogue: Catalogue | None = None) -> Path:
    """Write one trainee's feedback file (validated first); replaces an existing one unless force=False."""
    p = Path(path)
    data = feedback_bytes(str(p), trainee_id=trainee_id, course=course, comments=comments, catalogue=catalogue)
    return atomic_write(p, data, force=force, err=FeedbackError)


def import_feedback(wb: Workbook, path: str | Path) -> int:
    """Store the comments of *path* in *wb*; returns how many were new. FeedbackError if not theirs."""
    fb = read_feedback(path, catalogue=wb.catalogue)
    mine = wb.profile["trainee_id"]
    if not mine.strip():
        raise FeedbackError(path, "trainee_id", f"is {fb['trainee_id']!r}, but this workbook has no "
                                                "trainee ID yet; enter yours in the profile first")
    if fb["trainee_id"].strip() != mine.strip():
        raise FeedbackError(path, "trainee_id", f"is {fb['trainee_id']!r}, but this workbook belongs to "
                                                f"{mine!r}; this feedback is for someone else")
    return wb.save_feedback(fb["comments"])
