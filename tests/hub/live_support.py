"""Helpers of the live tests: the stand-in live app as a real subprocess (so it can be killed),
HTTP calls with tokens, and waiting on a condition with a timeout."""
from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from browser.helpers import Server, free_port

HERE = Path(__file__).resolve().parent
PREFIX = "/services/opsvalue/"


def start_app(tmp: Path, data: Path, *, live: bool = True, port: int | None = None, name: str = "live-app") -> Server:
    port = port or free_port()
    srv = Server([sys.executable, str(HERE / "live_app.py"), "--port", str(port), "--data", str(data),
                  "--live", "1" if live else "0"], cwd=str(HERE), env=None,
                 url=f"http://127.0.0.1:{port}{PREFIX}live/static/live.css", name=name, port=port,
                 log_dir=tmp, timeout=60)
    return srv.start()


def call(srv: Server, method: str, path: str, token: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(f"{srv.base}{PREFIX}{path}", data=data, method=method,
                                 headers={"Authorization": f"token {token}", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            raw, status, hdrs = r.read(), r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, dict(e.headers)
    ctype = hdrs.get("Content-Type", "")
    if ctype.startswith("image/"):
        return status, raw, hdrs
    return status, (json.loads(raw) if "json" in ctype or raw[:1] in (b"{", b"[") else raw.decode()), hdrs


def now() -> str:
    return datetime.now(UTC).isoformat()


def put(srv: Server, token: str, exercise_id: str, value: Any, saved_at: str | None = None) -> tuple[int, Any]:
    status, doc, _ = call(srv, "PUT", f"api/live/{exercise_id}", token, {"value": value, "saved_at": saved_at or now()})
    return status, doc


def feed(srv: Server, exercise_id: str, since: int = 0, names: bool = False) -> dict[str, Any]:
    status, doc, _ = call(srv, "GET", f"live/{exercise_id}.json?since={since}&names={int(names)}", "tok-teacher")
    assert status == 200, doc
    return doc


def wait_for(cond: Callable[[], Any], timeout: float, what: str, step: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = cond()
        except Exception as e:  # noqa: BLE001 - e.g. the server is still down
            last = e
        if last and not isinstance(last, Exception):
            return last
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
