"""The trainee's own tasks on the value matrix and the delivery chart, before and after (issue 5).

``MatrixView(wb, lang)`` / ``DeliveryView(wb, lang)``: the saved Before tasks (and the After tasks with
arrows, once saved), a refresh button, and an export button writing PNG + SVG into <workspace>/portfolio/.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
from matplotlib.figure import Figure

from ..chart_text import describe, task_headers, task_rows
from ..i18n import lookup, ui_table
from ..plots import delivery_chart, save_figure, value_matrix
from .common import AFTER_ID, BEFORE_ID, Status, catalogue_of, chart_block, chart_widget, guarded, saved_tasks

UI = ui_table("charts")


def _ui(key: str, lang: str) -> str:
    return lookup(UI, key, lang)


class _ChartView:
    kind = "chart"
    words = "matrix"  # chart_text kind: "matrix" or "delivery"
    draw: Callable[..., Any]

    def __init__(self, wb: Any, lang: str = "ja") -> None:
        self.wb, self.lang = wb, ("en" if lang == "en" else "ja")
        self.status = Status(self.lang)
        self.note = w.HTML()
        self.image = chart_widget()  # <figure>: image, text alternative, "show as a table"
        self.refresh_btn = w.Button(description=_ui("refresh", self.lang), icon="refresh",
                                     layout=w.Layout(width="auto"))
        self.export_btn = w.Button(description=_ui("export", self.lang), icon="download",
                                    layout=w.Layout(width="auto"))
        self.paths = w.HTML()
        self.refresh_btn.on_click(lambda _b: self.refresh())
        self.export_btn.on_click(lambda _b: self.export())
        self.figure: Figure | None = None
        self.widget = w.VBox([self.note, self.image, w.HBox([self.refresh_btn, self.export_btn]),
                              self.paths, self.status.widget])
        self.refresh()

    def refresh(self) -> None:
        """Re-read the self-assessments and redraw (never raises)."""
        with guarded(self.status, self.lang):
            before, after = saved_tasks(self.wb, BEFORE_ID), saved_tasks(self.wb, AFTER_ID)
            note = _ui("counts", self.lang).format(b=len(before), a=len(after))
            if not before and not after:
                note = _ui("no_tasks", self.lang)
            self.note.value = f"<p>{html.escape(note)}</p>"
            model = catalogue_of(self.wb).model
            self.figure = type(self).draw(before, after=after or None, lang=self.lang, model=model)
            self.image.value = chart_block(
                self.figure, describe(self.words, before, after, self.lang),
                task_headers(self.words, self.lang), task_rows(self.words, before, after, self.lang, model),
                self.lang)
            self.status.info("")

    def export(self) -> list[Path]:
        """Write <workspace>/portfolio/<kind>-<lang>.png and .svg; show and return the paths."""
        written: list[Path] = []
        with guarded(self.status, self.lang):
            self.refresh()
            folder = Path(self.wb.workspace) / "portfolio"
            assert self.figure is not None  # refresh() drew it
            for suffix in ("png", "svg"):
                written.append(save_figure(self.figure, folder / f"{self.kind}-{self.lang}.{suffix}"))
            items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in written)
            self.paths.value = f"<p>✔ {_ui('written', self.lang)}</p><ul>{items}</ul>"
        return written


class MatrixView(_ChartView):
    """The service value matrix with the trainee's Before (and After) tasks."""

    kind = "value-matrix"
    draw = staticmethod(value_matrix)


class DeliveryView(_ChartView):
    """The delivery chart (納期 × 反復再現性) with the trainee's Before (and After) tasks."""

    kind = "delivery-chart"
    words = "delivery"
    draw = staticmethod(delivery_chart)
