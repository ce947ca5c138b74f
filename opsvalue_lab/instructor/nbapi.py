"""What the instructor notebook's hidden code cells call.

    import opsvalue_lab.instructor.nbapi as iv; iv.begin("ja", course="course")
    iv.collect_panel(); iv.completion(); iv.question_review(); iv.trainee_review(); iv.class_charts()

The course directory is $OPSVALUE_COURSE if set (`opsvalue-lab review --course DIR` sets it), else
the folder named in `.opsvalue-course` beside the notebook (written by `review`), else the `course`
argument (relative to the cwd).
Each call displays one view and returns None; errors become one friendly line, never a traceback.
"""
from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from ..widgets.common import Status, friendly_cell, guarded

_state: dict[str, Any] = {"course": None, "lang": "ja"}
T = ui_table("instructor_notebook")


def _t(key: str) -> str:
    return lookup(T, key, _state["lang"])


def _show(obj: Any) -> None:
    from IPython.display import display
    display(obj)


_friendly = friendly_cell(lambda: _state["lang"], lambda obj: _show(obj))


def course_dir(course: str | Path | None = None, cwd: Path | None = None) -> Path:
    env = os.environ.get("OPSVALUE_COURSE")
    if env:
        return Path(env).expanduser()
    here = cwd or Path.cwd()
    try:
        from .course import COURSE_POINTER
        pointed = (here / COURSE_POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        pointed = ""
    if pointed:
        return (here / pointed).resolve()
    return Path(course or "course").expanduser()


def _course():
    if _state["course"] is None:
        begin(_state["lang"])
    return _state["course"]


@_friendly
def begin(lang: str = "ja", course: str | Path | None = None) -> None:
    """Open the course store (created if missing) and remember the language."""
    from .course import Course
    _state["lang"] = "en" if lang == "en" else "ja"
    path = course_dir(course)
    old = _state["course"]
    if old is None or old.dir.resolve() != path.resolve():
        if old is not None:
            old.close()
        _state["course"] = Course(path)
        if not _state.get("atexit"):  # a pending (debounced) comment is written when the kernel stops
            import atexit

            from .comment_box import flush_all
            atexit.register(flush_all)
            _state["atexit"] = True
    c = _state["course"]
    n = c.counts()
    from IPython.display import HTML

    from ..widgets.common import page_head  # names, focus, live regions, chart tables (issue 16)
    _show(HTML(page_head()))
    _show(w.HTML(f"<p>{html.escape(_t('course'))}: <code>{html.escape(str(c.dir.resolve()))}</code> — "
                 f"{html.escape(_t('counts').format(**n))}</p>"))


def _view(cls_name: str) -> None:
    from . import review
    _show(getattr(review, cls_name)(_course(), _state["lang"]).widget)


question_review = _friendly(lambda: _view("QuestionReview"))
trainee_review = _friendly(lambda: _view("TraineeReview"))
completion = _friendly(lambda: _view("CompletionTable"))
class_charts = _friendly(lambda: _view("ClassCharts"))


@_friendly
def collect_panel() -> None:
    """A path box with Collect / Report / Feedback buttons; results print below as text."""
    lang, course = _state["lang"], _course()
    status = Status(lang)
    src = w.Text(placeholder=_t("src"), layout=w.Layout(width="60%"))
    out = w.HTML()
    buttons = [w.Button(description=_t(k)) for k in ("collect", "report", "feedback")]

    def run(kind: str) -> None:
        with guarded(status, lang):
            lines: list[str] = []
            if kind == "collect":
                from .collect import Collector, inputs
                c = Collector(course, lines.append)  # in the kernel: one process, no workers forked
                for item in inputs([p.strip() for p in src.value.split(";") if p.strip()]):
                    c.one(item)
                n = c.tally.counts
                lines.append(_t("summary").format(**{k: n.get(k, 0) for k in
                                                      ("imported", "updated", "duplicate", "rejected")}))
                if c.tally.kept:
                    lines.append(_t("kept").format(n=c.tally.kept))
            elif kind == "report":
                from .report import write_report
                html_path, csv_path = write_report(course.dir, course.dir / f"report-{lang}.html",
                                                   csv=course.dir / f"report-{lang}.csv", lang=lang)
                lines += [str(html_path), str(csv_path)]
            else:
                from .feedback_out import export_feedback
                lines += [str(p) for p in export_feedback(course.dir, course.dir / "feedback")]
            out.value = "<pre style='white-space:pre-wrap'>" + html.escape("\n".join(lines)) + "</pre>"
            status.saved()

    for b, kind in zip(buttons, ("collect", "report", "feedback")):
        b.on_click(lambda _, k=kind: run(k))
    _show(w.VBox([w.HBox([src, buttons[0]]), w.HBox(buttons[1:]), status.widget, out]))
