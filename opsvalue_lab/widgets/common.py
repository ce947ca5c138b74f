"""Shared bits of every view: friendly errors, the status line, figures as images, UI strings."""
from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as w

from ..catalogue import Catalogue, catalogue
from ..chart_text import word
from ..errors import OpsValueError
from ..i18n import lookup, ui_table
from ..model import Task, tasks_from_data

log = logging.getLogger("opsvalue_lab")
W = TypeVar("W", bound=w.DOMWidget)

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
        self.widget = live(w.HTML(value=""))

    def saved(self, when: datetime | None = None) -> None:
        stamp = (when or datetime.now()).astimezone().strftime("%H:%M:%S")
        self.widget.value = f"<span class='opsvalue-saved'>✔ {t('saved', self.lang)} {stamp}</span>"

    def info(self, text: str) -> None:
        self.widget.value = f"<span>{html.escape(text)}</span>"

    def error(self, message: str) -> None:
        self.widget.value = (f"<span class='opsvalue-error'>⚠ "
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
                    (show or display)(HTML(f"<div class='opsvalue-error' role='alert'>⚠ "
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


BEFORE_ID, AFTER_ID = catalogue().self_assessment_ids  # the self-assessment pair, from the catalogue


def saved_tasks(wb: Any, exercise_id: str) -> list[Task]:
    """The trainee's saved tasks for one self-assessment ([] when none)."""
    return tasks_from_data(wb.latest(exercise_id) or [])


# -- accessibility (issue 16): names, live regions, disclosures, charts with text ----------------
_ASSETS = Path(__file__).resolve().parent.parent / "assets"


def page_head() -> str:
    """The style and script every notebook page gets once (see assets/a11y.css and a11y.js)."""
    css = (_ASSETS / "a11y.css").read_text(encoding="utf-8")
    js = (_ASSETS / "a11y.js").read_text(encoding="utf-8")
    return f"<style>{css}</style><script>{js}</script>"


def named(widget: W, name: str) -> W:
    """Give a control its accessible name: the ipywidgets description (a <label for=...> for text
    boxes; assets/a11y.js points radio groups and slider handles at it), visually hidden because the
    question is already printed above the control."""
    widget.description = name
    widget.add_class("opsvalue-named")
    return widget


def live(widget: W) -> W:
    """Mark a widget (a status line, a quiz result) as a polite aria-live region."""
    widget.add_class("opsvalue-announce")
    return widget


def disclosure(summary: str, body_html: str, *, open_: bool = False) -> str:
    """A native <details>: Tab reaches its summary, Enter or Space opens it (no mouse needed)."""
    return (f"<details class='opsvalue-details'{' open' if open_ else ''}><summary>{html.escape(summary)}"
            f"</summary>{body_html}</details>")


def table_html(headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "") -> str:
    """An escaped HTML table with column headers; numbers are right-aligned."""
    e = html.escape
    head = "".join(f"<th scope='col'>{e(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(
        f"<td class='num'>{e(str(c))}</td>" if isinstance(c, (int, float)) else f"<td>{e(str(c))}</td>"
        for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f"<div class='opsvalue-table-wrap'><table class='opsvalue-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def chart_html(png: bytes, alt: str, table: str, lang: str) -> str:
    """A chart as <figure>: the image with its text alternative, a caption, and the same numbers
    as a table behind "show as a table"."""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    # the caption repeats the alt text for sighted readers; hidden from screen readers (read once)
    return (f"<figure class='opsvalue-chart'><img src='{uri}' alt='{html.escape(alt, quote=True)}'>"
            f"<figcaption aria-hidden='true'>{html.escape(alt)}</figcaption>"
            f"{disclosure(word('as_table', lang), table)}</figure>")


def chart_block(fig, alt: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], lang: str) -> str:
    """HTML for a chart widget (w.HTML): image + text alternative + the same numbers as a table."""
    return chart_html(figure_png(fig), alt, table_html(headers, rows, caption=alt), lang)


def chart_widget() -> w.HTML:
    """An empty chart slot (set its value with :func:`chart_block`)."""
    return w.HTML(layout=w.Layout(max_width="100%", align_self="flex-start"))
