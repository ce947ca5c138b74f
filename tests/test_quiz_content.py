"""The shipped quiz content: complete in both languages, balanced, and placed in the notebooks."""
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from opsvalue_lab.catalogue import QUIZ_TOPICS, default_dir, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
NB_SRC = ROOT / "notebooks" / "src"
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture(scope="module")
def raw() -> list[dict]:
    with (default_dir() / "quizzes.toml").open("rb") as fh:
        return tomllib.load(fh)["quiz"]


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()  # fresh, not the cached one: validates every file again


def test_catalogue_loads_quizzes_and_has_at_least_30(cat):
    assert len(cat.quizzes) >= 30, f"only {len(cat.quizzes)} quizzes"


def test_quiz_ids_unique_and_distinct_from_assignments(raw, cat):
    ids = [q["id"] for q in raw]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate quiz ids: {dupes}"
    assert not set(ids) & set(cat.ids), "a quiz id equals an assignment id"


def test_exactly_one_correct_option_in_raw_toml(raw):
    bad = [q["id"] for q in raw if [o.get("correct") for o in q["option"]].count(True) != 1
           or any(not isinstance(o.get("correct"), bool) for o in q["option"])]
    assert not bad, f"quizzes without exactly one correct option: {bad}"


def test_every_text_in_both_languages(cat):
    problems = []
    for q in cat.quizzes:
        texts = [("scenario", q.scenario)]
        for i, o in enumerate(q.options):
            texts += [(f"option[{i}].text", o.text), (f"option[{i}].explanation", o.explanation)]
        for where, t in texts:
            if not t.ja.strip() or not t.en.strip():
                problems.append(f"{q.id} {where}: empty")
            elif not _JA.search(t.ja):
                problems.append(f"{q.id} {where}.ja: no Japanese text")
            elif len(_LATIN.findall(t.en)) < len(_JA.findall(t.en)):
                problems.append(f"{q.id} {where}.en: mostly Japanese")
    assert not problems, "\n".join(problems)


def test_options_and_explanations_are_distinct(cat):
    problems = []
    for q in cat.quizzes:
        for lang in ("ja", "en"):
            opts = [o.text(lang).strip() for o in q.options]
            expl = [o.explanation(lang).strip() for o in q.options]
            if len(set(opts)) != len(opts):
                problems.append(f"{q.id}: two options read the same ({lang})")
            if len(set(expl)) != len(expl):
                problems.append(f"{q.id}: two explanations read the same ({lang})")
    assert not problems, "\n".join(problems)


def test_every_topic_has_at_least_five_items(cat):
    counts = Counter(q.topic for q in cat.quizzes)
    short = {t: counts.get(t, 0) for t in QUIZ_TOPICS if counts.get(t, 0) < 5}
    assert not short, f"topics with fewer than 5 quizzes: {short}"


def test_quiz_sections_exist(cat):
    sids = {s.id for s in cat.sections}
    assert all(q.section in sids for q in cat.quizzes)


def test_correct_option_positions_are_spread(cat):
    positions = Counter(q.answer for q in cat.quizzes)
    n = len(cat.quizzes)
    assert len(positions) >= 3, f"correct answers sit in only {sorted(positions)}"
    top, count = positions.most_common(1)[0]
    assert count <= n / 2, f"{count} of {n} correct answers are option {top + 1}"
    for topic in QUIZ_TOPICS:
        pos = {q.answer for q in cat.quizzes if q.topic == topic}
        assert len(pos) >= 2, f"every {topic} quiz has its answer in the same position {pos}"


def _quiz_cells() -> list[tuple[str, list[str]]]:
    cells = []
    for path in sorted(NB_SRC.glob("[0-9][0-9]_*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for i, cell in enumerate(data.get("cell", [])):
            if cell.get("kind") == "quiz":
                cells.append((f"{path.name} cell[{i}]", list(cell.get("ids", []))))
    return cells


def test_every_quiz_appears_in_exactly_one_notebook_quiz_cell(cat):
    # Deliberately no skip: without notebook sources there is nothing to show the quizzes in.
    assert sorted(NB_SRC.glob("[0-9][0-9]_*.toml")), f"no notebook sources in {NB_SRC}"
    seen: dict[str, list[str]] = {}
    for where, ids in _quiz_cells():
        for qid in ids:
            seen.setdefault(qid, []).append(where)
    missing = [q.id for q in cat.quizzes if q.id not in seen]
    twice = {q: w for q, w in seen.items() if len(w) > 1}
    unknown = sorted(set(seen) - {q.id for q in cat.quizzes})
    assert not missing, f"quizzes in no notebook: {missing}"
    assert not twice, f"quizzes in more than one cell: {twice}"
    assert not unknown, f"notebook quiz cells name unknown quizzes: {unknown}"


def test_quiz_cells_sit_in_their_quiz_section(cat):
    wrong = []
    for path in sorted(NB_SRC.glob("[0-9][0-9]_*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for cell in data.get("cell", []):
            if cell.get("kind") == "quiz":
                for qid in cell.get("ids", []):
                    q = next((x for x in cat.quizzes if x.id == qid), None)
                    if q is not None and q.section != data.get("section"):
                        wrong.append(f"{qid} (section {q.section}) in {path.name}")
    assert not wrong, f"quizzes shown in another section's notebook: {wrong}"
