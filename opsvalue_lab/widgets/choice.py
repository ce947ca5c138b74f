"""A choice assignment: RadioButtons with the catalogue's option labels; saves on every change."""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from .answer import cat_of, feedback_box, md
from .common import Status, friendly_error, named, t


class ChoiceView:
    def __init__(self, wb: Any, exercise_id: str, lang: str) -> None:
        self.wb, self.exercise_id, self.lang = wb, exercise_id, lang
        self.assignment = a = cat_of(wb).assignment(exercise_id)
        if a.kind != "choice":
            raise ValueError(f"{exercise_id}: ChoiceView needs kind choice, not {a.kind!r}")
        self.status = Status(lang)
        saved = wb.latest(exercise_id)
        keys = a.option_keys
        self.radio = named(w.RadioButtons(options=[(o.label(lang), o.key) for o in a.options],
                                          value=saved if saved in keys else None,
                                          layout=w.Layout(width="100%")), a.title(lang))
        if saved in keys:
            self.status.saved(self._saved_at())
        else:
            self.status.info(t("unsaved", lang))
        self.retry = w.Button(description=t("retry", lang), icon="save", layout=w.Layout(display="none", width="auto"))
        self.retry.on_click(lambda _b: self.save())
        self.radio.observe(lambda _c: self.save(), names="value")
        self.widget = w.VBox([
            w.HTML(f"<div class='opsvalue-prompt'><b>{html.escape(a.title(lang))}</b>{md(a.prompt(lang))}</div>"),
            self.radio, w.HBox([self.status.widget, self.retry]),
            feedback_box(wb, exercise_id, lang),
        ], layout=w.Layout(width="100%"))
        self.widget.add_class("opsvalue-answer")

    def _saved_at(self):
        try:
            hist = self.wb.history(self.exercise_id)
            return hist[-1].saved_at if hist else None
        except Exception:  # noqa: BLE001
            return None

    def save(self) -> bool:
        if self.radio.value is None:
            return False
        try:
            self.wb.save(self.exercise_id, self.radio.value)
        except Exception as exc:  # noqa: BLE001 - friendly message, choice stays selected
            self.status.error(f"{t('error_prefix', self.lang)}: {friendly_error(exc, self.lang)}")
            self.retry.layout.display = None
            return False
        self.status.saved()
        self.retry.layout.display = "none"
        return True
