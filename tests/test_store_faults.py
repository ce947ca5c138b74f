"""The answer store under faults: damaged files, read-only folders, a full disk, a held lock, kill -9.

Everything is real: real files, real SQLite, real subprocesses and signals. Read-only folders
use ``chattr +i`` when running as root (chmod does not stop root), ``chmod`` otherwise.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from faults import read_only  # tests/faults.py

from opsvalue_lab.store import STORE_DIR, STORE_FILE, StoreError, Workbook


def store_path(ws: Path) -> Path:
    return ws / STORE_DIR / STORE_FILE


# ---- damaged or foreign files ------------------------------------------------------------
def _make_bad(kind: str, path: Path, tmp: Path) -> None:
    path.parent.mkdir(parents=True)
    if kind == "random bytes":
        path.write_bytes(random.Random(7).randbytes(8192))
    elif kind == "text file":
        path.write_text("これは日記です。\nnot a database\n" * 50, encoding="utf-8")
    elif kind == "truncated db":
        with Workbook.open(tmp / "good") as wb:
            for i in range(120):
                wb.save("pre-1", f"{i} " + "運用の価値" * 300)
        good = store_path(tmp / "good").read_bytes()
        path.write_bytes(good[: len(good) // 2 + 100])
    elif kind == "foreign sqlite db":
        c = sqlite3.connect(path)
        c.execute("CREATE TABLE diary (day TEXT, text TEXT)")
        c.execute("INSERT INTO diary VALUES ('mon', 'hello')")
        c.commit()
        c.close()
    elif kind == "newer schema":
        with Workbook.open(path.parent.parent):
            pass
        c = sqlite3.connect(path)
        c.execute("PRAGMA user_version = 99")
        c.close()


@pytest.mark.parametrize("kind", ["random bytes", "text file", "truncated db", "foreign sqlite db",
                                  "newer schema"])
def test_a_bad_store_file_is_named_and_left_untouched(tmp_path: Path, kind: str) -> None:
    ws = tmp_path / "ws"
    path = store_path(ws)
    _make_bad(kind, path, tmp_path)
    before = path.read_bytes()
    with pytest.raises(StoreError) as e:
        Workbook.open(ws)
    assert str(path) in str(e.value) and e.value.path == path
    assert "database is locked" not in str(e.value)
    with pytest.raises(StoreError):  # the second try says the same; nothing was "repaired"
        Workbook.open(ws)
    assert path.read_bytes() == before


def test_a_folder_where_the_store_file_should_be(tmp_path: Path) -> None:
    store_path(tmp_path / "ws").mkdir(parents=True)
    with pytest.raises(StoreError, match="answers.sqlite3"):
        Workbook.open(tmp_path / "ws")


def test_a_workspace_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "ws").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        Workbook.open(tmp_path / "ws")


def test_a_file_where_the_store_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / STORE_DIR).write_text("notes")
    with pytest.raises(StoreError, match="not a folder"):
        Workbook.open(tmp_path / "ws")
    assert (tmp_path / "ws" / STORE_DIR).read_text() == "notes"


# ---- read-only ---------------------------------------------------------------------------
def test_read_only_workspace_after_creation(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    wb = Workbook.open(ws)
    wb.save("pre-1", "first")
    d = store_path(ws).parent
    typed = "second — typed while the folder was read-only"
    # The -shm index stays writable: SQLite memory-maps it, and a write to an immutable mapped
    # page is SIGBUS for any program (the OS would not let a real mount go read-only under it).
    frozen = [p for p in sorted(d.iterdir()) if not p.name.endswith("-shm")]
    with read_only(*frozen, d):
        with pytest.raises(StoreError) as e:
            wb.save("pre-1", typed)
        assert str(store_path(ws)) in str(e.value) and "read-only" in str(e.value)
        assert wb.latest("pre-1") == "first"  # reading still works
    assert wb.save("pre-1", typed) is not None  # the caller still had it: nothing lost
    assert [v.value for v in wb.history("pre-1")] == ["first", typed]
    wb.close()


def test_read_only_store_folder_after_creation(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    with Workbook.open(ws) as wb:
        wb.save("pre-1", "first")
    d = store_path(ws).parent
    before = store_path(ws).read_bytes()
    with read_only(*sorted(d.iterdir()), d):
        with pytest.raises(StoreError) as e:
            Workbook.open(ws)
    assert str(store_path(ws)) in str(e.value) and "read-only" in str(e.value)
    assert store_path(ws).read_bytes() == before
    with Workbook.open(ws) as wb:
        assert wb.latest("pre-1") == "first"


def test_read_only_store_folder_without_a_store(tmp_path: Path) -> None:
    d = store_path(tmp_path / "ws").parent
    d.mkdir(parents=True)
    with read_only(d):
        with pytest.raises(StoreError) as e:
            Workbook.open(tmp_path / "ws")
    assert str(store_path(tmp_path / "ws")) in str(e.value) and "read-only" in str(e.value)


def test_never_created_workspace_in_a_read_only_folder(tmp_path: Path) -> None:
    parent = tmp_path / "shared"
    parent.mkdir()
    with read_only(parent):
        with pytest.raises(StoreError) as e:
            Workbook.open(parent / "ws")
    assert str(store_path(parent / "ws")) in str(e.value) and "read-only" in str(e.value)
    assert not (parent / "ws").exists()


# ---- a held lock -------------------------------------------------------------------------
def test_a_held_lock_becomes_a_clear_store_error(tmp_path: Path) -> None:
    wb = Workbook.open(tmp_path / "ws", busy_timeout=0.05)
    other = sqlite3.connect(wb.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    t0 = time.monotonic()
    with pytest.raises(StoreError) as e:
        wb.save("pre-1", "x")
    assert time.monotonic() - t0 < 5
    assert str(wb.path) in str(e.value) and "locked by another program" in str(e.value)
    other.execute("ROLLBACK")
    other.close()
    assert wb.save("pre-1", "x") is not None
    wb.close()


# ---- disk full (a real write limit on a real process) ------------------------------------
FULL = """
import json, os, resource, signal, sys
from opsvalue_lab.store import StoreError, Workbook
wb = Workbook.open(sys.argv[1])
wb.save("pre-1", "first")
d = os.path.dirname(wb.path)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # get EFBIG instead of being killed
limit = max(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)) + 4096
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
big = "運用" * 20000
out = {}
try:
    wb.save("pre-2.1", big)
    out["error"] = None
