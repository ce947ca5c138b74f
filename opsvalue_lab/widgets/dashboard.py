"""補講: 運用ダッシュボード — "look here and know everything" (issue 5).

Progress by section and timing, quiz score per section, the four check questions answered from the
trainee's current self-assessment, both charts (drawn when the trainee asks for them), the
Before/After state and the next step.
"""
from __future__ import annotations

import html
import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from ..catalogue import TIMINGS, Catalogue
from ..chart_text import describe, task_headers, task_rows
from ..guide import next_step, next_step_text
from ..i18n import lookup, term, ui_table
from ..model import LEVEL_LABELS, REPEATABILITY_LABELS, Repeatability, SolutionLevel, Task, classify_proactivity
from ..plots import delivery_chart, value_matrix
from .common import AFTER_ID, BEFORE_ID, Status, catalogue_of, chart_block, chart_widget, guarded, saved_tasks

UI = ui_table("dashboard")


def _ui(key: str, lang: str) -> str:
    return lookup(UI, key, lang)


def human_hours(h: float, lang: str) -> str:
    """A lead time in words: minutes below an hour, days from a day."""
    if h < 1:
        return f"{h * 60:.0f} 分" if lang != "en" else f"{h * 60:.0f} min"
    if h < 24:
        return f"{h:.1f} 時間" if lang != "en" else f"{h:.1f} h"
    return f"{h / 24:.1f} 日" if lang != "en" else f"{h / 24:.1f} days"


def check_answers(tasks: Sequence[Task], lang: str) -> list[tuple[str, str]]:
    """The four check questions of the lecture, each answered from *tasks*."""
    qs = [_ui(k, lang) for k in ("q_level", "q_pro", "q_lead", "q_rep")]
    n = len(tasks)
    if not n:
        return [(q, _ui("no_sa", lang)) for q in qs]
    levels = Counter(t.level for t in tasks)
    level = " · ".join(f"{LEVEL_LABELS[lv][lang]} {levels.get(lv, 0)}" for lv in reversed(SolutionLevel))
    reactive = sum(classify_proactivity(t.proactivity) == "reactive" for t in tasks)
    pro = _ui("mean_pro", lang).format(m=statistics.fmean(t.proactivity for t in tasks), r=reactive, n=n,
                                       p=100 * reactive / n)
    hours = [t.lead_time_hours for t in tasks]
    lead = _ui("lead", lang).format(med=human_hours(statistics.median(hours), lang),
                                    lo=human_hours(min(hours), lang), hi=human_hours(max(hours), lang))
    reps = Counter(t.repeatability for t in tasks)
    top = max(Repeatability, key=lambda r: (reps.get(r, 0), -list(Repeatability).index(r)))
    rep = _ui("rep", lang).format(lab=REPEATABILITY_LABELS[top][lang], c=reps[top], n=n)
    return list(zip(qs, [level, pro, lead, rep]))


def _bar(a: int, t: int) -> str:
    return ("■" * a + "□" * (t - a)) if t <= 12 else f"{round(100 * a / t)}%"


