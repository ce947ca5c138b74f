"""Import the instructor's feedback file (*.opsvalue-feedback.json) and show the comments by exercise."""
from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from .common import Status, catalogue_of, guarded

SUFFIX = ".opsvalue-feedback.json"
TEXTS = ui_table("feedback")


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


class FeedbackImportView:
    def __init__(self, wb: Any, lang: str) -> None:
        self.wb, self.lang = wb, lang
        self.status = Status(lang)
        self.upload = w.FileUpload(accept=".json", multiple=False, description=tx("upload", lang),
                                   layout=w.Layout(width="auto", align_self="flex-start"))
        self.upload.observe(self._on_upload, names="value")
        self.folder_box = w.VBox()
        self.comments = w.HTML()
        from ..hub import trainee as hub  # on a JupyterHub class the comments come from the course service
        self.hub_client = hub.on_hub(wb)
        top: list[w.Widget] = [w.HTML(f"<small>{tx('intro', lang)}</small>"), self.upload, self.folder_box]
        if self.hub_client:
            self.fetch_button = w.Button(description=hub.tx("fetch", lang), icon="download",
                                         layout=w.Layout(width="auto"))
            self.fetch_button.on_click(lambda _b: self.fetch())
            top = [self.fetch_button]
            self.fetch(quiet=True)
        self.refresh()
        self.widget = w.VBox([*top, self.status.widget, self.comments])
        self.widget.add_class("opsvalue-feedback-import")

    def fetch(self, quiet: bool = False) -> int | None:
        """On a hub: the instructor's comments from the course service (service down: a message)."""
        from ..hub import trainee as hub
        from ..hub.client import HubUnavailable
        with guarded(self.status, self.lang):
            try:
                n = hub.fetch_feedback(self.wb, self.hub_client) if self.hub_client else 0
            except HubUnavailable:
                self.status.error(hub.tx("fetch_down", self.lang))
                return None
            if n or not quiet:
                self.status.info(f"✔ {n} {hub.tx('fetched', self.lang)}" if n else hub.tx("no_new", self.lang))
            self.refresh()
            return n
        return None

    @property
    def folder(self) -> Path:
        return Path(self.wb.workspace) / "feedback"

    def _import(self, path: Path) -> int:
        from ..feedback import import_feedback
        n = int(import_feedback(self.wb, path) or 0)
        self.status.info(f"✔ {n} {tx('imported', self.lang)} ({path.name})")
        self.refresh()
        return n

    def import_bytes(self, name: str, data: bytes) -> int | None:
        """Write the uploaded bytes to a temporary file inside the workspace, then import it."""
        with guarded(self.status, self.lang):
            if not name.endswith(SUFFIX):
                raise ValueError(f"{tx('wrong_name', self.lang)}: {name}")
            tmpdir = Path(self.wb.workspace) / ".opsvalue"
            tmpdir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(suffix=SUFFIX, dir=tmpdir)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                return self._import(Path(tmp))
            finally:
                Path(tmp).unlink(missing_ok=True)
        return None

    def import_file(self, path: Path) -> int | None:
        with guarded(self.status, self.lang):
            return self._import(Path(path))
        return None

    def _on_upload(self, change: dict) -> None:
        with guarded(self.status, self.lang):
            for item in change["new"] or ():
                self.import_bytes(str(item["name"]), bytes(item["content"]))

    def refresh(self) -> None:
        with guarded(self.status, self.lang):
            files = sorted(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []
            rows: list[w.Widget] = [w.HTML(f"<small>{tx('in_folder' if files else 'none_in_folder', self.lang)}</small>")]
            for f in files:
                b = w.Button(description=tx("import", self.lang), icon="download", layout=w.Layout(width="auto"))
                b.on_click(lambda _b, f=f: self.import_file(f))
                rows.append(w.HBox([w.HTML(f"<code>{html.escape(f.name)}</code>"), b]))
            self.folder_box.children = tuple(rows)
            self.comments.value = self._comments_html()

    def _comments_html(self) -> str:
        fb = self.wb.feedback() or {}
        lang = self.lang
        if not any(fb.values()):
            return f"<p>{tx('no_comments', lang)}</p>"
        cat = catalogue_of(self.wb)
        order = {a.id: i for i, a in enumerate(cat.assignments)}
        parts = [f"<h4>{tx('comments', lang)}</h4>"]
        for ex_id in sorted(fb, key=lambda k: (order.get(k, len(order)), k)):
            try:
                title = cat.assignment(ex_id).title(lang)
            except KeyError:
                title = ex_id
            items = "".join(
                f"<li>{html.escape(str(c.get('comment', ''))).replace(chr(10), '<br>')}"
                f" <small>— {html.escape(str(c.get('author', '')))}</small></li>" for c in fb[ex_id])
            parts.append(f"<div><b>{html.escape(ex_id)}: {html.escape(title)}</b><ul>{items}</ul></div>")
        return "".join(parts)
