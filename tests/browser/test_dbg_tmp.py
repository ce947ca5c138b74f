"""The infrastructure on a tiny notebook of our own: plain JupyterLab, one Textarea widget.

Proves the fixtures (server in its own process group, idle detection, run-all, restart, real key
events) independently of the workbook's modules.
"""
from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import base_env
from .helpers import TEXTAREA, open_lab, restart_run_all, run_all, shot, wait_store, free_port

TYPED = "障害対応を減らし、事業を止めない 🚀 Lead time lowered, all OK"

CELL = r'''
import json, pathlib, ipywidgets as w
from IPython.display import display
out = pathlib.Path("answer.json")
old = json.loads(out.read_text())["v"] if out.exists() else ""
ta = w.Textarea(value=old, continuous_update=True, layout=w.Layout(width="100%"))
st = w.HTML("未保存")
def on(c):
    out.write_text(json.dumps({"v": c["new"]}, ensure_ascii=False))
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
    port, token = free_port(), secrets.token_hex(16)
    env = base_env(tmp_path_factory.mktemp("tiny-cfg"))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
           f"--LabApp.user_settings_dir={env['JUPYTERLAB_SETTINGS_DIR']}"]
    srv = server_factory(cmd, cwd=root, env=env, name="tiny-lab", port=port,
                         url=f"http://127.0.0.1:{port}/lab?token={token}")
    return srv, root


def test_tiny_textarea_roundtrip(page, request, tiny_lab):
    print("STEP", 'srv, root = tiny_lab', flush=True)
    srv, root = tiny_lab
    print("STEP", 'open_lab(page, srv, "tiny.ipynb")', flush=True)
    open_lab(page, srv, "tiny.ipynb")
    print("STEP", 'run_all(page)', flush=True)
    run_all(page)
    print("STEP", 'box = page.locator(TEXTAREA).first', flush=True)
    box = page.locator(TEXTAREA).first
    print("STEP", 'box.click()', flush=True)
    box.click()
    print("STEP", 'box.press_sequentially(TYPED, delay=15)', flush=True)
    box.press_sequentially(TYPED, delay=15)
    print("STEP", 'page.locator(".jp-OutputArea-output", has_text="保存', flush=True)
    page.locator(".jp-OutputArea-output", has_text="保存しました").first.wait_for()
    read = lambda: json.loads((root / "answer.json").read_text())["v"]  # noqa: E731
    print("STEP", 'wait_store(read, TYPED)', flush=True)
    wait_store(read, TYPED)
    print("STEP", 'shot(page, request, "typed")', flush=True)
    shot(page, request, "typed")
    print("STEP", 'box.fill("")', flush=True)
    box.fill("")
    print("STEP", 'box.focus()', flush=True)
    box.focus()
    print("STEP", 'page.keyboard.insert_text("運用の価値")', flush=True)
    page.keyboard.insert_text("運用の価値")
    print("STEP", 'wait_store(read, "運用の価値", what="IME-style insert_t', flush=True)
    wait_store(read, "運用の価値", what="IME-style insert_text")
    print("STEP", 'restart_run_all(page)', flush=True)
    restart_run_all(page)
    print("STEP", 'assert page.locator(TEXTAREA).first.input_value() ', flush=True)
    assert page.locator(TEXTAREA).first.input_value() == "運用の価値"
    print("STEP", 'shot(page, request, "after-restart")', flush=True)
    shot(page, request, "after-restart")
