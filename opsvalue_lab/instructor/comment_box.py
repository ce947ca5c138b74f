"""The instructor's comment on one answer: autosaved like a trainee's answer (the same Autosave:
"unsaved" from the first keystroke, "saved hh:mm:ss" once committed, a pending comment written when
the kernel stops), with its own status line and the comment's history. Closing the tab loses
nothing: every keystroke reaches the kernel, which saves after the pause."""
from __future__ import annotations

import html
import weakref
from datetime import datetime
from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from ..widgets.autosave import Autosave
from ..widgets.common import Status, friendly_error, named, t
from .course import Course

T = ui_table("instructor_comment")
OPEN: weakref.WeakSet[CommentBox] = weakref.WeakSet()  # live boxes of this kernel: flushed when it stops


def _t(key: str, lang: str) -> str:
    return lookup(T, key, lang)


class CommentBox:
    """`.widget`: the text box, its status, and the history of the comment."""

    def __init__(self, course: Course, trainee_id: str, exercise_id: str, text: str, lang: str) -> None:
        self.course, self.trainee_id, self.exercise_id, self.lang = course, trainee_id, exercise_id, lang
        self.box = w.Textarea(value=text, placeholder=_t("placeholder", lang), continuous_update=True,
                              layout=w.Layout(width="100%", height="60px"))
        named(self.box, _t("name", lang).format(trainee=trainee_id, exercise=exercise_id))
        self.status = Status(lang)
        self.history = w.HTML()
        self.retry = w.Button(description=t("retry", lang), icon="save", layout=w.Layout(display="none", width="auto"))
        self.retry.on_click(lambda _b: self.flush())
        self._versions: list[dict[str, str]] = []
        self.autosave = Autosave(lambda: self.box.value, self._commit, self._show)
        self.count = w.HTML(layout=w.Layout(margin="0 0 0 1.5em"))
        self.box.observe(self._on_change, names="value")
        self._load_history()
        if self._versions:
            self.status.saved(datetime.fromisoformat(self._versions[-1]["written_at"]))
        self.widget = w.VBox([self.box, w.HBox([self.status.widget, self.count, self.retry]), self.history])
        OPEN.add(self)

    def _on_change(self, _change: dict) -> None:
        self.autosave.changed()  # the save is scheduled first; the count is drawn after
        try:
            self.count.value = f"<small>{len(self.box.value)} {t('chars', self.lang)}</small>"
        except Exception:  # noqa: BLE001 - a handler never raises
            pass

    @property
    def pending(self) -> bool:
        return self.autosave.pending

    def flush(self) -> bool:
        return self.autosave.flush()

    def _commit(self, value: str) -> str:
        """In the save worker: returns once the course store has committed (and read the history)."""
        at = self.course.set_comment(self.trainee_id, self.exercise_id, value)
        self._versions = self.course.comment_history(self.trainee_id, self.exercise_id)
        return at

    def _load_history(self) -> None:
        try:
            self._versions = self.course.comment_history(self.trainee_id, self.exercise_id)
        except Exception:  # noqa: BLE001 - the history is extra; the box still works
            self._versions = []
        self._draw_history()

    def _draw_history(self) -> None:
        vs = self._versions
        if len(vs) < 2:  # one version is what the box shows
            self.history.value = ""
            return
        items = "".join(
            f"<li><small>{html.escape(v['written_at'][:19].replace('T', ' '))} {html.escape(v['author'])}"
            f"</small> {html.escape(v['comment']) or _t('deleted', self.lang)}</li>" for v in reversed(vs))
        self.history.value = (f"<details><summary><small>{html.escape(_t('history', self.lang).format(n=len(vs)))}"
                              f"</small></summary><ul>{items}</ul></details>")

    def _show(self, state: str, payload: Any = None) -> None:
        if state == "unsaved":
            self.status.info(_t("changed", self.lang))
        elif state == "saving":
            self.status.info(t("saving", self.lang))
        elif state == "saved":
            self.status.saved(datetime.fromisoformat(payload) if payload else None)
            self.retry.layout.display = "none"
            self._draw_history()
        else:
            self.status.error(f"{t('error_prefix', self.lang)}: {friendly_error(payload, self.lang)} "
                              f"{t('text_kept', self.lang)}")
            self.retry.layout.display = None


def flush_all() -> None:
    """Write every pending comment now (registered with atexit by the instructor notebook)."""
    for b in list(OPEN):
        if b.pending:
            try:
                b.flush()
            except Exception:  # noqa: BLE001
                pass
