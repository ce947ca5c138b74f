"""Instructors comment on the hub: /services/opsvalue/comments (browser, custom:opsvalue:review).

A list of trainees, then one trainee's answers with a comment box each. A comment is saved into
the service's course store (Intake.comment, the same as POST api/comments); the trainee's feedback
widget fetches it from api/feedback. Forms carry the hub's xsrf token (cookie-authenticated POST).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from tornado import web

from ..i18n import lookup, ui_table
from ..instructor.values import value_lines
from .auth import REVIEW, PageHandler
from .intake import Rejected

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEXTS = ui_table("hub_comments")
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True))


class CommentsPage(PageHandler):
    def _render(self, trainee_id: str | None, saved: str = "") -> None:
        lang = self.settings["opsvalue_lang"]
        course = self.store.course
        trainees = course.trainees()
        trainee, questions = None, []
        if trainee_id is not None:
            trainee = next((t for t in trainees if t.trainee_id == trainee_id), None)
            if trainee is None:
                raise web.HTTPError(404, log_message=f"no trainee {trainee_id!r} in this course")
            answers = course.answers_of(trainee_id)
            for a in course.catalogue.assignments:
                lines = value_lines(a, answers.get(a.id), lang)
                if lines:
                    questions.append({"id": a.id, "title": a.title(lang), "lines": lines,
                                      "comment": course.comment(trainee_id, a.id)})
        page = _env.get_template("comments.html.j2").render(
            lang=lang, L={k: lookup(TEXTS, k, lang) for k in TEXTS}, course=self.settings["opsvalue_course"],
            prefix=self.settings["opsvalue_prefix"], trainees=trainees, trainee=trainee, questions=questions,
            saved=saved, xsrf=self.xsrf_token.decode("ascii"))
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        self.set_header("Cache-Control", "no-store")
        self.finish(page)

    def get(self) -> None:
        self.require_scope(REVIEW)
        self._render(self.get_argument("trainee", None))

    def post(self) -> None:
        self.require_scope(REVIEW)
        doc: dict[str, Any] = {k: self.get_body_argument(k, "") for k in ("trainee", "exercise_id", "comment")}
        try:
            self.store.comment(self.hub_user, doc)
        except Rejected as e:
            raise web.HTTPError(400, log_message=str(e)) from None
        self._render(doc["trainee"], saved=str(doc["exercise_id"]))
