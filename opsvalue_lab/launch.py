"""`opsvalue-lab start` (JupyterLab), `app` (Voila) and `review` (the instructor notebook): prepare, then serve.

The trainee's edited notebooks are never overwritten: a changed shipped notebook goes beside the
edited one as NN_slug.new-<version>.ipynb. Servers bind 127.0.0.1 only and use a random token.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .errors import OpsValueError

DEFAULT_WORKSPACE = "opsvalue-workspace"


def shipped_notebooks(lang: str) -> Path:
    """notebooks/<lang>/ of the source tree, or opsvalue_lab/_notebooks/<lang>/ inside the wheel."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "notebooks" / lang, here / "_notebooks" / lang):
        if cand.is_dir() and any(cand.glob("*.ipynb")):
            return cand
    raise OpsValueError(f"the {lang} notebooks are missing (looked in {here.parent / 'notebooks' / lang} "
                        f"and {here / '_notebooks' / lang}); reinstall opsvalue-lab")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sync(src: Path, dest_dir: Path, record: dict[str, str], prefix: str) -> None:
    """Copy src/*.ipynb into dest_dir; an edited copy stays and the new one goes beside it."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    for nb in sorted(src.glob("*.ipynb")):
        dest = dest_dir / nb.name
        new_hash = _sha(nb)
        key = prefix + nb.name
        if dest.exists():
            have = _sha(dest)
            if have != new_hash and have != record.get(key):  # the trainee's edited copy: keep it
                beside = dest.with_name(f"{dest.stem}.new-{__version__}.ipynb")
                if not beside.exists() or _sha(beside) != new_hash:
                    shutil.copyfile(nb, beside)
                continue
            if have != new_hash:  # an untouched copy of what we shipped before: update it
                shutil.copyfile(nb, dest)
        else:
            shutil.copyfile(nb, dest)
        record[key] = new_hash


def prepare_workspace(workspace: str | Path = DEFAULT_WORKSPACE, lang: str = "ja") -> Path:
    """Create the workspace: notebooks of *lang* at its top, the other language in <ws>/<other>/.

    Never overwrites an edited copy (see :func:`_sync`); shipped hashes live in .opsvalue/shipped.json.
    """
    ws = Path(workspace).expanduser().resolve()
    if ws.exists() and not ws.is_dir():
        raise OpsValueError(f"{ws}: the workspace must be a folder, but a file has that name")
    meta = ws / ".opsvalue"
    for d in (ws, meta, ws / "submissions", ws / "feedback"):
        d.mkdir(parents=True, exist_ok=True)
    record_path = meta / "shipped.json"
    try:
        record: dict[str, str] = json.loads(record_path.read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    other = "en" if lang == "ja" else "ja"
    built = _overlay_notebooks(meta)
    _sync(built / lang if built else shipped_notebooks(lang), ws, record, "")
    _sync(built / other if built else shipped_notebooks(other), ws / other, record, f"{other}/")
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    return ws


def _overlay_notebooks(meta: Path) -> Path | None:
    """With a cohort overlay ($OPSVALUE_CATALOGUE / --catalogue), the notebooks built from it into
    <ws>/.opsvalue/notebooks/ (the same generator as the shipped ones); else None."""
    from .catalogue import catalogue
    cat = catalogue()
    if not cat.overlay:
        return None
    from .build_notebooks import build
    out = meta / "notebooks"
    build(out, cat=cat)
    return out


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(ws: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OPSVALUE_WORKSPACE"] = str(ws)
    return env


VOILA_TEMPLATE = "opsvalue"


def install_voila_template(ws: Path, lang: str) -> Path:
    """Write the workbook's Voila template (assets/voila/opsvalue: <html lang>, no public CDN, a
    <main> landmark, the landing page in *lang*) into <ws>/.opsvalue/jupyter/voila/templates/, with
    *lang* for pages whose notebook does not say its own; returns the data dir to put first on
    JUPYTER_PATH."""
    src = Path(__file__).resolve().parent / "assets" / "voila" / VOILA_TEMPLATE
    data = ws / ".opsvalue" / "jupyter"
    dest = data / "voila" / "templates" / VOILA_TEMPLATE
    dest.mkdir(parents=True, exist_ok=True)
    words = voila_words(lang)
    for f in src.iterdir():
        if f.is_file():
            text = f.read_text(encoding="utf-8").replace("@LANG@", lang).replace("@WORDS@", words)
            (dest / f.name).write_text(text, encoding="utf-8")
    return data


def voila_words(lang: str) -> str:
    """The landing page's words in *lang* (ui.toml [voila]) and each section notebook's title
    (sections.toml), as a Jinja dict literal; characters Jinja or HTML could read are \\u-escaped."""
    from .catalogue import catalogue
    from .i18n import lookup, ui_table
    table = ui_table("voila")
    words = {"ui": {k: lookup(table, k, lang) for k in table},
             "titles": {f"{s.id:02d}_{s.slug}.ipynb": s.title(lang) for s in catalogue().sections}}
    return _jinja_literal(words)


def _jinja_literal(value: Any) -> str:
    """A dict of dicts of texts as a Jinja literal: JSON strings (which Jinja reads as such) with the
    characters that could end a tag or start markup written as \\u escapes."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_jinja_literal(k)}: {_jinja_literal(v)}" for k, v in value.items()) + "}"
    s = json.dumps(str(value), ensure_ascii=False)
    return '"' + "".join(f"\\u{ord(c):04x}" if c in "{}%#<>&'" else c for c in s[1:-1]) + '"'


