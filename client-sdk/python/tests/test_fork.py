"""A bot that forks: the child reports as a new session of the same project, the parent's events stay its own."""

import os
from typing import List, Tuple

import pytest
from collector import Collector

from ic_audit import AuditNotifier

FLUSH_S = 10.0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_forked_child_reports_as_a_new_session(collector: Collector) -> None:
    n = AuditNotifier("Forker", "FOREX", "forks workers", url=collector.url)
    n.send("parent", "before the fork", i=1)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, flush, tell the parent its session, leave without the parent's atexit
        code = 1
        try:
            n.send("child", "in the child", i=2)
            ok = n.flush(FLUSH_S)
            os.write(write_end, f"{n.session} {ok}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    child_session, child_ok = os.read(read_end, 200).decode().split()
    os.close(read_end)
    assert os.waitpid(pid, 0)[1] == 0
    n.send("parent", "after the fork", i=3)
    try:
        assert n.flush(FLUSH_S)
    finally:
        n.close(0)
    assert child_ok == "True" and child_session != n.session

    def kinds(session: str) -> List[Tuple[int, str]]:
        return [(r["seq"], r["event_type"]) for r in collector.events(session)]

    assert kinds(n.session) == [(1, "boot"), (2, "parent"), (3, "parent")]
    assert kinds(child_session) == [(1, "child")]
    session = next(r for r in collector.records() if r["session"] == child_session and r["seq"] == 0)
    assert session["project_name"] == "Forker" and session["fields"]["pid"] == pid
