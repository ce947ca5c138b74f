"""The trainee's profile: name, trainee id, cohort and language, saved into the Workbook."""
from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from .common import Status, guarded

TEXTS = ui_table("profile")


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


class ProfileView:
    def __init__(self, wb: Any, lang: str) -> None:
        self.wb, self.lang = wb, lang
        prof = dict(getattr(wb, "profile", {}) or {})
        style = {"description_width": "8em"}
        lay = w.Layout(width="28em")
        self.name = w.Text(value=prof.get("name", "") or "", description=tx("name", lang), style=style, layout=lay)
        self.trainee_id = w.Text(value=prof.get("trainee_id", "") or "", description=tx("trainee_id", lang),
                                 style=style, layout=lay)
        self.cohort = w.Text(value=prof.get("cohort", "") or "", description=tx("cohort", lang),
                             style=style, layout=lay)
        self.lang_choice = w.ToggleButtons(options=[("日本語", "ja"), ("English", "en")],
                                           value=prof.get("lang") if prof.get("lang") in ("ja", "en") else lang)
        from ..hub import trainee as hub  # on a JupyterHub class the id is the hub user, locked
        client = hub.on_hub(wb)
        self.hub_user = client.user if client else ""
        if self.hub_user:
            prof = dict(getattr(wb, "profile", {}) or {})
            self.name.value, self.trainee_id.value = prof.get("name", "") or self.hub_user, self.hub_user
            self.trainee_id.disabled = True
        self.status = Status(lang)
        self.button = w.Button(description=tx("save", lang), icon="save", button_style="primary",
                                layout=w.Layout(width="auto"))
        self.button.on_click(self.save)
        if any(prof.get(k) for k in ("name", "trainee_id", "cohort")):
            self.status.saved()
        note = w.Layout(margin="0 0 6px calc(8em + 8px)", max_width="46em")  # under the inputs, not the labels
        self.widget = w.VBox([
            self.name, self.trainee_id,
            w.HTML(f"<small>{hub.tx('id_locked', lang) if self.hub_user else tx('id_hint', lang)}</small>",
                   layout=note), self.cohort,
            w.HBox([w.HTML(f"<div style='text-align:right'>{tx('lang', lang)}</div>",
                           layout=w.Layout(width="8em", margin="0 8px 0 0")), self.lang_choice],
                   layout=w.Layout(align_items="center")),
            w.HTML(f"<small>{tx('lang_note', lang)}</small>", layout=note),
            w.HBox([self.button, self.status.widget]),
        ])
        self.widget.add_class("opsvalue-profile")

    def save(self, _b: Any = None) -> None:
        with guarded(self.status, self.lang):
            tid = self.hub_user or self.trainee_id.value.strip()
            self.wb.set_profile(name=self.name.value.strip(), trainee_id=tid,
                                cohort=self.cohort.value.strip(), lang=self.lang_choice.value)
            self.status.saved()
