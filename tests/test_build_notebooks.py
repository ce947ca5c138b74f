"""The generated notebooks: committed == generated, valid, same exercises in ja/en, no outputs."""
from __future__ import annotations

import base64
import json
import re
import shutil
import tomllib
from pathlib import Path

import nbformat
import pytest

from opsvalue_lab import build_notebooks as bn
from opsvalue_lab.catalogue import CatalogueError, catalogue

REPO_NB = Path(__file__).resolve().parent.parent / "notebooks"
CALL = re.compile(r'^ov\.exercise\("([^"]+)"\)$')


def _trainee(root: Path, lang: str) -> list[Path]:
    return sorted((root / lang).glob("*.ipynb"))


def _exercise_ids(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [m.group(1) for c in nb.cells if c.cell_type == "code" for m in [CALL.match(c.source)] if m]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nb")
    bn.build(out)
    return out


def test_committed_notebooks_equal_generated(built):
    fresh = {p.relative_to(built): bn.comparable(p.read_bytes()) for p in built.rglob("*.ipynb")}
    have = {p.relative_to(REPO_NB): bn.comparable(p.read_bytes()) for p in REPO_NB.rglob("*.ipynb")
            if p.relative_to(REPO_NB).parts[0] in ("ja", "en", "instructor")}
    assert sorted(map(str, fresh)) == sorted(map(str, have)), "run `opsvalue-lab build-notebooks`"
    differing = [str(k) for k in fresh if fresh[k] != have[k]]
    assert not differing, f"out of date (run `opsvalue-lab build-notebooks`): {differing}"
    assert bn.check(REPO_NB) == []


def test_lecture_figures_are_embedded_pngs_not_code(built):
    src_figures = sorted(c["name"] for f in (REPO_NB / "src").glob("[0-9][0-9]_*.toml")
                         for c in tomllib.loads(f.read_text(encoding="utf-8")).get("cell", [])
                         if c["kind"] == "figure")
    for lang in ("ja", "en"):
        seen = []
        for p in _trainee(built, lang):
            nb = nbformat.read(p, as_version=4)
            assert not any("ov.figure(" in c.source for c in nb.cells if c.cell_type == "code")
            for c in nb.cells:
                for name, bundle in (c.get("attachments") or {}).items():
                    png = base64.b64decode(bundle["image/png"])
                    assert png.startswith(bn.PNG_MAGIC) and len(png) > 10_000, (p.name, name)
                    assert f"(attachment:{name})" in c.source
                    seen.append(name.removesuffix(".png"))
        assert sorted(seen) == src_figures


def test_comparison_ignores_png_bytes_but_not_text():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "![x](attachment:a.png)",
        attachments={"a.png": {"image/png": base64.b64encode(bn.PNG_MAGIC + b"1").decode()}})])
    other = json.loads(nbformat.writes(nb))
    other["cells"][0]["attachments"]["a.png"]["image/png"] = base64.b64encode(bn.PNG_MAGIC + b"2").decode()
    assert bn.comparable(nbformat.writes(nb).encode()) == bn.comparable(json.dumps(other).encode())
    other["cells"][0]["source"] = "![y](attachment:a.png)"
    assert bn.comparable(nbformat.writes(nb).encode()) != bn.comparable(json.dumps(other).encode())
    other["cells"][0]["attachments"]["a.png"]["image/png"] = base64.b64encode(b"GIF89a").decode()
    assert "<not a png>" in bn.comparable(json.dumps(other).encode())


def test_build_is_deterministic(built, tmp_path):
    bn.build(tmp_path)
    for p in _trainee(built, "ja") + _trainee(built, "en"):
        assert (tmp_path / p.relative_to(built)).read_bytes() == p.read_bytes()


