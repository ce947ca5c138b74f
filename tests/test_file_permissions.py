"""Files others must read (submission, feedback, report, CSV) get a normal file's permissions
(0666 less the umask) and appear whole or not at all."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from opsvalue_lab.feedback import write_feedback
from opsvalue_lab.instructor.collect import collect
from opsvalue_lab.instructor.demo import write_demo
from opsvalue_lab.instructor.report import write_report
from opsvalue_lab.jsonfile import FileFormatError, atomic_write, umask
from opsvalue_lab.store import Workbook


@pytest.fixture(params=[0o022, 0o002, 0o077])
def mask(request):
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_every_shared_file_gets_0666_less_the_umask(tmp_path: Path, mask: int) -> None:
    assert umask() == mask
    want = 0o666 & ~mask
    with Workbook.open(tmp_path / "ws") as wb:
        wb.set_profile(trainee_id="t-1", name="A")
        sub = wb.export(tmp_path / "t-1.opsvalue.json")
    fb = write_feedback(tmp_path / "fb.opsvalue-feedback.json", trainee_id="t-1", course="c",
                        comments=[{"exercise_id": "pre-1", "comment": "good", "author": "me",
                                   "written_at": "2026-11-30T00:00:00+00:00"}])
    demo = write_demo(2, tmp_path / "demo")
    collect([tmp_path / "demo", sub], tmp_path / "course", out=lambda _l: None)
    html, csv = write_report(tmp_path / "course", tmp_path / "r.html", csv=tmp_path / "a.csv")
    assert csv is not None
    for p in (sub, fb, *demo, html, csv):
        assert _mode(p) == want, f"{p.name}: {oct(_mode(p))} != {oct(want)}"
    assert not [p for p in tmp_path.rglob(".*.tmp")]  # no temporary file left behind


def test_a_replaced_file_keeps_its_mode_and_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    p = tmp_path / "r.html"
    atomic_write(p, b"old", force=True, err=FileFormatError)
    p.chmod(0o640)
    atomic_write(p, b"new", force=True, err=FileFormatError)
    assert p.read_bytes() == b"new" and _mode(p) == 0o640
    # a write that fails half-way (file size limit: works for root too) leaves the old file whole
    code = ("import resource, signal, sys\n"
            "from opsvalue_lab.jsonfile import atomic_write, FileFormatError\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))\n"
            "try:\n    atomic_write(sys.argv[1], b'x' * 4096, force=True, err=FileFormatError)\n"
            "except FileFormatError as e:\n    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=60)
    assert "could not be written" in r.stdout, r.stdout + r.stderr
    assert p.read_bytes() == b"new" and not list(tmp_path.glob(".*.tmp"))
