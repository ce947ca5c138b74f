"""Self-assessment of the trainee's own ops tasks (issue 5): one row per task, saved as structured data.

Each row (name, kind, 課題解決 level, プロアクティブ度, 納期 + unit, 反復再現性 level, optional availability,
and the numbers of the catalogue's model) is a :class:`~opsvalue_lab.widgets.task_row.TaskRow`.
Every edit is validated and saved (a list of Task.to_dict()); a live value matrix sits under the table.
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..catalogue import catalogue as _catalogue
from ..chart_text import describe, task_headers, task_rows
from ..model import Task, tasks_from_data
from ..plots import value_matrix
from ..store import Conflict
from .common import (
    AFTER_ID,
    BEFORE_ID,
    Status,
    after_save,
    catalogue_of,
    chart_block,
    chart_widget,
    guarded,
    live_notice,
)
from .conflict import ConflictBar
from .task_row import AVAIL_LABELS as AVAIL_LABELS  # re-exported: the row editor used to live here
from .task_row import KIND_LABELS as KIND_LABELS
from .task_row import UI as UI
from .task_row import UNIT_LABELS as UNIT_LABELS
from .task_row import TaskRow, ui_text
from .task_row import fmt as fmt


class SelfAssessmentView:
    """Rows of the trainee's own tasks for *exercise_id* (a self_assessment assignment)."""

    def __init__(self, wb: Any, exercise_id: str, lang: str = "ja") -> None:
        self.wb, self.exercise_id, self.lang = wb, exercise_id, ("en" if lang == "en" else "ja")
        self.status = Status(self.lang)
        self.rows: list[TaskRow] = []
        self._loading = False
        self.rows_box = w.VBox()
        self.empty_note = w.HTML()
        self.add_btn = w.Button(description=ui_text("add", self.lang), icon="plus", layout=w.Layout(width="auto"))
        self.save_btn = w.Button(description=ui_text("save", self.lang), icon="save", layout=w.Layout(width="auto"))
        self.copy_btn = w.Button(description=ui_text("copy", self.lang), icon="copy", layout=w.Layout(width="auto"))
        self.copy_box = w.HBox([self.copy_btn, w.HTML(ui_text("copy_hint", self.lang))])
        self.add_btn.on_click(lambda _b: self.add_row())
        self.save_btn.on_click(lambda _b: self.save())
        self.copy_btn.on_click(lambda _b: self.copy_before())
        self.conflict = ConflictBar(self.lang, self._keep, self._use)
        self._base = None  # the saved_at of the version this view started from (or last saved)
        self.image = chart_widget()  # image + text alternative + "show as a table"
        try:
            title = _catalogue().assignment(exercise_id).title(self.lang)
        except KeyError:
            title = exercise_id
        self.widget = w.VBox([w.HTML(f"<h3>{html.escape(title)}</h3>"), live_notice(self.lang), self.copy_box,
                              self.empty_note,
                              self.rows_box, w.HBox([self.add_btn, self.save_btn]), self.status.widget,
                              self.conflict.widget, self.image])
        with guarded(self.status, self.lang):
            shown = wb.latest_version(exercise_id)
            saved = shown.value if shown is not None else None
            self._base = shown.saved_at if shown is not None else None
            self.load(tasks_from_data(saved) if saved else [])
            if saved:
                self.status.saved(self._base)
        self.render()

    # ---------------------------------------------------------------- rows
    def load(self, tasks: list[Task]) -> None:
        self._loading = True
        try:
            self.rows = [TaskRow(self, t.to_dict()) for t in tasks]
        finally:
            self._loading = False
        self._layout()

    def _layout(self) -> None:
        for i, r in enumerate(self.rows):
            r.index.value = f"<b style='font-size:1.1em'>#{i + 1}</b>"
        self.rows_box.children = [r.widget for r in self.rows]
        self.empty_note.value = "" if self.rows else f"<i>{ui_text('empty', self.lang)}</i>"
        self.copy_box.layout.display = None if (self.exercise_id == AFTER_ID and not self.rows) else "none"

    def add_row(self, data: dict | None = None) -> TaskRow:
        self._loading = True
        try:
            row = TaskRow(self, data)
        finally:
            self._loading = False
        self.rows.append(row)
        self._layout()
        self.save()
        return row

    def remove_row(self, row: TaskRow) -> None:
        with guarded(self.status, self.lang):
            self.rows = [r for r in self.rows if r is not row]
            self._layout()
            self.save()

    def changed(self, row: TaskRow) -> None:
        if self._loading:
            return
        with guarded(self.status, self.lang):
            row.refresh()
            self.save()

    def copy_before(self) -> None:
        with guarded(self.status, self.lang):
            before = self.wb.latest(BEFORE_ID)
            if not before:
                self.status.info(ui_text("nothing_to_copy", self.lang))
                return
            self.load(tasks_from_data(before))
            self.save()

    # ---------------------------------------------------------------- save and draw
    def tasks(self) -> list[Task]:
        """The rows as tasks; ValueError names the row (1-based) when one is not valid."""
        out = []
        for i, r in enumerate(self.rows, start=1):
            d = r.data()
            if not d["name"]:
                raise _NeedName(ui_text("need_name", self.lang).format(n=i))
            try:
                out.append(Task.from_dict(d))
            except ValueError as e:
                raise ValueError(ui_text("row_error", self.lang).format(n=i, msg=e)) from None
        return out

    def save(self) -> bool:
        """Validate every row and save them; False (rows kept, message shown) when that fails."""
        try:
            tasks = self.tasks()
        except _NeedName as e:
            self.status.info(str(e))
            return False
        ok = False
        with guarded(self.status, self.lang):
            try:
                value = [t.to_dict() for t in tasks]
                v = self.wb.save(self.exercise_id, value, expect=self._base)
            except Conflict as c:  # saved elsewhere since shown: overwrite nothing, let the trainee choose
                self.status.error(self.conflict.message(c))
                self.conflict.show(c)
                return False
            cur = v if v is not None else self.wb.latest_version(self.exercise_id)
            self._base = cur.saved_at if cur is not None else None
            after_save(self.wb, self.exercise_id, value)  # the committed save has returned: mirror it live
            self.status.saved()
            self.conflict.hide()
            ok = True
        if ok:
            self.render(tasks)
        return ok

    def _keep(self, c: Conflict) -> None:
        self._base = c.latest.saved_at if c.latest is not None else None
        self.save()

    def _use(self, c: Conflict) -> None:
        with guarded(self.status, self.lang):
            self._base = c.latest.saved_at if c.latest is not None else None
            self.load(tasks_from_data(c.latest.value) if c.latest is not None and c.latest.value else [])
            self.conflict.hide()
            self.status.saved(self._base)
            self.render()

    def render(self, tasks: list[Task] | None = None) -> None:
        """Redraw the live value matrix (after-tasks are drawn with arrows from the Before ones)."""
        with guarded(self.status, self.lang):
            if tasks is None:
                tasks = self.tasks() if all(r.name.value.strip() for r in self.rows) else []
            before = tasks_from_data(self.wb.latest(BEFORE_ID) or []) if self.exercise_id == AFTER_ID else []
            if not tasks and not before:  # nothing of the trainee's to show: the reference matrix is above
                self.image.value = ""
                self.image.layout.display = "none"
                return
            self.image.layout.display = None
            model = catalogue_of(self.wb).model
            b, a = (before, tasks) if self.exercise_id == AFTER_ID else (tasks, [])
            fig = value_matrix(b, after=a or None, lang=self.lang, model=model)
            self.image.value = chart_block(fig, describe("matrix", b, a, self.lang),
                                           task_headers("matrix", self.lang),
                                           task_rows("matrix", b, a, self.lang, model), self.lang)



class _NeedName(ValueError):
    """A row without a name yet: a hint, not an error."""
