"""Each section notebook run cold with nbclient, against a notebook that only imports matplotlib and ipywidgets."""
from __future__ import annotations

import os
import statistics
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
        repeat = 1 if tiny else 3  # median of 3 cold runs each: single runs vary by ±20 % here

        def median_run(make) -> float:
            return statistics.median(_run(make(), ws) for _ in range(repeat))
        base = median_run(lambda: nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASE_CODE)]))
        paths = sorted((ROOT / "notebooks" / "ja").glob("*.ipynb"))
        for p in paths[:1] if tiny else paths:
            secs = median_run(lambda p=p: nbformat.read(p, as_version=4))
            rows.append(row(f"notebook {p.stem} (cold, nbclient, median of {repeat})", secs, base, "s",
                            "≤ 1.3×", "imports matplotlib + ipywidgets only"))
    return rows
