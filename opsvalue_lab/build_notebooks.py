"""Generate the trainee notebooks (notebooks/ja, notebooks/en) from notebooks/src/NN_slug.toml.

Deterministic: stable cell ids, no outputs, no execution counts, sorted JSON. Code cells only call
the facade (opsvalue_lab.nb) and are hidden. `opsvalue-lab build-notebooks [--check]`. This module
reads and checks the sources and writes (or checks) the files; the cells themselves, the header and
the lecture figures as attachments: :mod:`opsvalue_lab.notebook_cells`.
"""
from __future__ import annotations

import base64
import json
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import nbformat

from .catalogue import Catalogue, CatalogueError, catalogue, load_catalogue, overlay_parts
from .errors import OpsValueError
from .nb import WIDGET_TARGETS
from .notebook_cells import HIDDEN, KERNELSPEC, LANGS, make_notebook
from .notebook_cells import figure_cell as figure_cell  # re-exported: the cell templates used to live here
from .notebook_cells import figure_markdown as figure_markdown
from .notebook_cells import figure_words as figure_words

CELL_KINDS = ("markdown", "figure", "exercise", "quiz", "widget")
WIDGET_NAMES = tuple(WIDGET_TARGETS)  # the notebook facade's registry is the one list
_SRC_NAME = re.compile(r"^(\d\d)_([a-z0-9_]+)\.toml$")


