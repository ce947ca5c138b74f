"""What an answer may be: shape checks against the catalogue, limits, canonical JSON (floor 2).

Unicode rule (shared by the store, submission and feedback files): any ``str`` survives exactly —
emoji, right-to-left marks, CRLF, tabs, a lone NUL — because values are kept as JSON text, where
control characters are escaped. The one thing that cannot survive is a *lone surrogate*
(``"\\ud800"``): it is not a character and has no UTF-8 form, so it is rejected with a ValueError
naming the exercise and field instead of being silently mangled.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import msgspec

from .catalogue import Catalogue
from .model import is_saved_task, tasks_from_data

MAX_ANSWER_CHARS = 50_000   # all strings of one answer together; 19 answers of 3-byte text fit in 5 MB
MAX_TASKS = 100             # tasks in one self-assessment
MAX_PROFILE_CHARS = 200     # each profile entry (name, trainee id, cohort)
MAX_COMMENT_CHARS = 20_000  # one instructor comment
PROFILE_KEYS = ("name", "trainee_id", "cohort", "lang")
LANGS = ("", "ja", "en")


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
_TEXT = msgspec.json.Encoder().encode


def canonical(value: Any) -> str:
    """Canonical JSON text: sorted keys, compact, non-ASCII kept, no NaN."""
    return _CANONICAL.encode(value)


def json_text(value: Any) -> str:
    """How the course store keeps a checked answer value: compact JSON text, non-ASCII kept
    (msgspec: a class of 10,000 files holds 170,000 answers). Read back with json.loads."""
    return _TEXT(value).decode("utf-8")


def check_str(value: Any, where: str, limit: int | None = None) -> str:
    """*value* if it is a str that UTF-8 can carry and not longer than *limit*; else ValueError."""
    if _is_text(value, limit):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{where}: must be text (str), got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{where}: contains a lone surrogate {value[e.start]!r} at position {e.start}, "
                         "which is not a character and cannot be stored") from None
    if limit is not None and len(value) > limit:
        raise ValueError(f"{where}: is {len(value):,} characters long; the limit is {limit:,}")
    return value


def _is_text(value: Any, limit: int | None = None) -> bool:
    """The fast yes of `check_str` (which builds the message when the answer is no)."""
    if type(value) is not str or (limit is not None and len(value) > limit):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _where(exercise_id: str, field: str) -> str:
    return f"exercise {exercise_id!r}: field {field!r}"


def _answer_text(value: Any, exercise_id: str, field: str, limit: int | None = None) -> str:
    """`check_str` for one part of an answer; the field's name is spelled out only for the error."""
    return value if _is_text(value, limit) else check_str(value, _where(exercise_id, field), limit)


def check_value(cat: Catalogue, exercise_id: Any, value: Any) -> Any:
    """The normalised answer value, or ValueError naming the exercise id and the field."""
    if not isinstance(exercise_id, str):
        raise ValueError(f"exercise id must be text, got {type(exercise_id).__name__}")
    try:
        a = cat.assignment(exercise_id)
    except KeyError:
        raise ValueError(f"unknown exercise id {exercise_id!r} (not in catalogue {cat.version})") from None
    if a.kind == "text":
        return _answer_text(value, exercise_id, "value", MAX_ANSWER_CHARS)
    if a.kind == "choice":
        if not isinstance(value, str) or value not in a.option_keys:
            raise ValueError(f"{_where(exercise_id, 'value')}: {value!r} is not one of the options "
                             f"{', '.join(a.option_keys)}")
        return value
    if a.kind == "fields":
        if not isinstance(value, dict):
            raise ValueError(f"{_where(exercise_id, 'value')}: must be a mapping of field -> text, "
                             f"got {type(value).__name__}")
        total = 0
        keys = a.field_keys
        for k, v in value.items():
            if k not in keys:
                raise ValueError(f"{_where(exercise_id, str(k))}: unknown field; allowed: {', '.join(keys)}")
            total += len(_answer_text(v, exercise_id, k))
        if total > MAX_ANSWER_CHARS:
            raise ValueError(f"{_where(exercise_id, 'value')}: the fields hold {total:,} characters "
                             f"together; the limit is {MAX_ANSWER_CHARS:,}")
        return dict(value)
    # self_assessment
    if isinstance(value, list) and len(value) > MAX_TASKS:
        raise ValueError(f"{_where(exercise_id, 'value')}: {len(value)} tasks; the limit is {MAX_TASKS}")
    if type(value) is list and all(map(is_saved_task, value)):  # as saved: no Task objects needed
        out = [dict(t, availability=dict(t["availability"])) if "availability" in t else dict(t)
               for t in value]
    else:
        try:
            out = [t.to_dict() for t in tasks_from_data(value)]
        except ValueError as e:
            raise ValueError(f"{_where(exercise_id, 'value')}: {e}") from None
    total = 0
    for i, t in enumerate(out):
        total += len(_answer_text(t["name"], exercise_id, f"tasks[{i}].name"))
    if total > MAX_ANSWER_CHARS:
        raise ValueError(f"{_where(exercise_id, 'value')}: task names hold {total:,} characters; "
                         f"the limit is {MAX_ANSWER_CHARS:,}")
    return out


def settled(cat: Catalogue, exercise_id: str, value: Any) -> bool:
    """The fast yes of `check_value` for a value read from a loaded JSON file, where every str is
    UTF-8 already (`jsonfile.load` refuses lone surrogates): True only when check_value would return
    a value equal to *value*. False: ask check_value, which normalises or names the problem. A
    property test checks the two agree."""
    a = cat.assignments_by_id.get(exercise_id)
    if a is None:
        return False
    kind, t = a.kind, type(value)
    if kind == "text":
        return t is str and len(value) <= MAX_ANSWER_CHARS
    if kind == "choice":
        return t is str and value in a.option_keys
    if kind == "fields":
        keys = a.field_keys
        return (t is dict and all(k in keys and type(v) is str for k, v in value.items())
                and sum(map(len, value.values())) <= MAX_ANSWER_CHARS)
    return (t is list and len(value) <= MAX_TASKS and all(map(is_saved_task, value))
            and sum(len(task["name"]) for task in value) <= MAX_ANSWER_CHARS)


