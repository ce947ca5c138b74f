"""Fixtures for the browser suite: headless Chromium (Playwright, sync API) and real servers.

Every server is bound to 127.0.0.1 on a free port, runs in its own process group and is killed in
teardown (SIGTERM, then SIGKILL) even when the test fails; teardown then asserts the port is closed.

Under CI=true nothing skips for a missing dependency: a missing Chromium or Playwright FAILS with a
message saying what to install. Outside CI such a test is skipped with the reason.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import ARTIFACTS, Server, free_port

PY = sys.executable


def pytest_collection_modifyitems(config, items):  # noqa: D103 - everything here is a browser test
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


# -- the browser -------------------------------------------------------------------------------
# Console errors that are not ours and say nothing about the workbook (each with its reason).
BENIGN_CONSOLE_ERRORS: dict[str, str] = {
    "/voila/api/shutdown/": "Voila's page-unload kernel shutdown is a sendBeacon without the _xsrf "
                            "token, which the server refuses (voila-dashboards/voila#1458)",
    "net::ERR_UNKNOWN_URL_SCHEME (attachment:": "JupyterLab puts a markdown cell's HTML in the page before "
                                                "it resolves attachment: images to data (they then show)",
    "/favicon.ico": "Voila's tree page asks for a favicon it does not serve",
    "/api/kernels?": "Voila's tree page polls a kernels API that Voila does not serve",
    "The model for kernel id  does not exist": "Voila's tree page starts the widget manager without a kernel",
}


@pytest.fixture
def page(browser, request):
    """A fresh page (own context). A console error or an uncaught page error fails the test."""
    for old in ARTIFACTS.glob(f"{request.node.name}-*.png"):  # no stale screenshots of this test
        old.unlink()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    ctx.set_default_timeout(30_000)
    pg = ctx.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(
        f"{m.text} ({m.location.get('url', '')})"))
    pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-FAILED.png"), full_page=False)
        except Exception:  # noqa: BLE001 - the page may be gone
            pass
    ctx.close()
    if rep is not None and rep.passed:
        errors = [e for e in pg.console_errors if not any(ok in e for ok in BENIGN_CONSOLE_ERRORS)]
        assert not errors, f"the page logged errors: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(scope="session", autouse=True)
def _artifacts_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield


# -- JupyterLab configuration (no pop-ups, app exposed for commands) --------------------------
def write_lab_config(root: Path) -> dict[str, str]:
    """User settings with news/update checks off, and a config dir exposing window.jupyterapp.

    Returns the environment variables that make any JupyterLab (ours, or the one that
    `opsvalue-lab start` launches) pick them up.
    """
    settings = root / "lab-user-settings"
    notif = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notif.parent.mkdir(parents=True, exist_ok=True)
    notif.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # the "announcements" extension (news + update check) also stays quiet
    ann = settings / "@jupyterlab" / "apputils-extension" / "announcements.jupyterlab-settings"
    ann.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # no "do you want to use the new Notebook 7 / shortcuts" style first-run hints
    cfg = root / "jupyter-config"
    cfg.mkdir(parents=True, exist_ok=True)
    lab_cfg = {"LabApp": {"expose_app_in_browser": True, "user_settings_dir": str(settings)},
               "LabServerApp": {"user_settings_dir": str(settings)}}
    (cfg / "jupyter_lab_config.json").write_text(json.dumps(lab_cfg))
    (cfg / "jupyter_server_config.json").write_text(json.dumps(lab_cfg))
    return {"JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_CONFIG_DIR": str(cfg),
            "JUPYTERLAB_WORKSPACES_DIR": str(root / "lab-workspaces")}


def base_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(write_lab_config(root))
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = str(Path(PY).parent) + os.pathsep + env.get("PATH", "")
    env.pop("OPSVALUE_WORKSPACE", None)
    return env


@pytest.fixture(scope="session")
def opsvalue_cli() -> list[str]:
    """The command that runs `opsvalue-lab` (the venv's entry point, else `python -m`)."""
    exe = Path(PY).parent / "opsvalue-lab"
    return [str(exe)] if exe.exists() else [PY, "-m", "opsvalue_lab.cli"]


@pytest.fixture(scope="module")
def server_factory(tmp_path_factory) -> Iterator:
    """Start servers; all of them are stopped (and their port checked closed) at teardown."""
    started: list[Server] = []

    def make(cmd, *, cwd, env, url=None, url_pattern=None, name="server", port=None) -> Server:
        s = Server(cmd, cwd=cwd, env=env, url=url, url_pattern=url_pattern, name=name, port=port,
                   log_dir=tmp_path_factory.mktemp(name + "-log"))
        started.append(s)
        s.start()
        return s

    yield make
    errors = []
    for s in reversed(started):
        try:
            s.stop()
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "; ".join(errors)


# -- the workbook's own servers ------------------------------------------------------------------
START_URL = r"http://127\.0\.0\.1:\d+/\S*token=[^\s&#]+"


def start_lab(server_factory, opsvalue_cli, tmp_path_factory, lang: str, name: str):
    """`opsvalue-lab start --workspace WS --lang LANG --port N --no-browser`; returns (server, ws)."""
    root = tmp_path_factory.mktemp(name)
    ws = root / "workspace"
    port = free_port()
    cmd = [*opsvalue_cli, "start", "--workspace", str(ws), "--lang", lang, "--port", str(port),
           "--no-browser"]
    srv = server_factory(cmd, cwd=root, env=base_env(root), name=name, port=port,
                         url_pattern=START_URL)
    return srv, ws


def plain_lab(server_factory, root: Path, name: str, extra_env: dict | None = None):
    """A plain `jupyter lab` on *root* (for the instructor notebook and the scaffold test)."""
    import secrets
    port, token = free_port(), secrets.token_hex(16)
    env = base_env(root.parent / (root.name + "-cfg"))
    env.update(extra_env or {})
    cmd = [PY, "-m", "jupyter", "lab", "--allow-root", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
           f"--LabApp.user_settings_dir={env['JUPYTERLAB_SETTINGS_DIR']}"]
    return server_factory(cmd, cwd=root, env=env, name=name, port=port,
                          url=f"http://127.0.0.1:{port}/lab?token={token}")


def open_workbook(ws: Path):
    from opsvalue_lab.store import Workbook
    return Workbook.open(ws)
