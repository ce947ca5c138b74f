"""Helpers for the browser suite: servers in their own process group, and JupyterLab driving."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or ""  # found as .ci/run finds it: `chromium` on PATH (Debian's)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
HOST = "127.0.0.1"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(ok: bool, reason: str) -> None:
    """Under CI a missing dependency is a failure, elsewhere a skip with the reason."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"browser suite cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = HOST) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


class Server:
    """A subprocess server in its own process group. `start()` waits until it answers HTTP."""

    def __init__(self, cmd: Sequence[str], *, cwd, env, url: str | None = None,
                 url_pattern: str | None = None, name: str = "server", port: int | None = None,
                 log_dir: Path, timeout: float = 90) -> None:
        self.cmd, self.cwd, self.env, self.name = list(cmd), cwd, env, name
        self.url, self.url_pattern, self.port, self.timeout = url, url_pattern, port, timeout
        self.log = Path(log_dir) / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        self._fh = open(self.log, "wb")
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=self._fh,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)  # own session => own process group
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} before it "
                                     f"served: {self.cmd}\n{self.log_tail()}")
            if self.url is None and self.url_pattern:
                m = re.search(self.url_pattern, self.log_text())
                if m:
                    self.url = m.group(0).rstrip(".,)")
            if self.url is not None:
                if self.port is None:
                    port = re.match(r"https?://[^/:]+:(\d+)", self.url)
                    assert port is not None, f"no port in {self.url}"
                    self.port = int(port.group(1))
                if self._answers():
                    return self
            time.sleep(0.25)
        self.stop(check=False)
        raise AssertionError(f"{self.name} did not serve within {self.timeout}s: {self.cmd}\n"
                             f"{self.log_tail()}")

    def _answers(self) -> bool:
        assert self.url is not None
        try:
            with urllib.request.urlopen(self.url, timeout=5) as r:
                return r.status < 500
        except urllib.error.HTTPError as e:
            return e.code < 500
        except (urllib.error.URLError, OSError):
            return False

    @property
    def base(self) -> str:
        m = re.match(r"(https?://[^/]+)", self.url or "")
        return m.group(1) if m else f"http://{HOST}:{self.port}"

    @property
    def token(self) -> str:
        m = re.search(r"[?&]token=([^&#]+)", self.url or "")
        return m.group(1) if m else ""

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    def stop(self, *, check: bool = True, grace: float = 10) -> None:
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(10)
        # kernels etc. started by the server live in the same group: make sure none survive
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._fh.close()
        self.proc = None
        if check and self.port is not None:
            deadline = time.monotonic() + 10
            while port_open(self.port) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not port_open(self.port), f"{self.name}: port {self.port} still open after stop"


# -- artifacts -----------------------------------------------------------------------------------
def shot(page, request, label: str, *, full_page: bool = False) -> Path:
    """Save a screenshot named after the test: artifacts/browser/<test>-<label>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    path = ARTIFACTS / f"{name}-{label}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# -- JupyterLab ----------------------------------------------------------------------------------
TEXTAREA = ".jp-OutputArea-output .widget-textarea textarea"

_IDLE_JS = """() => {
  const items = Array.from(document.querySelectorAll('.jp-StatusBar-Widget, .jp-StatusBar-TextItem'));
  const idle = items.some(e => /\\|\\s*Idle/.test(e.textContent || ''));
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!nb) return false;
  const busy = Array.from(nb.querySelectorAll('.jp-InputPrompt')).some(e => (e.textContent || '').includes('*'));
  return idle && !busy;
}"""


def wait_idle(page, *, timeout: float = 120_000, settle_ms: int = 700) -> None:
    """Wait for the status bar "| Idle" with no cell queued ([*]), stable for settle_ms."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        page.wait_for_function(_IDLE_JS, timeout=max(1000, (deadline - time.monotonic()) * 1000))
        page.wait_for_timeout(settle_ms)
        if page.evaluate(_IDLE_JS):
            return
        if time.monotonic() > deadline:
            raise AssertionError("kernel did not become idle")


def lab_command(page, command: str, args: dict | None = None) -> None:
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=60_000)
    # fire and forget: execute() resolves only when the command finishes (a restart waits for its
    # confirmation dialog), and page.evaluate has no timeout of its own
    page.evaluate("([c, a]) => { window.__cmd = window.jupyterapp.commands.execute(c, a || {}); return null; }",
                  [command, args])


def open_lab(page, server, path: str) -> None:
    """Open a notebook (path relative to the server root) in JupyterLab and wait for the kernel."""
    url = f"{server.base}/lab/tree/{path}?reset"  # reset: no tabs restored from an earlier test
    if server.token:
        url += f"&token={server.token}"
    page.goto(url)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
    dismiss_dialogs(page)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=60_000)
    wait_kernel_ready(page)


def wait_kernel_ready(page, timeout: float = 90_000) -> None:
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.jp-StatusBar-Widget, .jp-StatusBar-TextItem'))
              .some(e => /\\|\\s*Idle/.test(e.textContent || ''))""", timeout=timeout)


def dismiss_dialogs(page) -> None:
    """Close a "kernel selection"/news dialog if one appears (accept the default)."""
    dlg = page.locator(".jp-Dialog")
    if dlg.count():
        btn = dlg.locator(".jp-mod-accept")
        (btn.first if btn.count() else dlg.locator("button").last).click()


def run_all(page) -> None:
    lab_command(page, "notebook:run-all-cells")
    page.wait_for_timeout(500)
    wait_idle(page)


def restart_run_all(page) -> None:
    """Restart the kernel and run every cell (confirming the dialog, as a person would)."""
    lab_command(page, "notebook:restart-run-all")
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=15_000)
    page.wait_for_selector(".jp-Dialog", state="detached")
    page.wait_for_timeout(1000)
    wait_idle(page)


def save_notebook(page) -> None:
    lab_command(page, "docmanager:save")


def wait_store(read, expected, *, timeout: float = 15, what: str = "value") -> None:
    """Poll `read()` until it equals expected (the widget saves after a debounce)."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = read()
        if got == expected:
            return
        time.sleep(0.25)
    raise AssertionError(f"store {what}: expected {expected!r}, got {got!r}")


def reveal(locator, timeout: float = 30_000):
    """JupyterLab renders off-screen cells lazily (windowing): wait until the element is in the
    DOM, scroll to it like a person would, then wait for it to be visible."""
    locator.wait_for(state="attached", timeout=timeout)
    locator.scroll_into_view_if_needed()
    locator.wait_for(state="visible", timeout=timeout)
    return locator
