"""`opsvalue-lab demo-class --n N --out DIR [--seed S]`: N synthetic but realistic submissions.

Each file is a real submission (canonical JSON and checksum from opsvalue_lab.submission), so it
goes through `collect` like any trainee's. Deterministic by seed; fast enough for N = 10,000.
"""
from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .. import submission as sub
from ..catalogue import Assignment, catalogue
from ..jsonfile import atomic_write, dump
from ..model import LEAD_TIME_UNITS, Repeatability, SolutionLevel
from ..store_values import check_value
from . import phrases as P

_LEVELS = [lv.value for lv in SolutionLevel]
_REPS = [r.value for r in Repeatability]
_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _bank(a: Assignment, lang: str, table: dict[str, dict[str, list[str]]], key: str) -> list[str]:
    """The phrases for *key*; for a question added after the phrase banks were written (or by a
    cohort overlay), sentences of its own example answer, else the generic bank: never a KeyError."""
    if key in table:
        return table[key][lang]
    example = a.example(lang) if a.example is not None else ""
    found = [x.strip(" -*#>\n") for x in re.split(r"(?<=[。.!?！？])\s*|\n+", example)]
    found = [x for x in found if len(x) > 3]
    return found[:8] or P.GENERIC[lang]


def _sentence(rng: random.Random, a: Assignment, lang: str) -> str:
    bank = _bank(a, lang, P.TEXT, a.id)
    body = rng.sample(bank, k=min(len(bank), rng.choice((1, 1, 2, 2, 3))))
    sep = " " if lang == "en" else ""
    opener, text = rng.choice(P.OPENERS[lang]), sep.join(body)
    if opener and lang == "en" and not text.startswith("I "):
        text = text[0].lower() + text[1:]
    text = opener + text
    closer = rng.choice(P.CLOSERS[lang])
    return text + (sep + closer if closer else "")


def _fields(rng: random.Random, a: Assignment, lang: str) -> dict[str, str]:
    out = {}
    for i, key in enumerate(a.field_keys):
        # "either one is fine": some leave the second field empty
        if i > 0 and a.id in ("review-2", "post-2.1", "post-2.2") and rng.random() < 0.2:
            out[key] = ""
        else:
            bank = _bank(a, lang, P.FIELDS, key)
            k = min(len(bank), 1 if a.id == "review-1" else rng.choice((1, 1, 2)))
            out[key] = ("、" if lang == "ja" else "; ").join(rng.sample(bank, k=k))
    return out


def _tasks(rng: random.Random, lang: str) -> list[dict[str, Any]]:
    out = []
    for name, kind, level, p, lead, unit, rep in rng.sample(P.TASKS, k=rng.randint(3, 5)):
        li = min(3, max(0, _LEVELS.index(level) + rng.choice((-1, 0, 0, 0, 1))))
        ri = min(3, max(0, _REPS.index(rep) + rng.choice((-1, 0, 0, 1))))
        out.append({"name": name[lang], "kind": kind, "level": _LEVELS[li],
                    "proactivity": round(min(2.0, max(0.1, p + rng.uniform(-0.2, 0.2))), 1),
                    "lead_time": max(1, round(lead * rng.uniform(0.5, 1.8))), "lead_time_unit": unit,
                    "repeatability": _REPS[ri]})
    return out


def _after(rng: random.Random, before: list[dict[str, Any]], trend: str) -> list[dict[str, Any]]:
    """The same tasks after the lecture: most improve, some stay, a few regress."""
    out = []
    for t in before:
        t = dict(t)
        li, ri = _LEVELS.index(t["level"]), _REPS.index(t["repeatability"])
        if trend == "up":
            t["proactivity"] = round(min(2.0, t["proactivity"] + rng.choice((0.1, 0.2, 0.3, 0.4, 0.6))), 1)
            li += rng.random() < 0.4
            ri += rng.random() < 0.5
            t["lead_time"] = max(1, round(t["lead_time"] * rng.uniform(0.5, 0.95)))
        elif trend == "down":
            t["proactivity"] = round(max(0.1, t["proactivity"] - rng.choice((0.1, 0.2, 0.3))), 1)
            li -= rng.random() < 0.3
            t["lead_time"] = max(1, round(t["lead_time"] * rng.uniform(1.0, 1.5)))
        t["level"], t["repeatability"] = _LEVELS[min(3, max(0, li))], _REPS[min(3, max(0, ri))]
        assert t["lead_time_unit"] in LEAD_TIME_UNITS
        out.append(t)
    return out


