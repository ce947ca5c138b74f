"""Trainee side of the live view: mirror each committed autosave to the `opsvalue` service.

The local store is the master copy. `mirror_saved()` only records "this exercise changed" and
returns at once; one background thread per workspace sends the newest value (`PUT api/live/<id>`
with the trainee's own hub token, through hub/client.py). When the service cannot be reached the
value stays pending and is sent again (0.5 s, 1 s, 2 s … then every 5 s), and a newer save replaces it,
so the service always ends with the latest local answer. What was last mirrored is remembered in
`<workspace>/.opsvalue/live-mirrored.json`; a new kernel first re-sends every answer saved since,
so a kernel that stopped before it could mirror loses nothing either.
Live sharing is on only when the hub says so for the course (OPSVALUE_LIVE=1 from configure()).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .client import HubClient, HubRefused, HubUnavailable

log = logging.getLogger("opsvalue_lab")
STATE_FILE = "live-mirrored.json"
BACKOFF = (0.5, 1.0, 2.0, 3.0, 5.0)


def live_enabled(env: Mapping[str, str] | None = None) -> bool:
    """True on a hub whose course shares answers live (the widgets then say so)."""
    e = os.environ if env is None else env
    return e.get("OPSVALUE_LIVE", "0") == "1" and HubClient.from_env(dict(e)) is not None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Mirror:
    """Pending mirrors of one workspace and the thread that sends them."""

    def __init__(self, client: HubClient, wb: Any, backoff: tuple[float, ...] = BACKOFF) -> None:
        self.client, self.wb, self.backoff = client, wb, backoff
        self.state_path = Path(wb.path).parent / STATE_FILE
        self.sent: dict[str, str] = self._load()      # exercise id -> saved_at last accepted by the service
        self.pending: dict[str, tuple[Any, str]] = {}  # exercise id -> (value, saved_at) still to send
        self._cond = threading.Condition()
        self._caught_up = False
        self._thread = threading.Thread(target=self._run, name="opsvalue-live-mirror", daemon=True)
        self._thread.start()

    def _load(self) -> dict[str, str]:
        try:
            doc = json.loads(self.state_path.read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}
        except (OSError, ValueError):
            return {}

    def _store_state(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(self.sent, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.state_path)
        except OSError as e:  # only costs a re-send after a restart
            log.warning("live mirror: cannot write %s: %s", self.state_path, e)

    def saved(self, exercise_id: str, value: Any, saved_at: str | None = None) -> None:
        """Record a committed save to mirror (returns at once; never raises for a network reason)."""
        with self._cond:
            self.pending[exercise_id] = (value, saved_at or _now())
            self._cond.notify_all()

    def idle(self, timeout: float) -> bool:
        """Wait until nothing is pending (tests, kernel exit); True when everything was sent."""
        with self._cond:
            return self._cond.wait_for(lambda: self._caught_up and not self.pending, timeout)

    def _catch_up(self) -> None:
        """Queue every local answer saved after what the service last accepted (a new kernel)."""
        try:
            for a in self.wb.catalogue.assignments:
                hist = self.wb.history(a.id)
                if hist:
                    when = hist[-1].saved_at.astimezone(UTC).isoformat(timespec="microseconds")
                    if when > self.sent.get(a.id, "") and a.id not in self.pending:
                        with self._cond:
                            self.pending.setdefault(a.id, (hist[-1].value, when))
        except Exception as e:  # noqa: BLE001 - the store is read again on the next kernel
            log.warning("live mirror: cannot read the local answers to catch up: %s", e)
        with self._cond:
            self._caught_up = True
            self._cond.notify_all()

    def _send(self, exercise_id: str, value: Any, saved_at: str) -> None:
        body = json.dumps({"value": value, "saved_at": saved_at}, ensure_ascii=False).encode("utf-8")
        self.client.request("PUT", f"api/live/{exercise_id}", body)

    def _run(self) -> None:
        self._catch_up()
        failures = 0
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self.pending))
                exercise_id, (value, saved_at) = next(iter(self.pending.items()))
            try:
                self._send(exercise_id, value, saved_at)
            except HubUnavailable as e:
                delay = self.backoff[min(failures, len(self.backoff) - 1)]
                failures += 1
                log.info("live mirror of %s waits %.0f s: %s", exercise_id, delay, e)
                with self._cond:  # a newer save wakes it early: catch up on the next save
                    self._cond.wait(delay)
                continue
            except HubRefused as e:  # the service will never take this one (live off, bad value)
                log.warning("live mirror of %s refused: %s", exercise_id, e)
            except Exception:  # noqa: BLE001 - the thread must survive anything
                log.exception("live mirror of %s failed", exercise_id)
            else:
                failures = 0
                self.sent[exercise_id] = saved_at
                self._store_state()
            with self._cond:
                if self.pending.get(exercise_id, (None, None))[1] == saved_at:
                    del self.pending[exercise_id]
                self._cond.notify_all()


_mirrors: dict[str, Mirror] = {}
_lock = threading.Lock()


def mirror_for(wb: Any) -> Mirror | None:
    """The workspace's mirror when live sharing is on for this hub's course, else None."""
    if not live_enabled():
        return None
    key = str(Path(wb.path).resolve())
    with _lock:
        if key not in _mirrors:
            client = HubClient.from_env()
            if client is None:
                return None
            _mirrors[key] = Mirror(client, wb)
        return _mirrors[key]


def mirror_saved(wb: Any, exercise_id: str, value: Any) -> None:
    """After a committed local save: mirror it live when the course shares answers (never raises)."""
    try:
        m = mirror_for(wb)
        if m is not None:
            m.saved(exercise_id, value)
    except Exception:  # noqa: BLE001 - the local save already succeeded; sharing is secondary
        log.exception("live mirror of %s not queued", exercise_id)
