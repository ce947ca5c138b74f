"""The live class view of the `opsvalue` service: trainees' mirrored answers on a projector page.

Mounted by the service with one line (its EXTRA_HANDLER_MODULES): ``handlers(prefix)`` returns the
tornado routes, built on the service's ApiHandler / PageHandler (hub/auth.py): they provide
``self.hub_user`` (the name from the hub token or cookie, never from the request) and
``self.require_scope(scope)`` (403). The state (LiveContext) is made once per application from the
service's settings (its course store, the course's live flag and language).

- ``PUT api/live/<id>`` (scope submit): the caller's own answer, ``{"value", "saved_at"}``.
- ``GET live/`` and ``live/<id>`` (scope review): the index and the projector page.
- ``GET live/<id>/events`` (Server-Sent Events) and ``live/<id>.json?since=N`` (polling): changes.
- ``POST live/<id>/hide`` ``{"key", "hidden"}`` and ``live/<id>/pin`` ``{"key"|null}``: controls.
- ``GET live/<id>/matrix.png`` / ``delivery.png``: the class charts of a self-assessment.
Every live response carries a strict Content-Security-Policy; trainee text is only ever escaped.
"""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from tornado import web
from tornado.iostream import StreamClosedError

from ..store_values import check_timestamp, check_value
from .config import REVIEW, SUBMIT
from .live_context import LiveContext
from .live_view import Feed, index_groups, words

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
       " base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
MAX_BODY = 1024 * 1024
ID = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,63})"
SSE_SECONDS = 300      # a stream ends after 5 min; EventSource reconnects and resumes (Last-Event-ID)
MIN_GAP = 0.25         # at most four pushes a second per page, however fast answers arrive
_ENV = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                   autoescape=select_autoescape(default=True, default_for_string=True))

__all__ = ["LiveContext", "handlers", "SUBMIT", "REVIEW"]


class _Live(web.RequestHandler):
    """The live handlers' shared bits; each route class is combined with the service's base class
    (which comes after it, so identification and scope checks are the service's own)."""

    if TYPE_CHECKING:  # provided by the service's base class (hub/auth.py)
        hub_user: str

        def require_scope(self, scope: str) -> None: ...

    @property
    def ctx(self) -> LiveContext:
        s = self.settings
        if "opsvalue_live_ctx" not in s:
            s["opsvalue_live_ctx"] = LiveContext(s["opsvalue_store"].course, live=bool(s["opsvalue_live"]),
                                                 lang=s.get("opsvalue_lang", "ja"),
                                                 prefix=s.get("opsvalue_prefix", "/"))
        return s["opsvalue_live_ctx"]

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def lang(self) -> str:
        lang = self.get_argument("lang", self.ctx.lang)
        return "en" if lang == "en" else "ja"

    def names(self) -> bool:
        return self.get_argument("names", "0") == "1"

    def feed(self, exercise_id: str) -> Feed:
        try:
            return self.ctx.feed(exercise_id)
        except KeyError:
            raise web.HTTPError(404, f"unknown exercise {exercise_id!r}") from None

    def since(self) -> int:
        raw = self.request.headers.get("Last-Event-ID") or self.get_argument("since", None) or "0"
        try:
            return max(0, int(raw))
        except ValueError:
            raise web.HTTPError(400, "since must be a whole number") from None

    def json_body(self) -> Any:
        body = self.request.body
        if len(body) > MAX_BODY:
            raise web.HTTPError(413, f"the body is {len(body):,} bytes; the limit is {MAX_BODY:,}")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise web.HTTPError(400, f"the body is not JSON: {e}") from None

    async def payload(self, feed: Feed, since: int) -> dict[str, Any]:
        snap = feed.snapshot(self.lang(), since, self.names())
        snap["logged_in"] = await self.ctx.logged_in()
        return snap


class LivePut(_Live):
    """PUT api/live/<id>: mirror the caller's own answer (the hub user, never a name from the body)."""

    def put(self, exercise_id: str) -> None:
        self.require_scope(SUBMIT)
        if not self.ctx.live:
            raise web.HTTPError(404, "live sharing is off for this course")
        body = self.json_body()
        if not isinstance(body, dict) or "value" not in body:
            raise web.HTTPError(400, "the body must be {\"value\": …, \"saved_at\": …}")
        try:
            value = check_value(self.ctx.catalogue, exercise_id, body["value"])
            saved_at = check_timestamp(body.get("saved_at"), "saved_at")
        except ValueError as e:
            raise web.HTTPError(400, str(e)) from None
        seq = self.ctx.put(self.hub_user, exercise_id, value, saved_at)
        self.finish({"stored": seq is not None, "seq": seq or self.ctx.store.seq})


class LiveIndex(_Live):
    def get(self) -> None:
        self.require_scope(REVIEW)
        lang = self.lang()
        self.finish(_ENV.get_template("live_index.html.j2").render(
            lang=lang, w=words(lang), live=self.ctx.live, groups=index_groups(self.ctx.store, self.ctx.catalogue, lang),
            base=self.ctx.prefix))


