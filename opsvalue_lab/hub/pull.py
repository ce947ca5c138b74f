"""`opsvalue-lab collect --hub URL --token TOKEN --course DIR`: the hub's submissions, offline.

Fetches every submission the `opsvalue` service filed (GET api/submissions, needs the instructor's
custom:opsvalue:review scope) and feeds each one, as the exact bytes filed, to the same
`Collector.take` as a local collect: one line per submission, a second run adds nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import OpsValueError
from ..instructor.collect import Collector, Tally
from ..instructor.course import Course
from .client import HubClient, HubRefused
from .config import service_prefix


def service_url(url: str) -> str:
    """The service's base URL from the hub URL (or the service URL itself)."""
    u = url.strip().rstrip("/")
    if not u.startswith(("http://", "https://")):
        raise OpsValueError(f"--hub {url!r}: give the hub's address, e.g. https://hub.example.com")
    return u + "/" if u.endswith(service_prefix().rstrip("/")) else u + service_prefix()


def fetch(url: str, token: str) -> list[dict[str, Any]]:
    client = HubClient(service_url(url), token, "", timeout=120)
    try:
        doc = client.json("GET", "api/submissions")
    except HubRefused as e:
        hint = " (this token lacks custom:opsvalue:review: use an instructor's token)" if e.status == 403 else ""
        raise OpsValueError(f"the hub refused: {e}{hint}") from None
    subs = doc.get("submissions") if isinstance(doc, dict) else None
    if not isinstance(subs, list):
        raise OpsValueError(f"{url}: the answer holds no submissions list")
    return subs


def pull(url: str, token: str, course_dir: str | Path, out: Callable[[str], None] = print) -> Tally:
    subs = fetch(url, token)
    with Course(course_dir) as course, course.batch() as tick:
        c = Collector(course, out, tick)
        for s in subs:
            trainee, sha = str(s.get("trainee", "")), str(s.get("sha256", ""))
            data = str(s.get("data", "")).encode("utf-8")
            c.take(data, f"hub:{trainee}/{sha[:12]}", f"{trainee}.opsvalue.json")
        return c.tally
