"""Every trainee notebook, in both languages, runs top to bottom in a real kernel: no error, no stderr."""
from __future__ import annotations

import asyncio
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from opsvalue_lab.launch import prepare_workspace

pytest.importorskip("nbclient")
from nbclient import NotebookClient  # noqa: E402

REPO_NB = Path(__file__).resolve().parent.parent / "notebooks"
CASES = [(lang, p.name) for lang in ("ja", "en") for p in sorted((REPO_NB / lang).glob("*.ipynb"))]
ERROR_MARK = "class='opsvalue-error'"


def _run(tmp: Path, lang: str, name: str) -> tuple[str, list[str], float]:
    ws = prepare_workspace(tmp / f"{lang}-{Path(name).stem}", lang)
    nb = nbformat.read(ws / name, as_version=4)
    env = {**os.environ, "OPSVALUE_WORKSPACE": str(ws), "PYTHONWARNINGS": "default"}
    client = NotebookClient(nb, kernel_name="python3", timeout=180, allow_errors=True,
                            store_widget_state=True, resources={"metadata": {"path": str(ws)}})
    t0 = time.monotonic()
    loop = asyncio.new_event_loop()  # one loop per worker thread, closed here so none leaks
    asyncio.set_event_loop(loop)
    try:
        client.execute(env=env, cwd=str(ws))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    took = time.monotonic() - t0
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"cell {i}: error {out.get('ename')}: {out.get('evalue')}")
            elif kind == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {i}: stderr {out.get('text', '')[:300]!r}")
            elif kind in ("display_data", "execute_result"):
                html = str(out.get("data", {}).get("text/html", ""))
                if ERROR_MARK in html or "Traceback" in html:
                    problems.append(f"cell {i}: friendly error shown: {html[:300]!r}")
    state = json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)
    if ERROR_MARK in state or "opsvalue-error" in state.replace(".opsvalue-error", ""):
        problems.append("a widget shows an error status")
    if "Traceback" in state:
        problems.append("a widget shows a traceback")
    return f"{lang}/{name}", problems, took


@pytest.mark.slow
def test_every_notebook_runs_clean(tmp_path):
    assert len(CASES) >= 2 and {c[0] for c in CASES} == {"ja", "en"}
    workers = max(2, min(8, (os.cpu_count() or 2)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda c: _run(tmp_path, *c), CASES))
    failures = {name: probs for name, probs, _t in results if probs}
    timings = {name: round(t, 1) for name, _p, t in results}
    print("notebook run times (s):", timings)
    assert not failures, failures
