"""The one background thread of a notifier: serializes, batches, speaks protocol v1, reconnects with backoff."""

import json
import select
import socket
import sys
import threading
import time
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Set, Tuple

from ._backoff import backoff_delay
from ._connection import Connection, ConnectionClosed, failure_reason
from ._options import Options
from ._serialize import event_json, event_timestamp
from ._store import EventStore

# What send() queues: (time.time(), event_type, event_description, fields).
Raw = Tuple[float, Any, Any, Dict[str, Any]]

_FRAME_HEAD = b'{"type":"events","events":['
_FRAME_TAIL = b"]}"
# Raw events taken from the intake per turn, so acks and flushes are served between large backlogs.
_DRAIN_CHUNK = 10_000
# A wake-up byte per worker turn at most; reading more at once just empties the pipe.
_WAKE_READ = 4096
# How often the thread looks for new events when it has no wake-up pair (the process ran out of descriptors).
_POLL_S = 0.05


class Worker(threading.Thread):
    """Owns the connection and the store; the bot's threads only touch `intake`, `cond` and the counters."""

    def __init__(self, opts: Options, hello_head: str, extra: Dict[str, Any]) -> None:
        super().__init__(name="ic-audit-client", daemon=True)
        self.o = opts
        self.intake: Deque[Raw] = deque()
        self.cond = threading.Condition()
        # send() sets `idle` False and writes one byte when it finds it True: one wake-up per worker turn.
        self.idle = True
        self._wake_r: Optional[socket.socket] = None
        self._wake_w: Optional[socket.socket] = None
        try:
            self._wake_r, self._wake_w = socket.socketpair()
            self._wake_r.setblocking(False)
            self._wake_w.setblocking(False)
        except OSError:
            # No file descriptor left for the wake-up pair: the thread then looks for events every _POLL_S instead.
            pass
        self._hello_head = hello_head
        self._extra = extra
        self.store = EventStore(opts.buffer_max_events, opts.buffer_max_bytes)
        self.conn: Optional[Connection] = None
        # Guarded by cond: seqs given out, durable, dropped, and how many flushes wait.
        self.assigned = 0
        self.acked = 0
        self.intake_dropped = 0
        self._intake_dropped_seen = 0
        self.store_dropped = 0
        self.failures = 0
        self.stopping = False
        self.connect_now = False
        # Counters for stats().
        self.sent = 0
        self.acked_count = 0
        self.reconnects = 0
        self.last_error: Optional[str] = None
        self.connected = False
        self._attempt = 0
        self._ever_connected = False
        self._next_attempt = 0.0
        self._last_frame_at = 0.0
        self._last_heard = 0.0
        self._logged: Set[str] = set()

    # ---- called from the bot's threads ---------------------------------------------------------------------

    def wake(self) -> None:
        if self._wake_w is None:
            return
        try:
            self._wake_w.send(b"\0")
        except OSError:
            # The pipe is full (the worker is already due to wake) or closed (stopped): nothing to do.
            pass

    @property
    def dropped(self) -> int:
        return self.intake_dropped + self.store_dropped

    def target(self) -> int:
        """The seq the newest event queued so far gets (or has); call with `cond` held."""
        return self.assigned + (self.intake_dropped - self._intake_dropped_seen) + len(self.intake)

    # ---- the thread ------------------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while not self.stopping:
                try:
                    self._turn()
                except Exception as err:
                    # Never expected: start over on a fresh connection after a pause rather than stop delivering.
                    self.log("E_INTERNAL", f"worker turn failed: {err!r}")
                    self._drop_connection("internal error")
                    self._wait_wake(self.o.backoff_cap)
        finally:
            self._drop_connection("stopped")
            with self.cond:
                # A stopped worker releases every waiting flush.
                self.stopping = True
                self.cond.notify_all()
            for s in (self._wake_r, self._wake_w):
                if s is not None:
                    s.close()

    def _turn(self) -> None:
        self.idle = True
        self._drain_intake()
        if self.conn is None:
            self._disconnected_turn()
        else:
            self._connected_turn()

    def _drain_intake(self) -> None:
        with self.cond:
            skipped = self.intake_dropped - self._intake_dropped_seen
            self._intake_dropped_seen += skipped
            # Events the full intake evicted are a seq gap right before the ones that stayed (the collector records it).
            first = self.assigned + skipped + 1
            n = min(len(self.intake), _DRAIN_CHUNK)
            items = [self.intake.popleft() for _ in range(n)]
            self.assigned = first + n - 1
        if not items:
            return
        extra = self._extra
        store = self.store
        dropped = 0
        for i, (now, etype, desc, fields) in enumerate(items):
            if extra:
                fields = {**fields, **extra}
            ts = event_timestamp(fields, now) if "timestamp" in fields else now
            dropped += store.add(first + i, event_json(first + i, etype, desc, ts, fields))
        if dropped:
            with self.cond:
                self.store_dropped += dropped
            self.log("E_DROPPED", "buffer full: oldest unacked events dropped (see stats().dropped)")
        if self.intake:
            self.wake()

    def _disconnected_turn(self) -> None:
        now = time.monotonic()
        if self.connect_now or now >= self._next_attempt:
            self.connect_now = False
            self._connect()
            return
        self._wait_wake(self._next_attempt - now)

    def _wait_wake(self, timeout: float) -> None:
        if self._wake_r is None:
            time.sleep(min(max(0.0, timeout), _POLL_S))
            return
        try:
            ready, _, _ = select.select([self._wake_r], [], [], max(0.0, timeout))
        except (OSError, ValueError):
            return
        if ready:
            self._consume_wake()

    def _consume_wake(self) -> None:
        if self._wake_r is None:
            return
        try:
            while self._wake_r.recv(_WAKE_READ):
                pass
        except OSError:
            pass

    def _connect(self) -> None:
        o = self.o
        deadline = time.monotonic() + o.connect_timeout
        conn: Optional[Connection] = None
        try:
            conn = Connection.open(o.url, o.trust, o.connect_timeout)
            with self.cond:
                dropped = self.dropped
            conn.send_text((self._hello_head + str(dropped) + self._hello_tail()).encode("utf-8"))
            acked = self._await_welcome(conn, deadline)
        except Exception as err:
            if conn is not None:
                conn.close()
            self._connect_failed(failure_reason(err))
            return
        conn.sock.settimeout(o.io_timeout)
        self.conn = conn
        self._last_heard = time.monotonic()
        self._attempt = 0
        with self.cond:
            if self._ever_connected:
                self.reconnects += 1
            self._ever_connected = True
            self.connected = True
        # Everything above what the collector holds is written again; what it holds is released.
        self.store.rewind()
        self._apply_ack(acked)

    def _hello_tail(self) -> str:
        return ("" if self.o.token is None else ',"token":' + json.dumps(self.o.token)) + "}"

    def _await_welcome(self, conn: Connection, deadline: float) -> int:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no welcome")
            conn.sock.settimeout(left)
            readable, _ = conn.readable(left)
            if not readable:
                raise socket.timeout("no welcome")
            closed: Optional[ConnectionClosed] = None
            try:
                texts = conn.read_texts()
            except ConnectionClosed as err:
                # A refusal comes as an error frame, then the close: the error is the reason worth reporting.
                texts, closed = err.texts, err
            for text in texts:
                frame = _parse(text)
                kind = frame.get("type")
                if kind == "welcome" and isinstance(frame.get("acked"), int) and closed is None:
                    return int(frame["acked"])
                if kind == "error":
                    raise ConnectionClosed(f"{frame.get('code')}: {frame.get('message')}")
            if closed is not None:
                raise closed

    def _connect_failed(self, reason: str) -> None:
        delay = backoff_delay(self._attempt, self.o.backoff_base, self.o.backoff_cap)
        self._attempt += 1
        self._next_attempt = time.monotonic() + delay
        with self.cond:
            self.failures += 1
            self.last_error = reason
            self.cond.notify_all()
        self.log("E_CONNECT", f"{self.o.url}: {reason}")

    def _drop_connection(self, reason: str) -> None:
        conn = self.conn
        if conn is None:
            return
        self.conn = None
        conn.close()
        self.store.rewind()
        with self.cond:
            self.connected = False
        self._next_attempt = time.monotonic() + backoff_delay(self._attempt, self.o.backoff_base, self.o.backoff_cap)
        self._attempt += 1
        self.log("E_DISCONNECTED", f"{self.o.url}: {reason}")

    def _connected_turn(self) -> None:
        conn = self.conn
        assert conn is not None
        try:
            wait = self._pump(conn)
            if self._wake_r is None:
                wait = _POLL_S if wait is None else min(wait, _POLL_S)
            readable, woken = conn.readable(wait, self._wake_r)
            if woken:
                self._consume_wake()
            if readable:
                texts = conn.read_texts()
                self._last_heard = time.monotonic()
                self._on_texts(texts)
            elif time.monotonic() - self._last_heard > self.o.io_timeout:
                # The collector pings every 15 s: this long without a byte, the link is dead (no FIN ever came).
                raise ConnectionClosed("silent link")
        except ConnectionClosed as err:
            self._on_texts(err.texts)
            self._drop_connection(str(err))
        except OSError as err:
            self._drop_connection(failure_reason(err))

    def _on_texts(self, texts: List[str]) -> None:
        for text in texts:
            frame = _parse(text)
            kind = frame.get("type")
            if kind == "ack" and isinstance(frame.get("seq"), int):
                self._apply_ack(int(frame["seq"]))
            elif kind == "error":
                # A refused frame (storage full, shutting down...): start over; welcome.acked says what to resend.
                self.log("E_REFUSED", f"{frame.get('code')}: {frame.get('message')}")
                raise ConnectionClosed(f"refused: {frame.get('code')}")

    def _apply_ack(self, seq: int) -> None:
        with self.cond:
            acked = min(seq, self.assigned)
            if acked <= self.acked:
                return
            self.acked = acked
            self.acked_count += self.store.release_through(acked)
            self.cond.notify_all()

    def _pump(self, conn: Connection) -> Optional[float]:
        """Writes frames the window allows; returns how long to wait for the next turn (None: until woken)."""
        o = self.o
        store = self.store
        while store.pending:
            window = o.max_inflight_events - len(store.inflight)
            if window <= 0:
                return self._idle_wait()
            if store.inflight and len(store.pending) < o.batch_max_events:
                # A frame awaits its ack: let events gather (Nagle-style) until the ack or the interval.
                due = self._last_frame_at + o.flush_interval - time.monotonic()
                if due > 0:
                    return due
            parts = store.take(min(window, o.batch_max_events), o.batch_max_bytes)
            conn.send_text(_FRAME_HEAD + b",".join(parts) + _FRAME_TAIL)
            self._last_frame_at = time.monotonic()
            self.sent += len(parts)
        return self._idle_wait()

    def _idle_wait(self) -> float:
        return max(0.0, self.o.io_timeout - (time.monotonic() - self._last_heard)) + 0.01

    def log(self, code: str, message: str) -> None:
        """One line on stderr the first time each problem happens, with `debug` only."""
        if not self.o.debug or code in self._logged:
            return
        self._logged.add(code)
        try:
            sys.stderr.write(f"[ic-audit] {code} {message}\n")
        except Exception:
            pass


def _parse(text: str) -> Dict[str, Any]:
    try:
        v = json.loads(text)
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}
