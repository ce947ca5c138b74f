"""Progress summary and the Submit button: writes <workspace>/submissions/<id>-<YYYYMMDD>[-N].opsvalue.json."""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..i18n import lookup
from .answer import cat_of
from .common import Status, guarded

TEXTS = {
    "progress": {"ja": "進捗", "en": "Progress"},
    "answered": {"ja": "回答済み", "en": "answered"},
    "submit": {"ja": "提出ファイルを作成", "en": "Create the submission file"},
    "refresh": {"ja": "進捗を更新", "en": "Refresh progress"},
    "no_id": {"ja": "先にプロフィールで受講者IDを入力して保存してください。",
              "en": "Please enter and save your trainee ID in the profile first."},
    "written": {"ja": "提出ファイルを作成しました:", "en": "Submission file written:"},
    "hand_in": {"ja": "このファイルを講師に渡してください（メール添付や共有フォルダーなど、講師の指示に従ってください）。"
                      "提出後に回答を直した場合は、もう一度作成すると新しいファイルができます。",
                "en": "Hand this file to your instructor (by e-mail or a shared folder, as they tell you). "
                      "If you change answers afterwards, create it again: a new file is written."},
    "before": {"ja": "事前課題", "en": "Pre-assignments"},
    "in_class": {"ja": "ワーク", "en": "In-class exercises"},
    "after": {"ja": "事後課題", "en": "Post-assignments"},
    "section": {"ja": "章", "en": "Section"},
}


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


def submission_path(folder: Path, trainee_id: str, day: datetime | None = None) -> Path:
    """<id>-<YYYYMMDD>.opsvalue.json (CONTRACTS.md), or …-2, …-3 when that name is taken already."""
    from ..submission import SUFFIX, default_name
    first = folder / default_name(trainee_id, day)
    stem = first.name[: -len(SUFFIX)]
    cand, n = first, 2
    while cand.exists():
        cand = folder / f"{stem}-{n}{SUFFIX}"
        n += 1
    return cand


class SubmitView:
    def __init__(self, wb: Any, lang: str) -> None:
        self.wb, self.lang = wb, lang
        self.status = Status(lang)
        self.summary = w.HTML()
        self.result = w.HTML()
        self.path: Path | None = None
        self.button = w.Button(description=tx("submit", lang), icon="paper-plane", button_style="primary",
                               layout=w.Layout(width="auto"))
        self.button.on_click(self.submit)
        self.refresh_button = w.Button(description=tx("refresh", lang), icon="refresh",
                                       layout=w.Layout(width="auto"))
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.refresh()
        self.widget = w.VBox([self.summary, w.HBox([self.button, self.refresh_button]),
                              self.status.widget, self.result])
        self.widget.add_class("opsvalue-submit")

    def refresh(self) -> None:
        with guarded(self.status, self.lang):
            p = self.wb.progress()
            lang = self.lang
            rows = "".join(f"<tr><td>{tx(k, lang)}</td><td>{a} / {n}</td></tr>"
                           for k, (a, n) in p.get("by_timing", {}).items() if k in TEXTS)
            cat = cat_of(self.wb)
            for sid, (a, n) in sorted(p.get("by_section", {}).items(), key=lambda kv: int(kv[0])):
                try:
                    title = cat.section(int(sid)).title(lang)
                except (KeyError, ValueError):
                    title = str(sid)
                rows += f"<tr><td>{tx('section', lang)} {sid}: {html.escape(title)}</td><td>{a} / {n}</td></tr>"
            self.summary.value = (f"<b>{tx('progress', lang)}: {p.get('answered', 0)} / {p.get('total', 0)} "
                                  f"{tx('answered', lang)}</b><table class='opsvalue-progress'>{rows}</table>")

    def submit(self, _b: Any = None) -> Path | None:
        self.refresh()
        with guarded(self.status, self.lang):
            tid = str((getattr(self.wb, "profile", {}) or {}).get("trainee_id", "") or "")
            if not tid.strip():
                self.status.error(tx("no_id", self.lang))
                return None
            folder = Path(self.wb.workspace) / "submissions"
            folder.mkdir(parents=True, exist_ok=True)
            path = Path(self.wb.export(submission_path(folder, tid))).resolve()
            self.path = path
            self.status.saved()
            self.result.value = (f"<div class='opsvalue-submitted'>✔ {tx('written', self.lang)}<br>"
                                 f"<code>{html.escape(str(path))}</code><br>{tx('hand_in', self.lang)}</div>")
            return path
        return None
