"""prepare_workspace keeps edited notebooks; `opsvalue-lab start` serves JupyterLab on 127.0.0.1 with a token."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from markupsafe import escape

from opsvalue_lab import OpsValueError, __version__
from opsvalue_lab.launch import free_port, prepare_workspace, shipped_notebooks


def test_prepare_creates_workspace(tmp_path):
    ws = prepare_workspace(tmp_path / "ws", "ja")
    names = sorted(p.name for p in shipped_notebooks("ja").glob("*.ipynb"))
    assert sorted(p.name for p in ws.glob("*.ipynb")) == names
    assert sorted(p.name for p in (ws / "en").glob("*.ipynb")) == names
    for d in (".opsvalue", "submissions", "feedback"):
        assert (ws / d).is_dir()
    assert (ws / names[0]).read_bytes() == (shipped_notebooks("ja") / names[0]).read_bytes()
    assert json.loads((ws / ".opsvalue" / "shipped.json").read_text())
    assert prepare_workspace(ws, "ja") == ws  # idempotent


def test_prepare_never_overwrites_an_edited_copy(tmp_path, monkeypatch):
    ws = prepare_workspace(tmp_path / "ws", "ja")
    first = sorted(ws.glob("*.ipynb"))[0]
    untouched = sorted(ws.glob("*.ipynb"))[1]
    edited = first.read_text(encoding="utf-8").replace('"cells": [', '"cells": [ ', 1) + "\n"
    first.write_text(edited, encoding="utf-8")
    # a new release ships changed notebooks
    newer = tmp_path / "newer" / "ja"
    newer.mkdir(parents=True)
    for p in shipped_notebooks("ja").glob("*.ipynb"):
        (newer / p.name).write_bytes(p.read_bytes().replace(b'"cells": [', b'"cells":  [', 1))
    real = shipped_notebooks
    monkeypatch.setattr("opsvalue_lab.launch.shipped_notebooks",
                        lambda lang: newer if lang == "ja" else real(lang))
    prepare_workspace(ws, "ja")
    assert first.read_text(encoding="utf-8") == edited  # the edit survives
    beside = first.with_name(f"{first.stem}.new-{__version__}.ipynb")
    assert beside.read_bytes() == (newer / first.name).read_bytes()
    # an untouched copy of what we shipped before is simply updated
    assert untouched.read_bytes() == (newer / untouched.name).read_bytes()
    assert not untouched.with_name(f"{untouched.stem}.new-{__version__}.ipynb").exists()
    prepare_workspace(ws, "ja")  # again: still no overwrite, no duplicate
    assert first.read_text(encoding="utf-8") == edited
    assert len(list(ws.glob("*.new-*.ipynb"))) == 1


def test_prepare_refuses_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OpsValueError, match="folder"):
        prepare_workspace(f, "ja")


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("opsvalue-lab")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "opsvalue_lab.cli"]


@pytest.mark.slow
def test_start_serves_jupyterlab_with_token(tmp_path):
    port = free_port()
    ws = tmp_path / "ws"
    env = {k: v for k, v in os.environ.items() if k != "JUPYTERLAB_SETTINGS_DIR"}  # the workspace's own
    proc = subprocess.Popen([*_cli(), "start", "--no-browser", "--port", str(port), "--workspace", str(ws)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp_path,
                            start_new_session=True, env=env)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            m = next((re.search(r"(http://127\.0\.0\.1:\d+/\S*\?token=(\S+))", ln) for ln in lines
                      if "token=" in ln), None)
            url = m
            time.sleep(0.1)
        assert url, f"no URL printed: {lines}"
        token = url.group(2)
        assert f"127.0.0.1:{port}/" in url.group(1)
        status = None
        while time.monotonic() < deadline:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                             headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(req, timeout=5) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        with pytest.raises(urllib.error.HTTPError):  # no token, no entry
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=5)
        assert (ws / ".opsvalue").is_dir() and list(ws.glob("00_*.ipynb"))
        # JupyterLab itself reads the news pop-up as off (issue 16): the settings the server serves
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification",
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            served = json.loads(r.read())
        assert served["settings"].get("fetchNews") == "false", served.get("raw")
    finally:
        if proc.poll() is None:
            proc.terminate()  # SIGTERM: the launcher stops JupyterLab too
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode is not None
    # the server child is gone too: the port is free again (it may take a moment to close)
    import socket
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        assert time.monotonic() < deadline, f"port {port} still answers after the launcher stopped"
        time.sleep(0.1)


@pytest.mark.slow
def test_app_serves_voila_on_localhost(tmp_path):
    port = free_port()
    proc = subprocess.Popen([*_cli(), "app", "--no-browser", "--port", str(port), "--workspace",
                             str(tmp_path / "ws"), "--lang", "en"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
                            start_new_session=True)
    try:
        deadline, status, page = time.monotonic() + 60, None, ""
        while status is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    status, page = r.status, r.read().decode("utf-8")
            except OSError:
                time.sleep(0.3)
        assert status == 200
        # the landing page speaks the chosen language (ui.toml [voila], the sections' titles)
        from opsvalue_lab.catalogue import catalogue
        from opsvalue_lab.i18n import ui_table
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/tree/ja", timeout=30) as r:
            folder = r.read().decode("utf-8")  # the other language's folder: a way up
        for text in (page, folder):
            assert '<html lang="en">' in text
            assert "Select items to open" not in text and "Voilà Home" not in text
        for key, words in ui_table("voila").items():
            assert str(escape(words["en"])) in (folder if key == "up" else page), key
            assert words["ja"] not in page + folder, key
        for s in catalogue().sections:
            assert f"{escape(s.title('en'))} <span class=\"opsvalue-file\">({s.id:02d}_{s.slug}.ipynb)" in page
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode is not None


def test_review_folder_is_wired_to_the_course_from_anywhere(tmp_path, monkeypatch):
    from opsvalue_lab.instructor.course import Course
    from opsvalue_lab.instructor.nbapi import course_dir
    from opsvalue_lab.launch import prepare_review
    monkeypatch.delenv("OPSVALUE_COURSE", raising=False)
    with Course(tmp_path / "course"):
        pass
    monkeypatch.chdir(tmp_path)
    ws = prepare_review("course")
    assert ws == (tmp_path / "course" / "review").resolve()
    assert {p.name for p in ws.glob("*.ipynb")} == {"ja.ipynb", "en.ipynb"}
    # the notebooks find the course from their own folder, whatever the server's cwd was
    assert course_dir("course", cwd=ws) == (tmp_path / "course").resolve()
    monkeypatch.setenv("OPSVALUE_COURSE", str(tmp_path / "other"))
    assert course_dir("course", cwd=ws) == tmp_path / "other"
    # an edited notebook is kept on the next review
    (ws / "ja.ipynb").write_text((ws / "ja.ipynb").read_text(encoding="utf-8").replace("#", "##", 1),
                                 encoding="utf-8")
    edited = (ws / "ja.ipynb").read_text(encoding="utf-8")
    prepare_review(tmp_path / "course")
    assert (ws / "ja.ipynb").read_text(encoding="utf-8") == edited


def test_review_refuses_what_is_not_a_course(tmp_path):
    from opsvalue_lab.launch import prepare_review
    with pytest.raises(OpsValueError, match="no course folder"):
        prepare_review(tmp_path / "missing")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
    with pytest.raises(OpsValueError, match="no course store"):
        prepare_review(tmp_path / "photos")
    assert not (tmp_path / "photos" / "review").exists()
