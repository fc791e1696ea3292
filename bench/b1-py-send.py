"""B1-py, the Python side: cost of the Python SDK's send() on the bot's thread and the bot's CPU per event, beside
the seed client's design measured in the same process and run (a thread + a TCP connection per event, to the
collector's legacy port). Prints one JSON object for bench/b1-py.mjs.

    python b1-py-send.py INGEST_URL LEGACY_PORT DEAD_URL QUICK(0|1)
"""

import json
import socket
import sys
import threading
import time
from functools import partial
from typing import Any, Callable, Dict, List

from ic_audit import AuditNotifier

TYPE = "trade_opened"
DESC = "Opened long EURUSD"
PROJECT = {"project_name": "bench-bot", "project_market": "FOREX", "project_description": "benchmark bot",
           "project_privileges": ["execute_trade"]}
PER_SAMPLE = 1_000
# Keeps the SDK's buffer far from full between samples, so no sample pays for evictions (a connected steady state).
DRAIN_ABOVE = 20_000
SEED_PER_SAMPLE = 100
SEED_SETTLE_S = 30.0

url, legacy_port, dead_url, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
SAMPLES = 200 if quick else 1_000
SINGLE_CALLS = 20_000 if quick else 100_000
CPU_EVENTS = 50_000 if quick else 200_000
SEED_SAMPLES = 20 if quick else 50


def fields(i: int) -> Dict[str, Any]:
    """The B1 workload's trade event fields (bench/lib/workload.mjs)."""
    return {"symbol": "EURUSD", "side": "buy", "price": 1.08512, "quantity": 100_000 + i, "order_id": f"ord-{i}",
            "strategy": "mean-revert-v2", "account": "desk-7"}


def time_batches(call: Callable[[int], None], samples: int, per: int, between: Callable[[], None]) -> List[float]:
    """ns per call of each batch of `per` calls; `between()` runs outside the timed part."""
    out: List[float] = []
    start = 0
    clock = time.perf_counter_ns
    for _ in range(samples):
        t0 = clock()
        for i in range(start, start + per):
            call(i)
        out.append((clock() - t0) / per)
        start += per
        between()
    return out


def time_single(call: Callable[[int], None], calls: int, between: Callable[[], None]) -> List[float]:
    """ns of each single call, less the clock's own cost (so p99 shows a slow call, e.g. one that wakes the thread)."""
    clock = time.perf_counter_ns
    overhead = min(-(clock() - clock()) for _ in range(1_000))
    out: List[float] = []
    for i in range(calls):
        t0 = clock()
        call(i)
        out.append(max(0.0, clock() - t0 - overhead))
        if i % PER_SAMPLE == PER_SAMPLE - 1:
            between()
    return out


def sdk_send(n: AuditNotifier) -> Callable[[int], None]:
    send = n.send
    return lambda i: send(TYPE, DESC, **fields(i))


def drained(n: AuditNotifier) -> Callable[[], None]:
    def between() -> None:
        if n.stats().queued > DRAIN_ABOVE:
            n.flush(60)
    return between


def fields_only() -> Callable[[int], None]:
    """The workload's own cost (building the fields), measured alone so it can be told apart from send()."""
    def call(i: int) -> None:
        fields(i)
    return call


class SeedClient:
    """The seed's per-event behaviour, minimal and faithful: json.dumps, then a new daemon thread that connects,
    sendall()s, reads one reply and closes, every error swallowed (its runAsThread + redundancy decorators)."""

    def __init__(self, port: int) -> None:
        self.address = ("localhost", port)
        self.threads: List[threading.Thread] = []

    def _send(self, msg: Dict[str, Any]) -> None:
        try:
            data = json.dumps(msg)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.connect(self.address)
                sock.sendall(data.encode())
                sock.recv(1024)
        except Exception:
            pass

    def send(self, i: int) -> None:
        msg = {"event_type": TYPE, "event_description": DESC, "timestamp": time.time(), **fields(i), **PROJECT}
        t = threading.Thread(target=self._send, args=(msg,), daemon=True)
        t.start()
        self.threads.append(t)

    def settle(self) -> None:
        deadline = time.monotonic() + SEED_SETTLE_S
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self.threads = []


def cpu_per_event(events: int, send: Callable[[int], None], done: Callable[[], Any], burst: int,
                  between: Callable[[], None]) -> float:
    """Process CPU (every thread: the bot's and the client's) per event until `done()` returns, in ns."""
    c0 = time.process_time_ns()
    for start in range(0, events, burst):
        for i in range(start, min(events, start + burst)):
            send(i)
        between()
    done()
    return (time.process_time_ns() - c0) / events


def main() -> None:
    r: Dict[str, Any] = {"conn": [], "single": [], "disc": [], "fields": [], "cpu_sdk": [], "seed": [],
                         "cpu_seed": [], "delivered": True}
    for _ in range(3):
        n = AuditNotifier("b1-py-bot", "FOREX", "benchmark bot", url=url)
        try:
            while not n.flush(1.0):
                pass
            time_batches(sdk_send(n), 20, PER_SAMPLE, drained(n))  # warm-up
            r["conn"].append(time_batches(sdk_send(n), SAMPLES, PER_SAMPLE, drained(n)))
            r["single"].append(time_single(sdk_send(n), SINGLE_CALLS, drained(n)))
            n.flush(60)
            r["cpu_sdk"].append([cpu_per_event(CPU_EVENTS, sdk_send(n), partial(n.flush, 120), PER_SAMPLE,
                                               drained(n))])
            r["delivered"] = r["delivered"] and n.stats().queued == 0 and n.stats().dropped == 0
        finally:
            n.close(1.0)
        d = AuditNotifier("b1-py-dead", "FOREX", "no collector", url=dead_url)
        try:
            # No collector: events pile up in the bounded buffer, then the oldest are evicted (counted as dropped).
            r["disc"].append(time_batches(sdk_send(d), SAMPLES, PER_SAMPLE, lambda: None))
        finally:
            d.close(0)
        r["fields"].append(time_batches(fields_only(), SAMPLES, PER_SAMPLE, lambda: None))
        seed = SeedClient(legacy_port)
        r["seed"].append(time_batches(seed.send, SEED_SAMPLES, SEED_PER_SAMPLE, seed.settle))
        r["cpu_seed"].append([cpu_per_event(SEED_SAMPLES * SEED_PER_SAMPLE, seed.send, seed.settle, SEED_PER_SAMPLE,
                                            seed.settle)])
    r["python"] = sys.version.split()[0]
    print(json.dumps(r))


main()
