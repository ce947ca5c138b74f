"""A real JupyterHub class for tests/hub: hub + configurable-http-proxy + the `opsvalue` service,
started through opsvalue_lab.hub.demo.HubProcess (the same code as `opsvalue-lab hub-demo`) on free
127.0.0.1 ports, one per module, stopped (with every process it started) even when a test fails.

Under CI=true nothing skips: a missing JupyterHub, proxy or Chromium fails with what to install.
"""
from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser.conftest import write_lab_config  # the same quiet JupyterLab settings as tests/browser
from browser.helpers import require

from .helpers import ARTIFACTS


def pytest_collection_modifyitems(config, items):  # noqa: D103 - every test here drives a real hub
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def require_hub() -> None:
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        require(False, "JupyterHub is not installed: pip install -e '.[hub]' (make test does)")
    require(bool(shutil.which("configurable-http-proxy")),
            "configurable-http-proxy is missing: npm install -g configurable-http-proxy@5 (.ci/run does)")


def start_hub(root: Path, **kw):
    """A started HubProcess under *root* (admin token, JupyterLab exposed for commands, no news)."""
    require_hub()
    from opsvalue_lab.hub.demo import HubProcess
    env = write_lab_config(root / "labcfg")
    hub = HubProcess(root / "data", instructors="teach", admin_token=secrets.token_hex(24),
                     log=root / "hub.log", log_level="INFO",
                     user_args=["--LabApp.expose_app_in_browser=True",
                                f"--LabApp.user_settings_dir={env['JUPYTERLAB_SETTINGS_DIR']}"],
                     user_env={"JUPYTERLAB_SETTINGS_DIR": env["JUPYTERLAB_SETTINGS_DIR"]}, **kw)
    try:
        hub.start()
        hub.wait_ready(120)
    except BaseException:
        hub.stop()
        raise
    return hub


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator:
    root = tmp_path_factory.mktemp("hub")
    h = start_hub(root)
    try:
        yield h
    finally:
        h.stop()


@pytest.fixture(autouse=True)
def _clean_artifacts(request):
    for old in ARTIFACTS.glob(f"{request.node.name}-*.png"):
        old.unlink()
