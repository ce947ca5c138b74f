"""One rule for bilingual text everywhere: "en" reads English, anything else Japanese."""
import pytest

from opsvalue_lab.i18n import choose, lookup, pick


@pytest.mark.parametrize("lang, expected", [("en", "B"), ("ja", "A"), ("fr", "A"), ("", "A")])
def test_every_table_shape_follows_one_rule(lang, expected):
    assert choose(lang, "A", "B") == expected
    assert pick({"ja": "A", "en": "B"}, lang) == expected
    assert pick(("A", "B"), lang) == expected
    assert lookup({"k": ("A", "B")}, "k", lang) == expected


def test_errors_lead_with_a_sentence_in_the_trainees_language():
    from opsvalue_lab.store_schema import StoreError
    from opsvalue_lab.widgets.common import friendly_error
    e = StoreError("/ws/.opsvalue/answers.sqlite3", "could not open: the file is damaged")
    ja, en = friendly_error(e, "ja"), friendly_error(e, "en")
    assert ja.startswith("回答を保存しているファイルを使えません") and "answers.sqlite3" in ja
    assert en.startswith("The file that keeps your answers cannot be used") and "answers.sqlite3" in en
    assert friendly_error(ValueError("task.lead_time -1"), "ja").startswith(
        "入力内容を確認してください: task.lead_time")
    assert friendly_error(RuntimeError("boom"), "ja") == (
        "予期しない問題が起きました。講師またはサポートに連絡してください。")
