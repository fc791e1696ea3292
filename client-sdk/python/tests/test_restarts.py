"""Delivery survives the collector: kill -9 and restart twice under three bot processes, a collector that is absent
at start, a buffer that overflows while it is down. Every event is stored exactly once, or counted as dropped."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

from collector import Collector, free_port, wait_until

from ic_audit import AuditNotifier

BOTS = Path(__file__).parent / "bots"
EVENTS_PER_BOT = 600
PACE_S = 0.005
PROGRESS_EVENTS = 40
WAIT_S = 60.0
BOT_EXIT_S = 120.0


def bot_events(c: Collector, session: str) -> List[Dict[str, Any]]:
    return [r for r in c.events(session) if r["event_type"] == "trade_opened"]


def wait_for_progress(c: Collector, sessions: List[str]) -> None:
    counts = {s: len(bot_events(c, s)) for s in sessions}
    wait_until(lambda: all(len(bot_events(c, s)) >= counts[s] + PROGRESS_EVENTS for s in sessions),
               WAIT_S, "every bot's events to flow")


def test_kill9_and_restart_twice_under_three_bots(start_collector: Callable[..., Collector]) -> None:
    c = start_collector()
    bots = [
        subprocess.Popen([sys.executable, str(BOTS / "steady.py"), c.url, f"Survivor{k}", str(EVENTS_PER_BOT),
                          str(PACE_S)], stdout=subprocess.PIPE, text=True)
        for k in range(3)
    ]
    try:
        sessions = [json.loads(b.stdout.readline())["session"] for b in bots if b.stdout is not None]
        for _ in range(2):
            wait_for_progress(c, sessions)
            c.kill()  # SIGKILL: no commit, no goodbye
            c.start()  # same port, same data dir
        reports = [json.loads(b.communicate(timeout=BOT_EXIT_S)[0].strip().splitlines()[-1]) for b in bots]
    finally:
        for b in bots:
            if b.poll() is None:
                b.kill()
                b.wait()
    for session, report in zip(sessions, reports):
        assert report["flushed"] is True, report
        assert report["stats"]["dropped"] == 0 and report["stats"]["reconnects"] >= 2, report
        events = c.events(session)
        # Boot (seq 1) and every tick, each exactly once, in order: nothing lost, nothing doubled.
        assert [r["seq"] for r in events] == list(range(1, EVENTS_PER_BOT + 2))
        assert [r["fields"]["i"] for r in events[1:]] == list(range(EVENTS_PER_BOT))
    gaps = [r for r in c.records() if r["event_type"] == "ic-audit.gap" and r["session"] in sessions]
    assert gaps == []


def test_collector_absent_at_start(start_collector: Callable[..., Collector]) -> None:
    port = free_port()
    n = AuditNotifier("Early", "FOREX", "starts before its collector", url=f"ws://127.0.0.1:{port}/ingest",
                      backoff_cap=0.2)
    try:
        for i in range(100):
            n.send("early", "sent while nobody listens", i=i)
        assert n.flush(0.3) is False
        s = n.stats()
        assert s.connect_failures >= 1 and s.last_error == "ECONNREFUSED" and s.acked == 0
        c = start_collector(port=port)
        assert n.flush(WAIT_S), n.stats()
    finally:
        n.close(0)
    events = c.events(n.session)
    assert [r["seq"] for r in events] == list(range(1, 102))
    assert [r["fields"]["i"] for r in events[1:]] == list(range(100))


def test_buffer_overflow_is_counted_and_reported(start_collector: Callable[..., Collector]) -> None:
    port = free_port()
    n = AuditNotifier("Overflow", "FOREX", "more events than its buffer", url=f"ws://127.0.0.1:{port}/ingest",
                      buffer_max_events=10, backoff_cap=0.2)
    try:
        for i in range(100):
            n.send("burst", "while the collector is down", i=i)
        # Boot + 100 events into a buffer of 10: the 91 oldest go, and are counted.
        wait_until(lambda: n.stats().dropped == 91, WAIT_S, "the drops to be counted")
        c = start_collector(port=port)
        # A flush says False once anything was dropped, but what stayed is delivered.
        assert n.flush(WAIT_S) is False
        assert n.stats().acked == 10 and n.stats().queued == 0
    finally:
        n.close(0)
    events = c.events(n.session)
    assert [r["fields"]["i"] for r in events] == list(range(90, 100))
    session = [r for r in c.records() if r["session"] == n.session and r["event_type"] == "ic-audit.session"]
    assert session[-1]["fields"]["dropped"] == 91
    gap = [r for r in c.records() if r["session"] == n.session and r["event_type"] == "ic-audit.gap"]
    assert len(gap) == 1 and gap[0]["fields"]["missing"] == 91


def test_queue_overflow_on_the_bots_thread_is_counted(collector: Collector) -> None:
    """When the bot outruns the background thread (here: the thread is held at its lock), send() itself evicts the
    oldest queued events; they are counted, and the seqs they would have had become the recorded gap."""
    n = AuditNotifier("Outrun", "FOREX", "faster than its thread", url=collector.url, buffer_max_events=10)
    try:
        assert n.flush(WAIT_S)
        with n._worker.cond:  # the thread cannot take events from the queue while this is held
            for i in range(50):
                n.send("burst", "faster than the thread", i=i)
            assert n.stats().dropped == 40
        assert n.flush(WAIT_S) is False  # something was dropped
    finally:
        n.close(0)
    events = [r for r in collector.events(n.session) if r["event_type"] == "burst"]
    assert [r["fields"]["i"] for r in events] == list(range(40, 50))
    assert [r["seq"] for r in events] == list(range(42, 52))
    gap = [r for r in collector.records() if r["session"] == n.session and r["event_type"] == "ic-audit.gap"]
    assert len(gap) == 1 and gap[0]["fields"]["missing"] == 40
