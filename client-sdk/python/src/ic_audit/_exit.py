"""Process life: one atexit hook flushes every live notifier within one shared bound; a forked child gets fresh
delivery state (its parent's lock may have been held at the fork, and its thread does not exist there)."""

import atexit
import os
import threading
import time
from typing import Protocol, Set


class ExitFlusher(Protocol):
    def exit_flush(self, started: float) -> None: ...

    def after_fork_in_child(self) -> None: ...


# Strong references: a notifier the bot dropped still has events to deliver at exit (its thread lives on anyway).
_live: Set[ExitFlusher] = set()
_lock = threading.Lock()
_hooked = False


def _at_exit() -> None:
    start = time.monotonic()
    for n in list(_live):
        try:
            # Each notifier waits at most its own bound, counted from the start of the exit: never summed.
            n.exit_flush(start)
        except Exception:
            pass


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    for n in list(_live):
        try:
            n.after_fork_in_child()
        except Exception:
            pass


def register(n: ExitFlusher) -> None:
    global _hooked
    with _lock:
        _live.add(n)
        if not _hooked:
            atexit.register(_at_exit)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=_after_fork_in_child)
            _hooked = True


def unregister(n: ExitFlusher) -> None:
    with _lock:
        _live.discard(n)