class LivePage(_Live):
    async def get(self, exercise_id: str) -> None:
        self.require_scope(REVIEW)
        feed, lang = self.feed(exercise_id), self.lang()
        snap = await self.payload(feed, 0)
        a = feed.a
        self.finish(_ENV.get_template("live_page.html.j2").render(
            lang=lang, w=words(lang), live=self.ctx.live, a_id=a.id, title=a.title(lang), prompt=a.prompt(lang),
            kind=a.kind, paired=feed.paired, snap=snap, names=self.names(), base=self.ctx.prefix,
            xsrf=self.xsrf_token.decode() if isinstance(self.xsrf_token, bytes) else self.xsrf_token,
            charts=a.kind == "self_assessment"))


class LivePoll(_Live):
    async def get(self, exercise_id: str) -> None:
        self.require_scope(REVIEW)
        feed = self.feed(exercise_id)
        self.finish(await self.payload(feed, self.since()))


class LiveEvents(_Live):
    """Server-Sent Events: one `snapshot` event per change (at most 4/s), a ping when idle."""
    closed = False

    def on_connection_close(self) -> None:
        self.closed = True
        self.ctx.wake()

    async def get(self, exercise_id: str) -> None:
        self.require_scope(REVIEW)
        feed, since = self.feed(exercise_id), self.since()
        self.set_header("Content-Type", "text/event-stream; charset=UTF-8")
        self.set_header("X-Accel-Buffering", "no")
        end, first = time.monotonic() + SSE_SECONDS, True
        try:
            self.write("retry: 1000\n\n")
            while not self.closed and time.monotonic() < end:
                if first or self.ctx.store.seq > since:
                    snap = await self.payload(feed, since)
                    since, first = snap["seq"], False
                    self.write(f"id: {since}\nevent: snapshot\ndata: {json.dumps(snap, ensure_ascii=False)}\n\n")
                    await self.flush()
                    await asyncio.sleep(MIN_GAP)
                elif not await self.ctx.wait(since, 10.0):
                    snap = await self.payload(feed, since)  # counts only (logged-in may change)
                    counts = {"logged_in": snap["logged_in"], "answered": snap["answered"]}
                    self.write(f"event: counts\ndata: {json.dumps(counts)}\n\n")
                    await self.flush()
        except StreamClosedError:
            return
        if not self.closed:
            self.finish()


class LiveControl(_Live):
    """POST live/<id>/hide {"key", "hidden"} · live/<id>/pin {"key" or null}: kept in the course store."""

    def post(self, exercise_id: str, action: str) -> None:
        self.require_scope(REVIEW)
        self.check_xsrf_cookie()
        feed, body = self.feed(exercise_id), self.json_body()
        key = body.get("key") if isinstance(body, dict) else None
        user = feed.user_of(key) if isinstance(key, int) and not isinstance(key, bool) else None
        if action == "hide":
            if user is None:
                raise web.HTTPError(404, "no such answer on this page")
            self.ctx.hide(exercise_id, user, bool(body.get("hidden", True)))
        else:
            if key is not None and user is None:
                raise web.HTTPError(404, "no such answer on this page")
            self.ctx.pin(exercise_id, user)
        self.finish({"ok": True, "seq": self.ctx.store.seq})


class LiveChart(_Live):
    async def get(self, exercise_id: str, which: str) -> None:
        self.require_scope(REVIEW)
        feed = self.feed(exercise_id)
        if feed.a.kind != "self_assessment":
            raise web.HTTPError(404, "charts exist for the self-assessment only")
        png = await self.ctx.charts.png(feed, which, self.lang(), self.names())
        self.set_header("Content-Type", "image/png")
        self.finish(png)


class LiveStatic(_Live):
    TYPES = {"live.js": "text/javascript; charset=UTF-8", "live.css": "text/css; charset=UTF-8",
             "live.svg": "image/svg+xml"}

    def get(self, name: str) -> None:
        self.require_scope(REVIEW)
        self.set_header("Content-Type", self.TYPES[name])
        self.set_header("Cache-Control", "private, max-age=60")
        self.finish((HERE / "static" / name).read_bytes())


def routes(prefix: str, api_base: type, page_base: type) -> list[tuple[str, type]]:
    """Tornado routes of the live view under *prefix* on the given authenticated base classes."""
    p = prefix.rstrip("/") + "/"

    def mk(cls: type, base: type) -> type:
        return type(cls.__name__, (cls, base), {})
    api = [(r"api/live/" + ID, LivePut), (r"live/" + ID + r"\.json", LivePoll),
           (r"live/" + ID + r"/events", LiveEvents), (r"live/" + ID + r"/(hide|pin)", LiveControl),
           (r"live/" + ID + r"/(matrix|delivery)\.png", LiveChart)]
    pages = [(r"live/?", LiveIndex), (r"live/static/(live\.js|live\.css|live\.svg)", LiveStatic),
             (r"live/" + ID, LivePage)]
    return ([(p + pat, mk(cls, api_base)) for pat, cls in api]
            + [(p + pat, mk(cls, page_base)) for pat, cls in pages])


def handlers(prefix: str) -> list[tuple[str, type]]:
    """The service's hook (EXTRA_HANDLER_MODULES): the live routes on the service's own handlers."""
    from .auth import ApiHandler, PageHandler
    return routes(prefix, ApiHandler, PageHandler)
