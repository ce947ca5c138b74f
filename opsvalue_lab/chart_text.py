"""Charts readable without seeing them (issue 16): a text alternative saying what a chart shows, and
its numbers as table rows, in the trainee's language. Pure: data in, strings and rows out.

The rows carry the same numbers the charts plot (plots.py): the value matrix puts a task at
(プロアクティブ度, 課題解決価値), the delivery chart at (納期, 反復再現性).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .i18n import lookup, pick, ui_table
from .model import LEVEL_LABELS, REPEATABILITY_LABELS, Task, ValueModel

WORDS = ui_table("chart_text")  # exercises/ui.toml [chart_text]


def word(key: str, lang: str) -> str:
    return lookup(WORDS, key, lang)


def _num(x: float) -> float:
    return round(float(x), 2)


def task_headers(kind: str, lang: str, *, with_trainee: bool = False) -> list[str]:
    """Column headers of a chart's table; *kind* is "matrix" or "delivery"."""
    if kind not in ("matrix", "delivery"):
        raise ValueError(f"chart kind {kind!r} must be matrix or delivery")
    cols = (["level", "solution_value", "proactivity", "service_value"] if kind == "matrix"
            else ["lead_time", "repeatability", "delivery_value"])
    lead = (["trainee"] if with_trainee else []) + ["task", "when"]
    return [word(k, lang) for k in lead + cols]


def _row(kind: str, task: Task, when: str, lang: str, model: ValueModel) -> list[Any]:
    v = model.evaluate(task)
    if kind == "matrix":
        return [task.name, word(when, lang), pick(LEVEL_LABELS[task.level], lang),
                _num(v["solution_value"]), _num(task.proactivity), _num(v["service_value"])]
    return [task.name, word(when, lang), _num(v["lead_time_hours"]),
            pick(REPEATABILITY_LABELS[task.repeatability], lang), _num(v["delivery_value"])]


def task_rows(kind: str, before: Sequence[Task], after: Sequence[Task] | None, lang: str,
              model: ValueModel) -> list[list[Any]]:
    """One row per plotted task: Before tasks first, then After tasks, in the chart's own numbers."""
    task_headers(kind, lang)  # checks kind
    return ([_row(kind, t, "before", lang, model) for t in before]
            + [_row(kind, t, "after", lang, model) for t in (after or ())])


def describe(kind: str, before: Sequence[Task], after: Sequence[Task] | None, lang: str) -> str:
    """The text alternative of the trainee's chart: what it is, its axes, what is on it."""
    b, a = len(before), len(after or ())
    what = word("mine", lang).format(b=b, a=a) if b or a else word("none", lang)
    sep = "。" if lang != "en" else ". "
    tail = sep + word("see_table", lang) if b or a else ""
    return f"{word(kind, lang)}: {word(kind + '_axes', lang)}{sep}{what}{tail}"


def class_rows(kind: str, trainees: Sequence[Any], lang: str, model: ValueModel) -> list[list[Any]]:
    """Rows for a class chart: each trainee's (label) tasks, before then after."""
    return [[p.label, *r] for p in trainees for r in task_rows(kind, p.before, p.after, lang, model)]


def describe_class(kind: str, trainees: Sequence[Any], lang: str) -> str:
    """The text alternative of a class chart."""
    b = sum(len(p.before) for p in trainees)
    a = sum(len(p.after) for p in trainees)
    sep = "。" if lang != "en" else ". "
    what = word("class", lang).format(n=len(trainees), b=b, a=a)
    return f"{word(kind, lang)}: {word(kind + '_axes', lang)}{sep}{what}{sep}{word('see_table', lang)}"
