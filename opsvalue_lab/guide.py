"""What to do next and how it went, without widgets: the self-study next step and checklist, and
quiz checking. Shared by the trainee views, the instructor side and the hub service (floor 3).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .catalogue import Catalogue, Quiz
from .i18n import lookup, term, ui_table
from .store_values import is_answered  # the same rule as Workbook.progress()

COMPLETE = (None, "complete", None)

_UI = ui_table("self_study")

def _t(key: str, lang: str) -> str:
    return lookup(_UI, key, lang)


def is_attempted(result: Mapping[str, Any] | None) -> bool:
    return result is not None and bool(result) and bool(result.get("attempts", 1))


def ordered_assignments(cat: Catalogue) -> list:
    """Assignments in notebook order: by section, then catalogue order (stable)."""
    return sorted(cat.assignments, key=lambda a: a.section)


def ordered_quizzes(cat: Catalogue) -> list:
    return sorted(cat.quizzes, key=lambda q: q.section)


def next_step(cat: Catalogue, answers: Mapping[str, Any],
              quiz_results: Mapping[str, Mapping[str, Any]]) -> tuple[int | None, str, str | None]:
    """(section_id, kind, id): the first unfinished item in notebook order — within each notebook
    its assignments first, then its quizzes; ``(None, "complete", None)`` when everything is done.
    kind is "assignment", "quiz" or "complete"."""
    for sid in sorted({a.section for a in cat.assignments} | {q.section for q in cat.quizzes}):
        for a in ordered_assignments(cat):
            if a.section == sid and not is_answered(answers.get(a.id)):
                return a.section, "assignment", a.id
        for q in ordered_quizzes(cat):
            if q.section == sid and not is_attempted(quiz_results.get(q.id)):
                return q.section, "quiz", q.id
    return COMPLETE


def notebook_name(cat: Catalogue, section_id: int, lang: str) -> str:
    try:
        title = cat.section(section_id).title(lang)
    except KeyError:
        title = ""
    return f"{section_id:02d} {title}".strip()


def next_step_text(cat: Catalogue, step: tuple[int | None, str, str | None], lang: str) -> str:
    """The next step as one plain sentence (not HTML)."""
    sid, kind, item = step
    if kind == "complete" or sid is None or item is None:
        return _t("complete", lang)
    nb = notebook_name(cat, sid, lang)
    if kind == "quiz":
        qs = [q for q in cat.quizzes if q.section == sid]
        n = next(i for i, q in enumerate(qs, 1) if q.id == item)
        first = cat.quiz(item).scenario(lang).strip().splitlines()[0]
        topic = first if len(first) <= 40 else first[:39] + "…"
        return _t("quiz_in", lang).format(nb=nb, n=n, topic=topic)
    a = cat.assignment(item)
    timing = term(f"{a.timing}_work", lang)
    if lang == "en":
        timing = timing.lower()
    return _t("assignment_in", lang).format(nb=nb, timing=timing, title=a.title(lang))


def checklist(cat: Catalogue, answers: Mapping[str, Any], quiz_results: Mapping[str, Mapping[str, Any]],
              lang: str) -> list[tuple[int, list[tuple[bool, str]]]]:
    """[(section_id, [(done, text), ...]), ...] for every section, in notebook order."""
    out = []
    for s in sorted(cat.sections, key=lambda s: s.id):
        items = []
        for a in cat.in_section(s.id):
            timing = term(f"{a.timing}_work", lang)
            items.append((is_answered(answers.get(a.id)), f"{timing}: {a.title(lang)} ({a.id})"))
        qs = [q for q in cat.quizzes if q.section == s.id]
        if qs:
            tried = [q for q in qs if is_attempted(quiz_results.get(q.id))]
            right = sum(1 for q in tried if quiz_results[q.id].get("correct"))
            items.append((len(tried) == len(qs), f"{_t('quizzes', lang)}: {len(tried)} / {len(qs)} "
                                                 f"{_t('tried', lang)}, {right} {_t('correct', lang)}"))
        out.append((s.id, items))
    return out


def check_answer(quiz: Quiz, option: int | None) -> bool:
    """True when *option* (0-based) is the quiz's correct option; ValueError if no valid option."""
    if option is None or isinstance(option, bool) or not isinstance(option, int):
        raise ValueError(f"quiz {quiz.id}: no option chosen")
    if not 0 <= option < len(quiz.options):
        raise ValueError(f"quiz {quiz.id}: option {option} does not exist (0 – {len(quiz.options) - 1})")
    return quiz.options[option].correct


def set_summary(quiz_ids: Sequence[str], results: Mapping[str, Mapping[str, Any]]) -> tuple[int, int, int]:
    """(correct, attempted, total) for a set of quizzes, from their last results."""
    ids = list(dict.fromkeys(quiz_ids))
    attempted = [q for q in ids if q in results and results[q].get("attempts", 1)]
    correct = sum(1 for q in attempted if results[q].get("correct"))
    return correct, len(attempted), len(ids)