def is_answered(value: Any) -> bool:
    """False for None, blank text, a mapping of blank texts and an empty list."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(isinstance(v, str) and v.strip() for v in value.values())
    if isinstance(value, list):
        return bool(value)
    return True


def check_profile(profile: Any, where: str = "profile") -> dict[str, str]:
    """A complete profile dict {name, trainee_id, cohort, lang}; ValueError names the entry."""
    if not isinstance(profile, dict):
        raise ValueError(f"{where}: must be a mapping, got {type(profile).__name__}")
    unknown = set(profile) - set(PROFILE_KEYS)
    if unknown:
        raise ValueError(f"{where}.{sorted(unknown)[0]}: unknown entry; allowed: {', '.join(PROFILE_KEYS)}")
    out = {}
    for k in PROFILE_KEYS:
        v = check_str(profile.get(k, ""), f"{where}.{k}", MAX_PROFILE_CHARS)
        if k == "lang" and v not in LANGS:
            raise ValueError(f"{where}.lang: {v!r} must be 'ja' or 'en'")
        out[k] = v
    return out


def check_comment(cat: Catalogue, c: Any, where: str) -> dict[str, str]:
    """One instructor comment {exercise_id, comment, author, written_at}; ValueError names the key."""
    if not isinstance(c, dict):
        raise ValueError(f"{where}: must be a mapping, got {type(c).__name__}")
    keys = ("exercise_id", "comment", "author", "written_at")
    extra = set(c) - set(keys)
    if extra:
        raise ValueError(f"{where}.{sorted(extra)[0]}: unknown key")
    for k in keys:
        if k not in c:
            raise ValueError(f"{where}.{k}: missing")
    eid = check_str(c["exercise_id"], f"{where}.exercise_id")
    try:
        cat.assignment(eid)
    except KeyError:
        raise ValueError(f"{where}.exercise_id: unknown exercise id {eid!r}") from None
    check_str(c["comment"], f"{where}.comment", MAX_COMMENT_CHARS)
    check_str(c["author"], f"{where}.author", MAX_PROFILE_CHARS)
    check_timestamp(c["written_at"], f"{where}.written_at")
    return {k: c[k] for k in keys}


def check_timestamp(value: Any, where: str) -> str:
    """An ISO 8601 timestamp with a time zone; ValueError otherwise."""
    check_str(value, where, 64)
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not an ISO 8601 timestamp") from None
    if dt.tzinfo is None:
        raise ValueError(f"{where}: {value!r} has no time zone (UTC expected)")
    return value


def is_timestamp(value: Any) -> bool:
    """The yes of `check_timestamp` without building its messages (False: ask check_timestamp why)."""
    if type(value) is not str or len(value) > 64 or not value.isascii():  # ASCII: UTF-8 can carry it
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


NOT_IN_CATALOGUE = "not in the current catalogue"


def split_value(cat: Catalogue, exercise_id: str, value: Any) -> tuple[Any | None, Any | None, str]:
    """(the part the current catalogue accepts or None, the part it lacks or None, why).

    An answer saved under an earlier catalogue may name an exercise, a field or an option that the
    current one no longer has, or have the shape of another kind. That part is never dropped: callers
    keep it and show it as "not in the current catalogue". Limits and bad text in the accepted part
    are still errors (``check_value``)."""
    try:
        a = cat.assignment(exercise_id)
    except KeyError:
        return None, value, f"exercise {NOT_IN_CATALOGUE}"
    shape = {"text": str, "choice": str, "fields": dict, "self_assessment": list}[a.kind]
    if not isinstance(value, shape):
        return None, value, f"{type(value).__name__} answer, but the exercise is now of kind {a.kind!r}"
    if a.kind == "fields":
        known = {k: v for k, v in value.items() if k in a.field_keys}
        extra = {k: v for k, v in value.items() if k not in a.field_keys}
        if extra:
            return (known or None), extra, f"field(s) {', '.join(map(str, extra))} {NOT_IN_CATALOGUE}"
    if a.kind == "choice" and value not in a.option_keys:
        return None, value, f"option {value[:80]!r} {NOT_IN_CATALOGUE}"
    return value, None, ""


_ANY_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9.\-]*$")  # every catalogue's ids look like this


def check_kept(value: Any, where: str) -> Any:
    """An answer part kept although the current catalogue lacks it. It must still have a shape some
    kind of answer has (text; field key -> text; a task list) and stay within the limits."""
    if isinstance(value, str):
        return check_str(value, where, MAX_ANSWER_CHARS)
    if isinstance(value, dict):
        total = 0
        for k, v in value.items():
            if not _ANY_KEY.match(k):
                raise ValueError(f"{where}: {k[:80]!r} is not a field key ([a-z][a-z0-9_]*)")
            total += len(check_str(v, f"{where}.{k}"))
        if total > MAX_ANSWER_CHARS:
            raise ValueError(f"{where}: the fields hold {total:,} characters; the limit is {MAX_ANSWER_CHARS:,}")
        return value
    if isinstance(value, list):
        if len(value) > MAX_TASKS:
            raise ValueError(f"{where}: {len(value)} tasks; the limit is {MAX_TASKS}")
        try:
            tasks_from_data(value)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        return value
    raise ValueError(f"{where}: {type(value).__name__} is not the shape of any answer")
