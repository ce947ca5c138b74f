"""The live view's state inside the service process: the store, change notification, class charts,
and the `logged in` count (users with a running server, from the hub's REST API)."""
from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from ..instructor.course import Course
from ..model import tasks_from_data
from ..plots import TraineePoints, class_delivery, class_matrix, figure_bytes
from .config import INSTRUCTOR_GROUP
from .live_store import LiveStore
from .live_view import Feed


def utc_iso(value: str) -> str:
    """One spelling of a time (UTC, microseconds) so that saved_at strings compare in time order."""
    return datetime.fromisoformat(value).astimezone(UTC).isoformat(timespec="microseconds")


class Charts:
    """PNG class charts of a self-assessment page, drawn by plots_class (in a worker thread, so the
    service keeps answering) and cached until the page's data changes."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-charts")
        self._cache: dict[tuple, bytes] = {}

    @staticmethod
    def points(feed: Feed, names: bool) -> list[TraineePoints]:
        order = feed.store.order(feed.ids)
        rank = {u: i + 1 for i, (u, _k) in enumerate(sorted(order.items(), key=lambda kv: kv[1]))}
        rows = feed.store.of_users(feed.ids, order)
        tasks: dict[str, list[list]] = {u: [[], []] for u in order}
        hidden = {r.user for r in rows if r.exercise_id == feed.a.id and r.hidden}
        for r in rows:
            try:
                tasks[r.user][feed.ids.index(r.exercise_id)] = tasks_from_data(r.value)
            except ValueError:
                continue
        return [TraineePoints(label=u if names else f"#{rank[u]}", before=b, after=a)
                for u, (b, a) in sorted(tasks.items(), key=lambda kv: rank[kv[0]])
                if u not in hidden and (b or a)]

    async def png(self, feed: Feed, which: str, lang: str, names: bool) -> bytes:
        key = (feed.a.id, which, lang, names, feed.store.seq)
        if key not in self._cache:
            pts = self.points(feed, names)
            draw = class_matrix if which == "matrix" else class_delivery

            def render() -> bytes:
                return figure_bytes(draw(pts, lang=lang, anonymise=False), "png")
            png = await asyncio.get_running_loop().run_in_executor(self._pool, render)
            self._cache = {k: v for k, v in self._cache.items() if k[:4] != key[:4]}  # keep the newest only
            self._cache[key] = png
        return self._cache[key]


class LiveContext:
    """Everything the live handlers share. *logged_in*: an async callable giving the number of
    trainees logged in (None when unknown); by default the hub API is asked (see hub_logged_in)."""

    def __init__(self, course: Course, *, live: bool, lang: str = "ja", prefix: str = "/",
                 logged_in: Callable[[], Awaitable[int | None]] | None = None) -> None:
        self.course, self.live, self.lang = course, live, lang
        self.prefix = prefix.rstrip("/") + "/"
        self.catalogue = course.catalogue
        self.store = LiveStore(course)
        self.charts = Charts()
        self._changed = asyncio.Event()
        self._feeds: dict[str, Feed] = {}
        self._logged_in = logged_in or HubActiveUsers()

    def feed(self, exercise_id: str) -> Feed:
        if exercise_id not in self._feeds:
            self._feeds[exercise_id] = Feed(self.store, self.catalogue, exercise_id, self.collected)
        return self._feeds[exercise_id]

    def collected(self, exercise_id: str) -> dict[str, Any]:
        """user → answer from the collected submissions (filed under the hub user by the service)."""
        return {tid: v[exercise_id] for tid, v in self.course.current_answers([exercise_id]).items()
                if exercise_id in v}

    # ---- changes ---------------------------------------------------------------------------
    def wake(self) -> None:
        """Wake every waiting stream (they compare their last seq with the store's)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, since: int, timeout: float) -> bool:
        """True when something changed after *since* within *timeout* seconds."""
        if self.store.seq > since:
            return True
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass
        return self.store.seq > since

    def put(self, user: str, exercise_id: str, value: Any, saved_at: str) -> int | None:
        seq = self.store.put(user, exercise_id, value, utc_iso(saved_at))
        if seq is not None:
            self.wake()
        return seq

    def hide(self, exercise_id: str, user: str, hidden: bool) -> None:
        self.store.hide(exercise_id, user, hidden)
        self.wake()

    def pin(self, exercise_id: str, user: str | None) -> None:
        self.store.pin(exercise_id, user)
        self.wake()

    async def logged_in(self) -> int | None:
        try:
            return await self._logged_in()
        except Exception:  # noqa: BLE001 - the count is extra; the page works without it
            return None


class HubActiveUsers:
    """Trainees with a running server, from `GET {hub api}/users?state=active` with the service's own
    token (its role needs `list:users`, `read:servers`, `read:users:groups`); members of the
    instructors' group are not counted. Cached 5 s; None when the hub does not answer."""

    def __init__(self, exclude_group: str = INSTRUCTOR_GROUP, ttl: float = 5.0) -> None:
        self.exclude, self.ttl = exclude_group, ttl
        self.api = os.environ.get("JUPYTERHUB_API_URL", "").rstrip("/")
        self.token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
        self._at = 0.0
        self._value: int | None = None

    async def __call__(self) -> int | None:
        if not (self.api and self.token):
            return None
        if time.monotonic() - self._at < self.ttl:
            return self._value
        from tornado.httpclient import AsyncHTTPClient
        self._at = time.monotonic()
        try:
            resp = await AsyncHTTPClient().fetch(f"{self.api}/users?state=active", request_timeout=3,
                                                 headers={"Authorization": f"token {self.token}"})
            users = json.loads(resp.body)
            self._value = sum(1 for u in users if self.exclude not in (u.get("groups") or []))
        except Exception:  # noqa: BLE001 - unknown rather than wrong
            self._value = None
        return self._value
