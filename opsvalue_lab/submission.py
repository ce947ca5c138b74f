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
from .store_values import (
    ID_PATTERN,
    MAX_ANSWER_CHARS,
    MAX_TASKS,
    check_kept,
    check_profile,
    check_str,
    check_timestamp,
    check_value,
    is_timestamp,
    settled,
    split_value,
)
from .store_values import NOT_IN_CATALOGUE as NOT_IN

if TYPE_CHECKING:  # only for type hints: the store imports this module, never the reverse
    from .store import Workbook

__all__ = ["Submission", "SubmissionError", "read_submission", "parse_submission", "write_submission",
           "default_name", "FORMAT", "SCHEMA_VERSION", "MAX_BYTES", "MAX_DEPTH",
           "MAX_ANSWER_CHARS", "MAX_TASKS", "SUFFIX"]

FORMAT = "opsvalue-submission"
SCHEMA_VERSION = 1
SUFFIX = ".opsvalue.json"
_ENTRY_KEYS = frozenset(("value", "saved_at"))
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
    # what the current catalogue lacks, kept: {exercise id or "quiz:<id>": {"value", "saved_at", "reason",
    # "history": [{"value", "saved_at"}]}} (a fields answer may have a part here and a part in answers)
    orphans: dict[str, dict[str, Any]] = field(default_factory=dict)

    def all_answers(self) -> dict[str, Any]:
        """Every answer, accepted and kept parts together (a fields answer merged back): what
        `collect` stores so that nothing is lost when the catalogue changes again."""
        out: dict[str, Any] = dict(self.answers)
        for k, o in self.orphans.items():
            if k.startswith("quiz:"):
                continue
            if isinstance(out.get(k), dict) and isinstance(o["value"], dict):
                out[k] = {**out[k], **o["value"]}
            else:
                out[k] = o["value"]
        return out

    def all_saved_at(self) -> dict[str, str]:
        return {**{k: o["saved_at"] for k, o in self.orphans.items() if not k.startswith("quiz:")},
                **self.saved_at}

    @property
    def trainee_id(self) -> str:
        return self.profile.get("trainee_id", "")


def _fail(name: str, where: str, problem: str) -> SubmissionError:
    return SubmissionError(name, where, problem)


