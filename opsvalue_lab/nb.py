"""The notebook facade: what the generated (hidden) code cells call.

    import opsvalue_lab.nb as ov; ov.begin("ja")
    ov.exercise("pre-1"); ov.quiz(["q-level-01"]); ov.widget("matrix")

(Lecture figures are drawn when the notebooks are built, as image attachments: no call.)

Each call displays its widget and returns None. Any exception becomes a friendly one-line HTML
message: a trainee never sees a Python traceback. Workspace: $OPSVALUE_WORKSPACE, else the nearest
ancestor of the cwd holding .opsvalue/, else the cwd.
"""
from __future__ import annotations

import atexit
import importlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_state: dict[str, Any] = {"wb": None, "lang": "ja", "views": []}

STYLE = """<style>
.opsvalue-answer, .opsvalue-profile, .opsvalue-submit { margin: 0.4em 0 1.2em 0; }
.opsvalue-answer textarea { font-size: 14px; line-height: 1.6; }
.opsvalue-prompt p { margin: 0.3em 0; }
.opsvalue-example, .opsvalue-feedback { background: var(--jp-layout-color2, #f6f8fa);
  color: var(--jp-content-font-color1, #1f2933); border-left: 4px solid var(--jp-border-color1, #3e4c59);
  padding: 0.4em 0.8em; margin-top: 0.4em; }
.jp-RenderedHTMLCommon, .widget-html-content { line-height: 1.7; }
.jp-CodeCell .jp-InputPlaceholder { display: none; }
.opsvalue-dashboard th, .opsvalue-dashboard td { padding: 2px 1.2em 2px 0; text-align: left; }
</style>"""

WIDGET_TARGETS: dict[str, str] = {
    "profile": "opsvalue_lab.widgets.profile:ProfileView",
    "matrix": "opsvalue_lab.widgets.charts:MatrixView",
    "delivery_chart": "opsvalue_lab.widgets.charts:DeliveryView",
    "dashboard": "opsvalue_lab.widgets.dashboard:DashboardView",
    "submit": "opsvalue_lab.widgets.submit:SubmitView",
    "feedback": "opsvalue_lab.widgets.feedback_view:FeedbackImportView",
    "self_study_path": "opsvalue_lab.widgets.self_study:SelfStudyPathView",
}
EXERCISE_TARGETS: dict[str, str] = {
    "text": "opsvalue_lab.widgets.answer:AnswerView",
    "fields": "opsvalue_lab.widgets.answer:AnswerView",
    "choice": "opsvalue_lab.widgets.choice:ChoiceView",
    "self_assessment": "opsvalue_lab.widgets.selfassess:SelfAssessmentView",
}



def _display(obj: Any) -> None:
    from IPython.display import display
    display(obj)


def _load(target: str) -> Any:
    mod, name = target.split(":")
    return getattr(importlib.import_module(mod), name)


def find_workspace(cwd: Path | None = None) -> Path:
    env = os.environ.get("OPSVALUE_WORKSPACE")
    if env:
        return Path(env).expanduser().resolve()
    here = (cwd or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".opsvalue").is_dir():
            return d
    return here


def _friendly(func: Callable[..., Any]) -> Callable[..., None]:
    """Errors show as one friendly line in the trainee's language; always returns None."""
    from .widgets.common import friendly_cell  # the one rule, shared with the instructor notebook
    return friendly_cell(lambda: _state["lang"], lambda obj: _display(obj))(func)


def _quiet_log(workspace: Path) -> None:
    """Unexpected errors go to <workspace>/.opsvalue/errors.log, never to the cell's stderr."""
    log = logging.getLogger("opsvalue_lab")
    log.propagate = False
    if not any(getattr(h, "_opsvalue", False) for h in log.handlers):
        try:
            (workspace / ".opsvalue").mkdir(parents=True, exist_ok=True)
            h: logging.Handler = logging.FileHandler(workspace / ".opsvalue" / "errors.log", encoding="utf-8")
            h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        except OSError:
            h = logging.NullHandler()
        h._opsvalue = True  # type: ignore[attr-defined]
        log.addHandler(h)


def _open(lang: str) -> Any:
    _state["lang"] = "en" if lang == "en" else "ja"
    ws = find_workspace()
    wb = _state["wb"]
    if wb is None or Path(wb.workspace).resolve() != ws:
        _quiet_log(ws)
        from .store import KERNEL_SAVE_BUDGET, Workbook, busy_timeout_within
        if wb is not None:
            try:
                wb.close()
            except Exception:  # noqa: BLE001
                pass
        # every save (also the last one, while the kernel stops) waits at most KERNEL_SAVE_BUDGET in total
        _state["wb"] = Workbook.open(ws, busy_timeout=busy_timeout_within(KERNEL_SAVE_BUDGET))
        if not _state.get("atexit"):
            atexit.register(flush)  # a pending (debounced) save is written when the kernel stops
            _state["atexit"] = True
    return _state["wb"]


def workbook() -> Any:
    """The open Workbook (opening it in Japanese if begin() was not called)."""
    return _state["wb"] if _state["wb"] is not None else _open(_state["lang"])


@_friendly
def begin(lang: str = "ja") -> None:
    """Open the workspace's Workbook and inject the page style once."""
    _open(lang)  # no pyplot: every chart is a Figure rendered to PNG, so the inline backend is never loaded
    from IPython.display import HTML  # once per notebook: begin() runs in its first code cell

    from .widgets.common import page_head  # names, focus, live regions (issue 16)
    _display(HTML(STYLE + page_head()))


def _show(view: Any) -> None:
    _state["views"].append(view)
    _display(view.widget)


@_friendly
def exercise(exercise_id: str) -> None:
    wb = workbook()
    from .widgets.common import catalogue_of
    kind = catalogue_of(wb).assignment(exercise_id).kind
    _show(_load(EXERCISE_TARGETS[kind])(wb, exercise_id, _state["lang"]))


@_friendly
def quiz(ids: Sequence[str] | str) -> None:
    ids = [ids] if isinstance(ids, str) else list(ids)
    _show(_load("opsvalue_lab.widgets.quiz:QuizView")(workbook(), ids, _state["lang"]))


@_friendly
def widget(name: str) -> None:
    if name not in WIDGET_TARGETS:
        raise KeyError(f"unknown widget {name!r} (one of {', '.join(WIDGET_TARGETS)})")
    _show(_load(WIDGET_TARGETS[name])(workbook(), _state["lang"]))


def flush() -> None:
    """Write every pending (debounced) answer now, e.g. when the kernel stops."""
    for v in _state["views"]:
        f = getattr(v, "flush", None)
        if callable(f) and getattr(v, "pending", False):  # only a change not yet committed
            try:
                f()
            except Exception:  # noqa: BLE001
                pass
