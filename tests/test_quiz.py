"""Quiz view, headless: choose via .value, Button.click(), read the feedback, retry, persistence."""
import pytest

from opsvalue_lab.catalogue import Catalogue, Quiz, QuizOption, Section, Text, catalogue
from opsvalue_lab.store import Workbook
from opsvalue_lab.widgets.quiz import QuizView, check_answer, feedback_html, md_html, set_summary, summary_text


@pytest.fixture
def wb(tmp_path):
    book = Workbook.open(tmp_path)
    yield book
    book.close()


@pytest.fixture(scope="module")
def quizzes():
    qs = catalogue().quizzes
    assert len(qs) >= 3
    return qs[:3]


def wrong_index(q: Quiz) -> int:
    return next(i for i, o in enumerate(q.options) if not o.correct)


# ---- pure logic ------------------------------------------------------------------------------

def test_check_answer(quizzes):
    q = quizzes[0]
    assert check_answer(q, q.answer) is True
    assert check_answer(q, wrong_index(q)) is False
    for bad in (None, -1, len(q.options), True, "0"):
        with pytest.raises(ValueError):
            check_answer(q, bad)


def test_set_summary_counts_last_results_of_the_set_only():
    results = {"a": {"attempts": 2, "last_option": 1, "correct": True},
               "b": {"attempts": 1, "last_option": 0, "correct": False},
               "x": {"attempts": 1, "last_option": 0, "correct": True}}
    assert set_summary(["a", "b", "c"], results) == (1, 2, 3)
    assert set_summary(["a", "a"], results) == (1, 1, 1)
    assert set_summary([], results) == (0, 0, 0)
    assert summary_text(1, 2, 3, "ja").startswith("1 / 3 問正解")
    assert summary_text(1, 2, 3, "en").startswith("1 / 3 correct")


def test_catalogue_text_has_one_markup_rule_everywhere():
    from opsvalue_lab.markup import md, md_inline
    out = md_html("注意 <script>alert(1)</script> & **強調**\n次の行")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert "<strong>強調</strong>" in out and "<br" in out and not out.startswith("<p>")
    assert md_html is md_inline
    listed = md("- one\n- **two**")
    assert "<li>one</li>" in listed and "<strong>two</strong>" in listed
    assert "javascript:" not in md("[x](javascript:alert(1))")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_feedback_html_right_and_wrong(quizzes, lang):
    q = quizzes[0]
    right = feedback_html(q, q.answer, lang)
    assert ("✔ 正解" if lang == "ja" else "✔ Correct") in right
    assert md_html(q.options[q.answer].explanation(lang)) in right
    w_ = wrong_index(q)
    wrong = feedback_html(q, w_, lang)
    assert "✘" in wrong and md_html(q.options[w_].explanation(lang)) in wrong
    assert ("もう一度" if lang == "ja" else "Try again") in wrong
    assert md_html(q.options[q.answer].explanation(lang)) not in wrong  # not given away
    assert md_html(q.options[q.answer].explanation(lang)) in feedback_html(q, w_, lang, reveal=True)


# ---- the widget --------------------------------------------------------------------------------

def test_wrong_then_retry_then_right_records_every_check(wb, quizzes):
    ids = [q.id for q in quizzes]
    view = QuizView(wb, ids, "ja")
    assert "0 / 3 問正解" in view.summary.value
    q = quizzes[0]
    card = view.cards[q.id]
    assert card.radio.value is None and card.feedback.value == ""

    card.check_btn.click()  # nothing chosen: a hint, no record, no exception
    assert "選択肢を 1 つ選んで" in card.feedback.value
    assert q.id not in wb.quiz_results()

    card.radio.value = wrong_index(q)
    card.check_btn.click()
    assert "✘ 不正解" in card.feedback.value
    assert md_html(q.options[wrong_index(q)].explanation("ja")) in card.feedback.value
    assert "もう一度" in card.feedback.value
    assert card.radio.disabled and card.check_btn.disabled and not card.again_btn.disabled
    assert wb.quiz_results()[q.id] == {"attempts": 1, "last_option": wrong_index(q), "correct": False}
    assert "0 / 3 問正解" in view.summary.value and "1 問回答済み" in view.summary.value

    card.again_btn.click()
    assert card.radio.value is None and not card.radio.disabled and card.feedback.value == ""

    card.radio.value = q.answer
    card.check_btn.click()
    assert "✔ 正解" in card.feedback.value
    assert md_html(q.options[q.answer].explanation("ja")) in card.feedback.value
    res = wb.quiz_results()[q.id]
    assert res["attempts"] == 2 and res["last_option"] == q.answer and res["correct"] is True
    assert "1 / 3 問正解" in view.summary.value
    assert "⚠" not in view.status.text


