"""The single-user server's command on an opsvalue hub (set by config.configure as Spawner.cmd).

Runs as the user: prepares the workspace ~/opsvalue in the course language (launch.prepare_workspace,
which never overwrites an edited notebook), then replaces itself with jupyterhub-singleuser with
the arguments the hub passed. The kernels it starts inherit JUPYTERHUB_API_TOKEN, JUPYTERHUB_USER,
OPSVALUE_SERVICE_URL and OPSVALUE_WORKSPACE.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..launch import prepare_workspace
from .config import WORKSPACE_DIR


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    lang = os.environ.get("OPSVALUE_LANG", "ja")
    ws = prepare_workspace(Path.home() / WORKSPACE_DIR, lang if lang in ("ja", "en") else "ja")
    os.environ["OPSVALUE_WORKSPACE"] = str(ws)
    os.chdir(Path.home())
    os.execv(sys.executable, [sys.executable, "-m", "jupyterhub.singleuser", *args])


if __name__ == "__main__":
    main()
