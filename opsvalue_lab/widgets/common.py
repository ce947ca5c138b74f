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
from ..i18n import lookup, ui_table
from ..model import Task, tasks_from_data

log = logging.getLogger("opsvalue_lab")

UI = ui_table("common")


def catalogue_of(wb: Any) -> Catalogue:
    """The catalogue the workbook was opened with, else the packaged one."""
    c = getattr(wb, "catalogue", None)
    return c if isinstance(c, Catalogue) else catalogue()


def t(key: str, lang: str) -> str:
    """A UI string in the given language."""
    return lookup(UI, key, lang)


LEADS = ui_table("error_leads")  # what the error means for the trainee, before its detail


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


BEFORE_ID, AFTER_ID = catalogue().self_assessment_ids  # the self-assessment pair, from the catalogue


def saved_tasks(wb: Any, exercise_id: str) -> list[Task]:
    """The trainee's saved tasks for one self-assessment ([] when none)."""
    return tasks_from_data(wb.latest(exercise_id) or [])
