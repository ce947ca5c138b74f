"""The answer box of a text or fields assignment: autosave, restore, example after own answer.

Typing is never disturbed: the Textarea values are set once, at construction, and never written
back while the trainee types (a write-back breaks Japanese IME composition, ipywidgets#3836).
Every change schedules a save 0.8 s after the last keystroke (one version per pause) through
:class:`~opsvalue_lab.widgets.autosave.Autosave`: the status says "not saved yet" until the commit
returns. If the answer was saved elsewhere since this box was shown (the same notebook in another
kernel, the ja/ and en/ copies), the box says so and overwrites nothing until the trainee chooses.
"""
from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from ..markup import md
from ..store import Conflict
from ..store_values import is_answered  # the store's own rule of "answered"
from .autosave import DEBOUNCE_SECONDS, Autosave
from .common import Status, after_save, catalogue_of, disclosure, friendly_error, live_notice, named, t
from .conflict import ConflictBar

__all__ = ["AnswerView", "DEBOUNCE_SECONDS", "feedback_box", "md"]
log = logging.getLogger("opsvalue_lab")

TEXTS = ui_table("answer")


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


def feedback_box(wb: Any, exercise_id: str, lang: str) -> w.HTML:
    """The instructor's comments on one exercise (escaped), or an empty HTML."""
    box = w.HTML(value="")
    try:
        comments = (wb.feedback() or {}).get(exercise_id, [])
    except Exception:  # noqa: BLE001 - feedback is extra; never block the answer box
        comments = []
    if comments:
        items = "".join(
            f"<li><div>{html.escape(str(c.get('comment', ''))).replace(chr(10), '<br>')}</div>"
            f"<small>— {html.escape(str(c.get('author', '')))} {html.escape(str(c.get('written_at', ''))[:10])}"
            f"</small></li>" for c in comments)
        box.value = (f"<div class='opsvalue-feedback'><b>✎ {tx('feedback', lang)}</b>"
                     f"<ul>{items}</ul></div>")
    return box


