"""The submission file ``*.opsvalue.json``: what a trainee hands in (floor 3).

Format (UTF-8 JSON, schema_version 1)::

    {"format": "opsvalue-submission", "schema_version": 1, "catalogue_version": "2026.11.1",
     "created_at": "<UTC ISO 8601>", "profile": {"name", "trainee_id", "cohort", "lang"},
     "answers": {exercise_id: {"value": ..., "saved_at": iso}},
     "history": {exercise_id: [{"value": ..., "saved_at": iso}, ...]},   # optional, oldest first
     "quiz": {quiz_id: {"attempts": n, "last_option": i, "correct": bool}},
     "sha256": "<hex>"}

``sha256`` covers the canonical JSON of everything else (see :mod:`opsvalue_lab.jsonfile`).
Reading validates everything and never evaluates anything; limits: MAX_BYTES (5 MiB) per file,
MAX_DEPTH (10) nesting levels, MAX_ANSWER_CHARS (50,000) characters per answer, MAX_TASKS (100)
tasks per self-assessment. Every problem is a :class:`SubmissionError` naming the file and field.

Unicode rule: any str survives exactly (emoji, RTL marks, CRLF, a lone NUL); a lone surrogate
cannot be UTF-8, so ``Workbook.save`` rejects it with a ValueError and a file holding one (as a
``\\ud800`` escape) is rejected here. Text such as ``<script>`` or ``__proto__`` is inert data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalogue import Catalogue
from .catalogue import catalogue as packaged_catalogue
from .jsonfile import MAX_BYTES, MAX_DEPTH, FileFormatError, atomic_write, dump, load, read_bytes
from .store_values import MAX_ANSWER_CHARS, MAX_TASKS, check_profile, check_str, check_timestamp, check_value

if TYPE_CHECKING:  # only for type hints: the store imports this module, never the reverse
    from .store import Workbook

__all__ = ["Submission", "SubmissionError", "read_submission", "parse_submission", "write_submission",
           "default_name", "FORMAT", "SCHEMA_VERSION", "MAX_BYTES", "MAX_DEPTH",
           "MAX_ANSWER_CHARS", "MAX_TASKS", "SUFFIX"]

FORMAT = "opsvalue-submission"
SCHEMA_VERSION = 1
SUFFIX = ".opsvalue.json"
_TOP = {"format", "schema_version", "catalogue_version", "created_at", "profile", "answers", "quiz", "sha256"}


class SubmissionError(FileFormatError):
    """A submission file is unusable or could not be written; ``.file`` and ``.field`` say where."""


@dataclass
class Submission:
    path: Path
    schema_version: int
    catalogue_version: str
    created_at: str
    profile: dict[str, str]
    answers: dict[str, Any]
    saved_at: dict[str, str]
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    quiz: dict[str, dict[str, Any]] = field(default_factory=dict)
    sha256: str = ""

    @property
    def trainee_id(self) -> str:
        return self.profile.get("trainee_id", "")


def _fail(name: str, where: str, problem: str) -> SubmissionError:
    return SubmissionError(name, where, problem)


def _mapping(name: str, where: str, obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(name, where, f"must be an object, not {type(obj).__name__}")
    return obj


def _entry(cat: Catalogue, name: str, where: str, eid: str, e: Any) -> tuple[Any, str]:
    """One {"value", "saved_at"} entry, validated."""
    e = _mapping(name, where, e)
    if set(e) != {"value", "saved_at"}:
        raise _fail(name, where, f"must have exactly the keys value and saved_at, has {sorted(e)}")
    try:
        value = check_value(cat, eid, e["value"])
    except ValueError as x:
        raise _fail(name, f"{where}.value", str(x)) from None
    try:
        check_timestamp(e["saved_at"], "saved_at")
    except ValueError as x:
        raise _fail(name, f"{where}.saved_at", str(x)) from None
    return value, e["saved_at"]


def _known(cat: Catalogue, name: str, where: str, eid: str) -> None:
    try:
        cat.assignment(eid)
    except KeyError:
        raise _fail(name, where, f"unknown exercise id {eid[:80]!r} (catalogue {cat.version})") from None


def _quiz(cat: Catalogue, name: str, raw: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for qid, r in _mapping(name, "quiz", raw).items():
        where = f"quiz.{qid}"
        try:
            q = cat.quiz(qid)
        except KeyError:
            raise _fail(name, where, f"unknown quiz id {qid[:80]!r}") from None
        r = _mapping(name, where, r)
        if set(r) != {"attempts", "last_option", "correct"}:
            raise _fail(name, where, f"must have exactly attempts, last_option, correct; has {sorted(r)}")
        for k, hi in (("attempts", 10**9), ("last_option", len(q.options) - 1)):
            v = r[k]
            if isinstance(v, bool) or not isinstance(v, int) or not (1 if k == "attempts" else 0) <= v <= hi:
                raise _fail(name, f"{where}.{k}", f"{str(v)[:20]!r} is not a whole number in range")
        if not isinstance(r["correct"], bool):
            raise _fail(name, f"{where}.correct", "must be true or false")
        out[qid] = dict(r)
    return out


def parse_submission(data: bytes, name: str, *, catalogue: Catalogue | None = None) -> Submission:
    """Validate the bytes of a submission (e.g. a zip member) named *name*; SubmissionError if bad."""
    cat = catalogue or packaged_catalogue()
    doc = load(data, name, FORMAT, (SCHEMA_VERSION,), SubmissionError)
    keys = set(doc)
    for k in sorted(_TOP - keys):
        raise _fail(name, k, "missing")
    for k in sorted(keys - _TOP - {"history"}):
        raise _fail(name, k[:80], "unknown entry")
    try:
        cv = check_str(doc["catalogue_version"], "catalogue_version", 64)
        created = check_timestamp(doc["created_at"], "created_at")
        profile = check_profile(doc["profile"])
    except ValueError as err:
        raise _fail(name, str(err).split(":")[0], str(err).split(": ", 1)[-1]) from None
    answers, saved_at = {}, {}
    for eid, e in _mapping(name, "answers", doc["answers"]).items():
        _known(cat, name, f"answers.{eid}", eid)
        answers[eid], saved_at[eid] = _entry(cat, name, f"answers.{eid}", eid, e)
    history: dict[str, list[dict[str, Any]]] = {}
    for eid, versions in _mapping(name, "history", doc.get("history", {})).items():
        _known(cat, name, f"history.{eid}", eid)
        if not isinstance(versions, list):
            raise _fail(name, f"history.{eid}", f"must be a list, not {type(versions).__name__}")
        history[eid] = []
        for i, e in enumerate(versions):
            value, at = _entry(cat, name, f"history.{eid}[{i}]", eid, e)
            history[eid].append({"value": value, "saved_at": at})
    return Submission(Path(name), doc["schema_version"], cv, created, profile, answers, saved_at,
                      history, _quiz(cat, name, doc["quiz"]), doc["sha256"])


def read_submission(path: str | Path, *, catalogue: Catalogue | None = None) -> Submission:
    """Read and validate a submission file; SubmissionError naming the file and field if bad."""
    p = Path(path)
    sub = parse_submission(read_bytes(p, SubmissionError), str(p), catalogue=catalogue)
    sub.path = p
    return sub


def _valid(cat: Catalogue, eid: str, value: Any) -> bool:
    try:
        check_value(cat, eid, value)
        return True
    except ValueError:
        return False


def write_submission(wb: Workbook, path: str | Path, *, include_history: bool = True,
                     force: bool = False) -> Path:
    """Export *wb* to *path* (used by ``Workbook.export``). Oldest history is trimmed to fit MAX_BYTES."""
    cat, p = wb.catalogue, Path(path)
    snap = wb.snapshot(include_history)
    # Entries the current catalogue no longer accepts stay in the store but cannot be submitted.
    answers = {k: e for k, e in snap["answers"].items() if _valid(cat, k, e["value"])}
    history = {k: [e for e in vs if _valid(cat, k, e["value"])] for k, vs in snap["history"].items()
               if k in answers}
    quiz = {k: r for k, r in snap["quiz"].items() if any(q.id == k for q in cat.quizzes)
            and r["last_option"] < len(cat.quiz(k).options)}
    doc: dict[str, Any] = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "catalogue_version": cat.version,
                           "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                           "profile": snap["profile"], "answers": answers, "quiz": quiz}
    if include_history:
        doc["history"] = history
    data = dump(doc)
    while len(data) > MAX_BYTES and any(len(v) > 1 for v in history.values()):
        for k, vs in history.items():
            history[k] = vs[len(vs) // 2:]  # drop the older half
        data = dump(doc)
    if len(data) > MAX_BYTES:
        raise _fail(str(p), "answers", f"the answers together are {len(data):,} bytes; a submission may "
                                       f"be at most {MAX_BYTES:,} bytes. Shorten the longest answers")
    parse_submission(data, str(p), catalogue=cat)  # never write a file we would refuse to read
    return atomic_write(p, data, force=force, err=SubmissionError)


def default_name(trainee_id: str, today: datetime | None = None) -> str:
    """``<trainee_id or 'trainee'>-<YYYYMMDD>.opsvalue.json``, safe as a file name."""
    safe = re.sub(r"[^\w.\-]+", "_", trainee_id.strip()).strip("._")[:80] or "trainee"
    return f"{safe}-{(today or datetime.now()).strftime('%Y%m%d')}{SUFFIX}"
