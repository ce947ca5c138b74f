"""One rule for bilingual text everywhere: "en" reads English, anything else Japanese."""
import pytest

from opsvalue_lab.i18n import choose, lookup, pick


@pytest.mark.parametrize("lang, expected", [("en", "B"), ("ja", "A"), ("fr", "A"), ("", "A")])
def test_every_table_shape_follows_one_rule(lang, expected):
    assert choose(lang, "A", "B") == expected
    assert pick({"ja": "A", "en": "B"}, lang) == expected
    assert pick(("A", "B"), lang) == expected
    assert lookup({"k": ("A", "B")}, "k", lang) == expected