class DashboardView:
    """Everything about the trainee's progress and position on one screen. ``.widget`` to display."""

    def __init__(self, wb: Any, lang: str = "ja", *, catalogue: Catalogue | None = None) -> None:
        self.wb, self.lang = wb, ("en" if lang == "en" else "ja")
        self.cat = catalogue or catalogue_of(wb)
        self.status = Status(self.lang)
        self.next_line, self.progress, self.checks, self.change = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.matrix, self.delivery = chart_widget(), chart_widget()  # image + text + table
        self.refresh_btn = w.Button(description=_ui("refresh", self.lang), icon="refresh",
                                      layout=w.Layout(width="auto", align_self="flex-start"))
        self.refresh_btn.on_click(lambda _b: self.refresh())
        # The two charts are drawn when asked for (about 0.1 s each; the four questions above already
        # say in words where the tasks stand), then redrawn on every refresh.
        self.charts_shown = False
        self.charts_btn = w.Button(description=_ui("show_charts", self.lang), icon="line-chart",
                                   layout=w.Layout(width="auto", align_self="flex-start"))
        self.charts_btn.on_click(lambda _b: self.show_charts())
        self.widget = w.VBox([w.HTML(f"<h3>{_ui('title', self.lang)}</h3>"), self.refresh_btn, self.next_line,
                              self.progress, self.checks, w.HTML(f"<h4>{_ui('charts', self.lang)}</h4>"),
                              self.charts_btn, self.matrix, self.delivery, self.change, self.status.widget])
        self.widget.add_class("opsvalue-dashboard")
        self.refresh()

    def refresh(self) -> None:
        """Re-read the store and redraw every part (never raises)."""
        lang, e = self.lang, html.escape
        with guarded(self.status, lang):
            answers = self.wb.answers() or {}
            step = next_step(self.cat, answers, self.wb.quiz_results() or {})
            self.next_line.value = f"<p><b>▶ {_ui('next', lang)}:</b> {e(next_step_text(self.cat, step, lang))}</p>"
            self.progress.value = self._progress_html()
            before, after = saved_tasks(self.wb, BEFORE_ID), saved_tasks(self.wb, AFTER_ID)
            current = after or before
            src = _ui("source_after" if after else "source_before", lang).format(n=len(current))
            rows = "".join(f"<tr><td><b>{e(q)}</b></td><td>{e(a)}</td></tr>" for q, a in check_answers(current, lang))
            self.checks.value = (f"<h4>{_ui('checks', lang)}</h4><p>{e(src) if current else ''}</p>"
                                 f"<table>{rows}</table>")
            if self.charts_shown:
                self._draw_charts(before, after)
            self.change.value = self._change_html(answers)
            self.status.info("")

    def show_charts(self) -> None:
        """Draw the value matrix and the delivery chart (the button; never raises)."""
        with guarded(self.status, self.lang):
            self.charts_shown = True
            self.charts_btn.layout.display = "none"
            self._draw_charts(saved_tasks(self.wb, BEFORE_ID), saved_tasks(self.wb, AFTER_ID))

    def _draw_charts(self, before: list[Task], after: list[Task]) -> None:
        lang, model = self.lang, self.cat.model
        for slot, kind, draw in ((self.matrix, "matrix", value_matrix), (self.delivery, "delivery", delivery_chart)):
            slot.value = chart_block(draw(before, after=after or None, lang=lang, model=model),
                                     describe(kind, before, after, lang), task_headers(kind, lang),
                                     task_rows(kind, before, after, lang, model), lang)

    def _progress_html(self) -> str:
        lang, e = self.lang, html.escape
        p = self.wb.progress()
        quiz = self.wb.quiz_score_by_section()
        rows = []
        for s in sorted(self.cat.sections, key=lambda s: s.id):
            a, t = p["by_section"].get(s.id, p["by_section"].get(str(s.id), [0, 0]))
            c, q = quiz.get(s.id, [0, 0])
            qtext = f"{c} / {q} {_ui('correct', lang)}" if q else "—"
            rows.append(f"<tr><td>{s.id:02d} {e(s.title(lang))}</td><td>{a} / {t} {_bar(a, t)}</td>"
                        f"<td>{qtext}</td></tr>")
        timing = " · ".join(f"{term(f'{k}_work', lang)} {v[0]} / {v[1]}" for k, v in p["by_timing"].items()
                            if k in TIMINGS)
        head = (f"<tr><th>{_ui('by_section', lang)}</th><th>{_ui('answered', lang)}</th>"
                f"<th>{_ui('quiz', lang)}</th></tr>")
        return (f"<h4>{_ui('progress', lang)}: {p['answered']} / {p['total']} {_ui('answered', lang)}</h4>"
                f"<table>{head}{''.join(rows)}</table><p>{_ui('by_timing', lang)}: {e(timing)}</p>")

    def _change_html(self, answers: dict) -> str:
        lang, e = self.lang, html.escape
        items = []
        for ex in ("change-before", "change-after"):
            try:
                a = self.cat.assignment(ex)
            except KeyError:
                continue
            labels = {o.key: o.label(lang) for o in a.options}
            val = answers.get(ex)
            shown = labels.get(val, _ui("not_yet", lang)) if val else _ui("not_yet", lang)
            items.append(f"<li><b>{e(a.title(lang))}</b>: {e(shown)}</li>")
        return f"<h4>{_ui('change', lang)}</h4><ul>{''.join(items)}</ul>"
