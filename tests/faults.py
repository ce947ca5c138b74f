"""Fault injection shared by the store tests (a helper module, not a test file)."""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make *paths* unwritable for real: chattr +i as root, chmod otherwise. Always restored."""
    root = os.geteuid() == 0
    if root and not shutil.which("chattr"):
        pytest.skip("running as root without chattr: no way to make a folder read-only")
    done: list[tuple[Path, int]] = []
    try:
        for p in paths:
            mode = stat.S_IMODE(p.stat().st_mode)
            if root:
                r = subprocess.run(["chattr", "+i", str(p)], capture_output=True, text=True)
                if r.returncode:
                    pytest.skip(f"chattr +i is not supported here: {r.stderr.strip()}")
            else:
                os.chmod(p, 0o555 if p.is_dir() else 0o444)
            done.append((p, mode))
        yield
    finally:
        for p, mode in reversed(done):
            if root:
                subprocess.run(["chattr", "-i", str(p)], check=True)
            else:
                os.chmod(p, mode)
