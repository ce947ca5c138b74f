"""Shared bits of every view: friendly errors, the status line, figures as images, UI strings."""
from __future__ import annotations

import contextlib
import html
import io
import logging
from datetime import datetime
from typing import Iterator

import ipywidgets as w

from ..errors import OpsValueError
from ..i18n import lookup

log = logging.getLogger("opsvalue_lab")

UI: dict[str, dict[str, str]] = {
    "saved": {"ja": "保存しました", "en": "Saved"},
    "saving": {"ja": "保存中…", "en": "Saving…"},
    "unsaved": {"ja": "未保存", "en": "Not saved yet"},
    "chars": {"ja": "文字", "en": "characters"},
    "retry": {"ja": "もう一度保存", "en": "Save again"},
    "error_prefix": {"ja": "保存できませんでした", "en": "Could not save"},
    "text_kept": {"ja": "入力した文章は消えていません。原因を解消してから「もう一度保存」を押してください。",
                  "en": "Your text is still here. Fix the cause, then press \"Save again\"."},
    "unexpected": {"ja": "予期しない問題が起きました。講師またはサポートに連絡してください。",
                   "en": "Something unexpected went wrong. Please tell your instructor or support."},
}


def t(key: str, lang: str) -> str:
    """A UI string in the given language."""
    return lookup(UI, key, lang)


def friendly_error(exc: BaseException, lang: str) -> str:
    """One sentence for a person; the traceback goes to the log, never to the screen."""
    if isinstance(exc, (OpsValueError, ValueError, OSError)):
        return str(exc)
    log.exception("unexpected error in a widget", exc_info=exc)
    return t("unexpected", lang)


class Status:
    """A one-line HTML status: saved hh:mm:ss, or a friendly error (icon + text, not colour alone)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.widget = w.HTML(value="")

    def saved(self, when: datetime | None = None) -> None:
        stamp = (when or datetime.now()).astimezone().strftime("%H:%M:%S")
        self.widget.value = f"<span class='opsvalue-saved'>✔ {t('saved', self.lang)} {stamp}</span>"

    def info(self, text: str) -> None:
        self.widget.value = f"<span>{html.escape(text)}</span>"

    def error(self, message: str) -> None:
        self.widget.value = (f"<span class='opsvalue-error' style='color:#b00020'>⚠ "
                             f"{html.escape(message)}</span>")

    @property
    def text(self) -> str:
        return self.widget.value


@contextlib.contextmanager
def guarded(status: Status, lang: str) -> Iterator[None]:
    """Run a handler body; any exception becomes a friendly message in *status*."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - nothing may reach the trainee as a traceback
        status.error(friendly_error(exc, lang))


def figure_image(fig, fmt: str = "png") -> w.Image:
    """A matplotlib Figure as a core Image widget (works in Voila, no custom JS)."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=100, bbox_inches="tight")
    return w.Image(value=buf.getvalue(), format=fmt, layout=w.Layout(max_width="100%", height="auto", align_self="flex-start"))
