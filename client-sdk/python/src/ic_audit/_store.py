"""Serialized events kept until acked: bounded by count and bytes, the oldest dropped first."""

from collections import deque
from typing import Deque, List, Tuple

Item = Tuple[int, bytes]


class EventStore:
    """`inflight`: written to the current connection, not yet acked; `pending`: not written yet. Both in seq order."""

    def __init__(self, max_events: int, max_bytes: int) -> None:
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.inflight: Deque[Item] = deque()
        self.pending: Deque[Item] = deque()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self.inflight) + len(self.pending)

    def add(self, seq: int, data: bytes) -> int:
        """Appends one event; returns how many of the oldest were dropped to stay within the bounds."""
        self.pending.append((seq, data))
        self.bytes += len(data)
        if len(self.inflight) + len(self.pending) <= self.max_events and self.bytes <= self.max_bytes:
            return 0
        dropped = 0
        # The newest event is always kept, however large: it is within the protocol's limits by construction.
        while len(self) > 1 and (len(self) > self.max_events or self.bytes > self.max_bytes):
            q = self.inflight if self.inflight else self.pending
            self.bytes -= len(q.popleft()[1])
            dropped += 1
        return dropped

    def release_through(self, seq: int) -> int:
        """Forgets every event with seq <= `seq` (durable at the collector); returns how many."""
        n = 0
        for q in (self.inflight, self.pending):
            while q and q[0][0] <= seq:
                self.bytes -= len(q.popleft()[1])
                n += 1
        return n

    def rewind(self) -> None:
        """The connection is gone: what was in flight is written again on the next one, first."""
        self.pending.extendleft(reversed(self.inflight))
        self.inflight.clear()

    def take(self, max_events: int, max_bytes: int) -> List[bytes]:
        """Moves the next events (at least one, within both bounds) from pending to inflight; returns their JSON."""
        out: List[bytes] = []
        size = 0
        while self.pending and len(out) < max_events:
            item = self.pending[0]
            if out and size + len(item[1]) + 1 > max_bytes:
                break
            self.pending.popleft()
            self.inflight.append(item)
            out.append(item[1])
            size += len(item[1]) + 1
        return out