def test_valid_hidden_and_without_outputs(built):
    files = _trainee(built, "ja") + _trainee(built, "en")
    assert len(files) == 2 * len(list((REPO_NB / "src").glob("[0-9][0-9]_*.toml")))
    for p in files:
        nb = nbformat.read(p, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"
        assert nb.cells[0].cell_type == "markdown" and "Run All Cells" in nb.cells[0].source
        lang = p.parent.name
        assert nb.cells[1].source == f'import opsvalue_lab.nb as ov; ov.begin("{lang}")'
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None
                assert c.metadata == {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}
                assert c.source.startswith(("ov.", "import opsvalue_lab.nb as ov"))
        assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_ja_en_same_exercises_and_every_assignment_once(built):
    ja, en = _trainee(built, "ja"), _trainee(built, "en")
    assert [p.name for p in ja] == [p.name for p in en]
    every: list[str] = []
    for a, b in zip(ja, en):
        assert _exercise_ids(a) == _exercise_ids(b)
        every += _exercise_ids(a)
    assert sorted(every) == sorted(x.id for x in catalogue().assignments)


def _src_copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(REPO_NB / "src", src)
    return src


@pytest.mark.parametrize("bad, key", [
    ('[[cell]]\nkind = "exercise"\nid = "no-such-exercise"\n', "id"),
    ('[[cell]]\nkind = "widget"\nname = "no_such_widget"\n', "name"),
    ('[[cell]]\nkind = "figure"\nname = "no_such_figure"\n', "name"),
    ('[[cell]]\nkind = "video"\nname = "x"\n', "kind"),
    ('[[cell]]\nkind = "quiz"\nids = ["no-such-quiz"]\n', "ids"),
])
def test_src_errors_name_file_and_cell(tmp_path, bad, key):
    src = _src_copy(tmp_path)
    f = sorted(src.glob("[0-9][0-9]_*.toml"))[-1]
    n = f.read_text(encoding="utf-8").count("[[cell]]")
    f.write_text(f.read_text(encoding="utf-8") + "\n" + bad, encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        bn.build(tmp_path / "out", src_dir=src)
    assert f.name in str(e.value) and f"cell[{n}]" in str(e.value) and e.value.key == key


def test_assignment_in_no_notebook_or_twice(tmp_path):
    src = _src_copy(tmp_path)
    f = sorted(src.glob("[0-9][0-9]_*.toml"))[0]
    first = _exercise_ids(_trainee(REPO_NB, "ja")[0])[0]
    f.write_text(f.read_text(encoding="utf-8") + f'\n[[cell]]\nkind = "exercise"\nid = "{first}"\n',
                 encoding="utf-8")
    with pytest.raises(CatalogueError, match="already appears"):
        bn.build(tmp_path / "out", src_dir=src)
    shutil.rmtree(src)
    src = _src_copy(tmp_path)
    sorted(src.glob("[0-9][0-9]_*.toml"))[-1].unlink()
    with pytest.raises(CatalogueError, match="in no notebook"):
        bn.build(tmp_path / "out", src_dir=src)


def test_cli_check_reports_differences(tmp_path, capsys, monkeypatch):
    out = tmp_path / "nb"
    shutil.copytree(REPO_NB, out)
    monkeypatch.setattr(bn, "repo_notebooks_dir", lambda: out)
    assert bn.cli_build(type("A", (), {"check": True})()) == 0
    victim = sorted((out / "en").glob("*.ipynb"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace("ov.", "ov .", 1), encoding="utf-8")
    before = victim.read_bytes()
    assert bn.cli_build(type("A", (), {"check": True})()) == 1
    assert f"en/{victim.name}" in capsys.readouterr().out
    assert victim.read_bytes() == before  # --check never writes


def test_instructor_src_errors_name_file_and_cell(tmp_path):
    src = tmp_path / "instructor.toml"
    src.write_text('title = { ja = "t", en = "t" }\n[[cell]]\nkind = "instructor"\nname = "rm_rf"\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as e:
        bn.build_instructor(src, tmp_path / "out")
    assert "instructor.toml" in str(e.value) and "cell[0]" in str(e.value) and e.value.key == "name"
    assert not (tmp_path / "out").exists()
