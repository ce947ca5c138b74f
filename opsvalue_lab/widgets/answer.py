"""The answer box of a text or fields assignment: autosave, restore, example after own answer.

Typing is never disturbed: the Textarea values are set once, at construction, and never written
back while the trainee types (a write-back breaks Japanese IME composition, ipywidgets#3836).
Every change schedules a save 0.8 s after the last keystroke (one version per pause).
"""
from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as w

from ..i18n import lookup
from ..store_values import is_answered  # the store's own rule of "answered"
from .common import Status, catalogue_of, disclosure, friendly_error, named, t

DEBOUNCE_SECONDS = 0.8

TEXTS = {
    "hint": {"ja": "ヒント", "en": "Hint"},
    "see_example": {"ja": "回答例を見る", "en": "See an example answer"},
    "example_locked": {"ja": "自分の回答を保存すると、回答例と振り返りの問いが見られます。",
                       "en": "Save an answer of your own first; the example answer and the reflection "
                             "questions then open."},
    "example": {"ja": "回答例", "en": "Example answer"},
    "reflection": {"ja": "振り返りの問い", "en": "Questions to reflect on"},
    "feedback": {"ja": "講師からのフィードバック", "en": "Feedback from your instructor"},
    "optional_fields": {"ja": "書ける欄から書いてください (空欄があっても保存されます)。",
                        "en": "Fill in what you can; empty boxes are fine and still save."},
}


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


def md(text: str) -> str:
    """Markdown (catalogue content) to HTML; raw HTML in the text is escaped."""
    try:
        import mistune
        return str(mistune.create_markdown(escape=True, plugins=["table"])(text))
    except Exception:  # noqa: BLE001 - fall back to plain, escaped text
        return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


cat_of = catalogue_of  # the name the notebook facade uses


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
        self.assignment = a = cat_of(wb).assignment(exercise_id)
        if a.kind not in ("text", "fields"):
            raise ValueError(f"{exercise_id}: AnswerView needs kind text or fields, not {a.kind!r}")
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self.status = Status(lang)
        saved = wb.latest(exercise_id)
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
        hint = w.HTML(disclosure(tx("hint", lang), md(a.guidance(lang))))  # Tab + Enter open it
        self.example_button = w.Button(description=tx("see_example", lang), icon="eye",
                                       layout=w.Layout(width="auto"))
        self.example_note = w.HTML()
        self.example_area = w.VBox()
        self.example_button.on_click(self._on_example)
        self._update_count()
        if is_answered(saved):
            self._show_saved_time()
        else:
            self.status.info(t("unsaved", lang))
        self._update_example_lock()
        self.widget = w.VBox([
            w.HTML(f"<div class='opsvalue-prompt'><b>{html.escape(a.title(lang))}</b>{md(a.prompt(lang))}</div>"),
            hint, *parts,
            w.HBox([self.status.widget, self.count, self.retry]),
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
    def _on_change(self, _change: dict) -> None:
        try:
            self._update_count()
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = threading.Timer(DEBOUNCE_SECONDS, self.flush)
                self._timer.daemon = True
                self._timer.start()
        except Exception as exc:  # noqa: BLE001 - a handler never raises
            self.status.error(friendly_error(exc, self.lang))

    def flush(self) -> bool:
        """Save the current text now (cancelling a pending save). True when it is stored."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            try:
                self.status.info(t("saving", self.lang))
                self.wb.save(self.exercise_id, self.value())
            except Exception as exc:  # noqa: BLE001 - shown as a friendly message; text stays
                self.status.error(f"{t('error_prefix', self.lang)}: {friendly_error(exc, self.lang)} "
                                  f"{t('text_kept', self.lang)}")
                self.retry.layout.display = None
                return False
            self.status.saved()
            self.retry.layout.display = "none"
            self._update_example_lock()
            return True

    def _show_saved_time(self) -> None:
        try:
            hist = self.wb.history(self.exercise_id)
            self.status.saved(hist[-1].saved_at if hist else None)
        except Exception:  # noqa: BLE001
            self.status.saved()

    # -- example answer ----------------------------------------------------------------------
    def _has_own_answer(self) -> bool:
        try:
            return is_answered(self.wb.latest(self.exercise_id))
        except Exception:  # noqa: BLE001
            return False

    def _update_example_lock(self) -> None:
        ok = self._has_own_answer()
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