class AnswerView:
    """Answer box(es) for one text/fields assignment. `.widget` to display, `flush()` to save now."""

    def __init__(self, wb: Any, exercise_id: str, lang: str) -> None:
        self.wb, self.exercise_id, self.lang = wb, exercise_id, lang
        self.assignment = a = catalogue_of(wb).assignment(exercise_id)
        if a.kind not in ("text", "fields"):
            raise ValueError(f"{exercise_id}: AnswerView needs kind text or fields, not {a.kind!r}")
        self.status = Status(lang)
        shown = wb.latest_version(exercise_id)
        saved = shown.value if shown is not None else None
        self._base = shown.saved_at if shown is not None else None  # the version this box started from
        self._answered = is_answered(saved)
        self._loading = False
        # width auto: the box stretches to the column (100% plus the widget margin overflowed the right edge)
        layout = w.Layout(width="auto", height="8em" if a.kind == "text" else "5em")
        self.boxes: dict[str | None, w.Textarea] = {}
        parts: list[w.Widget] = []
        if a.kind == "text":
            ta = named(w.Textarea(value=saved if isinstance(saved, str) else "", continuous_update=True,
                                  layout=layout), a.title(lang))
            self.boxes[None] = ta
            parts.append(ta)
        else:
            values = saved if isinstance(saved, dict) else {}
            parts.append(w.HTML(f"<small>{tx('optional_fields', lang)}</small>"))
            for f in a.fields:
                ta = named(w.Textarea(value=str(values.get(f.key, "") or ""), continuous_update=True,
                                      layout=layout), f"{a.title(lang)}: {f.label(lang)}")
                self.boxes[f.key] = ta
                parts += [w.HTML(f"<b>{html.escape(f.label(lang))}</b>"), ta]
        for ta in self.boxes.values():
            ta.observe(self._on_change, names="value")
        self.count = w.HTML(layout=w.Layout(margin="0 0 0 1.5em"))
        self.retry = w.Button(description=t("retry", lang), icon="save",
                              layout=w.Layout(display="none", width="auto"))
        self.retry.on_click(lambda _b: self.flush())
        self.conflict = ConflictBar(lang, lambda c: self._resolve(c, keep=True), lambda c: self._resolve(c, keep=False))
        self.conflict_box, self.conflict_note = self.conflict.widget, self.conflict.note
        self.keep_mine, self.use_other = self.conflict.keep_mine, self.conflict.use_other
        self.autosave = Autosave(self.value, self._commit, self._show)
        hint = w.HTML(disclosure(tx("hint", lang), md(a.guidance(lang))))  # Tab + Enter open it
        self.example_button = w.Button(description=tx("see_example", lang), icon="eye",
                                       layout=w.Layout(width="auto"))
        self.example_note = w.HTML()
        self.example_area = w.VBox()
        self.example_button.on_click(self._on_example)
        self._update_count()
        if is_answered(saved):
            self.status.saved(self._base)
        else:
            self.status.info(t("unsaved", lang))
        self._update_example_lock()
        self.widget = w.VBox([
            w.HTML(f"<div class='opsvalue-prompt'><b>{html.escape(a.title(lang))}</b>{md(a.prompt(lang))}</div>"),
            hint, live_notice(lang), *parts,
            w.HBox([self.status.widget, self.count, self.retry]), self.conflict_box,
            feedback_box(wb, exercise_id, lang),
            w.HBox([self.example_button, self.example_note]), self.example_area,
        ], layout=w.Layout(width="100%"))
        self.widget.add_class("opsvalue-answer")

    # -- value -------------------------------------------------------------------------------
    def value(self) -> Any:
        if self.assignment.kind == "text":
            return self.boxes[None].value
        return {k: ta.value for k, ta in self.boxes.items()}

    def _update_count(self) -> None:
        n = sum(len(ta.value) for ta in self.boxes.values())
        self.count.value = f"<small>{n} {t('chars', self.lang)}</small>"

    # -- saving ------------------------------------------------------------------------------
    @property
    def pending(self) -> bool:
        """True while typed text is not yet committed (a save is waiting, running or failed)."""
        return self.autosave.pending

    def _on_change(self, _change: dict) -> None:
        if self._loading:
            return
        self.autosave.changed()  # the save is scheduled first; the widgets are only drawn after
        try:
            self._update_count()
        except Exception:  # noqa: BLE001 - a handler never raises
            log.exception("answer box: character count")

    def flush(self) -> bool:
        """Save the current text now (cancelling a pending save). True when it is stored."""
        return self.autosave.flush()

    def _commit(self, value: Any) -> Any:
        """Runs in the save worker (or flush's caller): returns once the store has committed."""
        v = self.wb.save(self.exercise_id, value, expect=self._base)
        if v is None:  # equal to the newest version: this box now stands on that one
            cur = self.wb.latest_version(self.exercise_id)
            self._base = cur.saved_at if cur is not None else None
        else:
            self._base = v.saved_at
        self._answered = is_answered(value)
        after_save(self.wb, self.exercise_id, value)  # the committed save has returned: mirror it live
        return v

    def _show(self, state: str, payload: Any = None) -> None:
        """Draw the autosave state (never touches the store)."""
        lang = self.lang
        if state == "unsaved":
            self.status.info(tx("changed", lang))
        elif state == "saving":
            self.status.info(t("saving", lang))
        elif state == "saved":
            self.conflict.hide()
            self.status.saved(payload.saved_at if payload is not None else None)
            self.retry.layout.display = "none"
            self._set_example_lock(self._answered)
        elif isinstance(payload, Conflict):
            self.status.error(self.conflict.message(payload))
            self.conflict.show(payload)
        else:
            self.status.error(f"{t('error_prefix', lang)}: {friendly_error(payload, lang)} {t('text_kept', lang)}")
            self.retry.layout.display = None

    def _resolve(self, c: Conflict, keep: bool) -> None:
        """The trainee's choice after a conflict: save their text over the other, or take the other."""
        self._base = c.latest.saved_at if c.latest is not None else None
        if keep:
            self.flush()
            return
        try:
            self._loading = True
            value: Any = c.latest.value if c.latest is not None else ""
            for key, ta in self.boxes.items():
                if key is None:
                    ta.value = value if isinstance(value, str) else ""
                else:
                    ta.value = str((value if isinstance(value, dict) else {}).get(key, "") or "")
        finally:
            self._loading = False
        self._update_count()
        self.flush()  # equal to the newest version: nothing new is written, the status says saved

    # -- example answer ----------------------------------------------------------------------
    def _has_own_answer(self) -> bool:
        try:
            return is_answered(self.wb.latest(self.exercise_id))
        except Exception:  # noqa: BLE001
            return False

    def _update_example_lock(self) -> None:
        self._set_example_lock(self._has_own_answer())

    def _set_example_lock(self, ok: bool) -> None:
        self.example_button.disabled = not ok
        self.example_note.value = "" if ok else f"<small>※ {tx('example_locked', self.lang)}</small>"

    def _on_example(self, _b: Any = None) -> None:
        try:
            self._update_example_lock()
            if self.example_button.disabled:
                return
            a, lang = self.assignment, self.lang
            parts = []
            if a.example is not None:
                parts.append(f"<b>{tx('example', lang)}</b>{md(a.example(lang))}")
            if a.reflection is not None:
                parts.append(f"<b>{tx('reflection', lang)}</b>{md(a.reflection(lang))}")
            self.example_area.children = (w.HTML("<div class='opsvalue-example'>" + "".join(parts) + "</div>"),)
        except Exception as exc:  # noqa: BLE001
            self.status.error(friendly_error(exc, self.lang))
