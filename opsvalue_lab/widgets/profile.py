"""The trainee's profile: name, trainee id, cohort and language, saved into the Workbook."""
from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..i18n import lookup
from .common import Status, guarded

TEXTS = {
    "name": {"ja": "表示名", "en": "Name"},
    "trainee_id": {"ja": "受講者ID", "en": "Trainee ID"},
    "cohort": {"ja": "受講クラス", "en": "Cohort"},
    "lang": {"ja": "言語", "en": "Language"},
    "save": {"ja": "プロフィールを保存", "en": "Save profile"},
    "id_hint": {"ja": "受講者IDは提出ファイルの名前になります（英数字と - _ がおすすめ）。",
                "en": "The trainee ID becomes the name of your submission file (letters, digits, - and _ work best)."},
    "lang_note": {"ja": "言語の選択はプロフィールに保存されます。もう一方の言語のノートブックは、ワークスペース内の "
                        "その言語名のフォルダー（<code>en</code> または <code>ja</code>）にあります。英語版で始めるには "
                        "<code>opsvalue-lab start --lang en</code> を使ってください（回答は共通です）。",
                  "en": "The language choice is saved in your profile. The notebooks in the other language are "
                        "in the workspace folder named after it (<code>ja</code> or <code>en</code>); to start in "
                        "English use <code>opsvalue-lab start --lang en</code> (your answers are shared)."},
}


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
        self.status = Status(lang)
        self.button = w.Button(description=tx("save", lang), icon="save", button_style="primary",
                                layout=w.Layout(width="auto"))
        self.button.on_click(self.save)
        if any(prof.get(k) for k in ("name", "trainee_id", "cohort")):
            self.status.saved()
        note = w.Layout(margin="0 0 6px calc(8em + 8px)", max_width="46em")  # under the inputs, not the labels
        self.widget = w.VBox([
            self.name, self.trainee_id, w.HTML(f"<small>{tx('id_hint', lang)}</small>", layout=note), self.cohort,
            w.HBox([w.HTML(f"<div style='text-align:right'>{tx('lang', lang)}</div>",
                           layout=w.Layout(width="8em", margin="0 8px 0 0")), self.lang_choice],
                   layout=w.Layout(align_items="center")),
            w.HTML(f"<small>{tx('lang_note', lang)}</small>", layout=note),
            w.HBox([self.button, self.status.widget]),
        ])
        self.widget.add_class("opsvalue-profile")

    def save(self, _b: Any = None) -> None:
        with guarded(self.status, self.lang):
            self.wb.set_profile(name=self.name.value.strip(), trainee_id=self.trainee_id.value.strip(),
                                cohort=self.cohort.value.strip(), lang=self.lang_choice.value)
            self.status.saved()