except StoreError as e:
    out["error"] = str(e)
out["latest_after_error"] = wb.latest("pre-2.1")
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
out["retry_saved"] = wb.save("pre-2.1", big) is not None
out["ok"] = wb.latest("pre-2.1") == big and wb.latest("pre-1") == "first"
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE behaviour is Linux-specific")
def test_disk_full_is_a_store_error_and_the_retry_succeeds(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", FULL, str(tmp_path / "ws")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["error"] and str(store_path(tmp_path / "ws")) in out["error"]
    assert "database is locked" not in out["error"]
    assert out["latest_after_error"] is None
    assert out["retry_saved"] and out["ok"]
    with sqlite3.connect(store_path(tmp_path / "ws")) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---- kill -9 while saving ----------------------------------------------------------------
STREAM = """
import sys
from opsvalue_lab.store import Workbook
ws, run = sys.argv[1], sys.argv[2]
wb = Workbook.open(ws)
print("ready", flush=True)
ids = ["pre-1", "work-1", "review-1"]
i = 0
while True:
    eid = ids[i % 3]
    value = {"purpose": f"{run}-{i}"} if eid == "review-1" else f"{run}-{i} 運用\\r\\n"
    wb.save(eid, value)
    print(eid, i, flush=True)  # printed only after save() returned, i.e. after COMMIT
    i += 1
"""


@pytest.mark.slow
def test_kill_minus_9_at_random_points_loses_no_returned_save(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    rng = random.Random(20261128)
    confirmed: list[tuple[str, Any]] = []
    for run in range(20):
        p = subprocess.Popen([sys.executable, "-c", STREAM, str(ws), f"r{run}"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if run % 5 == 0:  # sometimes during start-up / schema creation
            time.sleep(rng.uniform(0.05, 0.4))
        else:
            assert p.stdout is not None and p.stdout.readline() == "ready\n"
            time.sleep(rng.uniform(0.0, 0.15))
        os.kill(p.pid, signal.SIGKILL)
        out, _ = p.communicate(timeout=30)
        assert p.returncode == -signal.SIGKILL
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and line != "ready":
                eid, i = parts[0], int(parts[1])
                value = {"purpose": f"r{run}-{i}"} if eid == "review-1" else f"r{run}-{i} 運用\r\n"
                confirmed.append((eid, value))
        if not store_path(ws).exists():
            continue
        with sqlite3.connect(store_path(ws)) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with Workbook.open(ws) as wb:
            saved = {eid: [v.value for v in wb.history(eid)] for eid in ("pre-1", "work-1", "review-1")}
        for eid, value in confirmed:
            assert value in saved[eid], f"run {run}: confirmed save {eid}={value!r} is missing"
    assert len(confirmed) > 20, "the child never got to save; the test proved nothing"
