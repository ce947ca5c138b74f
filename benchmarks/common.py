"""Shared helpers: a figure row, timing a subprocess, peak memory of a child."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def row(figure: str, value: float, baseline: float, unit: str, goal: str = "",
        baseline_name: str = "") -> dict[str, Any]:
    """One line of the table: value, its same-run baseline, and the ratio."""
    return {"figure": figure, "value": value, "baseline": baseline,
            "ratio": value / baseline if baseline else float("nan"),
            "unit": unit, "goal": goal, "baseline_name": baseline_name}


def run_python(code: str, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, str]:
    """Wall time (s) of a fresh interpreter running *code*, and its stdout."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})}, cwd=cwd).stdout
    return time.perf_counter() - t0, out


def median_time(code: str, repeat: int) -> float:
    return statistics.median(run_python(code)[0] for _ in range(repeat))


PEAK = "import resource; print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def cli_timed(args: Sequence[str], cwd: Path | None = None) -> tuple[float, int]:
    """Run `opsvalue-lab ARGS` in a fresh interpreter: (seconds, peak RSS in KiB)."""
    code = (f"import sys; sys.argv = ['opsvalue-lab', *{list(args)!r}]; from opsvalue_lab.cli import main; "
            f"rc = main(); {PEAK}; sys.exit(rc)")  # main() as the console script calls it
    secs, out = run_python(code, cwd=cwd)
    peak = int(next(line.split()[1] for line in out.splitlines() if line.startswith("PEAK ")))
    return secs, peak
