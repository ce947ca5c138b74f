"""Content rules from the teaching-fidelity review (issue 15) that a machine can check.

- one spelling per term (a short list of banned variants, ja and en) and one bracket / question-mark
  style in Japanese text;
- the direction of delivery value stated with the same phrase in both languages: the figure
  納期 × 摩擦係数 is smaller, and that means a higher delivery value;
- quizzes use only terms taught in or before their own section (a term list per section, below).

Content is read from the catalogue (exercises/*.toml) and from the notebook sources (notebooks/src).
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsvalue_lab.catalogue import default_dir, load_catalogue
from opsvalue_lab.catalogue_types import Text

ROOT = Path(__file__).resolve().parents[1]
NB_SRC = ROOT / "notebooks" / "src"

# ---------------------------------------------------------------- data: the rules
# Banned spelling -> the one the workbook uses. Patterns are regular expressions.
BANNED = {
    "ja": {
        r"自分達": "自分たち",
        r"分か[るりらっ]": "わかる",
        r"構いません": "かまいません",
        r"良い|良く": "よい",
        r"ユーザ(?!ー)": "ユーザー",
        r"フォルダ(?!ー)": "フォルダー",
        r"この教材|本教材": "このワークブック",
        r"\(|\)": "full-width （） in Japanese text",
        r"\?": "full-width ？ in Japanese text",
    },
    "en": {
        r"\b[Ff]ormal solution": "by-the-letter solution",
        r"\b[Dd]e-?personalis": "person-independent",
        r"in-class works|\bWork \d": "in-class exercises / Exercise N",
        r"[Cc]over it (by|with) ops": "ops workaround",
        r"\brampart\b": "ops guardrails",
        r"looked forward to": "(rewritten)",
    },
}
# The one way the direction of delivery value is stated.
DIRECTION = {"ja": "値が小さいほどデリバリ価値が高い", "en": "a smaller figure means a higher delivery value"}
# Statements that contradict it (delivery value itself "lower is better").
CONTRADICTIONS = {"ja": [r"デリバリ価値\s*[（(]\s*低いほど", r"摩擦が小さいほどデリバリ価値は高く"],
                  "en": [r"[Dd]elivery value \(lower is better", r"delivery value, lower is better"]}
# Terms first taught in a section; a quiz may use only terms of its own section or earlier ones.
# Each term must really appear in its section's notebook text (checked below), so the list stays honest.
TERMS: dict[int, dict[str, list[str]]] = {
    2: {"ja": ["具体化"], "en": ["become real"]},
    3: {"ja": ["見えにくい", "見えやすい", "QCD", "サービスデリバリ"],
        "en": ["hard-to-see", "QCD", "service delivery"]},
    4: {"ja": ["課題解決価値", "プロアクティブ", "リアクティブ", "形式的解決", "実質的解決", "根本解決",
               "サービス価値", "事前的対応", "事後的対応"],
        "en": ["problem-solving value", "proactiv", "reactive", "by-the-letter", "substantive solution",
               "root-cause solution", "service value"]},
    5: {"ja": ["反復再現", "非属人化", "デリバリ価値", "摩擦係数", "言語化", "論理化", "客観化", "モレやブレ",
               "受け取り手のいない"],
        "en": ["repeatab", "person-independent", "delivery value", "friction", "verbalised",
               "gaps or inconsistencies", "no receiver"]},
    6: {"ja": ["実戦能力", "基礎体力"], "en": ["match fitness", "base fitness"]},
}
_URL_OR_CODE = re.compile(r"<https?://[^>]*>|https?://\S+|`[^`]*`")


# ---------------------------------------------------------------- reading the content
def _strings(obj, lang: str, where: str = "") -> Iterator[tuple[str, str]]:
    """Every text of *lang* in a parsed TOML document, with where it sits."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == lang and isinstance(value, str):
                yield where, value
            else:
                yield from _strings(value, lang, f"{where}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _strings(value, lang, f"{where}[{i}]")


def _content_files() -> list[Path]:
    return sorted(default_dir().glob("*.toml")) + sorted(NB_SRC.glob("*.toml"))


def _all_texts(lang: str) -> Iterator[tuple[str, str]]:
    for path in _content_files():
        with path.open("rb") as fh:
            for where, text in _strings(tomllib.load(fh), lang):
                yield f"{path.name}{where}", text


def _notebook_text(section: int, lang: str) -> str:
    path = next(NB_SRC.glob(f"{section:02d}_*.toml"))
    with path.open("rb") as fh:
        return "\n".join(t for _, t in _strings(tomllib.load(fh), lang))


def _quiz_texts(quiz, lang: str) -> str:
    parts: list[Text] = [quiz.scenario]
    for opt in quiz.options:
        parts += [opt.text, opt.explanation]
    return "\n".join(t(lang) for t in parts)


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


# ---------------------------------------------------------------- spelling and style
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_one_spelling_per_term(lang):
    found = []
    for where, text in _all_texts(lang):
        prose = _URL_OR_CODE.sub("", text) if lang == "ja" else text
        for pattern, use in BANNED[lang].items():
            for m in re.finditer(pattern, prose):
                found.append(f"{where}: {prose[max(0, m.start() - 12):m.end() + 12]!r} (use {use})")
    assert not found, "banned variants:\n" + "\n".join(found[:30])


def test_the_spelling_rules_catch_what_they_ban():
    ja = "自分達で分かる。構いません。良い。ユーザの共有フォルダ (例)?"
    hits = [p for p in BANNED["ja"] if re.search(p, ja)]
    assert len(hits) == len(BANNED["ja"]) - 1  # all but この教材
    assert not any(re.search(p, "自分たちでわかる。ユーザー、フォルダー（例）？") for p in BANNED["ja"])


# ---------------------------------------------------------------- direction of delivery value
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_delivery_direction_is_stated_one_way(lang):
    for section in (5, 6):
        assert DIRECTION[lang] in _notebook_text(section, lang), f"section {section} ({lang}) lacks the phrase"
    bad = [f"{where}: {m.group(0)}" for where, text in _all_texts(lang)
           for pattern in CONTRADICTIONS[lang] for m in re.finditer(pattern, text)]
    assert not bad, f"statements contradicting the direction of delivery value: {bad}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_report_and_widget_labels_follow_lower_is_better(lang):
    from opsvalue_lab.instructor.report import L, _trend
    from opsvalue_lab.widgets.selfassess import UI
    assert DIRECTION[lang] in L["delivery"][lang]
    assert DIRECTION[lang] in UI["lower"][lang]
    assert _trend(10.0, 5.0, higher_is_better=False) == ("▼", "better")
    assert _trend(5.0, 10.0, higher_is_better=False) == ("▲", "worse")
    assert _trend(1.0, 2.0, higher_is_better=True) == ("▲", "better")
    assert _trend(2.0, 2.0, higher_is_better=True) == ("＝", "same")


def test_friction_coefficients_are_labelled_as_the_workbooks_convention(cat):
    ja, en = _notebook_text(5, "ja"), _notebook_text(5, "en")
    assert "摩擦係数" in ja and "friction coefficient" in en
    assert "このワークブック独自の約束事" in ja and "this workbook's own convention" in en
    for level, coef in cat.model.repeatability_coefficients.items():
        assert f"{coef:g}" in ja and f"{coef:g}" in en, f"coefficient {coef} of {level} is not stated in section 5"


def test_problem_management_follows_the_proactivity_rule(cat):
    """Recurrence prevention after an incident is reactive: the quiz and the reference position agree."""
    from opsvalue_lab.model import classify_proactivity
    ref = {a.key: a for a in cat.model.reference_activities}
    assert classify_proactivity(ref["problem_management"].proactivity) == "reactive"
    q = cat.quiz("q-proactive-05")
    assert "事後的対応" in q.options[q.answer].text("ja")
    rule = "その対応が解決する課題に対して、いつ手を打ったかで判定します"
    assert rule in _notebook_text(4, "ja")
    assert "いつ手を打っているかで判定" in cat.assignment("self-assessment-before").guidance("ja")


# ---------------------------------------------------------------- quizzes use only terms taught so far
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_term_is_taught_in_its_section(lang):
    missing = [(s, t) for s, terms in TERMS.items() for t in terms[lang]
               if t.lower() not in _notebook_text(s, lang).lower()]
    assert not missing, f"terms not found in the section said to teach them: {missing}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_quizzes_use_only_terms_taught_in_or_before_their_section(lang, cat):
    early = []
    for quiz in cat.quizzes:
        text = _quiz_texts(quiz, lang)
        for section, terms in TERMS.items():
            if section > quiz.section:
                early += [f"{quiz.id} (section {quiz.section}) uses {t!r} from section {section}"
                          for t in terms[lang] if t.lower() in text.lower()]
    assert not early, "\n".join(early)


def test_chart_and_figure_labels_follow_the_same_spellings():
    """The lecture figures and charts are drawn from Python; their labels obey the same word list."""
    words = {p: u for p, u in BANNED["ja"].items() if p not in (r"\(|\)", r"\?")} | BANNED["en"]
    found = []
    for name in ("figures.py", "plots_base.py", "plots_axes.py", "plots.py", "plots_class.py",
                 "widgets/selfassess.py", "widgets/task_row.py"):
        source = (ROOT / "opsvalue_lab" / name).read_text(encoding="utf-8")
        found += [f"{name}: {m.group(0)!r} (use {use})" for p, use in words.items() for m in re.finditer(p, source)]
    assert not found, found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_four_check_questions_read_the_same_in_text_and_dashboard(lang):
    from opsvalue_lab.widgets.dashboard import check_answers
    text = _notebook_text(6, lang)
    for question, _ in check_answers([], lang):
        assert f"**{question}**" in text, f"section 6 ({lang}) words the check question {question!r} differently"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_option_labels_read_the_same_in_text_and_widgets(lang, cat):
    """The before/after options of notebook 00's table are the choice widget's labels, word for word."""
    text = _notebook_text(0, lang)
    for aid in ("change-before", "change-after"):
        for opt in cat.assignment(aid).options:
            assert opt.label(lang) in text, f"{aid} option {opt.key!r} is worded differently in section 0 ({lang})"
