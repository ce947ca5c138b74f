"""Answer values as plain text for people (widgets, report, CSV). Pure: no I/O.

Every function returns *plain* text: callers escape it for HTML (html.escape / Jinja2 autoescape)
or neutralise it for CSV (csvsafe). Nothing here trusts the trainee's text.
"""
from __future__ import annotations

from typing import Any

from ..catalogue import Assignment, catalogue
from ..i18n import lookup, term, ui_table
from ..model import LEVEL_LABELS, REPEATABILITY_LABELS, Task, tasks_from_data
from ..store_values import is_answered  # the store's rule, shared by progress and completion

UI = ui_table("instructor_values")


def ui(key: str, lang: str) -> str:
    """The instructor views' own strings, then the shared terms (before, in_class, after, pre, post)."""
    return lookup(UI, key, lang) if key in UI else term(key, lang)


def short_title(a: Assignment, lang: str) -> str:
    """"事前課題 3" / "Pre-assignment 3" from "事前課題 3：…"; titles without a colon stay whole."""
    title = a.title(lang)
    for sep in ("：", ": "):
        if sep in title:
            return title.split(sep, 1)[0]
    return title


def task_text(task: Task, lang: str) -> str:
    ev = catalogue().model.evaluate(task)
    unit = {"minutes": "min", "hours": "h", "days": "d"}[task.lead_time_unit]
    if lang == "en":
        return (f"{task.name}: {LEVEL_LABELS[task.level]['en']}, proactivity {task.proactivity:g}, "
                f"lead time {task.lead_time:g}{unit}, {REPEATABILITY_LABELS[task.repeatability]['en']} "
                f"(service {ev['service_value']:.2f}, delivery {ev['delivery_value']:.2f})")
    return (f"{task.name}：{LEVEL_LABELS[task.level]['ja']}、プロアクティブ度 {task.proactivity:g}、"
            f"納期 {task.lead_time:g}{unit}、{REPEATABILITY_LABELS[task.repeatability]['ja']}"
            f"（サービス価値 {ev['service_value']:.2f}、デリバリ価値 {ev['delivery_value']:.2f}）")


def value_lines(a: Assignment | None, value: Any, lang: str) -> list[str]:
    """The answer as a list of plain-text lines; [] when unanswered."""
    if not is_answered(value):
        return []
    if a is None:
        return [str(value)]
    try:
        if a.kind == "text":
            return [str(value)]
        if a.kind == "fields":
            if not isinstance(value, dict):
                return [str(value)]
            labels = {f.key: f.label(lang) for f in a.fields}
            out = [f"{labels[k]}: {value[k]}" for k in a.field_keys if is_answered(value.get(k))]
            out += [f"{k}: {v}" for k, v in value.items() if k not in labels and is_answered(v)]
            return out
        if a.kind == "choice":
            labels = {o.key: o.label(lang) for o in a.options}
            return [labels.get(str(value), str(value))]
        if a.kind == "self_assessment":
            return [task_text(t, lang) for t in tasks_from_data(value)]
    except (ValueError, TypeError, KeyError):
        return [f"({ui('invalid', lang)}) {value!s:.500}"]
    return [str(value)]


def kept_lines(value: Any, lang: str) -> list[str]:
    """An answer part the current catalogue lacks as plain-text lines (field key: text; tasks; text)."""
    if isinstance(value, dict):
        return [f"{k}: {v}" for k, v in value.items() if is_answered(v)]
    if isinstance(value, list):
        try:
            return [task_text(t, lang) for t in tasks_from_data(value)]
        except (ValueError, TypeError):
            return [str(value)[:2000]]
    return [str(value)]


def service_delivery_means(tasks: list[Task]) -> tuple[float, float] | None:
    """Mean service value and mean delivery value of a trainee's tasks, None without tasks."""
    if not tasks:
        return None
    model = catalogue().model
    evs = [model.evaluate(t) for t in tasks]
    return (sum(e["service_value"] for e in evs) / len(evs),
            sum(e["delivery_value"] for e in evs) / len(evs))
