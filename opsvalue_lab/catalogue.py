"""Load and validate the course catalogue (exercises/*.toml). Pure: reads files, writes none.

Format: docs/FORMATS.md. Every error names the file, the entry id and the key.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .catalogue_types import (
    KINDS,
    LANGS,
    QUIZ_TOPICS,
    TIMINGS,
    Assignment,
    Catalogue,
    CatalogueError,
    Choice,
    Quiz,
    QuizOption,
    Section,
    Text,
)
from .model import DEFAULT_MODEL, Repeatability, SolutionLevel, ValueModel

__all__ = ["KINDS", "LANGS", "QUIZ_TOPICS", "TIMINGS", "Assignment", "Catalogue", "CatalogueError", "Choice",
           "Quiz", "QuizOption", "Section", "Text", "load_catalogue", "catalogue", "default_dir"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z][a-z0-9.\-]*$")


class _Reader:
    """Validation helpers bound to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, entry: str, key: str, message: str) -> CatalogueError:
        return CatalogueError(self.path, entry, key, message)

    def keys(self, entry: str, data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str] = ()) -> None:
        req, opt = set(required), set(optional)
        for k in data:
            if k not in req | opt:
                raise self.fail(entry, k, f"unknown key (allowed: {', '.join(sorted(req | opt))})")
        for k in sorted(req):
            if k not in data:
                raise self.fail(entry, k, "missing")

    def text(self, entry: str, key: str, value: Any) -> Text:
        if not isinstance(value, Mapping):
            raise self.fail(entry, key, "must be a table with 'ja' and 'en'")
        for k in value:
            if k not in LANGS:
                raise self.fail(entry, f"{key}.{k}", "unknown language (allowed: ja, en)")
        for lang in LANGS:
            v = value.get(lang)
            if not isinstance(v, str) or not v.strip():
                raise self.fail(entry, f"{key}.{lang}", "missing or empty text")
        return Text(ja=value["ja"], en=value["en"])

    def opt_text(self, entry: str, key: str, data: Mapping[str, Any]) -> Text | None:
        return self.text(entry, key, data[key]) if key in data else None

    def choices(self, entry: str, key: str, items: Any) -> tuple[Choice, ...]:
        if not isinstance(items, list) or not items:
            raise self.fail(entry, key, "must be a non-empty list")
        out, seen = [], set()
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                raise self.fail(entry, where, "must be a table")
            self.keys(entry, item, ("key", "label"))
            k = item["key"]
            if not isinstance(k, str) or not _KEY.match(k):
                raise self.fail(entry, f"{where}.key", f"{k!r} is not a valid key ([a-z][a-z0-9_]*)")
            if k in seen:
                raise self.fail(entry, f"{where}.key", f"duplicate key {k!r}")
            seen.add(k)
            out.append(Choice(k, self.text(entry, f"{where}.label", item["label"])))
        return tuple(out)

    def load(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as fh:
                return tomllib.load(fh)
        except FileNotFoundError:
            raise self.fail("-", "-", "file not found") from None
        except tomllib.TOMLDecodeError as e:
            raise self.fail("-", "-", f"not valid TOML: {e}") from None
        except UnicodeDecodeError as e:
            raise self.fail("-", "-", f"not UTF-8: {e}") from None


def _sections(path: Path) -> tuple[str, tuple[Section, ...]]:
    r = _Reader(path)
    data = r.load()
    r.keys("-", data, ("version", "section"))
    if not isinstance(data["version"], str) or not data["version"]:
        raise r.fail("-", "version", "must be a non-empty string")
    out: list[Section] = []
    for i, s in enumerate(data["section"]):
        entry = f"section[{i}]"
        r.keys(entry, s, ("id", "slug", "title", "summary"))
        if not isinstance(s["id"], int) or isinstance(s["id"], bool):
            raise r.fail(entry, "id", "must be an integer")
        if any(x.id == s["id"] for x in out):
            raise r.fail(entry, "id", f"duplicate section id {s['id']}")
        out.append(Section(s["id"], str(s["slug"]), r.text(entry, "title", s["title"]),
                           r.text(entry, "summary", s["summary"])))
    return data["version"], tuple(out)


def _assignments(path: Path, section_ids: set[int]) -> tuple[Assignment, ...]:
    r = _Reader(path)
    data = r.load()
    r.keys("-", data, ("assignment",))
    out: list[Assignment] = []
    for i, a in enumerate(data["assignment"]):
        entry = str(a.get("id", f"assignment[{i}]"))
        r.keys(entry, a, ("id", "section", "timing", "kind", "title", "prompt", "guidance"),
               ("example", "reflection", "pair", "field", "option"))
        if not isinstance(a["id"], str) or not _ID.match(a["id"]):
            raise r.fail(entry, "id", "must match [a-z][a-z0-9.-]*")
        if any(x.id == a["id"] for x in out):
            raise r.fail(entry, "id", "duplicate id")
        if a["section"] not in section_ids:
            raise r.fail(entry, "section", f"unknown section {a['section']!r}")
        if a["timing"] not in TIMINGS:
            raise r.fail(entry, "timing", f"{a['timing']!r} must be one of {', '.join(TIMINGS)}")
        kind = a["kind"]
        if kind not in KINDS:
            raise r.fail(entry, "kind", f"{kind!r} must be one of {', '.join(KINDS)}")
        fields = r.choices(entry, "field", a.get("field")) if kind == "fields" else ()
        options = r.choices(entry, "option", a.get("option")) if kind == "choice" else ()
        if kind != "fields" and "field" in a:
            raise r.fail(entry, "field", f"only kind 'fields' has fields (kind is {kind!r})")
        if kind != "choice" and "option" in a:
            raise r.fail(entry, "option", f"only kind 'choice' has options (kind is {kind!r})")
        if kind in ("text", "fields"):
            for k in ("example", "reflection"):
                if k not in a:
                    raise r.fail(entry, k, f"missing (required for kind {kind!r})")
        out.append(Assignment(
            id=a["id"], section=a["section"], timing=a["timing"], kind=kind,
            title=r.text(entry, "title", a["title"]), prompt=r.text(entry, "prompt", a["prompt"]),
            guidance=r.text(entry, "guidance", a["guidance"]),
            example=r.opt_text(entry, "example", a), reflection=r.opt_text(entry, "reflection", a),
            pair=a.get("pair"), fields=fields, options=options))
    ids = {x.id for x in out}
    for x in out:
        if x.pair is not None:
            if x.pair not in ids:
                raise r.fail(x.id, "pair", f"unknown exercise id {x.pair!r}")
            if next(y for y in out if y.id == x.pair).pair != x.id:
                raise r.fail(x.id, "pair", f"{x.pair!r} must name {x.id!r} as its pair too")
    return tuple(out)


def _quizzes(path: Path, section_ids: set[int], taken: set[str]) -> tuple[Quiz, ...]:
    r = _Reader(path)
    data = r.load()
    r.keys("-", data, ("quiz",))
    out: list[Quiz] = []
    for i, q in enumerate(data["quiz"]):
        entry = str(q.get("id", f"quiz[{i}]"))
        r.keys(entry, q, ("id", "section", "topic", "scenario", "option"))
        if not isinstance(q["id"], str) or not _ID.match(q["id"]):
            raise r.fail(entry, "id", "must match [a-z][a-z0-9.-]*")
        if q["id"] in taken or any(x.id == q["id"] for x in out):
            raise r.fail(entry, "id", "duplicate id")
        if q["section"] not in section_ids:
            raise r.fail(entry, "section", f"unknown section {q['section']!r}")
        if q["topic"] not in QUIZ_TOPICS:
            raise r.fail(entry, "topic", f"{q['topic']!r} must be one of {', '.join(QUIZ_TOPICS)}")
        opts = q["option"]
        if not isinstance(opts, list) or len(opts) < 2:
            raise r.fail(entry, "option", "needs at least two options")
        options = []
        for j, o in enumerate(opts):
            where = f"option[{j}]"
            r.keys(entry, {f"{where}.{k}": v for k, v in o.items()},
                   (f"{where}.text", f"{where}.correct", f"{where}.explanation"))
            if not isinstance(o["correct"], bool):
                raise r.fail(entry, f"{where}.correct", "must be true or false")
            options.append(QuizOption(r.text(entry, f"{where}.text", o["text"]), o["correct"],
                                      r.text(entry, f"{where}.explanation", o["explanation"])))
        if sum(o.correct for o in options) != 1:
            raise r.fail(entry, "option", "exactly one option must have correct = true")
        out.append(Quiz(q["id"], q["section"], q["topic"], r.text(entry, "scenario", q["scenario"]),
                        tuple(options)))
    return tuple(out)


def _model(path: Path) -> ValueModel:
    """exercises/model.toml: the instructor's level scores and repeatability coefficients."""
    r = _Reader(path)
    data = r.load()
    r.keys("-", data, (), ("level_scores", "repeatability_coefficients"))
    kwargs: dict[str, Any] = {}
    for key, enum in (("level_scores", SolutionLevel), ("repeatability_coefficients", Repeatability)):
        if key not in data:
            continue
        table = data[key]
        if not isinstance(table, Mapping):
            raise r.fail("-", key, "must be a table")
        names = [e.value for e in enum]
        r.keys(key, table, names)
        kwargs[key] = {e: table[e.value] for e in enum}
    try:
        return ValueModel(**kwargs)
    except ValueError as e:
        raise r.fail("-", next(iter(kwargs), "-"), str(e)) from None


def _guide(path: Path) -> tuple[Text, ...]:
    """exercises/guide.toml: the self-study steps, each a ja/en text."""
    r = _Reader(path)
    data = r.load()
    r.keys("-", data, ("self_study_step",))
    steps = data["self_study_step"]
    if not isinstance(steps, list) or not steps:
        raise r.fail("-", "self_study_step", "must be a non-empty list of ja/en texts")
    return tuple(r.text(f"self_study_step[{i}]", "text", {k: v.strip() if isinstance(v, str) else v
                                                          for k, v in step.items()})
                 for i, step in enumerate(steps))


def default_dir() -> Path:
    """exercises/ beside the package (source tree) or shipped inside it (wheel)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "_exercises", here.parent / "exercises"):
        if (cand / "sections.toml").is_file():
            return cand
    return here.parent / "exercises"


def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """Load sections.toml, assignments.toml and (if present) quizzes.toml from *directory*."""
    d = Path(directory) if directory is not None else default_dir()
    version, sections = _sections(d / "sections.toml")
    sids = {s.id for s in sections}
    assignments = _assignments(d / "assignments.toml", sids)
    qpath = d / "quizzes.toml"
    quizzes = _quizzes(qpath, sids, {a.id for a in assignments}) if qpath.exists() else ()
    mpath = d / "model.toml"
    model = _model(mpath) if mpath.exists() else DEFAULT_MODEL
    gpath = d / "guide.toml"
    steps = _guide(gpath) if gpath.exists() else ()
    return Catalogue(version, sections, assignments, quizzes, model, steps)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue, loaded once per process."""
    return load_catalogue()