def test_reveal_button_shows_the_answer_after_a_wrong_check(wb, quizzes):
    q = quizzes[1]
    view = QuizView(wb, [q.id], "en")
    card = view.cards[q.id]
    assert card.reveal_btn.layout.display == "none"
    card.radio.value = wrong_index(q)
    card.check_btn.click()
    assert "✘ Not quite" in card.feedback.value and card.reveal_btn.layout.display == ""
    card.reveal_btn.click()
    assert md_html(q.options[q.answer].explanation("en")) in card.feedback.value
    assert card.reveal_btn.layout.display == "none"


def test_results_persist_through_a_reopened_workbook(tmp_path, quizzes):
    ids = [q.id for q in quizzes]
    book = Workbook.open(tmp_path)
    view = QuizView(book, ids, "en")
    a, b = quizzes[0], quizzes[1]
    view.cards[a.id].radio.value = a.answer
    view.cards[a.id].check_btn.click()
    view.cards[b.id].radio.value = wrong_index(b)
    view.cards[b.id].check_btn.click()
    book.close()

    again = Workbook.open(tmp_path)
    try:
        view2 = QuizView(again, ids, "en")
        assert "1 / 3 correct (2 tried)" in view2.summary.value
        ca, cb, cc = (view2.cards[i] for i in ids)
        assert ca.radio.value == a.answer and "✔ Correct" in ca.feedback.value
        assert cb.radio.value == wrong_index(b) and "✘ Not quite" in cb.feedback.value
        assert cc.radio.value is None and cc.feedback.value == ""
        cb.again_btn.click()
        cb.radio.value = b.answer
        cb.check_btn.click()
        assert "2 / 3 correct" in view2.summary.value
    finally:
        again.close()


def test_unknown_quiz_id_is_a_friendly_line_not_an_exception(wb, quizzes):
    view = QuizView(wb, ["q-no-such", quizzes[0].id], "ja")
    html_all = " ".join(getattr(c, "value", "") for c in view.widget.children)
    assert "q-no-such" in html_all and "⚠" in html_all
    assert list(view.cards) == [quizzes[0].id] and "0 / 1 問正解" in view.summary.value


def test_store_failure_keeps_feedback_and_shows_a_friendly_error(wb, quizzes, monkeypatch):
    q = quizzes[0]
    view = QuizView(wb, [q.id], "ja")

    def boom(*_a, **_k):
        raise OSError("disk full: answers.sqlite3")
    monkeypatch.setattr(wb, "record_quiz", boom)
    card = view.cards[q.id]
    card.radio.value = q.answer
    card.check_btn.click()
    assert "✔ 正解" in card.feedback.value
    assert "⚠" in view.status.text and "disk full" in view.status.text


def test_catalogue_text_is_escaped_in_the_widget(tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    quiz = Quiz("q-evil-01", 0, "flow", Text(ja=evil + "\n二行目", en=evil),
                (QuizOption(Text(ja="A", en="A"), True, Text(ja=evil, en=evil)),
                 QuizOption(Text(ja="B", en="B"), False, Text(ja="違う", en="no"))))
    cat = Catalogue("t", (Section(0, "s", Text("s", "s"), Text("s", "s")),), (), (quiz,))

    book = Workbook.open(tmp_path, catalogue=cat)
    view = QuizView(book, ["q-evil-01"], "ja")  # the view uses the workbook's catalogue
    card = view.cards["q-evil-01"]
    assert "<img" not in card.scenario.value and "&lt;img" in card.scenario.value
    assert "<br>" in card.scenario.value
    card.radio.value = 0
    card.check_btn.click()
    assert "<img" not in card.feedback.value and "&lt;img" in card.feedback.value
    assert book.quiz_results()["q-evil-01"]["correct"] is True
    book.close()


def test_a_single_id_string_is_one_quiz(wb, quizzes):
    view = QuizView(wb, quizzes[0].id, "en")
    assert list(view.cards) == [quizzes[0].id] and "0 / 1 correct" in view.summary.value
