"""The hub-managed service `opsvalue` (tornado): `python -m opsvalue_lab.hub.service`.

JupyterHub starts it with JUPYTERHUB_SERVICE_URL / _PREFIX / JUPYTERHUB_API_TOKEN; configure() adds
OPSVALUE_DATA_DIR, OPSVALUE_COURSE, OPSVALUE_LANG, OPSVALUE_LIVE. Endpoints (docs/DEPLOY.md and
/work/notes/HUB_CONTRACT.md): api/config, api/submissions (POST: submit; GET: review),
api/feedback (submit: your own), api/comments (review), report (review, browser).
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import secrets
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join
from tornado import ioloop, web
from tornado.httpserver import HTTPServer

from ..instructor.collect import MAX_FILE_BYTES
from .auth import REVIEW, SUBMIT, ApiHandler, PageHandler
from .comments import CommentsPage
from .intake import Intake, Rejected

log = logging.getLogger("opsvalue.service")

# Extra handler modules (the `live` helper adds one line here). Each module has
# `handlers(prefix: str) -> list[tuple]` of tornado routes under the service prefix.
EXTRA_HANDLER_MODULES: list[str] = [
    "opsvalue_lab.hub.live",  # the live class view (issue 13)
]


class ConfigHandler(ApiHandler):
    def get(self) -> None:
        if not (self.has_scope(SUBMIT) or self.has_scope(REVIEW)):
            self.require_scope(SUBMIT)
        s = self.settings
        self.send_json({"course": s["opsvalue_course"], "lang": s["opsvalue_lang"],
                        "live": s["opsvalue_live"], "user": self.hub_user,
                        "review": self.has_scope(REVIEW)})


class SubmissionsHandler(ApiHandler):
    def post(self) -> None:
        self.require_scope(SUBMIT)
        try:
            receipt = self.store.receive(self.hub_user, self.request.body)
        except Rejected as e:
            self.send_json({"error": str(e)}, 400)
            return
        log.info("submission from %s: %s", self.hub_user, receipt.status)
        self.send_json(receipt.as_json(), 201 if receipt.status != "duplicate" else 200)

    def get(self) -> None:
        self.require_scope(REVIEW)
        self.send_json({"course": self.settings["opsvalue_course"], "submissions": self.store.submissions()})


class FeedbackHandler(ApiHandler):
    def get(self) -> None:
        self.require_scope(SUBMIT)
        data = self.store.feedback(self.hub_user)
        if data is None:
            self.send_json({"error": f"no comments for {self.hub_user} yet"}, 404)
            return
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(data)


class CommentsHandler(ApiHandler):
    def post(self) -> None:
        self.require_scope(REVIEW)
        try:
            doc = json.loads(self.request.body or b"null")
            self.send_json(self.store.comment(self.hub_user, doc), 201)
        except (ValueError, Rejected) as e:
            self.send_json({"error": str(e)}, 400)


class ReportHandler(PageHandler):
    async def get(self) -> None:
        self.require_scope(REVIEW)
        lang = self.get_argument("lang", self.settings["opsvalue_lang"])
        # charts take about a second: built in a thread so submissions are not held up meanwhile
        page = await ioloop.IOLoop.current().run_in_executor(
            None, self.store.report_html, lang if lang in ("ja", "en") else "ja")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(page)


class HomeHandler(PageHandler):
    def get(self) -> None:
        if self.has_scope(REVIEW):
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish("<!doctype html><meta charset='utf-8'><title>opsvalue</title><ul>"
                        "<li><a href='report'>クラスレポート / Class report</a></li>"
                        "<li><a href='comments'>講師コメント / Instructor comments</a></li></ul>")
            return
        self.require_scope(SUBMIT)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish("<!doctype html><meta charset='utf-8'><title>opsvalue</title>"
                    "<p>opsvalue: submit from the workbook (notebook 06). / "
                    "提出はワークブック (ノートブック 06) から行ってください。</p>")


def _cookie_secret(data: Path) -> bytes:
    """Kept under the data directory so browser sessions survive a service restart."""
    p = data / "service_cookie_secret"
    try:
        return bytes.fromhex(p.read_text().strip())
    except (OSError, ValueError):
        secret = secrets.token_bytes(32)
        p.write_text(secret.hex())
        os.chmod(p, 0o600)
        return secret


def make_app(intake: Intake, *, prefix: str, course: str, lang: str, live: bool,
             hub_auth: HubOAuth | None = None) -> web.Application:
    # the singleton: HubOAuthCallbackHandler uses HubOAuth.instance(), and the OAuth state (where
    # to go back to after login) lives in that instance
    hub_auth = hub_auth or HubOAuth.instance(cache_max_age=300)  # JupyterHub's default
    routes: list[tuple] = [
        (url_path_join(prefix, "api/config"), ConfigHandler),
        (url_path_join(prefix, "api/submissions"), SubmissionsHandler),
        (url_path_join(prefix, "api/feedback"), FeedbackHandler),
        (url_path_join(prefix, "api/comments"), CommentsHandler),
        (url_path_join(prefix, "report"), ReportHandler),
        (url_path_join(prefix, "comments"), CommentsPage),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (prefix, HomeHandler),
    ]
    for name in EXTRA_HANDLER_MODULES:
        routes[:0] = importlib.import_module(name).handlers(prefix)
    return web.Application(routes, hub_auth=hub_auth, opsvalue_store=intake, opsvalue_prefix=prefix,
                           opsvalue_course=course, opsvalue_lang=lang, opsvalue_live=live,
                           cookie_secret=_cookie_secret(intake.data), login_url=hub_auth.login_url)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[opsvalue %(asctime)s] %(message)s")
    data = Path(os.environ.get("OPSVALUE_DATA_DIR", "opsvalue-hub")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    course = os.environ.get("OPSVALUE_COURSE", "course")
    lang = os.environ.get("OPSVALUE_LANG", "ja")
    intake = Intake(data, course)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/opsvalue/")
    app = make_app(intake, prefix=prefix, course=course, lang=lang if lang in ("ja", "en") else "ja",
                   live=os.environ.get("OPSVALUE_LIVE", "0") == "1")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    server = HTTPServer(app, max_body_size=MAX_FILE_BYTES + 64 * 1024, xheaders=True)
    server.listen(url.port or 80, os.environ.get("OPSVALUE_BIND_IP") or url.hostname or "127.0.0.1")
    loop = ioloop.IOLoop.current()

    def stop(*_: Any) -> None:
        loop.add_callback_from_signal(loop.stop)
    signal.signal(signal.SIGTERM, stop)
    log.info("serving course %r from %s at %s%s", course, data, url.geturl(), prefix)
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        intake.close()


if __name__ == "__main__":
    main()
