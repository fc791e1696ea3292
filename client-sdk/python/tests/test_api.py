"""The seed's API, unchanged for its bots: names, signatures, printed answers, dumps; tokens; never raising."""

import inspect
import json
from pathlib import Path
from typing import Callable

import pytest
from collector import Collector, free_port

import ic_audit
from ic_audit import (
    AuditNotifier,
    ProjectEventObj,
    ProjectEvents,
    ProjectPrivileges,
    available_audit_projects,
    fast_audit,
    start_audit_machine,
    trigger_audit_compact,
    trigger_audit_dumping,
    trigger_audit_dumping_all,
)

FLUSH_S = 10.0
REFUSED_S = 1.0


def params(fn: Callable[..., object]) -> "list[str]":
    return [p.name for p in inspect.signature(fn).parameters.values()]


def test_the_seeds_names_and_signatures() -> None:
    assert vars(ProjectEvents).items() >= {"BOOT": "boot", "ERROR": "error", "TRADE_OPENED": "trade_opened",
                                            "TRADE_CLOSED": "trade_closed",
                                            "UNCLASSIFIED_EVENT": "unclassified_event"}.items()
    assert vars(ProjectPrivileges).items() >= {"EXECUTE_TRADE": "execute_trade",
                                                "POST_MORTEM_ANALYSIS": "post_mortem_analysis",
                                                "LIVE_MONITORING": "live_monitoring", "UTILITIES": "utilities"}.items()
    # v0.4.7: AuditNotifier(project_name, project_market, project_description, project_privileges=None, pid=..., **kw)
    init = inspect.signature(AuditNotifier.__init__).parameters
    assert list(init)[:6] == ["self", "project_name", "project_market", "project_description",
                              "project_privileges", "pid"]
    assert init["project_privileges"].default is None
    assert list(init)[-1] == "kwargs" and init["kwargs"].kind is inspect.Parameter.VAR_KEYWORD
    assert params(AuditNotifier.send) == ["self", "event_type", "event_description", "fields"]
    assert AuditNotifier.notify is AuditNotifier.send
    obj = ProjectEventObj(ProjectEvents.ERROR, "d", code=7, timestamp=5)
    assert list(obj.to_dict().items()) == [("event_type", "error"), ("event_description", "d"), ("timestamp", 5),
                                           ("code", 7)]
    assert params(fast_audit)[:3] == ["project_name", "project_market", "project_description"]
    assert params(trigger_audit_compact)[0] == "filters"
    for fn in (trigger_audit_dumping, trigger_audit_dumping_all, available_audit_projects):
        assert all(p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())
    assert set(ic_audit.__all__) >= {"AuditNotifier", "ProjectEvents", "ProjectPrivileges", "fast_audit",
                                     "trigger_audit_dumping", "trigger_audit_dumping_all",
                                     "available_audit_projects", "trigger_audit_compact"}


def test_dumps_and_project_list_answer_as_the_seed_did(collector: Collector,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    n = AuditNotifier("Alpha", "FOREX", "dumped", url=collector.url)
    n.send(ProjectEvents.TRADE_CLOSED, "closed", pnl=12.5)
    assert n.flush(FLUSH_S)
    n.close(0)
    dumps = Path(collector.data_dir) / "dumps"
    trigger_audit_dumping(url=collector.url)
    assert capsys.readouterr().out == "Server response: Audit trails dumped\n"
    dump = json.loads((dumps / "dumped_audit_trails.json").read_text())
    assert [e["event_type"] for e in dump["Alpha"]] == ["boot", "trade_closed"]
    trigger_audit_dumping_all(url=collector.url)
    assert capsys.readouterr().out == "Server response: All audit trails dumped\n"
    assert "Alpha" in available_audit_projects(url=collector.url)
    trigger_audit_compact(["Alpha"], url=collector.url)
    assert capsys.readouterr().out == "Server response: Compact audit dump with filters created\n"
    assert "Project: Alpha" in (dumps / "compact_audit_dump.txt").read_text()
    trigger_audit_compact(url=collector.url)
    assert capsys.readouterr().out == "Server response: Compact audit dump created\n"


def test_nothing_raises_when_the_collector_is_absent(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"ws://127.0.0.1:{free_port()}/ingest"
    assert available_audit_projects(url=url, timeout=REFUSED_S) == []
    trigger_audit_dumping(url=url, timeout=REFUSED_S)
    trigger_audit_dumping_all(url=url, timeout=REFUSED_S)
    trigger_audit_compact(url=url, timeout=REFUSED_S)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("Server response: no ") for line in out)
    n = AuditNotifier(object(), None, None, object(), url=url)
    n.send(object(), object(), **{"x": object()})
    assert n.close(0) is False
    n.send("after close", "ignored")
    assert n.stats().queued == 2  # boot and the hostile event; the send after close is ignored
    assert n.project["project_name"].startswith("<object object") and n.project["project_market"] == ""


def test_ingest_token(start_collector: Callable[..., Collector], monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    c = start_collector(args=["--ingest-token", "s3cret-token"])
    wrong = AuditNotifier("NoToken", "FOREX", "no token", url=c.url)
    right = AuditNotifier("Token", "FOREX", "token option", url=c.url, token="s3cret-token")
    monkeypatch.setenv("IC_AUDIT_TOKEN", "s3cret-token")
    monkeypatch.setenv("IC_AUDIT_URL", c.url)
    from_env = AuditNotifier("EnvToken", "FOREX", "token from IC_AUDIT_TOKEN")
    try:
        assert right.flush(FLUSH_S) and from_env.flush(FLUSH_S)
        assert wrong.flush(REFUSED_S) is False
        assert (wrong.stats().last_error or "").startswith("E_UNAUTHORIZED")
    finally:
        for n in (wrong, right, from_env):
            n.close(0)
    # With a token the dump request declares itself first (hello), as the protocol wants.
    trigger_audit_dumping()
    assert capsys.readouterr().out == "Server response: Audit trails dumped\n"


def test_start_audit_machine_is_a_harmless_notice(capsys: pytest.CaptureFixture[str]) -> None:
    """v0.4.7's machine agent is not needed (remote bots use wss://); a script that calls it still runs."""
    start_audit_machine()
    start_audit_machine(use_screen=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("start_audit_machine() is not needed") == 2
