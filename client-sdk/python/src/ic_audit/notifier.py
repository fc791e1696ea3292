"""AuditNotifier: the seed's API; `send()` only queues, a background thread delivers (acked, resent, bounded)."""

import asyncio
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from . import _exit
from ._limits import MAX_HELLO_STRING_LENGTH
from ._options import Options, resolve
from ._project import project_info
from ._text import truncate
from ._version import SDK_NAME, SDK_VERSION
from ._worker import Worker
from .events import BOOT_DESCRIPTION, ProjectEvents

_time = time.time


@dataclass(frozen=True)
class NotifierStats:
    """Counters of one notifier; `queued + acked + dropped` = events accepted by `send()` (boot included)."""

    queued: int
    """Events buffered, not yet acked."""
    sent: int
    """Events written to a socket (a resend after a reconnect counts again)."""
    acked: int
    """Events the collector confirmed durable."""
    dropped: int
    """Events evicted from the full buffer before their ack (the collector records them as a gap)."""
    reconnects: int
    """Connections established after the first one."""
    connect_failures: int
    """Connection attempts that failed before the collector's welcome (refused, timed out, certificate errors)."""
    last_error: Optional[str]
    """Why the last failed attempt failed (ECONNREFUSED, CERTIFICATE_VERIFY_FAILED: ..., E_CERT_PIN...), or None."""
    connected: bool
    """True while a connection is open and welcomed."""


def _hostname() -> str:
    try:
        return truncate(socket.gethostname(), MAX_HELLO_STRING_LENGTH)
    except Exception:
        return ""


