"""One row of the self-assessment table (issue 5): the editor of one of the trainee's own tasks.

Name, kind, 課題解決 level, プロアクティブ度 (slider and number box, with the word reactive / boundary /
proactive), 納期 + unit, 反復再現性 level, optional availability; beside them the numbers of the
catalogue's model (exercises/model.toml). The table, saving and the live chart:
:mod:`opsvalue_lab.widgets.selfassess`, which owns the rows (:class:`RowOwner`).
"""
from __future__ import annotations

import html
from typing import Any, Protocol

import ipywidgets as w

from ..catalogue import catalogue as _catalogue
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
)
from .common import named

KIND_LABELS = {"fulfilment": ("フルフィルメント（依頼）", "Fulfilment (requests)"),
               "incident": ("障害対応", "Incident response"),
               "transition": ("運用移管", "Operations transition"), "other": ("その他", "Other")}
UNIT_LABELS = {"minutes": ("分", "minutes"), "hours": ("時間", "hours"), "days": ("日", "days")}
AVAIL_LABELS = {"system": ("システムの可用性 %", "System availability %"),
                "desk": ("運用窓口の可用性 %", "Ops desk availability %"),
                "execution": ("運用遂行の可用性 %", "Ops execution availability %")}
UI = ui_table("self_assessment")


def ui_text(key: str, lang: str) -> str:
    """A self-assessment UI string (exercises/ui.toml, [self_assessment])."""
    return lookup(UI, key, lang)


def fmt(x: float) -> str:
    """How the numbers are shown beside a row (the tests read them back)."""
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3g}"


def _opts(labels: dict, lang: str) -> list[tuple[str, str]]:
    return [(pick(v, lang), k) for k, v in labels.items()]


class RowOwner(Protocol):
    """What a row needs from the table it sits in (the self-assessment view)."""

    lang: str

    def remove_row(self, row: TaskRow) -> None: ...

    def changed(self, row: TaskRow) -> None: ...


class TaskRow:
    """One task: its input widgets, the proactivity word and the computed numbers."""

    def __init__(self, view: RowOwner, data: dict | None = None) -> None:
        lang, li = view.lang, (1 if view.lang == "en" else 0)
        d = dict(data or {})
        st = {"description_width": "initial"}
        self.view = view
        self.index = w.HTML()
        self.name = w.Text(value=str(d.get("name", "")), description=ui_text("name", lang), style=st,
                           continuous_update=False, layout=w.Layout(width="340px"))
        self.kind = w.Dropdown(options=_opts(KIND_LABELS, lang), value=d.get("kind", "fulfilment"),
                               description=ui_text("kind", lang), style=st)
        self.level = w.Dropdown(options=[(LEVEL_LABELS[lv][lang], lv.value) for lv in SolutionLevel],
                                value=d.get("level", SolutionLevel.FORMAL.value),
                                description=ui_text("level", lang), style=st)
        self.proactivity = w.FloatSlider(value=float(d.get("proactivity", 0.5)), min=0.0, max=2.0, step=0.1,
                                         readout_format=".1f", continuous_update=False,
                                         description=ui_text("proactivity", lang), style=st,
                                         layout=w.Layout(width="auto", flex="1 1 auto"))
        # the slider is paired with a number box (typing works; no value exists only as a drag)
        self.proactivity_box = named(w.BoundedFloatText(value=self.proactivity.value, min=0.0, max=2.0, step=0.1,
                                                        layout=w.Layout(width="6em")), ui_text("proactivity", lang))
        w.link((self.proactivity, "value"), (self.proactivity_box, "value"))
        self.word = w.HTML(layout=w.Layout(flex="0 0 auto", margin="0 0 0 8px"))
        self.lead = w.FloatText(value=float(d.get("lead_time", 1.0)), description=ui_text("lead", lang), style=st,
                                continuous_update=False, layout=w.Layout(width="180px"))
        self.unit = w.Dropdown(options=_opts(UNIT_LABELS, lang), value=d.get("lead_time_unit", "hours"),
                               layout=w.Layout(width="110px"))
        self.rep = w.Dropdown(options=[(REPEATABILITY_LABELS[r][lang], r.value) for r in Repeatability],
                              value=d.get("repeatability", Repeatability.VERBALISED.value),
                              description=ui_text("rep", lang), style=st)
        avail = d.get("availability") or {}
        self.has_avail = w.Checkbox(value=bool(avail), description=ui_text("avail", lang), indent=False)
        self.avail = {k: w.BoundedFloatText(value=float(avail.get(k, 100.0)), min=0.0, max=100.0, step=0.1,
                                            description=AVAIL_LABELS[k][li], style=st,
                                            layout=w.Layout(width="260px")) for k in AVAILABILITY_KINDS}
        self.avail_box = w.HBox(list(self.avail.values()))
        self.remove = w.Button(description=ui_text("remove", lang), icon="trash", layout=w.Layout(width="auto"))
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
            self.numbers.value = (f"<span>{ui_text('service', lang)}: — · {ui_text('delivery', lang)}: —</span>")
            return
        model = _catalogue().model
        ev = model.evaluate(task)
        coef = model.coefficient(task.repeatability)
        self.numbers.value = (
            f"<span>{ui_text('service', lang)} <b data-key='service_value'>{fmt(ev['service_value'])}</b> "
            f"({ui_text('higher', lang)}; {fmt(ev['solution_value'])} × {task.proactivity:.1f}) · "
            f"{ui_text('delivery', lang)} <b data-key='delivery_value'>{fmt(ev['delivery_value'])}</b> "
            f"({ui_text('lower', lang)}; {fmt(ev['lead_time_hours'])} {ui_text('hours', lang)} × "
            f"{ui_text('coef', lang)} {coef:g})</span>")
