"""A trainee never sees a traceback: a real kernel runs a notebook against a damaged store."""
import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from opsvalue_lab.build_notebooks import repo_notebooks_dir
from opsvalue_lab.launch import prepare_workspace


@pytest.mark.slow
def test_corrupt_store_gives_friendly_messages_not_tracebacks(tmp_path):
    ws = prepare_workspace(tmp_path / "ws", "ja")
    store = ws / ".opsvalue" / "answers.sqlite3"
    store.parent.mkdir(exist_ok=True)
    junk = b"this is not a database, it was damaged" * 100
    store.write_bytes(junk)
    nb = nbformat.read(repo_notebooks_dir() / "ja" / "03_service_delivery.ipynb", as_version=4)
    env = {**os.environ, "OPSVALUE_WORKSPACE": str(ws)}
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(ws)}}).execute(env=env, cwd=str(ws))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], "a cell raised"
    text = json.dumps([o.get("data", {}) for o in outputs] + [o.get("text", "") for o in outputs],
                      ensure_ascii=False)
    assert "Traceback" not in text and "sqlite3.DatabaseError" not in text
    assert "⚠" in text and "answers.sqlite3" in text  # a friendly line naming the file
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert store.read_bytes() == junk  # never replaced or "repaired"
