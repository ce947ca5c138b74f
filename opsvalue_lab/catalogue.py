"""Load and validate the course catalogue (exercises/*.toml). Pure: reads files, writes none.

Format: docs/FORMATS.md. Every error names the file, the entry id and the key.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .catalogue_files import _KEY, ENV, Layers, Reader, overlay_parts
from .catalogue_migrations import Migrations
from .catalogue_migrations import check as check_migrations
from .catalogue_migrations import merge as merge_migrations
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
from .model import DEFAULT_MODEL, ReferenceActivity, Repeatability, SolutionLevel, ValueModel

__all__ = ["KINDS", "LANGS", "QUIZ_TOPICS", "TIMINGS", "Assignment", "Catalogue", "CatalogueError", "Choice",
           "Migrations", "Quiz", "QuizOption", "Section", "Text", "load_catalogue", "catalogue", "default_dir",
           "overlay_parts", "overlay_from_env", "ENV"]

_ID = re.compile(r"^[a-z][a-z0-9.\-]*$")


def _sections(layers: Layers) -> tuple[str, tuple[Section, ...]]:
    version, entries = layers.version, layers.entries("sections.toml", "section", required=True)
    out: list[Section] = []
    for i, (r, s) in enumerate(entries):
        entry = f"section[{i}]" if "id" not in s else f"section {s['id']}"
        r.keys(entry, s, ("id", "slug", "title", "summary"))
        if not isinstance(s["id"], int) or isinstance(s["id"], bool):
            raise r.fail(entry, "id", "must be an integer")
        out.append(Section(s["id"], str(s["slug"]), r.text(entry, "title", s["title"]),
                           r.text(entry, "summary", s["summary"])))
    return version, tuple(out)


def _assignments(layers: Layers, section_ids: set[int]) -> tuple[Assignment, ...]:
    out: list[Assignment] = []
    readers: dict[str, Reader] = {}
    for i, (r, a) in enumerate(layers.entries("assignments.toml", "assignment", required=True)):
        entry = str(a.get("id", f"assignment[{i}]"))
        r.keys(entry, a, ("id", "section", "timing", "kind", "title", "prompt", "guidance"),
               ("example", "reflection", "pair", "field", "option"))
        if not isinstance(a["id"], str) or not _ID.match(a["id"]):
            raise r.fail(entry, "id", "must match [a-z][a-z0-9.-]*")
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
        readers[a["id"]] = r
        out.append(Assignment(
            id=a["id"], section=a["section"], timing=a["timing"], kind=kind,
            title=r.text(entry, "title", a["title"]), prompt=r.text(entry, "prompt", a["prompt"]),
            guidance=r.text(entry, "guidance", a["guidance"]),
            example=r.opt_text(entry, "example", a), reflection=r.opt_text(entry, "reflection", a),
            pair=a.get("pair"), fields=fields, options=options))
    ids = {x.id for x in out}
    hidden = layers.hidden("assignments.toml")
    for n, x in enumerate(out):
        if x.pair is not None:
            if x.pair in hidden:  # the overlay hid its partner: it stands alone now
                out[n] = replace(x, pair=None)
                continue
            if x.pair not in ids:
                raise readers[x.id].fail(x.id, "pair", f"unknown exercise id {x.pair!r}")
            if next(y for y in out if y.id == x.pair).pair != x.id:
                raise readers[x.id].fail(x.id, "pair", f"{x.pair!r} must name {x.id!r} as its pair too")
    return tuple(out)


def _quizzes(layers: Layers, section_ids: set[int], taken: set[str]) -> tuple[Quiz, ...]:
    out: list[Quiz] = []
    for i, (r, q) in enumerate(layers.entries("quizzes.toml", "quiz")):
        entry = str(q.get("id", f"quiz[{i}]"))
        r.keys(entry, q, ("id", "section", "topic", "scenario", "option"))
        if not isinstance(q["id"], str) or not _ID.match(q["id"]):
            raise r.fail(entry, "id", "must match [a-z][a-z0-9.-]*")
        if q["id"] in taken:
            raise r.fail(entry, "id", "duplicate id (an assignment has it)")
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


_MODEL_TABLES = ("level_scores", "repeatability_coefficients", "reference_activity")


def _reference(r: Reader, items: Any) -> tuple[ReferenceActivity, ...]:
    """``[[reference_activity]]``: the lecture's example activities drawn on the value matrix."""
    if not isinstance(items, list):
        raise r.fail("-", "reference_activity", "must be a list of [[reference_activity]] tables")
    out: list[ReferenceActivity] = []
    for i, item in enumerate(items):
        entry = f"reference_activity[{i}]"
        if not isinstance(item, Mapping):
            raise r.fail(entry, "-", "must be a table")
        r.keys(entry, item, ("key", "label", "level", "proactivity"))
        k = item["key"]
        if not isinstance(k, str) or not _KEY.match(k):
            raise r.fail(entry, "key", f"{k!r} is not a valid key ([a-z][a-z0-9_]*)")
        entry = f"reference_activity.{k}"
        if any(a.key == k for a in out):
            raise r.fail(entry, "key", "appears twice")
        label = r.text(entry, "label", item["label"])
        levels = [lv.value for lv in SolutionLevel]
        if item["level"] not in levels:
            raise r.fail(entry, "level", f"{item['level']!r} must be one of {', '.join(levels)}")
        p = item["proactivity"]
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            raise r.fail(entry, "proactivity", f"{p!r} must be a number")
        try:
            out.append(ReferenceActivity(k, label.to_dict(), SolutionLevel(item["level"]), p))
        except ValueError as e:
            raise r.fail(entry, "proactivity", str(e)) from None
    return tuple(out)


