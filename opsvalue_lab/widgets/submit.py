"""Progress summary and the Submit button: writes <workspace>/submissions/<id>-<YYYYMMDD>[-N].opsvalue.json."""
from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..catalogue import TIMINGS
from ..i18n import lookup, term, ui_table
from .autosave import flush_pending
from .common import Status, catalogue_of, guarded

TEXTS = ui_table("submit")


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
        from ..hub import trainee as hub  # on a JupyterHub class, Submit also sends to the course service
        self.hub_client = hub.on_hub(wb)
        if self.hub_client is not None:
            hub.introduce(self.hub_client)
            if hub.pending(wb):
                self.status.info(hub.tx("pending", lang))
        self.button = w.Button(description=hub.tx("submit", lang) if self.hub_client else tx("submit", lang), icon="paper-plane", button_style="primary",
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
            rows = "".join(f"<tr><td>{term(f'{k}_work', lang)}</td><td>{a} / {n}</td></tr>"
                           for k, (a, n) in p.get("by_timing", {}).items() if k in TIMINGS)
            cat = catalogue_of(self.wb)
            for sid, (a, n) in sorted(p.get("by_section", {}).items(), key=lambda kv: int(kv[0])):
                try:
                    title = cat.section(int(sid)).title(lang)
                except (KeyError, ValueError):
                    title = str(sid)
                rows += f"<tr><td>{tx('section', lang)} {sid}: {html.escape(title)}</td><td>{a} / {n}</td></tr>"
            self.summary.value = (f"<b>{tx('progress', lang)}: {p.get('answered', 0)} / {p.get('total', 0)} "
                                  f"{tx('answered', lang)}</b><table class='opsvalue-progress'>{rows}</table>")

    def submit(self, _b: Any = None) -> Path | None:
        flush_pending()  # text still inside its autosave pause goes into the file too
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
            if self.hub_client is not None:
                self._send(path, self.hub_client)
            return path
        return None

    def _send(self, path: Path, client: Any) -> None:
        """On a hub: deliver the file just written; the service down leaves it pending (never lost)
        and a background retry delivers it as soon as the service answers again."""
        from ..hub import trainee as hub
        from ..hub.client import HubRefused, HubUnavailable
        lang, kept = self.lang, f"{hub.tx('kept', self.lang)}<br><code>{html.escape(str(path))}</code>"
        try:
            receipt = hub.deliver(self.wb, path, client)
        except HubUnavailable:
            self.status.error(hub.tx("down", lang))
            self.result.value = f"<div class='opsvalue-pending'>{kept}</div>"
            hub.retry_later(self.wb, client, lambda r: self._received(r, kept))
            return
        except HubRefused as e:
            self.status.error(f"{hub.tx('refused', lang)}: {e}")
            self.result.value = f"<div class='opsvalue-pending'>{kept}</div>"
            return
        self._received(receipt, kept)

    def _received(self, receipt: dict, kept: str) -> None:
        from ..hub import trainee as hub
        lang = self.lang
        claimed = f"<br>{hub.tx('claimed', lang)}: <b>{html.escape(str(receipt.get('trainee', '')))}</b>" \
            if receipt.get("claimed_trainee_id") else ""
        self.status.saved()
        self.result.value = (f"<div class='opsvalue-submitted opsvalue-received'>✔ {hub.tx('received', lang)} "
                             f"<b>{html.escape(hub.received_time(receipt))}</b>{claimed}<br>{kept}<br>"
                             f"{hub.tx('again', lang)}</div>")
