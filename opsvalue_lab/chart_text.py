"""Charts readable without seeing them (issue 16): a text alternative saying what a chart shows, and
its numbers as table rows, in the trainee's language. Pure: data in, strings and rows out.

The rows carry the same numbers the charts plot (plots.py): the value matrix puts a task at
(プロアクティブ度, 課題解決価値), the delivery chart at (納期, 反復再現性).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .i18n import lookup, pick
from .model import LEVEL_LABELS, REPEATABILITY_LABELS, Task, ValueModel

WORDS: dict[str, dict[str, str]] = {
    "matrix": {"ja": "サービス価値マトリクス", "en": "Service value matrix"},
    "delivery": {"ja": "デリバリ価値チャート", "en": "Delivery value chart"},
    "matrix_axes": {"ja": "横軸はプロアクティブ度 (0 – 2.0)、縦軸は課題解決価値。右上ほどサービス価値が高い",
                    "en": "across: proactivity (0 – 2.0), up: problem-solving value; higher and further "
                          "right means more service value"},
    "delivery_axes": {"ja": "横軸は納期 (対数目盛、短いほど良い)、縦軸は反復再現性 (L1 – L4)",
                      "en": "across: lead time (log scale, shorter is better), up: repeatability (L1 – L4)"},
    "mine": {"ja": "あなたの業務: 受講前 {b} 件、受講後 {a} 件", "en": "your tasks: {b} before, {a} after"},
    "class": {"ja": "受講者 {n} 人の業務: 受講前 {b} 件、受講後 {a} 件",
              "en": "the tasks of {n} trainees: {b} before, {a} after"},
    "none": {"ja": "まだ業務がありません", "en": "no tasks yet"},
    "see_table": {"ja": "数値は「表で見る」にあります", "en": "the numbers are under \"Show as a table\""},
    "as_table": {"ja": "表で見る (グラフと同じ数値)", "en": "Show as a table (the numbers in the chart)"},
    "trainee": {"ja": "受講者", "en": "Trainee"},
    "task": {"ja": "業務", "en": "Task"},
    "when": {"ja": "時点", "en": "When"},
    "before": {"ja": "受講前", "en": "Before"},
    "after": {"ja": "受講後", "en": "After"},
    "level": {"ja": "課題解決のレベル", "en": "Problem-solving level"},
    "solution_value": {"ja": "課題解決価値", "en": "Problem-solving value"},
    "proactivity": {"ja": "プロアクティブ度", "en": "Proactivity"},
    "service_value": {"ja": "サービス価値", "en": "Service value"},
    "lead_time": {"ja": "納期 (時間)", "en": "Lead time (hours)"},
    "repeatability": {"ja": "反復再現性", "en": "Repeatability"},
    "delivery_value": {"ja": "デリバリ価値 (低いほど良い)", "en": "Delivery value (lower is better)"},
}


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
