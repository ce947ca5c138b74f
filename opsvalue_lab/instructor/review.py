"""Instructor views (ipywidgets core only): one question across the class, one trainee, completion,
class charts. Every view has `.widget`; trainee text is html.escape'd; handlers never raise.
"""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..i18n import lookup, ui_table
from ..markup import md
from ..widgets.common import Status, chart_block, chart_widget, guarded
from .course import AnswerRow, Course, anonymous_labels
from .values import kept_lines, ui, value_lines

PAGE = 20
S = ui_table("instructor_review")


def s(key: str, lang: str) -> str:
    return lookup(S, key, lang)


def answer_html(a, value: Any, lang: str) -> str:
    """An answer as safe HTML: escaped lines, or a ✗ mark with text when unanswered."""
    lines = value_lines(a, value, lang)
    if not lines:
        return f"<span style='color:#8a1c1c'>✗ {html.escape(ui('missing', lang))}</span>"
    body = "<br>".join(html.escape(x).replace("\n", "<br>") for x in lines)
    return f"<div style='white-space:normal;overflow-wrap:anywhere;line-height:1.5'>{body}</div>"


def _comment_box(course: Course, trainee_id: str, exercise_id: str, text: str, lang: str,
                 status: Status) -> w.VBox:
    """The comment on one answer: autosaved with its own status and history (comment_box.CommentBox)."""
    from .comment_box import CommentBox
    return CommentBox(course, trainee_id, exercise_id, text, lang).widget


