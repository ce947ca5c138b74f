"""CI checks that the benchmark command runs at a tiny size (no time is asserted)."""
import json
import math
import subprocess
import sys

import pytest

from benchmarks.common import ROOT


@pytest.mark.slow
def test_bench_command_runs_tiny():
    r = subprocess.run([sys.executable, "-m", "benchmarks", "--tiny"], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "| figure | value | baseline | ratio |" in r.stdout
    rows = json.loads((ROOT / "benchmarks" / "out" / "latest.json").read_text(encoding="utf-8"))
    figures = {x["figure"].split(" N=")[0] for x in rows}
    assert {"save latency p50", "save latency p99", "collect", "report + CSV"} <= figures, figures
    for x in rows:
        assert math.isfinite(x["value"]) and x["value"] > 0 and x["baseline"] > 0, x
