"""The trainee's side on a hub, for the widgets (no widgets here): identity, delivery, feedback.

- `on_hub(wb)`: the HubClient when the kernel runs on an opsvalue hub (else None), after making the
  workbook's profile carry the hub user as trainee id (and as name when none was given).
- `deliver(wb, path, client)`: send a submission file written by Submit; on success the receipt is
  recorded; when the service is down the file stays, is remembered as pending, and HubUnavailable
  is raised (the next click, or `deliver_pending`, sends it).
- `fetch_feedback(wb, client)`: the instructor's comments from the service into the workbook.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..i18n import lookup, ui_table
from .client import HubClient, HubUnavailable

PENDING = "hub_pending.json"
TEXTS = ui_table("hub_trainee")


def tx(key: str, lang: str) -> str:
    return lookup(TEXTS, key, lang)


def on_hub(wb: Any) -> HubClient | None:
    client = HubClient.from_env()
    if client is None:
        return None
    prof = dict(getattr(wb, "profile", {}) or {})
    if prof.get("trainee_id", "") != client.user or not str(prof.get("name", "")).strip():
        wb.set_profile(trainee_id=client.user, name=str(prof.get("name", "")).strip() or client.user)
    return client


def introduce(client: HubClient) -> None:
    """In the background, let the service identify this token now (it caches the identity for a
    few minutes), so the Submit click does not wait for the hub; any failure is ignored here."""
    def hello() -> None:
        try:
            client.config()
        except Exception:  # noqa: BLE001 - Submit reports a real problem when it happens
            pass
    threading.Thread(target=hello, name="opsvalue-hub-hello", daemon=True).start()


def _pending_path(wb: Any) -> Path:
    return Path(wb.workspace) / ".opsvalue" / PENDING


def pending(wb: Any) -> Path | None:
    """The submission file that has not reached the service yet, if any."""
    try:
        p = Path(json.loads(_pending_path(wb).read_text(encoding="utf-8"))["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return p if p.is_file() else None


def _set_pending(wb: Any, path: Path | None) -> None:
    p = _pending_path(wb)
    if path is None:
        p.unlink(missing_ok=True)
        return
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps({"file": str(path)}), encoding="utf-8")


def deliver(wb: Any, path: Path, client: HubClient) -> dict[str, Any]:
    """Send *path*; the receipt. HubUnavailable (file kept, remembered as pending) or HubRefused."""
    data = Path(path).read_bytes()
    try:
        receipt = client.submit(data)
    except HubUnavailable:
        _set_pending(wb, Path(path))
        raise
    _set_pending(wb, None)
    return receipt


def deliver_pending(wb: Any, client: HubClient) -> dict[str, Any] | None:
    """Send the pending submission file, if there is one; the receipt, else None."""
    p = pending(wb)
    return deliver(wb, p, client) if p else None


RETRY_SECONDS = 10.0
RETRY_FOR_SECONDS = 30 * 60


def retry_later(wb: Any, client: HubClient, on_delivered: Any, *, every: float = RETRY_SECONDS,
                give_up_after: float = RETRY_FOR_SECONDS) -> threading.Thread:
    """In the background, send the pending submission as soon as the service answers again;
    `on_delivered(receipt)` is called once. Stops when nothing is pending any more (e.g. a click
    delivered it), after *give_up_after* seconds, or with the kernel."""
    def loop() -> None:
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            time.sleep(every)
            if pending(wb) is None:
                return
            try:
                receipt = deliver_pending(wb, client)
            except Exception:  # noqa: BLE001 - still down (or refused): try again, the file is kept
                continue
            if receipt is not None:
                on_delivered(receipt)
            return
    t = threading.Thread(target=loop, name="opsvalue-hub-retry", daemon=True)
    t.start()
    return t


def received_time(receipt: dict[str, Any]) -> str:
    """The receipt's received_at as local HH:MM:SS (as the trainee's clock shows it)."""
    try:
        return datetime.fromisoformat(str(receipt["received_at"])).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (KeyError, ValueError):
        return str(receipt.get("received_at", ""))


def fetch_feedback(wb: Any, client: HubClient) -> int:
    """Store the instructor's comments from the service in *wb*; how many were new."""
    from ..feedback import FeedbackError, parse_feedback
    data = client.feedback()
    if data is None:
        return 0
    fb = parse_feedback(data, f"{client.user}.opsvalue-feedback.json", catalogue=wb.catalogue)
    if fb["trainee_id"] != client.user:
        raise FeedbackError(f"{client.user}.opsvalue-feedback.json", "trainee_id",
                            f"is {fb['trainee_id']!r}, not {client.user!r}")
    return int(wb.save_feedback(fb["comments"]) or 0)
