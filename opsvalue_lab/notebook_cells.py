"""What a generated trainee notebook is made of: the header, the hidden facade calls and the lecture
figures drawn once at build time as image attachments (floor 6, beside build_notebooks).

:mod:`opsvalue_lab.build_notebooks` reads and checks notebooks/src and writes the files; this module
turns checked cells into an ``nbformat`` notebook. Deterministic: stable cell ids, no outputs.
"""
from __future__ import annotations

import base64
import io
import json
from typing import Any

import nbformat

LANGS = ("ja", "en")
HIDDEN = {"jupyter": {"source_hidden": True}, "tags": ["hide-input"]}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
HEADER = {
    "ja": "**第{sid}章 {title}** — 「運用の価値」とは何か（OpsLearn 運用設計 入門コース 第2回）\n\n> ▶ メニューの **Run → Run All Cells**（すべてのセルを実行）を選ぶと、"
          "説明・図・入力欄が表示されます（ブラウザアプリ版では自動で表示されます）。回答は **自動的に保存** されます。",
    "en": "**Section {sid}: {title}** — What is the value of operations? (OpsLearn, lecture 2)\n\n> ▶ Choose **Run → Run All Cells** from the menu to show the explanations, "
          "figures and answer boxes (the browser app shows them by itself). Your answers **save automatically**.",
}


def code_call(kind: str, value: Any) -> str:
    """The facade call a hidden code cell makes, e.g. ``ov.exercise("pre-1")``."""
    if kind == "quiz":
        return f"ov.quiz({json.dumps(list(value), ensure_ascii=False)})"
    return f"ov.{kind}({json.dumps(value, ensure_ascii=False)})"


def figure_words(fig) -> list[str]:
    """Every label of a lecture figure, in reading order (top to bottom, then left to right)."""
    found = []
    for ax in fig.axes:
        for t in ax.texts:
            text = " ".join(t.get_text().split())
            if text:
                x, y = t.get_position()
                found.append((-round(float(y), 0), float(x), text))
    return [text for _y, _x, text in sorted(found)]


def figure_markdown(fig, name: str, lang: str) -> str:
    """A lecture figure's markdown: the image with a text alternative, then its labels as a table
    behind a keyboard-openable <details> (issue 16: charts readable without seeing them)."""
    from .i18n import lookup, ui_table
    words_ui = ui_table("lecture_figures")  # exercises/ui.toml
    words = figure_words(fig)
    title = words[0] if words else name
    alt = lookup(words_ui, "alt", lang).format(title=title, n=len(words)).replace("]", "）" if lang != "en" else ")")
    rows = "\n".join(f"| {i} | {w.replace('|', '&#124;')} |" for i, w in enumerate(words, 1))
    return (f"![{alt}](attachment:{name}.png)\n\n<details class=\"opsvalue-details\"><summary>"
            f"{lookup(words_ui, 'as_table', lang)}</summary>\n\n| # | {lookup(words_ui, 'col', lang)} |\n"
            f"|---:|---|\n{rows}\n\n</details>")


def figure_cell(name: str, lang: str, cid: str) -> nbformat.NotebookNode:
    """A lecture figure rendered once, at build time, as a markdown image attachment: it shows
    before anything runs (also in Voila) and costs the kernel nothing."""
    from .figures import FIGURES
    fig = FIGURES[name](lang)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", facecolor="white",
                metadata={"Software": None})  # no version stamp: the same figure gives the same bytes
    return nbformat.v4.new_markdown_cell(
        figure_markdown(fig, name, lang), id=cid,
        attachments={f"{name}.png": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii")}})


def make_notebook(sid: int, title: str, cells: list[dict[str, Any]], lang: str) -> nbformat.NotebookNode:
    v4 = nbformat.v4
    nb_cells = [v4.new_markdown_cell(HEADER[lang].format(sid=sid, title=title), id=f"s{sid}-head"),
                v4.new_code_cell(f'import opsvalue_lab.nb as ov; ov.begin("{lang}")', id=f"s{sid}-begin",
                                 metadata=json.loads(json.dumps(HIDDEN)))]
    for i, c in enumerate(cells):
        cid = f"s{sid}-c{i:02d}"
        if c["kind"] == "markdown":
            nb_cells.append(v4.new_markdown_cell(c["value"][lang], id=cid))
        elif c["kind"] == "figure":
            nb_cells.append(figure_cell(c["value"], lang, cid))
        else:
            nb_cells.append(v4.new_code_cell(code_call(c["kind"], c["value"]), id=cid,
                                             metadata=json.loads(json.dumps(HIDDEN))))
    nb = v4.new_notebook(cells=nb_cells, metadata={
        "kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
        "title": f"{sid}. {title}", "opsvalue": {"lang": lang}})
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    return nb
