"""What a view shows when its answer was saved elsewhere after it was shown (the same notebook in
another kernel, or the ja/ and en/ copies): the saved text, and the trainee's two choices. Until
one is chosen, nothing is overwritten (``Workbook.save(expect=...)`` raised ``Conflict``)."""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from ..store import Conflict

TEXTS = ui_table("conflict")


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


def as_text(value: Any) -> str:
    """A saved value as plain text for the comparison (text, field: text lines, task names)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(str(t.get("name", t)) if isinstance(t, dict) else str(t) for t in value)
    return "" if value is None else str(value)


class ConflictBar:
    """Hidden until :meth:`show`; *on_keep* / *on_use* receive the Conflict when a button is pressed."""

    def __init__(self, lang: str, on_keep: Callable[[Conflict], None], on_use: Callable[[Conflict], None]) -> None:
        self.lang = lang
        self.conflict: Conflict | None = None
        self.note = w.HTML()
        self.keep_mine = w.Button(description=tx("keep_mine", lang), icon="save", layout=w.Layout(width="auto"))
        self.use_other = w.Button(description=tx("use_other", lang), icon="undo", layout=w.Layout(width="auto"))
        self.keep_mine.on_click(lambda _b: self._press(on_keep))
        self.use_other.on_click(lambda _b: self._press(on_use))
        self.widget = w.VBox([self.note, w.HBox([self.keep_mine, self.use_other])], layout=w.Layout(display="none"))

    def message(self, c: Conflict) -> str:
        at = c.latest.saved_at.astimezone().strftime("%H:%M:%S") if c.latest is not None else "?"
        return tx("conflict", self.lang).format(at=at)

    def show(self, c: Conflict) -> None:
        self.conflict = c
        text = as_text(c.latest.value if c.latest is not None else None)
        self.note.value = (f"<div class='opsvalue-example'><b>{tx('other_text', self.lang)}</b>"
                           f"<div>{html.escape(text).replace(chr(10), '<br>')}</div></div>")
        self.widget.layout.display = None

    def hide(self) -> None:
        self.conflict = None
        self.widget.layout.display = "none"

    @property
    def active(self) -> bool:
        return self.conflict is not None

    def _press(self, action: Callable[[Conflict], None]) -> None:
        c = self.conflict
        if c is not None:
            action(c)
