"""One rule for bilingual text everywhere: "en" reads English, anything else Japanese."""
import tomllib

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


def test_every_ui_string_has_both_languages_and_the_same_placeholders() -> None:
    import re

    from opsvalue_lab.i18n import load_ui, ui_path
    data = load_ui()
    assert {"terms", "common", "answer", "report", "instructor_review"} <= set(data)
    raw = tomllib.loads(ui_path().read_text(encoding="utf-8"))  # the file itself, not what the loader kept
    for section, table in raw.items():
        for key, entry in table.items():
            assert set(entry) == {"ja", "en"}, f"{section}.{key}"
            assert entry["ja"].strip() and entry["en"].strip(), f"{section}.{key}"
            slots = [set(re.findall(r"\{(\w*)\}", entry[lang])) for lang in ("ja", "en")]
            assert slots[0] == slots[1], f"{section}.{key}: placeholders differ {slots}"


@pytest.mark.parametrize("text, where", [
    ('[view]\nkey = { ja = "あ" }\n', "view.key"),
    ('[view]\nkey = { ja = "あ", en = "" }\n', "view.key"),
    ('[view]\nkey = { ja = "あ", en = "a", fr = "x" }\n', "view.key"),
    ('[view]\nkey = "only one"\n', "view.key"),
    ('key = "no section"\n', "key"),
    ('[view\n', "-"),
])
def test_a_broken_ui_file_names_the_file_and_key(tmp_path, text, where) -> None:
    from opsvalue_lab.catalogue import CatalogueError
    from opsvalue_lab.i18n import load_ui
    f = tmp_path / "ui.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        load_ui(f)
    assert str(f) in str(e.value) and f"{where}:" in str(e.value)

