"""Save latency of the answer store against a bare SQLite INSERT + COMMIT (same WAL, same fsync).

``run(tiny)`` returns rows {"figure", "value", "baseline", "ratio", "unit", "goal"}; the baseline
is measured in the same run, on the same disk, so the ratio shows what validation, canonical JSON,
the equal-to-latest check and the lock cost on top of SQLite itself.
"""
from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from opsvalue_lab.store import Workbook

from .common import row

GOAL = "p99 ≤ 20 ms"


def _text(i: int) -> str:
    return f"{i}: 運用とは、組織の資源を活用して、課題を解決するサービスを継続的に提供すること。" * 3


def _percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def run(tiny: bool) -> list[dict]:
    """Save latency p50 and p99 over 1,000 saves (20 when *tiny*), with the bare-SQLite baseline.

    The two are interleaved (one bare INSERT, one save, ...) so disk noise hits both alike.
    """
    n = 20 if tiny else 1000
    ids = ("pre-1", "pre-2.1", "pre-2.2", "work-1", "work-2")
    store: list[float] = []
    base: list[float] = []
    with tempfile.TemporaryDirectory(prefix="opsvalue-bench-") as d:
        conn = sqlite3.connect(Path(d) / "bare.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v TEXT, at TEXT)")
        with Workbook.open(Path(d) / "ws") as wb:
            for i in range(n):
                t0 = time.perf_counter()
                conn.execute("BEGIN")
                conn.execute("INSERT INTO t (k, v, at) VALUES (?, ?, ?)", (ids[i % 5], _text(i), "2026-01-01"))
                conn.execute("COMMIT")
                t1 = time.perf_counter()
                wb.save(ids[i % 5], _text(i))
                t2 = time.perf_counter()
                base.append((t1 - t0) * 1000)
                store.append((t2 - t1) * 1000)
        conn.close()
    return [row(name, _percentile(store, q), _percentile(base, q), "ms", GOAL,
                "bare sqlite3 INSERT + COMMIT, WAL, synchronous=FULL")
            for name, q in (("save latency p50", 50), ("save latency p99", 99))]


if __name__ == "__main__":
    import json
    import sys
    print(json.dumps(run("--tiny" in sys.argv), ensure_ascii=False, indent=1))  # python -m benchmarks.bench_store
