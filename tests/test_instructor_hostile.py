"""Hostile inputs in one collect batch with good ones: each rejected or rendered inert."""
from __future__ import annotations

import csv
import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest

from opsvalue_lab.cli import main
from opsvalue_lab.instructor.course import Course
from opsvalue_lab.instructor.demo import write_demo
from opsvalue_lab.jsonfile import dump
from opsvalue_lab.store import Workbook

PAYLOADS = {"work-1": "<script>alert(1)</script>", "work-2": "<img src=x onerror=alert(1)>",
            "work-3": "=cmd|' /C calc'!A0", "work-4": "@SUM(1+1)", "work-5": "+1", "pre-1": "-1",
            "pre-2.1": "\uff1dSUM(A1)", "pre-2.2": "\tTAB, \"quoted\"\r\nnext line"}


def hostile_submission(tmp_path: Path) -> bytes:
    ws = tmp_path / "hostile-ws"
    with Workbook.open(ws) as wb:
        wb.set_profile(name="<script>alert('name')</script>", trainee_id="=HYPERLINK(\"x\")", cohort="@c",
                       lang="en")
        for ex, text in PAYLOADS.items():
            wb.save(ex, text)
        return wb.export(tmp_path / "hostile.opsvalue.json").read_bytes()


def lying_zip(path: Path, payload: bytes, claimed: int) -> Path:
    """A zip whose one member's headers claim *claimed* bytes while it inflates to len(payload)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.opsvalue.json", payload)
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, claimed)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, claimed)
    path.write_bytes(bytes(data))
    return path


def snapshot(root: Path, skip: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if skip not in p.parents and p != skip}


@pytest.fixture()
def batch(tmp_path: Path) -> dict[str, Path]:
    inbox = tmp_path / "inbox"
    good = write_demo(4, inbox / "good", seed=11)
    raw = good[0].read_bytes()
    doc = json.loads(raw)
    (inbox / "malformed.opsvalue.json").write_bytes(b'{"format": "opsvalue-submission", oops')
    (inbox / "truncated.opsvalue.json").write_bytes(raw[: len(raw) // 2])
    (inbox / "oversized.opsvalue.json").write_bytes(b'{"x": "' + b"A" * (6 * 1024 * 1024) + b'"}')
    wrong = dict(doc, schema_version=99)
    (inbox / "schema.opsvalue.json").write_bytes(dump(wrong))
    tampered = raw.replace(doc["answers"]["work-1"]["value"].encode("utf-8")[:12], b"TAMPERED!!!!", 1) \
        if "work-1" in doc["answers"] else raw.replace(b'"cohort": "', b'"cohort": "X', 1)
    assert tampered != raw
    (inbox / "tampered.opsvalue.json").write_bytes(tampered)
    (inbox / "hostile.opsvalue.json").write_bytes(hostile_submission(tmp_path))
    (inbox / "notazip.zip").write_bytes(b"this is not a zip archive at all")
    extra = write_demo(6, tmp_path / "extra", seed=12)[4:]  # two more good trainees, only in the zip
    with zipfile.ZipFile(inbox / "evil.zip", "w") as zf:
        zf.writestr("../../evil.opsvalue.json", raw)
        zf.writestr("/abs/path.opsvalue.json", raw)
        zf.writestr("class/" + extra[0].name, extra[0].read_bytes())
        zf.writestr("class/" + extra[1].name, extra[1].read_bytes())
        zf.writestr("readme.txt", b"hello")
        big = zipfile.ZipInfo("honest-bomb.opsvalue.json")
        big.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(big, b"\0" * (8 * 1024 * 1024))
    lying_zip(inbox / "lying.zip", b" " * (20 * 1024 * 1024), claimed=1000)
    return {"inbox": inbox, "course": tmp_path / "course", "root": tmp_path}


def test_hostile_batch(batch: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, course = batch["root"], batch["course"]
    before = snapshot(root, course)
    assert main(["collect", str(batch["inbox"]), "--course", str(course)]) == 0
    lines = capsys.readouterr().out.splitlines()
    status = {}
    for line in lines[:-1]:
        kind, _, rest = line.partition(": ")
        status[rest.split(": ")[0]] = (kind, line)
    by_name = {Path(k.split("!")[-1]).name if "!" not in k else k.split("!")[-1]: v for k, v in status.items()}

    for name in ("malformed", "truncated", "oversized", "schema", "tampered"):
        kind, line = by_name[f"{name}.opsvalue.json"]
        assert kind == "rejected", line
    assert "checksum" in by_name["tampered.opsvalue.json"][1]
    assert "schema_version" in by_name["schema.opsvalue.json"][1]
    assert "limit" in by_name["oversized.opsvalue.json"][1]
    assert by_name["notazip.zip"][0] == "rejected"
    assert "not a zip" in by_name["notazip.zip"][1]
    for member in ("../../evil.opsvalue.json", "/abs/path.opsvalue.json"):
        assert by_name[member][0] == "rejected" and "unsafe member name" in by_name[member][1]
    assert by_name["readme.txt"][0] == "rejected"
    assert by_name["honest-bomb.opsvalue.json"][0] == "rejected"
    assert by_name["bomb.opsvalue.json"][0] == "rejected"  # header claims 1000 bytes, inflates to 20 MB
    assert by_name["hostile.opsvalue.json"][0] == "imported"
    assert sum(kind == "imported" for kind, _ in status.values()) == 4 + 2 + 1
    assert lines[-1].startswith("summary: 7 imported, 0 updated, 0 duplicate,")
    assert "rejected (see the rejected lines above)" in lines[-1]

    # nothing written outside the course dir, no archive path ever created
    after = snapshot(root, course)
    assert after == before
    assert not (root.parent / "evil.opsvalue.json").exists() and not Path("/abs/path.opsvalue.json").exists()
    assert set(os.listdir(course)) <= {"course.sqlite3", "course.sqlite3-wal", "course.sqlite3-shm"}

    # idempotent: a second run changes nothing
    import sqlite3
    dump_db = lambda: list(sqlite3.connect(course / "course.sqlite3").iterdump())  # noqa: E731
    db = dump_db()
    assert main(["collect", str(batch["inbox"]), "--course", str(course)]) == 0
    assert dump_db() == db

    with Course(course) as c:
        c.set_comment('=HYPERLINK("x")', "work-1", "<script>alert('comment')</script>")

    html_path, csv_path = root / "report" / "r.html", root / "report" / "r.csv"
    assert main(["report", "--course", str(course), "--out", str(html_path), "--csv", str(csv_path),
                 "--lang", "en"]) == 0
    page = html_path.read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#39;comment&#39;)&lt;/script&gt;" in page
    assert "<script" not in page.lower() and "<img src=x" not in page and "onerror=alert" not in page.replace(
        "&lt;img src=x onerror=alert(1)&gt;", "")
    assert "http://" not in page and "https://" not in page and "url(" not in page

    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with io.StringIO(raw.decode("utf-8-sig"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    hostile = {r["exercise_id"]: r for r in rows if "HYPERLINK" in r["trainee_id"]}
    assert hostile["work-1"]["trainee_id"].startswith("'=")
    assert hostile["work-1"]["name"].startswith("<script>")  # inert in a CSV; not a formula
    assert hostile["work-1"]["cohort"] == "'@c"
    assert hostile["work-1"]["comment"].startswith("<script>")
    assert hostile["work-3"]["answer"] == "'=cmd|' /C calc'!A0"
    assert hostile["work-4"]["answer"] == "'@SUM(1+1)"
    assert hostile["work-5"]["answer"] == "'+1"
    assert hostile["pre-1"]["answer"] == "'-1"
    assert hostile["pre-2.1"]["answer"] == "'\uff1dSUM(A1)"
    assert hostile["pre-2.2"]["answer"] == "'\tTAB, \"quoted\"\r\nnext line"
    for r in rows:
        for cell in r.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"))


def test_nothing_readable_and_unusable_course(tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.opsvalue.json").write_bytes(b"\xff\xfe garbage")
    assert main(["collect", str(tmp_path / "bad.opsvalue.json"), str(tmp_path / "missing"),
                 "--course", str(tmp_path / "c")]) == 1
    out = capsys.readouterr().out
    assert "rejected: " in out and "not found" in out
    (tmp_path / "file").write_text("x")
    assert main(["collect", str(tmp_path / "bad.opsvalue.json"), "--course", str(tmp_path / "file")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_terminal_control_characters_are_shown_inert(tmp_path: Path, capsys) -> None:
    with zipfile.ZipFile(tmp_path / "ctl.zip", "w") as zf:
        zf.writestr("\x1b[31mred\x1b[0m.opsvalue.json", b"{}")
    main(["collect", str(tmp_path / "ctl.zip"), "--course", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mred" in out
