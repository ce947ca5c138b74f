"""The infrastructure on a tiny notebook of our own: plain JupyterLab, one Textarea widget.

Proves the fixtures (server in its own process group, idle detection, run-all, restart, real key
events) independently of the workbook's modules.
"""
from __future__ import annotations

import json

import nbformat
import pytest

from .conftest import plain_lab
from .helpers import TEXTAREA, open_lab, restart_run_all, run_all, shot, wait_store

TYPED = "障害対応を減らし、事業を止めない 🚀 Lead time lowered, all OK"

CELL = r'''
import json, os, pathlib, ipywidgets as w
from IPython.display import display
out = pathlib.Path("answer.json")
old = json.loads(out.read_text())["v"] if out.exists() else ""
ta = w.Textarea(value=old, continuous_update=True, layout=w.Layout(width="100%"))
st = w.HTML("未保存")
def on(c):  # written whole, then moved into place: the test never reads a half-written file
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"v": c["new"]}, ensure_ascii=False))
    os.replace(tmp, out)
    st.value = "保存しました"
ta.observe(on, names="value")
display(w.VBox([ta, st]))
'''


@pytest.fixture(scope="module")
def tiny_lab(tmp_path_factory, server_factory):
    root = tmp_path_factory.mktemp("tiny")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 小さなノート"), nbformat.v4.new_code_cell(CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, root / "tiny.ipynb")
    srv = plain_lab(server_factory, root, "tiny-lab")
    return srv, root


def test_tiny_textarea_roundtrip(page, request, tiny_lab):
    srv, root = tiny_lab
    open_lab(page, srv, "tiny.ipynb")
    run_all(page)
    box = page.locator(TEXTAREA).first
    box.click()
    box.press_sequentially(TYPED, delay=15)
    page.locator(".jp-OutputArea-output", has_text="保存しました").first.wait_for()
    read = lambda: json.loads((root / "answer.json").read_text())["v"]  # noqa: E731
    wait_store(read, TYPED)
    shot(page, request, "typed")
    box.fill("")
    box.focus()
    page.keyboard.insert_text("運用の価値")
    wait_store(read, "運用の価値", what="IME-style insert_text")
    restart_run_all(page)
    assert page.locator(TEXTAREA).first.input_value() == "運用の価値"
    shot(page, request, "after-restart")