def quiet_lab_settings(ws: Path) -> dict[str, str]:
    """JupyterLab user settings for the workspace: no news pop-up, no update check (they cover the
    workbook and ask an unrelated question). Returns the environment that points JupyterLab at them;
    settings a user already has there are kept, only these two keys are set."""
    settings = ws / ".opsvalue" / "lab-settings"
    plugin = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    plugin.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = json.loads(plugin.read_text(encoding="utf-8"))
        if not isinstance(current, dict):
            current = {}
    except (OSError, ValueError):
        current = {}
    current.update({"fetchNews": "false", "checkForUpdates": False})
    plugin.write_text(json.dumps(current, indent=1), encoding="utf-8")
    return {"JUPYTERLAB_SETTINGS_DIR": str(settings)}


def _run(cmd: list[str], env: dict[str, str], url: str, cwd: Path) -> int:
    """Start the server, print where it is, wait; Ctrl-C stops it cleanly."""
    proc = subprocess.Popen(cmd, env=env, cwd=str(cwd))
    print(f"opsvalue-lab: open {url}", flush=True)
    print("opsvalue-lab: press Ctrl-C to stop", flush=True)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return _stop(proc)
    finally:
        if proc.poll() is None:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> int:
    """SIGTERM (Jupyter and Voila shut their kernels down cleanly on it), then kill if needed."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return 0


def _install_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt so `kill` stops the server child too."""
    def handler(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt
    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not in the main thread
        pass


def _lab(args: Any, root: Path, path: str, env: dict[str, str]) -> int:
    """JupyterLab on 127.0.0.1 with a random token, serving *root* and opening *path*."""
    port = int(getattr(args, "port", 0) or 0) or free_port()
    token = secrets.token_urlsafe(24)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    if getattr(args, "no_browser", False):
        cmd.append("--no-browser")
    if "JUPYTERLAB_SETTINGS_DIR" not in env:  # a settings dir the user chose wins
        env = {**env, **quiet_lab_settings(root)}
    _install_sigterm()
    return _run(cmd, env, f"http://127.0.0.1:{port}/{path}?token={token}", root)


def _voila(args: Any, root: Path, target: Path, env: dict[str, str], lang: str) -> int:
    """Voila on 127.0.0.1 (code hidden) serving *target*: a folder's notebooks, or one notebook;
    pages use the workbook's template (<html lang>, no public CDN, a <main> landmark)."""
    port = int(getattr(args, "port", 0) or 0) or free_port()
    data = install_voila_template(root, lang)
    env = {**env, "JUPYTER_PATH": os.pathsep.join(p for p in (str(data), env.get("JUPYTER_PATH", "")) if p)}
    cmd = [sys.executable, "-m", "voila", str(target), "--Voila.ip=127.0.0.1", f"--port={port}",
           "--strip_sources=True", f"--Voila.root_dir={root}", f"--template={VOILA_TEMPLATE}",
           "--classic-tree"]  # the server-rendered landing page (assets/voila/opsvalue/tree.html)
    if getattr(args, "no_browser", False):
        cmd.append("--no-browser")
    _install_sigterm()
    return _run(cmd, env, f"http://127.0.0.1:{port}/", root)


def start(args: Any) -> int:
    """Prepare the workspace and open it in JupyterLab on 127.0.0.1 with a random token."""
    lang = getattr(args, "lang", "ja") or "ja"
    ws = prepare_workspace(getattr(args, "workspace", DEFAULT_WORKSPACE) or DEFAULT_WORKSPACE, lang)
    first = sorted(ws.glob("00_*.ipynb"))
    return _lab(args, ws, f"lab/tree/{first[0].name}" if first else "lab", _env(ws))


def app(args: Any) -> int:
    """Prepare the workspace and serve it through Voila (no code, no JupyterLab) on 127.0.0.1."""
    lang = getattr(args, "lang", "ja") or "ja"
    ws = prepare_workspace(getattr(args, "workspace", DEFAULT_WORKSPACE) or DEFAULT_WORKSPACE, lang)
    return _voila(args, ws, ws, _env(ws), lang)


# ---- the instructor's review ------------------------------------------------------------------
REVIEW_DIR = "review"          # <course>/review/: the instructor notebooks, wired to that course


def prepare_review(course: str | Path) -> Path:
    """<course>/review/ with the instructor notebooks (ja.ipynb, en.ipynb) and a pointer to the course.

    The notebooks read the course from $OPSVALUE_COURSE (set by `review`), else from the pointer
    file beside them, so the folder also works when opened in any JupyterLab. Edited notebooks are
    kept (a newer one goes beside them, as in a trainee workspace).
    """
    c = Path(course).expanduser().resolve()
    if not c.is_dir():
        raise OpsValueError(f"{c}: there is no course folder here; make one with "
                            f"`opsvalue-lab collect SUBMISSIONS --course {course}`")
    from .instructor.course import COURSE_POINTER, DB_NAME
    if not (c / DB_NAME).is_file() and any(c.iterdir()):
        raise OpsValueError(f"{c}: this folder holds files but no course store ({DB_NAME}); pass the "
                            "folder given to `opsvalue-lab collect --course`")
    ws = c / REVIEW_DIR
    ws.mkdir(exist_ok=True)
    (ws / COURSE_POINTER).write_text("..\n", encoding="utf-8")
    record_path = ws / ".opsvalue-shipped.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        record = record if isinstance(record, dict) else {}
    except (OSError, ValueError):
        record = {}
    meta = ws / ".opsvalue"
    built = _overlay_notebooks(meta)
    src = built / "instructor" if built and (built / "instructor").is_dir() else shipped_notebooks("instructor")
    _sync(src, ws, record, "")
    record_path.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    return ws


def review(args: Any) -> int:
    """Open the instructor notebook on *args.course* in JupyterLab, or in Voila with --app."""
    lang = "en" if getattr(args, "lang", "ja") == "en" else "ja"
    ws = prepare_review(args.course)
    env = dict(os.environ)
    env["OPSVALUE_COURSE"] = str(ws.parent)
    env.pop("OPSVALUE_WORKSPACE", None)
    if getattr(args, "app", False):
        return _voila(args, ws, ws / f"{lang}.ipynb", env, lang)
    return _lab(args, ws, f"lab/tree/{lang}.ipynb", env)