def trainee_answers(rng: random.Random, lang: str) -> dict[str, Any]:
    """One trainee's answers {exercise_id: value}; some missing, some with no 'after' at all."""
    cat = catalogue()
    no_after = rng.random() < 0.12
    skip = rng.uniform(0.0, 0.15)
    trend = rng.choices(("up", "same", "down"), weights=(75, 15, 10))[0]
    answers: dict[str, Any] = {}
    for a in cat.assignments:
        if (a.timing == "after" and no_after) or rng.random() < skip:
            continue
        if a.kind == "text":
            answers[a.id] = _sentence(rng, a, lang)
        elif a.kind == "fields":
            answers[a.id] = _fields(rng, a, lang)
        elif a.kind == "choice":
            n = len(a.option_keys)  # "before": earlier options more likely
            weights = [n - i for i in range(n)] if a.timing == "before" else None
            answers[a.id] = rng.choices(a.option_keys, weights=weights)[0]
    before = _tasks(rng, lang)
    for a in cat.assignments:  # self-assessments: the "before" tasks, and the same tasks later
        if a.kind != "self_assessment" or rng.random() < skip or (a.timing == "after" and no_after):
            continue
        answers[a.id] = before if a.timing == "before" else _after(rng, before, trend)
    return answers


def demo_trainee(seed: int, i: int) -> tuple[dict[str, str], dict[str, Any], datetime]:
    """(profile, answers, created_at) of the i-th demo trainee; deterministic by (seed, i)."""
    rng = random.Random(f"{seed}:{i}")
    lang = "en" if rng.random() < 0.3 else "ja"
    sur, given = rng.choice(P.SURNAMES[lang]), rng.choice(P.GIVEN[lang])
    name = f"{sur} {given}" if lang == "ja" else f"{given} {sur}"
    profile = {"name": name, "trainee_id": f"demo-{i + 1:05d}", "cohort": rng.choice(P.COHORTS), "lang": lang}
    created = _START + timedelta(days=rng.randint(7, 14), minutes=rng.randint(0, 60 * 24))
    return profile, trainee_answers(rng, lang), created


def write_demo(n: int, out: str | Path, seed: int = 0) -> list[Path]:
    """Write n submission files into *out*; returns their paths."""
    if n < 1:
        raise ValueError(f"--n {n} must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths, cat = [], catalogue()
    for i in range(n):
        profile, answers, created = demo_trainee(seed, i)
        saved = {ex: (created - timedelta(hours=1 + j)).isoformat(timespec="seconds")
                 for j, ex in enumerate(reversed(answers))}
        path = out / sub.default_name(profile['trainee_id'], created)
        doc = {"format": sub.FORMAT, "schema_version": sub.SCHEMA_VERSION, "catalogue_version": cat.version,
               "created_at": created.isoformat(timespec="seconds"), "profile": profile,
               "answers": {ex: {"value": check_value(cat, ex, v), "saved_at": saved[ex]}  # as the workbook
                           for ex, v in answers.items()}, "quiz": {}}                      # saves it
        atomic_write(path, dump(doc), force=True, err=sub.SubmissionError)  # canonical, checksummed
        paths.append(path)
    return paths


def cli_demo(args) -> int:
    paths = write_demo(args.n, args.out, args.seed)
    print(f"demo-class: wrote {len(paths)} submission files to {args.out} (seed {args.seed})")
    return 0