def _mapping(name: str, where: str, obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(name, where, f"must be an object, not {type(obj).__name__}")
    return obj


def _entry(name: str, where: str, e: Any) -> tuple[Any, str]:
    """One raw {"value", "saved_at"} entry: shape and timestamp checked, value not yet."""
    e = _mapping(name, where, e)
    if e.keys() != _ENTRY_KEYS:
        raise _fail(name, where, f"must have exactly the keys value and saved_at, has {sorted(e)}")
    try:
        check_timestamp(e["saved_at"], "saved_at")
    except ValueError as x:
        raise _fail(name, f"{where}.saved_at", str(x)) from None
    return e["value"], e["saved_at"]


def _split(cat: Catalogue, name: str, where: str, eid: str, value: Any) -> tuple[Any, Any, str]:
    """(accepted part validated or None, kept part or None, why) of one answer value."""
    try:  # the common case: the current catalogue accepts the whole answer
        return check_value(cat, eid, value), None, ""
    except ValueError:
        pass
    if not ID_PATTERN.match(eid):
        raise _fail(name, where, f"{eid[:80]!r} is not an exercise id")
    ok, kept, why = split_value(cat, eid, value)
    try:
        if ok is not None:
            ok = check_value(cat, eid, ok)
        if kept is not None:
            check_kept(kept, "value")
    except ValueError as x:
        raise _fail(name, f"{where}.value", str(x)) from None
    return ok, kept, why


def _as_written(cat: Catalogue, entries: dict[str, Any], sub: Submission) -> bool:
    """The common case, cheaply: nothing renamed, every entry as the workbook writes it and accepted
    whole, so taken as it is (as `_latest_answers` would). False, *sub* untouched: that decides."""
    if cat.migrations:
        return False
    for eid, e in entries.items():
        if not (type(e) is dict and e.keys() == _ENTRY_KEYS and is_timestamp(e["saved_at"])
                and settled(cat, eid, e["value"])):
            return False
    sub.answers = {eid: e["value"] for eid, e in entries.items()}
    sub.saved_at = {eid: e["saved_at"] for eid, e in entries.items()}
    return True


def _answers(cat: Catalogue, name: str, doc: dict[str, Any], sub: Submission) -> None:
    """Fill answers, saved_at, history and orphans; old ids/fields/options renamed (migrations)."""
    entries = _mapping(name, "answers", doc["answers"])
    if not _as_written(cat, entries, sub):
        _latest_answers(cat, name, entries, sub)
    _history(cat, name, doc, sub)


def _latest_answers(cat: Catalogue, name: str, entries: dict[str, Any], sub: Submission) -> None:
    """Where an entry has the usual shape, the texts naming its place are built only for an error."""
    latest: dict[str, tuple[str, str, Any]] = {}  # new id -> (saved_at, old id, value): newest wins
    for eid0, e in entries.items():
        if type(e) is dict and e.keys() == _ENTRY_KEYS and is_timestamp(at := e["saved_at"]):
            value = e["value"]
        else:
            value, at = _entry(name, f"answers.{eid0}", e)
        eid, value = cat.migrate(eid0, value)
        if eid not in latest or at > latest[eid][0]:
            latest[eid] = (at, eid0, value)
    for eid, (at, eid0, value) in latest.items():
        if settled(cat, eid, value):  # the common case: the current catalogue accepts the whole answer
            ok, kept, why = value, None, ""
        else:
            ok, kept, why = _split(cat, name, f"answers.{eid0}", eid, value)
        if ok is not None:
            sub.answers[eid], sub.saved_at[eid] = ok, at
        if kept is not None:
            sub.orphans[eid] = {"value": kept, "saved_at": at, "reason": why, "history": []}


def _history(cat: Catalogue, name: str, doc: dict[str, Any], sub: Submission) -> None:
    for eid0, versions in _mapping(name, "history", doc.get("history", {})).items():
        if not isinstance(versions, list):
            raise _fail(name, f"history.{eid0}", f"must be a list, not {type(versions).__name__}")
        for i, e in enumerate(versions):
            value, at = _entry(name, f"history.{eid0}[{i}]", e)
            eid, value = cat.migrate(eid0, value)
            ok, kept, why = _split(cat, name, f"history.{eid0}[{i}]", eid, value)
            if ok is not None:
                sub.history.setdefault(eid, []).append({"value": ok, "saved_at": at})
            if kept is not None:
                o = sub.orphans.setdefault(eid, {"value": kept, "saved_at": at, "reason": why, "history": []})
                o["history"].append({"value": kept, "saved_at": at})
    for vs in (*sub.history.values(), *(o["history"] for o in sub.orphans.values())):
        vs.sort(key=lambda v: v["saved_at"])  # old and new ids merged: oldest first again


def _quiz(cat: Catalogue, name: str, raw: Any, orphans: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {}
    for qid0, r in _mapping(name, "quiz", raw).items():
        where = f"quiz.{qid0}"
        qid = cat.migrate(qid0, None)[0]
        if not ID_PATTERN.match(qid):
            raise _fail(name, where, f"{qid[:80]!r} is not a quiz id")
        r = _mapping(name, where, r)
        if set(r) != {"attempts", "last_option", "correct"}:
            raise _fail(name, where, f"must have exactly attempts, last_option, correct; has {sorted(r)}")
        for k in ("attempts", "last_option"):
            v = r[k]
            if isinstance(v, bool) or not isinstance(v, int) or not (1 if k == "attempts" else 0) <= v <= 10**9:
                raise _fail(name, f"{where}.{k}", f"{str(v)[:20]!r} is not a whole number in range")
        if not isinstance(r["correct"], bool):
            raise _fail(name, f"{where}.correct", "must be true or false")
        try:
            q = cat.quiz(qid)
        except KeyError:
            orphans[f"quiz:{qid}"] = {"value": dict(r), "saved_at": "", "reason": f"quiz {NOT_IN}", "history": []}
            continue
        if r["last_option"] >= len(q.options):
            orphans[f"quiz:{qid}"] = {"value": dict(r), "saved_at": "",
                                      "reason": f"option {r['last_option']} {NOT_IN}", "history": []}
            continue
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
    except ValueError as e:
        raise _fail(name, str(e).split(":")[0], str(e).split(": ", 1)[-1]) from None
    sub = Submission(Path(name), doc["schema_version"], cv, created, profile, {}, {}, {}, {}, doc["sha256"])
    _answers(cat, name, doc, sub)
    sub.quiz = _quiz(cat, name, doc["quiz"], sub.orphans)
    return sub


def read_submission(path: str | Path, *, catalogue: Catalogue | None = None) -> Submission:
    """Read and validate a submission file; SubmissionError naming the file and field if bad."""
    p = Path(path)
    sub = parse_submission(read_bytes(p, SubmissionError), str(p), catalogue=catalogue)
    sub.path = p
    return sub


def write_submission(wb: Workbook, path: str | Path, *, include_history: bool = True,
                     force: bool = False) -> Path:
    """Export *wb* to *path* (used by ``Workbook.export``). Oldest history is trimmed to fit MAX_BYTES."""
    cat, p = wb.catalogue, Path(path)
    snap = wb.snapshot(include_history)
    # Everything in the store goes out, under current ids (migrations applied); what the current
    # catalogue lacks is kept too and shown to the instructor as "not in the current catalogue".
    answers: dict[str, dict[str, Any]] = {}
    for k, e in snap["answers"].items():
        nk, v = cat.migrate(k, e["value"])
        if nk not in answers or e["saved_at"] > answers[nk]["saved_at"]:
            answers[nk] = {"value": v, "saved_at": e["saved_at"]}
    history: dict[str, list[dict[str, Any]]] = {}
    for k, vs in snap["history"].items():
        nk = cat.migrate(k, None)[0]
        history.setdefault(nk, []).extend({"value": cat.migrate(k, e["value"])[1], "saved_at": e["saved_at"]}
                                          for e in vs)
    for vs in history.values():
        vs.sort(key=lambda e: e["saved_at"])
    quiz = {cat.migrate(k, None)[0]: r for k, r in snap["quiz"].items()}
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
