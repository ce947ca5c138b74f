"""Instructor pipeline for N demo submissions: collect, open one question, report; and peak memory.

The floor is the job's bare minimum as one process: read every file, hash it, parse it, and insert it
into a SQLite file in one transaction. Floor and collect run five times in turn on the same files
(synced to disk first), each into a new store, and the median of each is the figure.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .common import PEAK, cli_timed, row, run_python

FLOOR = f"""
import hashlib, json, sqlite3, sys, time
from pathlib import Path
src, db = Path(sys.argv[1]), sys.argv[2]
t0 = time.perf_counter()
con = sqlite3.connect(db); con.execute('PRAGMA journal_mode=WAL')
con.execute('CREATE TABLE s (sha TEXT PRIMARY KEY, trainee TEXT, body TEXT)')
with con:
    for p in sorted(src.rglob('*.opsvalue.json')):
        data = p.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        doc = json.loads(data)
        con.execute('INSERT OR IGNORE INTO s VALUES (?, ?, ?)', (sha, doc['profile'].get('trainee_id'), data.decode()))
con.close()
print('SECS', time.perf_counter() - t0)
{PEAK}
"""

REPEAT = 5  # floor and collect runs per size (in turn; the median of each: this machine is noisy)

OPEN_QUESTION = """
import sys, time
t0 = time.perf_counter()
from opsvalue_lab.instructor.course import Course
c = Course.open(sys.argv[1])
rows = c.answers_for('post-1')
assert rows
print('SECS', time.perf_counter() - t0)
"""


def _floor(src: Path, db: Path) -> tuple[float, int]:
    code = FLOOR.replace("sys.argv[1]", repr(str(src))).replace("sys.argv[2]", repr(str(db)))
    secs, out = run_python(code)
    peak = int(next(x.split()[1] for x in out.splitlines() if x.startswith("PEAK ")))
    return secs, peak


def run(tiny: bool) -> list[dict]:
    sizes = [int(s) for s in os.environ.get("OPSVALUE_BENCH_SIZES", "100,1000,10000").split(",")]
    rows: list[dict] = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            cli_timed(["demo-class", "--n", str(n), "--out", str(t / "demo"), "--seed", "1"])
            os.sync()  # the demo files on disk first: neither run pays for flushing them
            runs = [(_floor(t / "demo", t / f"floor{i}.sqlite3"),
                     cli_timed(["collect", str(t / "demo"), "--course", str(t / ("course" if i == 0 else f"c{i}"))]))
                    for i in range(REPEAT)]  # floor and collect in turn, each into a new store; the median
            floor_s, floor_peak = sorted(r[0] for r in runs)[REPEAT // 2]
            collect_s, collect_peak = sorted(r[1] for r in runs)[REPEAT // 2]
            open_s, _ = run_python(OPEN_QUESTION.replace("sys.argv[1]", repr(str(t / "course"))))
            report_s, report_peak = cli_timed(["report", "--course", str(t / "course"), "--out",
                                               str(t / "report.html"), "--csv", str(t / "answers.csv")])
            floor_name = "read+hash+parse+insert, one transaction"
            rows.append(row(f"collect N={n}", collect_s, floor_s, "s", "≤ 2× floor", floor_name))
            rows.append(row(f"open one question N={n} (fresh process)", open_s, floor_s, "s", "", floor_name))
            rows.append(row(f"report + CSV N={n}", report_s, floor_s, "s", "≤ 3 s at N=1,000", floor_name))
            if n == max(sizes):
                rows.append(row(f"peak memory collect N={n}", collect_peak, floor_peak, "KiB", "", "floor process"))
                rows.append(row(f"peak memory report N={n}", report_peak, floor_peak, "KiB", "≤ 250 MiB",
                                "floor process"))
    return rows
