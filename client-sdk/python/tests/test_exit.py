"""A script never hangs on the client: the exit flush and fast_audit are bounded, and deliver when they can."""

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from collector import Collector, free_port

from ic_audit import fast_audit
from ic_audit._defaults import EXIT_FLUSH_TIMEOUT_S

BOTS = Path(__file__).parent / "bots"
# Interpreter start-up and import on a busy 2-core machine; the bound under test is EXIT_FLUSH_TIMEOUT_S.
STARTUP_SLACK_S = 3.0
SCRIPT_TIMEOUT_S = 60.0
FAST_AUDIT_TIMEOUT_S = 0.5
# Returning is the thread waking and the notifier closing, on a busy machine: well under this.
RETURN_SLACK_S = 1.0


def run_script(name: str, *args: str) -> "tuple[float, str]":
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, str(BOTS / name), *args], capture_output=True, text=True,
                          timeout=SCRIPT_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return time.monotonic() - t0, done.stdout


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A port that accepts TCP connections (the kernel's backlog) but never answers: the worst collector."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    yield f"ws://127.0.0.1:{s.getsockname()[1]}/ingest"
    s.close()


def test_exit_with_the_collector_down_is_quick() -> None:
    elapsed, out = run_script("exit_down.py", f"ws://127.0.0.1:{free_port()}/ingest", "1000")
    assert out == "sent\n"
    assert elapsed < EXIT_FLUSH_TIMEOUT_S + STARTUP_SLACK_S


def test_exit_against_a_collector_that_never_answers_is_bounded(black_hole: str) -> None:
    elapsed, _ = run_script("exit_down.py", black_hole, "10")
    assert elapsed < EXIT_FLUSH_TIMEOUT_S + STARTUP_SLACK_S


def test_exit_flush_delivers_what_a_script_sent(collector: Collector) -> None:
    _, out = run_script("exit_up.py", collector.url, "50")
    events = collector.events(out.strip())
    assert [r["seq"] for r in events] == list(range(1, 52))


def test_fast_audit_returns_after_its_timeout_when_nobody_answers(black_hole: str) -> None:
    t0 = time.monotonic()
    assert fast_audit("Script", "Crypto", "monitor started", timeout=FAST_AUDIT_TIMEOUT_S, url=black_hole) is False
    assert time.monotonic() - t0 < FAST_AUDIT_TIMEOUT_S + RETURN_SLACK_S


def test_fast_audit_returns_once_acked(collector: Collector) -> None:
    assert fast_audit("FastScript", "Crypto", "Bitcoin price monitor started", url=collector.url) is True
    boots = [r for r in collector.records() if r["project_name"] == "FastScript" and r["event_type"] == "boot"]
    assert len(boots) == 1
    session = next(r for r in collector.records() if r["session"] == boots[0]["session"] and r["seq"] == 0)
    assert session["fields"]["project_description"] == "Bitcoin price monitor started"
