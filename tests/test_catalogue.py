"""The course catalogue: the shipped content is complete, and broken content is named precisely."""
import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsvalue_lab.catalogue import CatalogueError, catalogue, default_dir, load_catalogue
from opsvalue_lab.cli import main

BRIEF_IDS = ["review-1", "review-2", "pre-1", "pre-2.1", "pre-2.2", "pre-3", "work-1", "work-2", "work-3",
             "work-4", "work-5", "post-1", "post-2.1", "post-2.2", "post-3", "self-assessment-before",
             "self-assessment-after", "change-before", "change-after"]


def test_shipped_catalogue_has_every_assignment_of_the_brief():
    cat = catalogue()
    assert set(BRIEF_IDS) <= set(cat.ids)  # every assignment of the brief; a question added later is fine
    assert [s.id for s in cat.sections] == list(range(7))
    for a in cat.assignments:
        for text in (a.title, a.prompt, a.guidance):
            assert text.ja.strip() and text.en.strip()
    assert cat.assignment("review-1").field_keys == ("purpose", "resources", "action")
    assert cat.assignment("pre-3").field_keys == ("short_term", "mid_long_term")
    assert cat.assignment("pre-1").pair == "post-1"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    d = tmp_path / "exercises"
    shutil.copytree(default_dir(), d)
    return d


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    s = path.read_text(encoding="utf-8")
    assert old in s, f"fixture text {old!r} not in {path.name}"
    path.write_text(s.replace(old, new, count), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


NEW = '''
[[assignment]]
id = "{id}"
section = {section}
timing = "after"
kind = "text"
title = {{ ja = "t", en = "t" }}
prompt = {{ ja = "p", en = "{en}" }}
guidance = {{ ja = "g", en = "g" }}
example = {{ ja = "e", en = "e" }}
reflection = {{ ja = "r", en = "r" }}
{extra}
'''


@pytest.mark.parametrize("kwargs, entry, key", [
    (dict(id="post-1", section=6, en="p", extra=""), "post-1", "id"),                 # duplicate id
    (dict(id="x-1", section=9, en="p", extra=""), "x-1", "section"),                  # unknown section
    (dict(id="x-2", section=6, en="", extra=""), "x-2", "prompt.en"),                 # missing language text
    (dict(id="x-3", section=6, en="p", extra='colour = "red"'), "x-3", "colour"),     # unknown key
    (dict(id="x-4", section=6, en="p", extra='pair = "nope"'), "x-4", "pair"),        # unknown pair
    (dict(id="x-5", section=6, en="p", extra='pair = "pre-1"'), "x-5", "pair"),       # one-sided pair
])
def test_broken_assignment_is_named(content, kwargs, entry, key):
    _append(content / "assignments.toml", NEW.format(**kwargs))
    with pytest.raises(CatalogueError) as e:
        load_catalogue(content)
    assert e.value.file.endswith("assignments.toml") and e.value.entry == entry and e.value.key == key
    assert "assignments.toml" in str(e.value) and entry in str(e.value) and key in str(e.value)


def test_missing_language_key(content):
    _append(content / "assignments.toml", NEW.format(id="x-6", section=6, en="p", extra="").replace(
        'title = { ja = "t", en = "t" }', 'title = { ja = "t" }'))
    with pytest.raises(CatalogueError, match=r"assignments.toml: x-6: key 'title.en'"):
        load_catalogue(content)


def test_bad_toml_names_the_file(content):
    _append(content / "sections.toml", "[[section]\n")
    with pytest.raises(CatalogueError, match=r"sections.toml.*not valid TOML"):
        load_catalogue(content)


def test_quiz_with_two_correct_options(content):
    _edit(content / "quizzes.toml", "correct = false", "correct = true")
    with pytest.raises(CatalogueError, match=r"quizzes.toml: q-[a-z]+-\d+: key 'option': exactly one"):
        load_catalogue(content)


def test_quiz_id_clashing_with_an_assignment(content):
    s = (content / "quizzes.toml").read_text(encoding="utf-8")
    first = s.index('id = "') + 6
    end = s.index('"', first)
    (content / "quizzes.toml").write_text(s[:first] + "pre-1" + s[end:], encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"quizzes.toml: pre-1: key 'id': duplicate"):
        load_catalogue(content)


def test_fields_assignment_without_fields(content):
    _append(content / "assignments.toml", NEW.format(id="x-7", section=6, en="p", extra="").replace(
        'kind = "text"', 'kind = "fields"'))
    with pytest.raises(CatalogueError, match=r"x-7: key 'field'"):
        load_catalogue(content)


def test_cli_exercises_json_lists_everything(capsys):
    assert main(["exercises", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ids = [a["id"] for a in data["assignments"]]
    assert ids == list(catalogue().ids)  # every assignment, read from the catalogue, in its order
    assert all(a["prompt"]["ja"] and a["prompt"]["en"] for a in data["assignments"])
    assert len(data["quizzes"]) == len(catalogue().quizzes)


def test_cli_exercises_lists_in_english(capsys):
    assert main(["exercises", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "pre-2.1" in out and catalogue().assignment("pre-1").title.en in out


def test_cli_model_json(capsys):
    assert main(["model", "--json"]) == 0
    conv = json.loads(capsys.readouterr().out)
    assert {a["key"] for a in conv["reference_activities"]} >= {"problem_management", "automation"}
    assert len(conv["levels"]) == 4 and len(conv["repeatability"]) == 4


def test_only_the_command_itself_freezes_the_garbage_collector():
    """The `opsvalue-lab` command freezes what is left before the process ends (the collections at
    exit would walk it all once more); a command run inside another process (tests, a kernel) leaves
    that process's collector alone."""
    before = gc.get_freeze_count()
    assert main(["model", "--json"]) == 0
    assert gc.get_freeze_count() == before
    code = ("import gc, sys; sys.argv = ['opsvalue-lab', 'model', '--json']; from opsvalue_lab.cli import main; "
            "rc = main(); print('FROZEN', gc.get_freeze_count() > 0); sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "FROZEN True" in out and json.loads(out[:out.rindex("FROZEN")])["levels"]


def test_cli_errors_are_one_line_without_traceback(tmp_path):
    from opsvalue_lab.store import Workbook
    Workbook.open(tmp_path / "ws").close()
    r = subprocess.run([sys.executable, "-m", "opsvalue_lab.cli", "feedback", "import", str(tmp_path / "nope.json"),
                        "--workspace", str(tmp_path / "ws")], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "nope.json" in r.stderr


def test_core_import_stays_light():
    code = ("import sys, opsvalue_lab; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'sqlite3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_model_toml_changes_the_scores(content):
    _edit(content / "model.toml", "root = 3", "root = 10")
    cat = load_catalogue(content)
    assert cat.model.service_value("root", 2.0) == 20.0


def test_bad_model_toml_is_named(content):
    _edit(content / "model.toml", "formal = 1", "formal = 5")
    with pytest.raises(CatalogueError, match=r"model.toml: -: key 'level_scores': .*rise strictly"):
        load_catalogue(content)
    _edit(content / "model.toml", "formal = 5", "formul = 1")
    with pytest.raises(CatalogueError, match=r"model.toml: level_scores: key 'formul'"):
        load_catalogue(content)


def test_reference_activities_are_read_from_model_toml(content):
    shipped = {a.key: (a.label["ja"], a.level.value, a.proactivity) for a in catalogue().model.reference_activities}
    assert shipped["problem_management"] == ("問題管理", "root", 0.8)
    assert shipped["automation"] == ("運用自動化", "substantial", 1.7)
    _edit(content / "model.toml", "proactivity = 1.7", "proactivity = 1.9")
    _edit(content / "model.toml", 'ja = "問題管理"', 'ja = "問題管理（再発防止）"')
    model = load_catalogue(content).model
    ref = {a.key: a for a in model.reference_activities}
    assert ref["automation"].proactivity == 1.9 and ref["problem_management"].label["ja"] == "問題管理（再発防止）"
    conv = {a["key"]: a for a in model.conventions()["reference_activities"]}
    assert conv["automation"]["service_value"] == pytest.approx(2 * 1.9)


@pytest.mark.parametrize("old, new, entry, key, fragment", [
    ("proactivity = 0.8 ", "proactivity = 2.8 ", "reference_activity.problem_management", "proactivity",
     "outside the allowed range"),
    ("proactivity = 0.8 ", 'proactivity = "high" ', "reference_activity.problem_management", "proactivity",
     "must be a number"),
    ('level = "root"', 'level = "deep"', "reference_activity.problem_management", "level", "must be one of"),
    ('en = "Problem management"', 'en = ""', "reference_activity.problem_management", "label.en", "empty"),
    ('key = "ops_cover"', 'key = "incident_response"', "reference_activity.incident_response", "key", "twice"),
    ('key = "ops_cover"', 'key = "Ops cover"', "reference_activity[1]", "key", "not a valid key"),
    ('key = "ops_cover"', 'kee = "ops_cover"', "reference_activity[1]", "kee", "unknown key"),
])
def test_a_broken_reference_activity_is_named(content, old, new, entry, key, fragment):
    _edit(content / "model.toml", old, new)
    with pytest.raises(CatalogueError, match=fragment) as e:
        load_catalogue(content)
    assert (e.value.file, e.value.entry, e.value.key) == (str(content / "model.toml"), entry, key)


def test_an_overlay_model_toml_replaces_the_tables_it_sets(content, tmp_path):
    over = tmp_path / "cohort" / "exercises"
    over.mkdir(parents=True)
    (over / "model.toml").write_text("[level_scores]\nunsolved = 0\nformal = 1\nsubstantial = 3\nroot = 5\n",
                                     encoding="utf-8")
    cat = load_catalogue(content, overlay=over.parent)
    assert cat.model.solution_value("root") == 5.0  # the overlay's table
    assert [a.key for a in cat.model.reference_activities] == \
        [a.key for a in load_catalogue(content).model.reference_activities]  # the shipped one's
    (over / "model.toml").write_text('[[reference_activity]]\nkey = "pm"\nlabel = { ja = "問題管理", en = "PM" }\n'
                                     'level = "root"\nproactivity = 3\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        load_catalogue(content, overlay=over.parent)
    assert (e.value.file, e.value.key) == (str(over / "model.toml"), "proactivity")
    (over / "model.toml").write_text('[[reference_activity]]\nkey = "pm"\nlabel = { ja = "問題管理", en = "PM" }\n'
                                     'level = "root"\nproactivity = 0.8\n', encoding="utf-8")
    cat = load_catalogue(content, overlay=over.parent)
    assert [a.key for a in cat.model.reference_activities] == ["pm"]
    assert cat.model.solution_value("root") == 3.0


def test_self_study_steps_are_content(content):
    cat = load_catalogue(content)
    assert len(cat.self_study_steps) >= 4 and all(s.ja and s.en for s in cat.self_study_steps)
    _edit(content / "guide.toml", "[[self_study_step]]\nja = ", "[[self_study_step]]\nfr = \"x\"\nja = ")
    with pytest.raises(CatalogueError, match=r"guide.toml: self_study_step\[0\]: key 'text.fr'"):
        load_catalogue(content)
