"""Parsed TOML content files, cached: every process that loads the catalogue (a kernel, the CLI, the
hub service) would otherwise parse about 200 KB of TOML, some 25 ms, the same way each time.

The cache is keyed by the SHA-256 of the file's bytes, so an edited file is parsed again and a stale
entry is never used. Entries are plain JSON (never pickle; read with the json module, so the core
imports nothing more) in ``$XDG_CACHE_HOME/opsvalue-lab`` (or ``~/.cache/opsvalue-lab``, or
``$OPSVALUE_CACHE``; ``OPSVALUE_CACHE=off`` turns the cache off), in a folder only the user can
write. An entry is used only if it is the user's own file, not writable by others, and holds a JSON
object; anything else is parsed from the TOML again. A TOML file whose values JSON cannot carry
exactly (dates, inf, nan) is not cached. Writing is atomic and best effort: a read-only home only
means the TOML is parsed each time. Nothing else is written.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from pathlib import Path
from typing import Any

ENV = "OPSVALUE_CACHE"


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    env = os.environ.get(ENV, "").strip()
    if env.lower() in ("off", "0", "no", "false"):
        return None
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "opsvalue-lab"


def loads(data: bytes) -> dict[str, Any]:
    """``tomllib.loads`` of *data* (UTF-8 bytes), from the cache when an entry for these bytes exists.
    Raises what tomllib (or decoding) raises for a broken file: such files are never cached."""
    folder = cache_dir()
    if folder is None:
        return _parse(data)
    entry = folder / f"toml-{hashlib.sha256(data).hexdigest()}.json"
    cached = _read(entry)
    if cached is not None:
        return cached
    doc = _parse(data)
    if _plain(doc):
        _write(folder, entry, json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return doc


def _parse(data: bytes) -> dict[str, Any]:
    import tomllib  # here, not at the top: its import compiles its regular expressions, some 5 ms
    return tomllib.loads(data.decode("utf-8"))  # that most starts (every entry cached) never pay


def _read(entry: Path) -> dict[str, Any] | None:
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o022 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None  # only the user's own entry, which nobody else could have changed
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            doc = json.loads(fh.read())
        return doc if isinstance(doc, dict) else None
    except (OSError, ValueError, RecursionError):  # ValueError: not UTF-8 or not JSON
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def _plain(v: Any) -> bool:
    """True when JSON carries *v* exactly: text, bool, int, finite float, lists and tables of them."""
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, float):
            if not math.isfinite(x):
                return False
        elif not isinstance(x, (str, int)):  # bool is an int; datetimes are not plain
            return False
    return True


def _write(folder: Path, entry: Path, body: bytes) -> None:
    tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
        os.replace(tmp, entry)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
