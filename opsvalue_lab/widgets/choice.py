"""A choice assignment: RadioButtons with the catalogue's option labels; saves on every change.
If the answer was saved elsewhere since the view was shown, it says so and overwrites nothing until the
trainee chooses (see widgets/conflict.py)."""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..markup import md
from ..store import Conflict
from .answer import feedback_box
from .common import Status, after_save, catalogue_of, friendly_error, live_notice, named, t
from .conflict import ConflictBar


class ChoiceView:
    def __init__(self, wb: Any, exercise_id: str, lang: str) -> None:
        self.wb, self.exercise_id, self.lang = wb, exercise_id, lang
        self.assignment = a = catalogue_of(wb).assignment(exercise_id)
        if a.kind != "choice":
            raise ValueError(f"{exercise_id}: ChoiceView needs kind choice, not {a.kind!r}")
        self.status = Status(lang)
        shown = wb.latest_version(exercise_id)
        saved = shown.value if shown is not None else None
        self._base = shown.saved_at if shown is not None else None  # the version this view started from
        self._loading = False
        keys = a.option_keys
        self.radio = named(w.RadioButtons(options=[(o.label(lang), o.key) for o in a.options],
                                          value=saved if saved in keys else None,
                                          layout=w.Layout(width="100%")), a.title(lang))
        if saved in keys:
            self.status.saved(self._base)
        else:
            self.status.info(t("unsaved", lang))
        self.retry = w.Button(description=t("retry", lang), icon="save", layout=w.Layout(display="none", width="auto"))
        self.retry.on_click(lambda _b: self.save())
        self.radio.observe(lambda _c: None if self._loading else self.save(), names="value")
        self.conflict = ConflictBar(lang, self._keep, self._use)
        self.widget = w.VBox([
            w.HTML(f"<div class='opsvalue-prompt'><b>{html.escape(a.title(lang))}</b>{md(a.prompt(lang))}</div>"),
            live_notice(lang), self.radio, w.HBox([self.status.widget, self.retry]), self.conflict.widget,
            feedback_box(wb, exercise_id, lang),
        ], layout=w.Layout(width="100%"))
        self.widget.add_class("opsvalue-answer")

    def save(self) -> bool:
        if self.radio.value is None:
            return False
        try:
            v = self.wb.save(self.exercise_id, self.radio.value, expect=self._base)
            cur = v if v is not None else self.wb.latest_version(self.exercise_id)
            self._base = cur.saved_at if cur is not None else None
            after_save(self.wb, self.exercise_id, self.radio.value)  # committed: mirror it live
        except Conflict as c:  # saved elsewhere since shown: overwrite nothing, let the trainee choose
            self.status.error(self.conflict.message(c))
            self.conflict.show(c)
            return False
        except Exception as exc:  # noqa: BLE001 - friendly message, choice stays selected
            self.status.error(f"{t('error_prefix', self.lang)}: {friendly_error(exc, self.lang)}")
            self.retry.layout.display = None
            return False
        self.status.saved()
        self.retry.layout.display = "none"
        self.conflict.hide()
        return True

    def _keep(self, c: Conflict) -> None:
        self._base = c.latest.saved_at if c.latest is not None else None
        self.save()

    def _use(self, c: Conflict) -> None:
        self._base = c.latest.saved_at if c.latest is not None else None
        value = c.latest.value if c.latest is not None else None
        self._loading = True
        try:
            self.radio.value = value if value in self.assignment.option_keys else None
        finally:
            self._loading = False
        self.conflict.hide()
        self.status.saved(self._base)