def repo_notebooks_dir() -> Path:
    """notebooks/ of the source tree, or the copy shipped inside the wheel."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "notebooks", here / "_notebooks"):
        if (cand / "src").is_dir():
            return cand
    return here.parent / "notebooks"


def _figure_names() -> set[str]:
    from .figures import FIGURES
    return set(FIGURES)


def _text(path: Path, i: int, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS) or not all(
            isinstance(value[k], str) and value[k].strip() for k in LANGS):
        raise CatalogueError(path, f"cell[{i}]", "text", "must be a table with non-empty 'ja' and 'en' strings")
    return {k: value[k].strip("\n") for k in LANGS}


def read_src(path: Path, cat: Catalogue, figures: set[str],
             hidden: frozenset[str] = frozenset()) -> tuple[int, list[dict[str, Any]]]:
    """Parse and check one src file; errors name the file and the cell index. Cells of exercises and
    quizzes a cohort overlay hides (*hidden*) are left out."""
    m = _SRC_NAME.match(path.name)
    if not m:
        raise CatalogueError(path, "-", "file name", "must look like NN_slug.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CatalogueError(path, "-", "-", f"not valid TOML: {e}") from None
    sid = data.get("section")
    if set(data) - {"section", "cell"}:
        raise CatalogueError(path, "-", ",".join(sorted(set(data) - {"section", "cell"})), "unknown key")
    if not isinstance(sid, int) or sid != int(m.group(1)):
        raise CatalogueError(path, "-", "section", f"must be {int(m.group(1))} (the file's number), got {sid!r}")
    try:
        cat.section(sid)
    except KeyError:
        raise CatalogueError(path, "-", "section", f"unknown section {sid!r}") from None
    cells = data.get("cell")
    if not isinstance(cells, list) or not cells:
        raise CatalogueError(path, "-", "cell", "needs at least one [[cell]]")
    out = []
    quiz_ids = {q.id for q in cat.quizzes}
    for i, c in enumerate(cells):
        where = f"cell[{i}]"
        kind = c.get("kind")
        need = {"markdown": "text", "figure": "name", "exercise": "id", "quiz": "ids", "widget": "name"}
        if kind not in CELL_KINDS:
            raise CatalogueError(path, where, "kind", f"{kind!r} must be one of {', '.join(CELL_KINDS)}")
        extra = set(c) - {"kind", need[kind]}
        if extra or need[kind] not in c:
            raise CatalogueError(path, where, need[kind] if need[kind] not in c else ",".join(sorted(extra)),
                                 f"kind {kind!r} takes exactly the key '{need[kind]}'")
        v = c[need[kind]]
        if kind == "exercise" and v in hidden:
            continue
        if kind == "quiz" and isinstance(v, list) and hidden.intersection(v):
            v = [x for x in v if x not in hidden]
            if not v:
                continue
        if kind == "markdown":
            v = _text(path, i, v)
        elif kind == "figure" and v not in figures:
            raise CatalogueError(path, where, "name", f"unknown figure {v!r} (one of {', '.join(sorted(figures))})")
        elif kind == "widget" and v not in WIDGET_NAMES:
            raise CatalogueError(path, where, "name", f"unknown widget {v!r} (one of {', '.join(WIDGET_NAMES)})")
        elif kind == "exercise" and v not in cat.ids:
            raise CatalogueError(path, where, "id", f"unknown exercise id {v!r}")
        elif kind == "quiz":
            if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
                raise CatalogueError(path, where, "ids", "must be a non-empty list of quiz ids")
            bad = [x for x in v if x not in quiz_ids]
            if bad:
                raise CatalogueError(path, where, "ids", f"unknown quiz id(s) {', '.join(map(repr, bad))}")
        out.append({"kind": kind, "value": v})
    return sid, out


def _write(path: Path, nb: nbformat.NotebookNode) -> Path:
    text = nbformat.writes(nb, version=4)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return path


def sources(src_dir: str | Path | None, cat: Catalogue) -> tuple[list[Path], frozenset[str]]:
    """The section src files (a cohort overlay's NN_*.toml replaces the shipped file of the same
    number or adds one) and the ids the overlay hides."""
    src = Path(src_dir) if src_dir is not None else repo_notebooks_dir() / "src"
    files = {p.name[:2]: p for p in sorted(src.glob("*.toml")) if p.name != "instructor.toml"}
    hidden: frozenset[str] = frozenset()
    if cat.overlay:
        over_src = overlay_parts(cat.overlay)[1]
        if over_src is not None:
            files.update({p.name[:2]: p for p in sorted(over_src.glob("*.toml")) if p.name != "instructor.toml"})
            if (over_src / "instructor.toml").exists():
                files["instructor"] = over_src / "instructor.toml"
        base = load_catalogue()
        hidden = frozenset({*base.ids, *(q.id for q in base.quizzes)} - {*cat.ids, *(q.id for q in cat.quizzes)})
    if "instructor" not in files and (src / "instructor.toml").exists():
        files["instructor"] = src / "instructor.toml"
    return [files[k] for k in sorted(files)], hidden


def default_out(cat: Catalogue) -> Path:
    """notebooks/ of the source tree, or DIR/notebooks/ for a cohort overlay DIR."""
    return Path(cat.overlay) / "notebooks" if cat.overlay else repo_notebooks_dir()


def build(out_dir: str | Path | None = None, *, src_dir: str | Path | None = None,
          cat: Catalogue | None = None) -> list[Path]:
    """Write <out>/ja/NN_slug.ipynb and <out>/en/NN_slug.ipynb (and instructor notebooks if available)."""
    cat = cat or catalogue()
    out = Path(out_dir) if out_dir is not None else default_out(cat)
    figures = _figure_names()
    all_files, hidden = sources(src_dir, cat)
    files = [p for p in all_files if p.name != "instructor.toml"]
    if not files:
        raise OpsValueError(f"{src_dir or repo_notebooks_dir() / 'src'}: no NN_slug.toml section files found")
    parsed = [(f, *read_src(f, cat, figures, hidden)) for f in files]
    seen: dict[str, str] = {}
    for f, _sid, cells in parsed:
        for i, c in enumerate(cells):
            if c["kind"] == "exercise":
                if c["value"] in seen:
                    raise CatalogueError(f, f"cell[{i}]", "id",
                                         f"exercise {c['value']!r} already appears in {seen[c['value']]}")
                seen[c["value"]] = f.name
    missing = [a.id for a in cat.assignments if a.id not in seen]
    if missing:
        raise CatalogueError(files[0].parent, "-", "exercise", f"assignment(s) in no notebook: {', '.join(missing)} "
                             "(add an exercise cell to a notebooks/src/NN_*.toml)")
    written = []
    for f, sid, cells in parsed:
        for lang in LANGS:
            nb = make_notebook(sid, cat.section(sid).title(lang), cells, lang)
            written.append(_write(out / lang / f"{f.stem}.ipynb", nb))
    ipath = next((p for p in all_files if p.name == "instructor.toml"), None)
    if ipath is not None:
        written += build_instructor(ipath, out / "instructor")
    return written


def read_instructor_src(path: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """notebooks/src/instructor.toml: a ja/en title and cells (markdown, or one nbapi call)."""
    from .instructor import nbapi
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CatalogueError(path, "-", "-", f"cannot be read as TOML: {e}") from None
    title = _text(path, -1, data.get("title"))
    cells = []
    for i, c in enumerate(data.get("cell", [])):
        kind = c.get("kind")
        if kind == "markdown":
            cells.append({"kind": kind, "value": _text(path, i, c.get("text"))})
        elif kind == "instructor":
            name = c.get("name")
            if not isinstance(name, str) or name.startswith("_") or not callable(getattr(nbapi, name, None)):
                raise CatalogueError(path, f"cell[{i}]", "name", f"{name!r} is not a function of instructor.nbapi")
            cells.append({"kind": kind, "value": name})
        else:
            raise CatalogueError(path, f"cell[{i}]", "kind", f"{kind!r} must be markdown or instructor")
    return title, cells


def build_instructor(src: Path, out_dir: Path) -> list[Path]:
    """Write <out_dir>/ja.ipynb and en.ipynb from instructor.toml (same rules as the trainee notebooks)."""
    title, cells = read_instructor_src(src)
    written = []
    for lang in LANGS:
        nb_cells = [nbformat.v4.new_code_cell(
            f'import opsvalue_lab.instructor.nbapi as iv; iv.begin("{lang}", course="course")',
            id="iv-begin", metadata=json.loads(json.dumps(HIDDEN)))]
        for i, c in enumerate(cells):
            cid = f"iv-c{i:02d}"
            nb_cells.append(nbformat.v4.new_markdown_cell(c["value"][lang], id=cid) if c["kind"] == "markdown"
                            else nbformat.v4.new_code_cell(f"iv.{c['value']}()", id=cid,
                                                           metadata=json.loads(json.dumps(HIDDEN))))
        if cells and cells[0]["kind"] == "markdown":  # the intro comes first, then the hidden begin()
            nb_cells[0], nb_cells[1] = nb_cells[1], nb_cells[0]
        nb = nbformat.v4.new_notebook(cells=nb_cells, metadata={
            "kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}, "title": title[lang],
            "opsvalue": {"lang": lang}})
        nb.nbformat, nb.nbformat_minor = 4, 5
        nbformat.validate(nb)
        written.append(_write(out_dir / f"{lang}.ipynb", nb))
    return written


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def comparable(data: bytes) -> str:
    """A notebook's JSON with each PNG attachment replaced by a marker once it is checked to be a PNG:
    the committed and the generated notebooks must match in everything else, while a newer matplotlib
    that draws the same figure with other bytes does not count as a difference."""
    nb = json.loads(data)
    for cell in nb.get("cells", []):
        for bundle in (cell.get("attachments") or {}).values():
            png = base64.b64decode(bundle.get("image/png", ""))
            bundle["image/png"] = "<png>" if png.startswith(PNG_MAGIC) else "<not a png>"
    return json.dumps(nb, sort_keys=True, ensure_ascii=False)


def _listing(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): comparable(p.read_bytes()) for p in sorted(root.rglob("*.ipynb"))
            if p.relative_to(root).parts[0] in (*LANGS, "instructor")}


def check(out_dir: str | Path | None = None) -> list[str]:
    """Relative paths of notebooks that differ from (or are missing in / extra to) a fresh build."""
    cat = catalogue()
    out = Path(out_dir) if out_dir is not None else default_out(cat)
    with tempfile.TemporaryDirectory() as tmp:
        build(tmp, src_dir=out / "src" if (out / "src").is_dir() and not cat.overlay else None, cat=cat)
        fresh = _listing(Path(tmp))
    have = _listing(out) if out.is_dir() else {}
    return sorted(k for k in set(fresh) | set(have) if fresh.get(k) != have.get(k))


def cli_build(args: Any) -> int:
    if getattr(args, "check", False):
        diff = check()
        if diff:
            print("notebooks out of date (run `opsvalue-lab build-notebooks`):")
            for d in diff:
                print(f"  {d}")
            return 1
        print("notebooks are up to date")
        return 0
    for p in build(getattr(args, "out", None)):
        print(p)
    return 0
