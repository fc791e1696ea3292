"""The flush at interpreter exit: one atexit hook for every live notifier, bounded by one shared deadline."""

import atexit
import threading
import time
import weakref
from typing import Protocol


class ExitFlusher(Protocol):
    def exit_flush(self, started: float) -> None: ...


_live: "weakref.WeakSet[ExitFlusher]" = weakref.WeakSet()
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


def register(n: ExitFlusher) -> None:
    global _hooked
    with _lock:
        _live.add(n)
        if not _hooked:
            atexit.register(_at_exit)
            _hooked = True


def unregister(n: ExitFlusher) -> None:
    with _lock:
        _live.discard(n)