class AuditNotifier:
    """Reports one bot's events to the ic-audit collector, as the seed's `AuditNotifier` did, without its costs.

    `send()` appends to a bounded in-memory queue and returns; a daemon thread serializes, batches and sends over
    one WebSocket, keeps every event until the collector acks it (durable) and resends after a reconnect. Never
    raises from `send()`, never blocks the bot, never keeps a finished script alive beyond a bounded exit flush.
    Keyword options (`url`, `token`, `ca_file`, ...) are listed in the README; every other keyword is, as in the
    seed, project metadata added to each event.
    """

    def __init__(
        self,
        project_name: Any,
        project_market: Any,
        project_description: Any,
        project_privileges: Any = None,
        pid: Optional[int] = None,
        *,
        url: Optional[str] = None,
        token: Optional[str] = None,
        ca_file: Optional[str] = None,
        cert_fingerprint: Optional[str] = None,
        client_cert_file: Optional[str] = None,
        client_key_file: Optional[str] = None,
        buffer_max_events: Optional[int] = None,
        buffer_max_bytes: Optional[int] = None,
        batch_max_events: Optional[int] = None,
        batch_max_bytes: Optional[int] = None,
        flush_interval: Optional[float] = None,
        max_inflight_events: Optional[int] = None,
        backoff_base: Optional[float] = None,
        backoff_cap: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        io_timeout: Optional[float] = None,
        flush_timeout: Optional[float] = None,
        exit_flush_timeout: Optional[float] = None,
        debug: Optional[bool] = None,
        **kwargs: Any,
    ) -> None:
        self._closed = False
        # One check on send()'s fast path: True once closed, or in a forked child until its thread starts.
        self._gate = False
        o: Options = resolve(
            url, token, ca_file, cert_fingerprint, client_cert_file, client_key_file, buffer_max_events,
            buffer_max_bytes, batch_max_events, batch_max_bytes, flush_interval, max_inflight_events, backoff_base,
            backoff_cap, connect_timeout, io_timeout, flush_timeout, exit_flush_timeout, debug,
        )
        self._o = o
        self.url = o.url
        self.project = project_info(project_name, project_market, project_description, project_privileges)
        # As in the seed, constructor keywords go with every event (after the event's own fields).
        self._extra = dict(kwargs)
        self._new_worker()
        self.send(ProjectEvents.BOOT, BOOT_DESCRIPTION, booted_with_pid=pid if isinstance(pid, int) else os.getpid())
        try:
            self._worker.start()
        except RuntimeError:
            # No thread can be started (the process is at its limit): a notifier that ignores sends, never raising.
            self._closed = self._gate = True
            return
        _exit.register(self)

    def _new_worker(self) -> None:
        """A new session: its own id, thread, queue and connection."""
        self.session = str(uuid.uuid4())
        hello_head = (
            '{"type":"hello","v":1,"session":' + json.dumps(self.session)
            # ASCII escapes: a lone surrogate in a bot's project name must not make the hello unencodable.
            + ',"project":' + json.dumps(self.project, separators=(",", ":"))
            + ',"sdk":' + json.dumps(f"{SDK_NAME}@{SDK_VERSION}")
            + ',"host":' + json.dumps(_hostname())
            + ',"pid":' + str(os.getpid()) + ',"dropped":'
        )
        self._worker = Worker(self._o, hello_head, self._extra)
        self._intake = self._worker.intake
        self._cap = self._o.buffer_max_events

    def after_fork_in_child(self) -> None:
        """A forked child is a new run of the bot: a new session, started on its first event or flush. What the
        parent had queued stays the parent's to deliver."""
        if self._closed:
            return
        self._new_worker()
        self._gate = True

    def _pass_gate(self) -> bool:
        """send()'s slow path: False when closed; starts a forked child's thread on first use."""
        if self._closed:
            return False
        if not self._worker.is_alive() and not self._worker.stopping:
            try:
                self._worker.start()
            except RuntimeError:
                # Started meanwhile by another thread of the child.
                pass
        self._gate = False
        return True

    def send(self, event_type: Any, event_description: Any, **fields: Any) -> None:
        """Queues one event and returns at once: no I/O, no serialization here. Never raises.

        Values are read on the background thread within milliseconds: a mutable object passed here and changed
        right after may be stored as changed.
        """
        if self._gate and not self._pass_gate():
            return
        try:
            q = self._intake
            q.append((_time(), event_type, event_description, fields))
            if len(q) > self._cap:
                self._evict_oldest()
            w = self._worker
            if w.idle:
                w.idle = False
                w.wake()
        except Exception:
            pass

    notify = send

    def _evict_oldest(self) -> None:
        try:
            self._intake.popleft()
            self._worker.intake_dropped += 1
        except IndexError:
            # The background thread took them all meanwhile: nothing was lost.
            pass

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every event queued so far is durable at the collector (at most `timeout` seconds, default
        `flush_timeout`). True when all are; False on timeout, or if any event was ever dropped. Never raises."""
        return self._wait_acked(self._o.flush_timeout if timeout is None else timeout, fail_fast=False)

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes (bounded by `timeout`), then stops the thread and closes the connection; later sends are ignored."""
        if self._closed:
            return self._all_acked()
        ok = self.flush(timeout)
        self._shutdown()
        return ok

    async def aflush(self, timeout: Optional[float] = None) -> bool:
        """`flush()` for asyncio bots: the wait runs in the default executor, so the event loop keeps running."""
        return await asyncio.get_running_loop().run_in_executor(None, self.flush, timeout)

    async def aclose(self, timeout: Optional[float] = None) -> bool:
        """`close()` for asyncio bots, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, self.close, timeout)

    def stats(self) -> NotifierStats:
        w = self._worker
        with w.cond:
            return NotifierStats(
                queued=len(w.store) + len(w.intake),
                sent=w.sent,
                acked=w.acked_count,
                dropped=w.dropped,
                reconnects=w.reconnects,
                connect_failures=w.failures,
                last_error=w.last_error,
                connected=w.connected,
            )

    def exit_flush(self, started: float) -> None:
        """At exit: a flush bounded by `exit_flush_timeout` from `started`, giving up on a failed connect."""
        try:
            left = self._o.exit_flush_timeout - (time.monotonic() - started)
            if left > 0 and not self._closed:
                self._wait_acked(left, fail_fast=True)
            self._shutdown()
        except Exception:
            pass

    def _all_acked(self) -> bool:
        w = self._worker
        with w.cond:
            return w.acked >= w.target() and w.dropped == 0

    def _wait_acked(self, timeout: float, fail_fast: bool) -> bool:
        try:
            w = self._worker
            with w.cond:
                target = w.target()
                if w.acked >= target or w.stopping or self._closed:
                    return w.acked >= target and w.dropped == 0
                failures = w.failures
                # A flush does not wait out the reconnect backoff: it asks for an attempt now.
                w.connect_now = True
            if self._gate and not self._pass_gate():
                return self._all_acked()
            w.wake()
            deadline = time.monotonic() + max(0.0, timeout)
            with w.cond:
                while w.acked < target and not w.stopping and not (fail_fast and w.failures > failures):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    w.cond.wait(left)
                return w.acked >= target and w.dropped == 0
        except Exception:
            return False

    def _shutdown(self) -> None:
        self._closed = True
        self._gate = True
        _exit.unregister(self)
        w = self._worker
        with w.cond:
            w.stopping = True
        w.wake()
