"""Each section notebook run cold with nbclient, against a notebook that only imports matplotlib and ipywidgets."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .common import ROOT

BASE_CODE = "import matplotlib.pyplot as plt, ipywidgets as w\nw.Textarea()"


def _run(nb: nbformat.NotebookNode, cwd: Path) -> float:
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - t0


def run(tiny: bool) -> list[dict]:
    from opsvalue_lab.launch import prepare_workspace
    from .common import row

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        prepare_workspace(ws, "ja")
        os.environ["OPSVALUE_WORKSPACE"] = str(ws)
        base_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASE_CODE)])
        base = _run(base_nb, ws)
        paths = sorted((ROOT / "notebooks" / "ja").glob("*.ipynb"))
        for p in paths[:1] if tiny else paths:
            secs = _run(nbformat.read(p, as_version=4), ws)
            rows.append(row(f"notebook {p.stem} (cold, nbclient)", secs, base, "s", "≤ 1.3×",
                            "imports matplotlib + ipywidgets only"))
    return rows