class _Pager:
    """Filter + previous/next over a list of rows; calls render(rows on the page)."""

    def __init__(self, lang: str, render: Callable[[list], None]) -> None:
        self.lang, self.render, self.start = lang, render, 0
        self.rows: list[Any] = []
        self.filter = w.Text(placeholder=s("filter", lang), continuous_update=False)
        self.prev, self.next = w.Button(description=s("prev", lang)), w.Button(description=s("next", lang))
        self.info = w.HTML()
        self.prev.on_click(lambda _: self.move(-PAGE))
        self.next.on_click(lambda _: self.move(PAGE))
        self.filter.observe(lambda _: self.set(self.all_rows, keep=False), names="value")
        self.all_rows: list = []
        self.widget = w.HBox([self.filter, self.prev, self.next, self.info])

    def set(self, rows: list, keep: bool = False) -> None:
        self.all_rows = rows
        q = self.filter.value.strip().lower()
        self.rows = [r for r in rows if q in self._key(r).lower()] if q else rows
        self.start = self.start if keep else 0
        self.move(0)

    @staticmethod
    def _key(r: Any) -> str:
        t = r.trainee if isinstance(r, AnswerRow) else r
        return f"{t.trainee_id} {t.name}"

    def move(self, delta: int) -> None:
        n = len(self.rows)
        self.start = max(0, min(self.start + delta, max(0, n - 1) // PAGE * PAGE))
        page = self.rows[self.start:self.start + PAGE]
        self.prev.disabled, self.next.disabled = self.start == 0, self.start + PAGE >= n
        self.info.value = html.escape(s("page", self.lang).format(a=self.start + 1 if n else 0,
                                                                  b=self.start + len(page), n=n))
        self.render(page)


class QuestionReview:
    """Pick a question → every trainee's answer side by side (pre/post columns for pairs) + comment."""

    def __init__(self, course: Course, lang: str = "ja") -> None:
        self.course, self.lang = course, lang
        cat = course.catalogue
        self.status = Status(lang)
        self.pick = w.Dropdown(options=[(f"{a.id} — {a.title(lang)}", a.id) for a in cat.assignments],
                               description=s("question", lang), layout=w.Layout(width="100%"),
                               style={"description_width": "initial"})
        self.prompt = w.HTML()
        self.rows = w.VBox()
        self.pager = _Pager(lang, self._render)
        self.pick.observe(lambda _: self.show(), names="value")
        self.widget = w.VBox([self.pick, self.prompt, self.pager.widget, self.status.widget, self.rows])
        self.show()

    def show(self) -> None:
        with guarded(self.status, self.lang):
            cat = self.course.catalogue
            self.a = cat.assignment(self.pick.value)
            self.pair = cat.pair_of(self.a)
            self.prompt.value = f"<div style='color:#444'>{md(self.a.prompt(self.lang))}</div>"
            rows = self.course.answers_for(self.a.id)
            if not rows:
                self.status.info(s("no_trainees", self.lang))
            self.pager.set(rows)

    def _render(self, page: list[AnswerRow]) -> None:
        cat, lang = self.course.catalogue, self.lang
        cols = [cat.assignment(x) for x in self.pair] if self.pair else [self.a]
        heads = [ui("pre", lang), ui("post", lang)] if self.pair else [s("answer", lang)]
        head = "".join(f"<th style='text-align:left;padding:4px'>{html.escape(h)}</th>" for h in heads)
        out = [w.HTML(f"<table style='width:100%'><tr><th style='width:18%'>{html.escape(s('trainee', lang))}"
                      f"</th>{head}</tr></table>")]
        for r in page:
            values = [r.pre, r.post] if self.pair else [r.value]
            cells = "".join(f"<td style='vertical-align:top;padding:4px;width:{82 // len(cols)}%'>"
                            f"{answer_html(a, v, lang)}</td>" for a, v in zip(cols, values))
            table = (f"<table style='width:100%;border-top:1px solid #ccd'><tr><td style='vertical-align:top;"
                     f"width:18%;font-weight:600;padding:4px'>{html.escape(r.trainee.label)}</td>{cells}</tr></table>")
            out.append(w.VBox([w.HTML(table), _comment_box(self.course, r.trainee.trainee_id, self.a.id,
                                                           r.comment, lang, self.status)]))
        self.rows.children = out


class TraineeReview:
    """Pick a trainee → all their answers, each with its comment box."""

    def __init__(self, course: Course, lang: str = "ja") -> None:
        self.course, self.lang = course, lang
        self.status = Status(lang)
        self.pick = w.Dropdown(description=s("trainee", lang), style={"description_width": "initial"},
                               layout=w.Layout(width="60%"))
        self.refresh = w.Button(description=s("refresh", lang), icon="refresh")
        self.body = w.VBox()
        self.pick.observe(lambda _: self.show(), names="value")
        self.refresh.on_click(lambda _: self.load())
        self.widget = w.VBox([w.HBox([self.pick, self.refresh]), self.status.widget, self.body])
        self.load()

    def load(self) -> None:
        with guarded(self.status, self.lang):
            trainees = self.course.trainees()
            if not trainees:
                self.status.info(s("no_trainees", self.lang))
            keep = self.pick.value
            self.pick.options = [(t.label, t.trainee_id) for t in trainees]
            ids = [t.trainee_id for t in trainees]
            if ids:
                self.pick.value = keep if keep in ids else ids[0]
            self.show()

    def show(self) -> None:
        with guarded(self.status, self.lang):
            tid = self.pick.value
            if not tid:
                self.body.children = []
                return
            answers = self.course.answers_of(tid)
            comments = {c["exercise_id"]: c["comment"] for c in self.course.comments(tid).get(tid, [])}
            out = []
            for a in self.course.catalogue.assignments:
                title = (f"<h4 style='margin:14px 0 4px'>{html.escape(a.id)} — {html.escape(a.title(self.lang))}"
                         f" <small>({html.escape(ui(a.timing, self.lang))})</small></h4>")
                out.append(w.HTML(title + answer_html(a, answers.get(a.id), self.lang)))
                out.append(_comment_box(self.course, tid, a.id, comments.get(a.id, ""), self.lang, self.status))
            kept = self.course.orphans_of(tid)
            if kept:
                items = "".join(
                    f"<li><b>{html.escape(o['exercise_id'])}</b> <small>({html.escape(o['reason'])})</small><br>"
                    + "<br>".join(html.escape(x) for x in kept_lines(o["value"], self.lang)) + "</li>" for o in kept)
                out.append(w.HTML(f"<h4 style='margin:14px 0 4px'>{html.escape(s('kept', self.lang))}</h4>"
                                  f"<ul class='opsvalue-kept'>{items}</ul>"))
            self.body.children = out


def completion_html(course: Course, lang: str, anonymise: bool = False) -> str:
    rows = course.completion()
    if not rows:
        return f"<p>{html.escape(s('no_trainees', lang))}</p>"
    cat, timings = course.catalogue, ("before", "in_class", "after")
    anon = anonymous_labels(r["trainee"].trainee_id for r in rows)
    head = "".join(f"<th>{html.escape(ui(tm, lang))}</th>" for tm in timings)
    out = [f"<table style='border-collapse:collapse' border='1' cellpadding='4'><tr><th>"
           f"{html.escape(s('trainee', lang))}</th>{head}<th>{html.escape(s('missing', lang))}</th></tr>"]
    for r in rows:
        t = r["trainee"]
        cells = "".join(
            f"<td style='text-align:right;white-space:nowrap'>{'✓' if a == n else '✗'} {a} / {n}</td>"
            for a, n in (r["by_timing"].get(tm, [0, 0]) for tm in timings))
        ids = [x for tm in timings for x in r["missing"].get(tm, [])]
        titles = "\n".join(f"{x}: {cat.assignment(x).title(lang)}" for x in ids)
        miss = (f"<span title='{html.escape(titles, quote=True)}'>✗ {html.escape(s('missing', lang))}: "
                f"{html.escape(', '.join(ids))}</span>") if ids else f"✓ {html.escape(s('done', lang))}"
        who = anon[t.trainee_id] if anonymise else t.label
        out.append(f"<tr><td style='min-width:10em'>{html.escape(who)}</td>{cells}<td>{miss}</td></tr>")
    return "".join(out) + "</table>"


class CompletionTable:
    """Who is missing what, by timing; ✓/✗ marks with text, never colour alone."""

    def __init__(self, course: Course, lang: str = "ja") -> None:
        self.course, self.lang = course, lang
        self.status = Status(lang)
        self.table = w.HTML()
        self.refresh = w.Button(description=s("refresh", lang), icon="refresh")
        self.refresh.on_click(lambda _: self.show())
        self.widget = w.VBox([self.refresh, self.status.widget, self.table])
        self.show()

    def show(self) -> None:
        with guarded(self.status, self.lang):
            self.table.value = completion_html(self.course, self.lang)


class ClassCharts:
    """The class on the value matrix and the delivery chart, before → after; anonymise toggle."""

    def __init__(self, course: Course, lang: str = "ja") -> None:
        self.course, self.lang = course, lang
        self.status = Status(lang)
        self.anon = w.ToggleButton(value=False, description=s("anonymise", lang), icon="user-secret")
        self.refresh = w.Button(description=s("refresh", lang), icon="refresh")
        self.images = w.VBox()
        self.anon.observe(lambda _: self.show(), names="value")
        self.refresh.on_click(lambda _: self.show())
        self.widget = w.VBox([w.HBox([self.anon, self.refresh]), self.status.widget, self.images])
        self.show()

    def show(self) -> None:
        with guarded(self.status, self.lang):
            from ..plots import class_delivery, class_matrix
            trainees = self.course.trainees()
            labels = (anonymous_labels(t.trainee_id for t in trainees) if self.anon.value
                      else {t.trainee_id: t.name or t.trainee_id for t in trainees})
            points = self.course.class_points(labels)
            if not points:
                self.images.children = []
                self.status.info(s("no_tasks", self.lang))
                return
            self.status.info("")
            from ..catalogue import catalogue
            from ..chart_text import class_rows, describe_class, task_headers
            model = catalogue().model  # the model the class charts draw with
            charts = []
            for kind, draw in (("matrix", class_matrix), ("delivery", class_delivery)):
                slot = chart_widget()  # image + text alternative + "show as a table"
                slot.value = chart_block(draw(points, lang=self.lang), describe_class(kind, points, self.lang),
                                         task_headers(kind, self.lang, with_trainee=True),
                                         class_rows(kind, points, self.lang, model), self.lang)
                charts.append(slot)
            self.images.children = charts
