"""The self-study path: next_step (property-based), the checklist and the view on a real Workbook."""
import html
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsvalue_lab.catalogue import Assignment, Catalogue, Quiz, QuizOption, Section, Text, catalogue
from opsvalue_lab.store import Workbook
from opsvalue_lab.widgets.self_study import COMPLETE, SelfStudyPathView, checklist, next_step, next_step_text

T = Text(ja="テキスト", en="text")
EMPTY: dict[str, Any] = {"text": "  ", "fields": {"a": "", "b": " "}, "choice": None, "self_assessment": []}
FULL = {"text": "私の回答", "fields": {"a": "", "b": "書いた"}, "choice": "x",
        "self_assessment": [{"name": "監視", "kind": "incident", "level": "formal", "proactivity": 0.5,
                             "lead_time": 2}]}


def _a(aid, section, kind="text"):
    return Assignment(aid, section, "before", kind, T, T, T, T, T, None)


def _q(qid, section):
    return Quiz(qid, section, "flow", T, (QuizOption(T, True, T), QuizOption(T, False, T)))


# Catalogue order deliberately differs from section order.
SHUFFLED = Catalogue(
    "t", tuple(Section(i, f"s{i}", T, T) for i in (0, 1, 2)),
    (_a("c-2", 2), _a("a-0", 0, "fields"), _a("b-1", 1, "self_assessment"), _a("a-0b", 0, "choice"),
     _a("c-2b", 2)),
    (_q("q-2", 2), _q("q-0", 0), _q("q-1", 1), _q("q-0b", 0)))


def expected_order(cat):
    """Notebook order written out independently: by section; in a section its assignments (catalogue
    order), then its quizzes (catalogue order)."""
    items = [(a.section, 0, i, "assignment", a.id) for i, a in enumerate(cat.assignments)]
    items += [(q.section, 1, i, "quiz", q.id) for i, q in enumerate(cat.quizzes)]
    return [(sec, kind, ident) for sec, _, _, kind, ident in sorted(items)]


def state(cat, draw_done, draw_empty_value):
    """answers / quiz_results where each item is done or not (and 'not' may be a saved empty value)."""
    answers, results, done = {}, {}, {}
    for a in cat.assignments:
        d = draw_done()
        done[a.id] = d
        if d:
            answers[a.id] = FULL[a.kind]
        elif draw_empty_value():
            answers[a.id] = EMPTY[a.kind]
    for q in cat.quizzes:
        d = draw_done()
        done[q.id] = d
        if d:
            results[q.id] = {"attempts": 1, "last_option": 1, "correct": False}
        elif draw_empty_value():
            results[q.id] = {"attempts": 0, "last_option": None, "correct": False}
    return answers, results, done


@pytest.mark.parametrize("cat", [SHUFFLED, catalogue()], ids=["shuffled", "shipped"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_next_step_is_the_earliest_unfinished_item(cat, data):
    answers, results, done = state(cat, lambda: data.draw(st.booleans()), lambda: data.draw(st.booleans()))
    step = next_step(cat, answers, results)
    order = expected_order(cat)
    pending = [item for item in order if not done[item[2]]]
    if pending:
        assert step == pending[0]
        idx = order.index(step)
        assert all(done[item[2]] for item in order[:idx]), "an earlier item is unfinished"
    else:
        assert step == COMPLETE


@pytest.mark.parametrize("cat", [SHUFFLED, catalogue()], ids=["shuffled", "shipped"])
def test_next_step_walks_every_item_then_completes(cat):
    answers, results = {}, {}
    visited = []
    for _ in range(len(cat.assignments) + len(cat.quizzes) + 1):
        step = next_step(cat, answers, results)
        if step == COMPLETE:
            break
        visited.append(step)
        sid, kind, item = step
        if kind == "assignment":
            answers[item] = FULL[cat.assignment(item).kind]
        else:
            results[item] = {"attempts": 1, "last_option": 0, "correct": True}
    assert visited == expected_order(cat)
    assert next_step(cat, answers, results) == COMPLETE


def test_shipped_order_follows_the_notebooks():
    cat = catalogue()
    assert next_step(cat, {}, {}) == (0, "assignment", "review-1")
    done = {a.id: FULL[a.kind] for a in cat.in_section(0)}
    assert next_step(cat, done, {}) == (1, "assignment", "work-1")
    done |= {a.id: FULL[a.kind] for a in cat.in_section(1)}
    # notebook 01's quizzes come before notebook 02's works
    assert next_step(cat, done, {}) == (1, "quiz", "q-cause-01")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_next_step_text(lang):
    cat = catalogue()
    a = cat.assignment("review-1")
    assert a.title(lang) in next_step_text(cat, (0, "assignment", "review-1"), lang)
    assert "00" in next_step_text(cat, (0, "assignment", "review-1"), lang)
    text = next_step_text(cat, (4, "quiz", "q-level-02"), lang)
    assert "04" in text and "2" in text and "q-level" not in text  # no raw ids for the learner
    assert cat.quiz("q-level-02").scenario(lang).splitlines()[0][:10] in text
    assert ("06" in next_step_text(cat, COMPLETE, lang))


def test_checklist_marks_done_items():
    answers = {"a-0": FULL["fields"], "a-0b": None, "c-2": "  "}
    results = {"q-0": {"attempts": 1, "last_option": 0, "correct": True},
               "q-0b": {"attempts": 2, "last_option": 1, "correct": False}}
    rows = dict(checklist(SHUFFLED, answers, results, "en"))
    assert list(rows) == [0, 1, 2]
    assert [d for d, _ in rows[0]] == [True, False, True]
    assert "2 / 2 tried, 1 correct" in rows[0][2][1]
    assert [d for d, _ in rows[2]] == [False, False, False]


# ---- the view on the real store -----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "en"])
def test_view_explains_the_order_and_follows_progress(tmp_path, lang):
    wb = Workbook.open(tmp_path)
    try:
        view = SelfStudyPathView(wb, lang)
        intro = view.intro.value
        assert "00 → 01 → 02 → 03 → 04 → 05 → 06" in intro
        if lang == "ja":
            assert "事前課題 → ワーク → 事後課題" in intro and "回答例" in intro
            assert "ダッシュボード" in intro and "提出" in intro and "クイズ" in intro
        else:
            assert "pre-assignments first, then in-class exercises, then post-assignments" in intro
            assert "example answer" in intro and "dashboard" in intro and "submit" in intro
        assert view.step == (0, "assignment", "review-1")
        assert html.escape(catalogue().assignment("review-1").title(lang)) in view.next_line.value
        assert "・" in view.checklist.value and "✔" not in view.checklist.value

        wb.save("review-1", {"purpose": "事業継続", "resources": "", "action": ""})
        view.refresh_btn.click()
        assert view.step == (0, "assignment", "review-2")
        assert "✔" in view.checklist.value
        assert "⚠" not in view.status.text
    finally:
        wb.close()


def test_view_survives_a_broken_store(tmp_path):
    class Broken:
        def answers(self):
            raise OSError("cannot read answers.sqlite3")

        def quiz_results(self):
            return {}

    view = SelfStudyPathView(Broken(), "ja")
    assert "⚠" in view.status.text and "answers.sqlite3" in view.status.text
    assert "00 → 01" in view.intro.value
