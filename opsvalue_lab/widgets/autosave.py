"""Honest autosave for every view that saves while the trainee (or instructor) types.

- The status says "not saved yet" from the first keystroke, "saving…" while the commit runs, and
  "saved hh:mm:ss" only after the store's commit returned for the newest text.
- The pause (debounce) is a timer on the kernel's own event loop (``loop.call_later``), not a thread
  per keystroke; outside a kernel one shared background loop stands in.
- The save itself runs in one shared worker thread. A keystroke handler never waits for it: it only
  bumps a counter and moves the timer, so no disk I/O ever runs under a lock a keystroke waits on.
- Save first, widget second: the status is updated after the save, and a failing widget update is
  logged, never a reason to skip a save.
- ``flush()`` saves now, synchronously (atexit when the kernel stops, the Submit button, tests).
"""
from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger("opsvalue_lab")

DEBOUNCE_SECONDS = 0.8
_SAVER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsvalue-save")  # saves run one at a time
_fallback: dict[str, Any] = {}
_LIVE: weakref.WeakSet[Autosave] = weakref.WeakSet()  # every autosaving view of this process


def flush_pending() -> int:
    """Save every change not yet committed in this process (before an export, when the kernel stops).
    Returns how many views had one; failures stay shown in their views."""
    n = 0
    for a in list(_LIVE):
        if a.pending:
            n += 1
            a.flush()
    return n


def event_loop() -> asyncio.AbstractEventLoop:
    """The loop to schedule on: the kernel's loop when a kernel runs this code, else one shared
    background loop. A running loop that is not a kernel's (a test's Playwright, any host app) is
    never used: it turns only while its owner calls into it, so a debounce there might never fire."""
    kernel = _kernel()
    if kernel is not None:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            pass
        try:  # a comm handler may run outside a coroutine: the kernel's loop is still the main thread's
            loop = kernel.io_loop.asyncio_loop
            if loop.is_running():
                return loop
        except Exception:  # noqa: BLE001 - an ipykernel without io_loop: use the fallback loop
            pass
    loop = _fallback.get("loop")
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="opsvalue-autosave-loop", daemon=True).start()
        _fallback["loop"] = loop
    return loop


def _kernel() -> Any:
    """The kernel running this code, or None (plain Python, tests)."""
    try:
        from ipykernel.kernelbase import Kernel
    except ImportError:
        return None
    return Kernel.instance() if Kernel.initialized() else None


class Autosave:
    """Debounced saving of one view.

    *value()* reads the widgets (on the loop thread); *save(value)* writes and returns after the commit
    (in the worker thread; it may raise); *show(state, payload)* draws the status, with state one of
    "unsaved", "saving", "saved" (payload: the save's result), "error" (payload: the exception).
    """

    def __init__(self, value: Callable[[], Any], save: Callable[[Any], Any],
                 show: Callable[[str, Any], None], delay: float = DEBOUNCE_SECONDS) -> None:
        self.value, self.save, self.show, self.delay = value, save, show, delay
        self._gen = 0          # bumped by every change
        self._saved_gen = 0    # the newest change whose text is committed
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._save_lock = threading.Lock()  # only saves take it; never a keystroke handler
        _LIVE.add(self)

    @property
    def pending(self) -> bool:
        """True while a change is not yet committed."""
        return self._gen > self._saved_gen

    # -- on the loop thread ----------------------------------------------------------------
    def changed(self) -> None:
        """A keystroke: schedule the save first, then say "not saved yet". Never raises."""
        self._gen += 1
        try:
            self._loop = loop = event_loop()
            loop.call_soon_threadsafe(self._reschedule, loop)
        except Exception:  # noqa: BLE001 - no loop at all: save now rather than never
            log.exception("autosave could not schedule; saving at once")
            self.flush()
            return
        self._show("unsaved")

    def _reschedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        gen = self._gen
        try:
            value = self.value()
        except Exception as exc:  # noqa: BLE001
            self._show("error", exc)
            return
        self._show("saving")
        fut = _SAVER.submit(self._run, value, gen)
        loop = self._loop
        fut.add_done_callback(lambda f: loop.call_soon_threadsafe(self._report, f, gen) if loop and not
                              loop.is_closed() else self._report(f, gen))

    def _report(self, fut: Future, gen: int) -> None:
        exc = fut.exception()
        if exc is not None:
            self._show("error", exc)
            return
        kind, result = fut.result()
        if kind == "saved" and gen == self._gen:  # a newer change is still pending otherwise
            self._show("saved", result)

    # -- saving (worker thread or flush's caller) -------------------------------------------
    def _run(self, value: Any, gen: int) -> tuple[str, Any]:
        with self._save_lock:
            if gen <= self._saved_gen:  # a newer text was already committed (e.g. by flush)
                return "skip", None
            result = self.save(value)  # returns after the commit (raises: nothing is marked saved)
            self._saved_gen = gen
            return "saved", result

    def flush(self) -> bool:
        """Save the current value now (cancelling a pending timer); True when it is committed."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()
        gen = self._gen
        try:
            value = self.value()
            if gen == 0:
                gen = self._gen = self._gen + 1  # an explicit save with no change (Save again)
            kind, result = self._run(value, gen)
        except Exception as exc:  # noqa: BLE001 - shown; the text stays in the box
            self._show("error", exc)
            return False
        if kind == "saved" or gen <= self._saved_gen:
            self._show("saved", result)
        return True

    def _show(self, state: str, payload: Any = None) -> None:
        try:
            self.show(state, payload)
        except Exception:  # noqa: BLE001 - a status that cannot be drawn never costs a save
            log.exception("autosave status could not be shown")