def _model(paths: list[Path]) -> ValueModel:
    """exercises/model.toml: the level scores, repeatability coefficients and reference activities.
    *paths*: the shipped file, then a cohort overlay's, whose tables replace the shipped ones."""
    tables: dict[str, tuple[Reader, Any]] = {}
    for path in paths:
        r = Reader(path)
        data = r.load()
        r.keys("-", data, (), _MODEL_TABLES)
        tables.update((k, (r, v)) for k, v in data.items())
    kwargs: dict[str, Any] = {}
    for key, enum in (("level_scores", SolutionLevel), ("repeatability_coefficients", Repeatability)):
        if key not in tables:
            continue
        r, table = tables[key]
        if not isinstance(table, Mapping):
            raise r.fail("-", key, "must be a table")
        names = [e.value for e in enum]
        r.keys(key, table, names)
        kwargs[key] = {e: table[e.value] for e in enum}
    if "reference_activity" in tables:
        kwargs["reference_activities"] = _reference(*tables["reference_activity"])
    try:
        return ValueModel(**kwargs)
    except ValueError as e:
        key = next((k for k in kwargs if str(e).startswith(k)), next(iter(kwargs), "-"))
        r = tables[key][0] if key in tables else Reader(paths[-1])
        raise r.fail("-", key, str(e)) from None


def _guide(path: Path) -> tuple[Text, ...]:
    """exercises/guide.toml: the self-study steps, each a ja/en text."""
    r = Reader(path)
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


def load_catalogue(directory: Path | str | None = None, *, overlay: Path | str | None = None) -> Catalogue:
    """Load sections, assignments and (if present) quizzes, model, guide and migrations from
    *directory*, with the cohort *overlay* folder (docs/FORMATS.md) on top if given."""
    d = Path(directory) if directory is not None else default_dir()
    over = overlay_parts(overlay)[0] if overlay else None
    layers = Layers(d, over, Path(overlay).expanduser().resolve().name if overlay else "")
    version, sections = _sections(layers)
    sids = {s.id for s in sections}
    assignments = _assignments(layers, sids)
    quizzes = _quizzes(layers, sids, {a.id for a in assignments})
    mpaths = [p for p in (d / "model.toml", over / "model.toml" if over else None) if p is not None and p.exists()]
    model = _model(mpaths) if mpaths else DEFAULT_MODEL
    gpath = layers.path("guide.toml")
    steps = _guide(gpath) if gpath is not None else ()
    parts = [(p, Reader(p).load()) for p in (d / "migrations.toml", over / "migrations.toml" if over else None)
             if p is not None and p.exists()]
    migrations, origin = merge_migrations(*parts)
    check_migrations(migrations, origin, {a.id for a in assignments} | {q.id for q in quizzes},
                     {a.id: a.field_keys for a in assignments if a.fields},
                     {a.id: a.option_keys for a in assignments if a.options})
    return Catalogue(version, sections, assignments, quizzes, model, steps, migrations,
                     str(Path(overlay).expanduser().resolve()) if overlay else None)


def overlay_from_env() -> str | None:
    """The cohort overlay folder named by $OPSVALUE_CATALOGUE (None when unset or empty)."""
    v = os.environ.get(ENV, "").strip()
    return v or None


def catalogue() -> Catalogue:
    """The packaged catalogue with the overlay of $OPSVALUE_CATALOGUE (if set), loaded once per process
    and overlay: every process (CLI, kernel, hub service) honours the variable the same way."""
    return _cached(overlay_from_env())


@lru_cache(maxsize=4)
def _cached(overlay: str | None) -> Catalogue:
    return load_catalogue(overlay=overlay)


catalogue.cache_clear = _cached.cache_clear  # type: ignore[attr-defined]  # tests reset it like before
