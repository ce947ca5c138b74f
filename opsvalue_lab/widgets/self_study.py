"""The self-study path: how to work through the workbook without an instructor (issue 7).

Shows the order of work (ja / en), a "次にやること / Next step" line computed by the pure
function :func:`next_step`, and a checklist per section (✔ done / ・ not yet, always with text).
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from ..catalogue import Catalogue
from ..i18n import lookup, term, ui_table
from ..store_values import is_answered  # the same rule as Workbook.progress()
from .common import Status, catalogue_of, guarded

COMPLETE = (None, "complete", None)

_UI = ui_table("self_study")

def _t(key: str, lang: str) -> str:
    return lookup(_UI, key, lang)


def is_attempted(result: Mapping[str, Any] | None) -> bool:
    return result is not None and bool(result) and bool(result.get("attempts", 1))


def ordered_assignments(cat: Catalogue) -> list:
    """Assignments in notebook order: by section, then catalogue order (stable)."""
    return sorted(cat.assignments, key=lambda a: a.section)


def ordered_quizzes(cat: Catalogue) -> list:
    return sorted(cat.quizzes, key=lambda q: q.section)


def next_step(cat: Catalogue, answers: Mapping[str, Any],
              quiz_results: Mapping[str, Mapping[str, Any]]) -> tuple[int | None, str, str | None]:
    """(section_id, kind, id): the first unfinished item in notebook order — within each notebook
    its assignments first, then its quizzes; ``(None, "complete", None)`` when everything is done.
    kind is "assignment", "quiz" or "complete"."""
    for sid in sorted({a.section for a in cat.assignments} | {q.section for q in cat.quizzes}):
        for a in ordered_assignments(cat):
            if a.section == sid and not is_answered(answers.get(a.id)):
                return a.section, "assignment", a.id
        for q in ordered_quizzes(cat):
            if q.section == sid and not is_attempted(quiz_results.get(q.id)):
                return q.section, "quiz", q.id
    return COMPLETE


def notebook_name(cat: Catalogue, section_id: int, lang: str) -> str:
    try:
        title = cat.section(section_id).title(lang)
    except KeyError:
        title = ""
    return f"{section_id:02d} {title}".strip()


def next_step_text(cat: Catalogue, step: tuple[int | None, str, str | None], lang: str) -> str:
    """The next step as one plain sentence (not HTML)."""
    sid, kind, item = step
    if kind == "complete" or sid is None or item is None:
        return _t("complete", lang)
    nb = notebook_name(cat, sid, lang)
    if kind == "quiz":
        qs = [q for q in cat.quizzes if q.section == sid]
        n = next(i for i, q in enumerate(qs, 1) if q.id == item)
        first = cat.quiz(item).scenario(lang).strip().splitlines()[0]
        topic = first if len(first) <= 40 else first[:39] + "…"
        return _t("quiz_in", lang).format(nb=nb, n=n, topic=topic)
    a = cat.assignment(item)
    timing = term(f"{a.timing}_work", lang)
    if lang == "en":
        timing = timing.lower()
    return _t("assignment_in", lang).format(nb=nb, timing=timing, title=a.title(lang))


def checklist(cat: Catalogue, answers: Mapping[str, Any], quiz_results: Mapping[str, Mapping[str, Any]],
              lang: str) -> list[tuple[int, list[tuple[bool, str]]]]:
    """[(section_id, [(done, text), ...]), ...] for every section, in notebook order."""
    out = []
    for s in sorted(cat.sections, key=lambda s: s.id):
        items = []
        for a in cat.in_section(s.id):
            timing = term(f"{a.timing}_work", lang)
            items.append((is_answered(answers.get(a.id)), f"{timing}: {a.title(lang)} ({a.id})"))
        qs = [q for q in cat.quizzes if q.section == s.id]
        if qs:
            tried = [q for q in qs if is_attempted(quiz_results.get(q.id))]
            right = sum(1 for q in tried if quiz_results[q.id].get("correct"))
            items.append((len(tried) == len(qs), f"{_t('quizzes', lang)}: {len(tried)} / {len(qs)} "
                                                 f"{_t('tried', lang)}, {right} {_t('correct', lang)}"))
        out.append((s.id, items))
    return out


class SelfStudyPathView:
    """The study order, the next step and a per-section checklist. ``.widget`` is what to display."""

    def __init__(self, wb: Any, lang: str = "ja", *, catalogue: Catalogue | None = None) -> None:
        self.wb, self.lang = wb, ("en" if lang == "en" else "ja")
        self.cat = catalogue or catalogue_of(wb)
        self.status = Status(self.lang)
        # the steps are content (exercises/guide.toml); simple HTML like <b> is allowed there
        steps = "".join(f"<li>{step(self.lang)}</li>" for step in self.cat.self_study_steps)
        self.intro = w.HTML(f"<h4>{_t('title', self.lang)}</h4><ol>{steps}</ol>")
        self.next_line = w.HTML("")
        self.checklist = w.HTML("")
        self.refresh_btn = w.Button(description=_t("refresh", self.lang), icon="refresh",
                                      layout=w.Layout(width="auto", align_self="flex-start"))
        self.refresh_btn.on_click(lambda _b: self.refresh())
        self.step: tuple[int | None, str, str | None] = COMPLETE
        self.widget = w.VBox([self.intro, self.next_line, self.refresh_btn, self.checklist, self.status.widget])
        self.refresh()

    def refresh(self) -> None:
        """Re-read answers and quiz results from the store and redraw (never raises)."""
        with guarded(self.status, self.lang):
            answers = self.wb.answers() or {}
            results = self.wb.quiz_results() or {}
            self.step = next_step(self.cat, answers, results)
            self.next_line.value = (f"<p><b>▶ {_t('next', self.lang)}:</b> "
                                    f"{html.escape(next_step_text(self.cat, self.step, self.lang))}</p>")
            rows = []
            for sid, items in checklist(self.cat, answers, results, self.lang):
                lis = "".join(f"<li style='list-style:none'>{'✔' if done else '・'} "
                              f"[{_t('done' if done else 'todo', self.lang)}] {html.escape(text)}</li>"
                              for done, text in items)
                rows.append(f"<div><b>{html.escape(notebook_name(self.cat, sid, self.lang))}</b>"
                            f"<ul style='margin:2px 0 6px 0'>{lis}</ul></div>")
            self.checklist.value = f"<h4>{_t('checklist', self.lang)}</h4>{''.join(rows)}"
            self.status.info("")
