"""Self-assessment of the trainee's own ops tasks (issue 5): one row per task, saved as structured data.

Each row: name, kind, 課題解決 level, プロアクティブ度 (with the word reactive / boundary / proactive),
納期 + unit, 反復再現性 level, optional availability; beside it the numbers of the catalogue's model (exercises/model.toml).
Every edit is validated and saved (a list of Task.to_dict()); a live value matrix sits under the table.
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..catalogue import catalogue as _catalogue
from ..chart_text import describe, task_headers, task_rows
from ..i18n import lookup, pick, ui_table
from ..model import (
    AVAILABILITY_KINDS,
    LEVEL_LABELS,
    PROACTIVITY_LABELS,
    REPEATABILITY_LABELS,
    Repeatability,
    SolutionLevel,
    Task,
    classify_proactivity,
    tasks_from_data,
)
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
    named,
)
from .conflict import ConflictBar

KIND_LABELS = {"fulfilment": ("フルフィルメント（依頼）", "Fulfilment (requests)"),
               "incident": ("障害対応", "Incident response"),
               "transition": ("運用移管", "Operations transition"), "other": ("その他", "Other")}
UNIT_LABELS = {"minutes": ("分", "minutes"), "hours": ("時間", "hours"), "days": ("日", "days")}
AVAIL_LABELS = {"system": ("システムの可用性 %", "System availability %"),
                "desk": ("運用窓口の可用性 %", "Ops desk availability %"),
                "execution": ("運用遂行の可用性 %", "Ops execution availability %")}
UI = ui_table("self_assessment")


def _ui(key: str, lang: str) -> str:
    return lookup(UI, key, lang)


def fmt(x: float) -> str:
    """How the numbers are shown beside a row (the tests read them back)."""
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3g}"


def _opts(labels: dict, lang: str) -> list[tuple[str, str]]:
    return [(pick(v, lang), k) for k, v in labels.items()]


class TaskRow:
    """One task: its input widgets, the proactivity word and the computed numbers."""

    def __init__(self, view: SelfAssessmentView, data: dict | None = None) -> None:
        lang, li = view.lang, (1 if view.lang == "en" else 0)
        d = dict(data or {})
        st = {"description_width": "initial"}
        self.view = view
        self.index = w.HTML()
        self.name = w.Text(value=str(d.get("name", "")), description=_ui("name", lang), style=st,
                           continuous_update=False, layout=w.Layout(width="340px"))
        self.kind = w.Dropdown(options=_opts(KIND_LABELS, lang), value=d.get("kind", "fulfilment"),
                               description=_ui("kind", lang), style=st)
        self.level = w.Dropdown(options=[(LEVEL_LABELS[lv][lang], lv.value) for lv in SolutionLevel],
                                value=d.get("level", SolutionLevel.FORMAL.value),
                                description=_ui("level", lang), style=st)
        self.proactivity = w.FloatSlider(value=float(d.get("proactivity", 0.5)), min=0.0, max=2.0, step=0.1,
                                         readout_format=".1f", continuous_update=False,
                                         description=_ui("proactivity", lang), style=st,
                                         layout=w.Layout(width="auto", flex="1 1 auto"))
        # the slider is paired with a number box (typing works; no value exists only as a drag)
        self.proactivity_box = named(w.BoundedFloatText(value=self.proactivity.value, min=0.0, max=2.0, step=0.1,
                                                        layout=w.Layout(width="6em")), _ui("proactivity", lang))
        w.link((self.proactivity, "value"), (self.proactivity_box, "value"))
        self.word = w.HTML(layout=w.Layout(flex="0 0 auto", margin="0 0 0 8px"))
        self.lead = w.FloatText(value=float(d.get("lead_time", 1.0)), description=_ui("lead", lang), style=st,
                                continuous_update=False, layout=w.Layout(width="180px"))
        self.unit = w.Dropdown(options=_opts(UNIT_LABELS, lang), value=d.get("lead_time_unit", "hours"),
                               layout=w.Layout(width="110px"))
        self.rep = w.Dropdown(options=[(REPEATABILITY_LABELS[r][lang], r.value) for r in Repeatability],
                              value=d.get("repeatability", Repeatability.VERBALISED.value),
                              description=_ui("rep", lang), style=st)
        avail = d.get("availability") or {}
        self.has_avail = w.Checkbox(value=bool(avail), description=_ui("avail", lang), indent=False)
        self.avail = {k: w.BoundedFloatText(value=float(avail.get(k, 100.0)), min=0.0, max=100.0, step=0.1,
                                            description=AVAIL_LABELS[k][li], style=st,
                                            layout=w.Layout(width="260px")) for k in AVAILABILITY_KINDS}
        self.avail_box = w.HBox(list(self.avail.values()))
        self.remove = w.Button(description=_ui("remove", lang), icon="trash", layout=w.Layout(width="auto"))
        self.numbers = w.HTML()
        self.remove.on_click(lambda _b: view.remove_row(self))
        for x in (self.name, self.kind, self.level, self.proactivity, self.lead, self.unit, self.rep,
                  self.has_avail, *self.avail.values()):
            x.observe(lambda _c: view.changed(self), names="value")
        self.widget = w.VBox([
            w.HBox([self.index, self.name, self.kind, self.remove]),
            w.HBox([self.level, self.rep]),
            w.HBox([self.proactivity, self.proactivity_box, self.word], layout=w.Layout(width="100%", align_items="center")),
            w.HBox([self.lead, self.unit]),
            w.VBox([self.has_avail, self.avail_box]),
            self.numbers], layout=w.Layout(border="1px solid #cbd2d9", padding="4px 8px", margin="4px 0"))
        self.refresh()

    def data(self) -> dict[str, Any]:
        d = {"name": self.name.value.strip(), "kind": self.kind.value, "level": self.level.value,
             "proactivity": round(float(self.proactivity.value), 4), "lead_time": float(self.lead.value),
             "lead_time_unit": self.unit.value, "repeatability": self.rep.value}
        if self.has_avail.value:
            d["availability"] = {k: float(x.value) for k, x in self.avail.items()}
        return d

    def task(self) -> Task:
        return Task.from_dict(self.data())

    def refresh(self) -> None:
        """Update the proactivity word, the availability fields and the numbers (never raises)."""
        lang = self.view.lang
        self.avail_box.layout.display = None if self.has_avail.value else "none"
        try:
            cls = classify_proactivity(float(self.proactivity.value))
            self.word.value = f"<b>{html.escape(PROACTIVITY_LABELS[cls][lang])}</b>"
        except ValueError:
            self.word.value = ""
        try:
            task = self.task()
        except ValueError:
            self.numbers.value = (f"<span>{_ui('service', lang)}: — · {_ui('delivery', lang)}: —</span>")
            return
        model = _catalogue().model
        ev = model.evaluate(task)
        coef = model.coefficient(task.repeatability)
        self.numbers.value = (
            f"<span>{_ui('service', lang)} <b data-key='service_value'>{fmt(ev['service_value'])}</b> "
            f"({_ui('higher', lang)}; {fmt(ev['solution_value'])} × {task.proactivity:.1f}) · "
            f"{_ui('delivery', lang)} <b data-key='delivery_value'>{fmt(ev['delivery_value'])}</b> "
            f"({_ui('lower', lang)}; {fmt(ev['lead_time_hours'])} {_ui('hours', lang)} × "
            f"{_ui('coef', lang)} {coef:g})</span>")


class SelfAssessmentView:
    """Rows of the trainee's own tasks for *exercise_id* (a self_assessment assignment)."""

    def __init__(self, wb: Any, exercise_id: str, lang: str = "ja") -> None:
        self.wb, self.exercise_id, self.lang = wb, exercise_id, ("en" if lang == "en" else "ja")
        self.status = Status(self.lang)
        self.rows: list[TaskRow] = []
        self._loading = False
        self.rows_box = w.VBox()
        self.empty_note = w.HTML()
        self.add_btn = w.Button(description=_ui("add", self.lang), icon="plus", layout=w.Layout(width="auto"))
        self.save_btn = w.Button(description=_ui("save", self.lang), icon="save", layout=w.Layout(width="auto"))
        self.copy_btn = w.Button(description=_ui("copy", self.lang), icon="copy", layout=w.Layout(width="auto"))
        self.copy_box = w.HBox([self.copy_btn, w.HTML(_ui("copy_hint", self.lang))])
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
        self.empty_note.value = "" if self.rows else f"<i>{_ui('empty', self.lang)}</i>"
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
                self.status.info(_ui("nothing_to_copy", self.lang))
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
                raise _NeedName(_ui("need_name", self.lang).format(n=i))
            try:
                out.append(Task.from_dict(d))
            except ValueError as e:
                raise ValueError(_ui("row_error", self.lang).format(n=i, msg=e)) from None
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
