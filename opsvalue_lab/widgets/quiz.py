"""Scenario quizzes with immediate feedback, for self-study (issue 7).

Each card: the scenario, the options as radio buttons, a "check" button. Checking shows
✔ 正解 / ✘ 不正解 (symbol and text, never colour alone) with the explanation of the chosen
option; a wrong answer also gets a hint that one may retry (and a button that reveals the
answer, so nobody is stuck without an instructor). Every check is stored via
``wb.record_quiz``; a new view shows the last stored result of each quiz.

The pure logic (:func:`check_answer`, :func:`set_summary`, :func:`summary_text`,
:func:`feedback_html`, :func:`md_html`) is tested directly, without a front end.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w

from ..catalogue import Catalogue, Quiz
from ..catalogue import catalogue as _default_catalogue
from ..guide import check_answer, set_summary  # noqa: F401 (re-exported)
from ..i18n import lookup, ui_table
from ..markup import md_inline
from .common import Status, catalogue_of, friendly_error, guarded, live, named

_UI = ui_table("quiz")


def _t(key: str, lang: str) -> str:
    return lookup(_UI, key, lang)


md_html = md_inline  # catalogue text: the one markup rule (opsvalue_lab.markup)


def _plain(text: str, limit: int = 140) -> str:
    """Catalogue text as one plain line (a control's accessible name), shortened at *limit*."""
    one = " ".join(re.sub(r"\*\*(.+?)\*\*", r"\1", text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"



def summary_text(correct: int, attempted: int, total: int, lang: str) -> str:
    """'n / m 問正解' (plus how many were tried)."""
    if lang == "en":
        return f"{correct} / {total} correct ({attempted} tried)"
    return f"{correct} / {total} 問正解（{attempted} 問回答済み）"


def feedback_html(quiz: Quiz, option: int, lang: str, *, reveal: bool = False) -> str:
    """The feedback block after checking *option*; *reveal* adds the correct answer when wrong."""
    ok = check_answer(quiz, option)
    chosen = quiz.options[option]
    # colour (theme variables, assets/a11y.css) is a second cue only: the symbol and the word carry the meaning
    parts = [f"<div class='opsvalue-quiz-result {'right' if ok else 'wrong'}' style='font-size:1.1em'>"
             f"<b>{_t('right' if ok else 'wrong', lang)}</b></div>",
             f"<div><b>{_t('your_choice', lang)}:</b> {md_html(chosen.text(lang))}</div>",
             f"<div>{md_html(chosen.explanation(lang))}</div>"]
    if ok:
        others = [o for i, o in enumerate(quiz.options) if i != option]
        if others:
            items = "".join(f"<li><b>{md_html(o.text(lang))}</b>: {md_html(o.explanation(lang))}</li>"
                            for o in others)
            parts.append(f"<details><summary>{_t('others', lang)}</summary><ul>{items}</ul></details>")
    elif reveal:
        right = quiz.options[quiz.answer]
        parts.append(f"<div><b>{_t('answer_is', lang)}:</b> {md_html(right.text(lang))}</div>"
                     f"<div>{md_html(right.explanation(lang))}</div>")
    else:
        parts.append(f"<div class='opsvalue-quiz-hint'>{html.escape(_t('retry_hint', lang))}</div>")
    return "".join(parts)


class _Card:
    """One quiz: scenario, options, buttons, feedback."""

    def __init__(self, view: QuizView, quiz: Quiz, number: int, last: Mapping[str, Any] | None) -> None:
        self.view, self.quiz, lang = view, quiz, view.lang
        self.scenario = w.HTML(f"<b>{_t('question', lang)} {number}</b> "
                               f"<span class='opsvalue-muted'>({html.escape(quiz.id)})</span><br>"
                               f"{md_html(quiz.scenario(lang))}")
        self.radio = named(w.RadioButtons(options=[(o.text(lang), i) for i, o in enumerate(quiz.options)],
                                          value=None, layout=w.Layout(width="auto")),
                           f"{_t('question', lang)} {number}: {_plain(quiz.scenario(lang))}")
        self.check_btn = w.Button(description=_t("check", lang), button_style="primary")
        self.again_btn = w.Button(description=_t("again", lang), disabled=True)
        self.reveal_btn = w.Button(description=_t("reveal", lang),
                                    layout=w.Layout(display="none", width="auto"))
        self.feedback = live(w.HTML(""))  # the result is announced, not only shown
        self.check_btn.on_click(self._on_check)
        self.again_btn.on_click(self._on_again)
        self.reveal_btn.on_click(self._on_reveal)
        self.widget = w.VBox([self.scenario, self.radio,
                              w.HBox([self.check_btn, self.again_btn, self.reveal_btn]), self.feedback],
                             layout=w.Layout(border="1px solid #ccc", padding="8px", margin="6px 0"))
        if last and last.get("last_option") is not None:
            opt = last["last_option"]
            if isinstance(opt, int) and 0 <= opt < len(quiz.options):
                self.radio.value = opt
                self._show(opt)

    def _show(self, option: int, reveal: bool = False) -> None:
        ok = check_answer(self.quiz, option)
        self.feedback.value = feedback_html(self.quiz, option, self.view.lang, reveal=reveal)
        self.radio.disabled = True
        self.check_btn.disabled = True
        self.again_btn.disabled = False
        self.reveal_btn.layout.display = "none" if ok or reveal else ""

    def _on_check(self, _b: Any = None) -> None:
        with guarded(self.view.status, self.view.lang):
            option = self.radio.value
            if option is None:
                self.feedback.value = html.escape(_t("choose_first", self.view.lang))
                return
            ok = check_answer(self.quiz, option)
            self._show(option)
            self.view.results[self.quiz.id] = {
                "attempts": self.view.results.get(self.quiz.id, {}).get("attempts", 0) + 1,
                "last_option": option, "correct": ok}
            self.view.refresh_summary()
            self.view.record(self.quiz.id, option)

    def _on_again(self, _b: Any = None) -> None:
        with guarded(self.view.status, self.view.lang):
            self.radio.disabled = False
            self.radio.value = None
            self.check_btn.disabled = False
            self.again_btn.disabled = True
            self.reveal_btn.layout.display = "none"
            self.feedback.value = ""

    def _on_reveal(self, _b: Any = None) -> None:
        with guarded(self.view.status, self.view.lang):
            if self.radio.value is not None:
                self._show(self.radio.value, reveal=True)


class QuizView:
    """A set of quiz cards with a live 'n / m 問正解' summary. ``.widget`` is what to display."""

    def __init__(self, wb: Any, quiz_ids: Sequence[str], lang: str = "ja", *,
                 catalogue: Catalogue | None = None) -> None:
        self.wb, self.lang = wb, ("en" if lang == "en" else "ja")
        if isinstance(quiz_ids, str):
            quiz_ids = [quiz_ids]
        self.quiz_ids = list(dict.fromkeys(quiz_ids))
        self.status = Status(self.lang)
        self.summary = w.HTML("")
        self.cards: dict[str, _Card] = {}
        self.results: dict[str, dict] = {}
        children: list[w.Widget] = []
        try:
            cat = catalogue or catalogue_of(wb)
            self.results = {k: dict(v) for k, v in (wb.quiz_results() or {}).items()}
        except Exception as exc:  # noqa: BLE001 - shown as a friendly line, never a traceback
            self.status.error(friendly_error(exc, self.lang))
            cat = catalogue or _default_catalogue()
        known = []
        for qid in self.quiz_ids:
            try:
                quiz = cat.quiz(qid)
            except KeyError:
                children.append(w.HTML(html.escape(_t("unknown", self.lang).format(id=qid))))
                continue
            known.append(qid)
            card = _Card(self, quiz, len(known), self.results.get(qid))
            self.cards[qid] = card
            children.append(card.widget)
        self.quiz_ids = known
        self.refresh_summary()
        self.widget = w.VBox([self.summary, *children, self.status.widget])

    def record(self, quiz_id: str, option: int) -> None:
        """Store one attempt; a failure becomes a friendly status line (feedback stays)."""
        try:
            self.wb.record_quiz(quiz_id, option)
        except Exception as exc:  # noqa: BLE001
            self.status.error(f"{_t('not_saved', self.lang)}: {friendly_error(exc, self.lang)}")
        else:
            self.status.saved()

    def refresh_summary(self) -> None:
        c, a, n = set_summary(self.quiz_ids, self.results)
        self.summary.value = f"<b>{html.escape(summary_text(c, a, n, self.lang))}</b>"
