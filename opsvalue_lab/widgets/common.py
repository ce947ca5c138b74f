"""Shared bits of every view: friendly errors, the status line, figures as images, UI strings."""
from __future__ import annotations

import contextlib
import functools
import html
import io
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import ipywidgets as w

from ..catalogue import Catalogue, catalogue
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
    "live_shared": {"ja": "この講義では、回答が講師の画面にリアルタイムで共有されます。",
                    "en": "In this lecture, your answers are shared live on the instructor's screen."},
}


def catalogue_of(wb: Any) -> Catalogue:
    """The catalogue the workbook was opened with, else the packaged one."""
    c = getattr(wb, "catalogue", None)
    return c if isinstance(c, Catalogue) else catalogue()


def t(key: str, lang: str) -> str:
    """A UI string in the given language."""
    return lookup(UI, key, lang)


LEADS: dict[str, dict[str, str]] = {  # what the error means for the trainee, before its detail
    "StoreError": {"ja": "回答を保存しているファイルを使えません（ファイルはそのまま残しています。講師に伝えてください）",
                   "en": "The file that keeps your answers cannot be used (it was left as it is; tell your instructor)"},
    "SubmissionError": {"ja": "提出ファイルを作成・読み込みできません", "en": "The submission file cannot be written or read"},
    "FeedbackError": {"ja": "フィードバックファイルを読み込めません", "en": "The feedback file cannot be read"},
    "ValueError": {"ja": "入力内容を確認してください", "en": "Please check what you entered"},
    "OSError": {"ja": "ファイルを読み書きできません", "en": "A file could not be read or written"},
}


def friendly_error(exc: BaseException, lang: str) -> str:
    """A lead sentence in the trainee's language, then the detail naming the file and field.
    Unexpected errors go to the log (never to the screen) and show a general sentence."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, (OpsValueError, ValueError, OSError)):
        kind = next((k for k in LEADS for c in type(exc).__mro__ if c.__name__ == k), "OSError")
        return f"{lookup(LEADS, kind, lang)}: {exc}"
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


def friendly_cell(get_lang: Callable[[], str], show: Callable[[Any], None] | None = None
                  ) -> Callable[[Callable[..., Any]], Callable[..., None]]:
    """Decorator for the calls in hidden notebook cells: any exception is shown (through *show*,
    default IPython's display) as one friendly line, never a traceback; the call returns None."""
    def deco(func: Callable[..., Any]) -> Callable[..., None]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            try:
                func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - nobody sees a traceback
                try:
                    from IPython.display import HTML, display
                    (show or display)(HTML(f"<div class='opsvalue-error' style='color:#b00020'>⚠ "
                                           f"{html.escape(friendly_error(exc, get_lang()))}</div>"))
                except Exception:  # noqa: BLE001 - outside a kernel there is nowhere to show it
                    pass
            return None
        return wrapper
    return deco


def live_notice(lang: str) -> w.HTML:
    """One line saying that answers are shared live, when the course does so on this hub; else an
    empty, hidden line (nothing is said about sharing when nothing is shared)."""
    from ..hub.live_client import live_enabled
    if not live_enabled():
        return w.HTML(value="", layout=w.Layout(display="none"))
    line = w.HTML(value=f"<small class='opsvalue-live'>📡 {html.escape(t('live_shared', lang), quote=False)}</small>")
    line.add_class("opsvalue-live-notice")
    return line


def after_save(wb: Any, exercise_id: str, value: Any) -> None:
    """Call right after a committed save: mirrors the answer to the class's live view when the course
    shares answers live. Returns at once and never raises (the local save is the master copy)."""
    from ..hub.live_client import mirror_saved
    mirror_saved(wb, exercise_id, value)


def figure_png(fig: Any) -> bytes:
    """A matplotlib Figure as PNG bytes, for an Image widget's value."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def figure_image(fig: Any) -> w.Image:
    """A matplotlib Figure as a new core Image widget (works in Voila, no custom JS)."""
    return w.Image(value=figure_png(fig), format="png",
                   layout=w.Layout(max_width="100%", height="auto", align_self="flex-start"))
