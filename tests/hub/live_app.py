"""A small tornado app that mounts the live routes exactly as the service does, on a stand-in for the
service's hub authentication (fixed tokens → user and scopes). The real hub + service runs in
test_live_hub.py; this app lets the page, stream, escaping and mirror tests run in seconds.

Run alone (for fault-injection tests and the benchmark):
    python tests/hub/live_app.py --port N --data DIR [--live 0|1] [--lang ja|en]
"""
from __future__ import annotations

import argparse
import asyncio
import html
import json
import sys
from pathlib import Path
from typing import Any

from tornado import web

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from opsvalue_lab.hub.live import REVIEW, SUBMIT, routes  # noqa: E402
from opsvalue_lab.instructor.course import Course  # noqa: E402

PREFIX = "/services/opsvalue/"
TOKENS = {  # token -> (hub user, scopes)
    "tok-teacher": ("teacher", {REVIEW, SUBMIT}),
    **{f"tok-t{i}": (f"trainee{i}", {SUBMIT}) for i in range(1, 201)},
}


class StandInBase(web.RequestHandler):
    """What the service's auth.BaseHandler provides: identity from a token (header or cookie)."""
    api = True
    _who: tuple[str, set[str]]

    def prepare(self) -> None:
        auth = self.request.headers.get("Authorization", "")
        token = auth[6:] if auth.startswith("token ") else (self.get_cookie("tok") or "")
        who = TOKENS.get(token)
        if who is None:
            raise web.HTTPError(403, log_message="not identified")
        self._who = who

    @property
    def hub_user(self) -> str:
        return self._who[0]

    def require_scope(self, scope: str) -> None:
        if scope not in self._who[1]:
            raise web.HTTPError(403, log_message=f"user {self.hub_user!r} needs scope {scope}")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        msg = getattr(exc, "log_message", None) or self._reason
        if self.api:
            self.finish(json.dumps({"error": msg}))
        else:
            self.finish(f"<!doctype html><title>{status_code}</title><p>{html.escape(str(msg))}</p>")


class StandInPage(StandInBase):
    api = False


class _Intake:
    def __init__(self, course: Course) -> None:
        self.course = course


def make_app(data: Path, *, live: bool = True, lang: str = "ja") -> web.Application:
    course = Course(Path(data) / "course")
    return web.Application(routes(PREFIX, StandInBase, StandInPage), opsvalue_store=_Intake(course),
                           opsvalue_live=live, opsvalue_lang=lang, opsvalue_prefix=PREFIX,
                           cookie_secret="stand-in", xsrf_cookies=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--live", default="1")
    ap.add_argument("--lang", default="ja")
    a = ap.parse_args()

    async def serve() -> None:
        make_app(Path(a.data), live=a.live == "1", lang=a.lang).listen(a.port, "127.0.0.1")
        print(f"live app on http://127.0.0.1:{a.port}{PREFIX}", flush=True)
        await asyncio.Event().wait()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
