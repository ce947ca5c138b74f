"""The self-study path: how to work through the workbook without an instructor (issue 7).

Shows the order of work (ja / en), a "次にやること / Next step" line computed by the pure
function :func:`next_step`, and a checklist per section (✔ done / ・ not yet, always with text).
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..catalogue import Catalogue
from ..guide import (  # noqa: F401 (re-exported)
    COMPLETE,
    checklist,
    is_attempted,
    next_step,
    next_step_text,
    notebook_name,
    ordered_assignments,
    ordered_quizzes,
)
from ..i18n import lookup, ui_table
from .common import Status, catalogue_of, guarded

_UI = ui_table("self_study")


def _t(key: str, lang: str) -> str:
    return lookup(_UI, key, lang)


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
