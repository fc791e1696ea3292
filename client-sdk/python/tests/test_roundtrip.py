"""What a Python bot sends is what the collector stores: exact numbers, bare NaN, unicode, nesting; and anything
else a bot may pass (Decimal, bytes, datetimes, sets, hostile objects, cycles, oversized values) is stored safely."""

import datetime
import decimal
import json
import math
import os
import subprocess
from typing import Any, Callable, Dict, List, Tuple

from collector import CLI, Collector, exact_fields

from ic_audit import AuditNotifier, Markers, ProjectEvents, ProjectPrivileges

FLUSH_S = 10.0


def stored_fields(c: Collector, session: str) -> List[str]:
    lines = [line for line in c.journal_lines() if json.loads(line)["session"] == session]
    return [exact_fields(line) for line in lines if json.loads(line)["seq"] >= 1]


def python_json(fields: Dict[str, Any]) -> str:
    """The oracle: Python's own json module as the seed's client called it, compact (the stored text, exactly)."""
    return json.dumps(fields, separators=(",", ":"))


def nested(n: int) -> Any:
    return 1 if n == 0 else [nested(n - 1)]


def test_json_values_are_stored_exactly(collector: Collector) -> None:
    cases: List[Dict[str, Any]] = [
        {"price": 250.0, "qty": 3.0, "big": 2**63, "neg": -(2**70), "f": 1e20, "g": -0.0, "h": 2**53 + 1,
         "k": 1e-05, "l": 0.1, "m": 1.085, "t": True, "n": None},
        {"nan": math.nan, "inf": math.inf, "ninf": -math.inf},
        {"s": "日本", "rocket": "caf\u00e9 \U0001F680", "q": 'it\'s "quoted"\n\t\\', "ctl": "\x00\x1f\x7f"},
        {"nested": {"a": [1, 2.5, {"b": None, "c": [True, False]}], "d": {"e": {"f": "g"}}}, "deep": nested(60)},
        {"tuple": (1, 2), "empty": {}, "list": []},
    ]
    n = AuditNotifier("Exact", "FOREX", "exact values", url=collector.url)
    try:
        for f in cases:
            n.send(ProjectEvents.TRADE_OPENED, "values", **f)
        assert n.flush(FLUSH_S)
    finally:
        n.close(0)
    stored = stored_fields(collector, n.session)
    assert stored[1:] == [python_json(f) for f in cases]
    # The dump reads the same: 250.0 stays 250.0 (not 250), the big integers stay exact.
    assert '"price":250.0' in stored[1] and '"big":9223372036854775808' in stored[1]
    assert '"neg":-1180591620717411303424' in stored[1]


class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __str__(self) -> str:
        raise RuntimeError("no str")


class HostileMapping(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("no items")


class Shouty:
    def __str__(self) -> str:
        return "SHOUTY"


def test_other_values_are_made_safe_and_stored(collector: Collector) -> None:
    cyclic: List[Any] = [1]
    cyclic.append(cyclic)
    values: Dict[str, Any] = {
        "dec": decimal.Decimal("1.10"),
        "dec_exp": decimal.Decimal("1E+2"),
        "dec_nan": decimal.Decimal("NaN"),
        "raw": b"\x00ab",
        "buf": bytearray(b"xy"),
        "when": datetime.datetime(2026, 11, 29, 12, 30, 1, 5),
        "day": datetime.date(2026, 11, 29),
        "span": datetime.timedelta(seconds=90, microseconds=500000),
        "members": {3, 1, 2},
        "hostile": Hostile(),
        "hostile_map": HostileMapping(a=1),
        "obj": Shouty(),
        "cyclic": cyclic,
        "too_deep": nested(80),
        "long": "x" * 20_000,
        "surrogate": "a\ud800b",
        "keys": {None: 1, True: 2, 1.5: 3, 7: 4, "__proto__": 5},
    }
    n = AuditNotifier("Hostile", "FOREX", "hostile values", url=collector.url)
    try:
        n.send("hostile", Hostile(), **values)
        many = {f"k{i}": i for i in range(400)}
        n.send("many", "too many keys", **many)
        n.send("big_description", "d" * 10_000, a=1)
        n.send("wide", "past the fields budget", **{f"k{i}": "\U0001F680" * 5000 for i in range(40)})
        assert n.flush(FLUSH_S), n.stats()
    finally:
        n.close(0)
    records = collector.events(n.session)
    assert [r["event_type"] for r in records] == ["boot", "hostile", "many", "big_description", "wide"]
    hostile = records[1]
    assert hostile["event_description"] == "[Unprintable: Hostile]"
    text = stored_fields(collector, n.session)[1]
    # Decimal keeps its exact digits as a JSON number; an exact text the trail shows as sent.
    assert '"dec":1.10' in text and '"dec_exp":1E+2' in text and '"dec_nan":NaN' in text
    f = json.loads(text)
    assert f["raw"] == "b'\\x00ab'" and f["buf"] == "b'xy'"
    assert f["when"] == "2026-11-29T12:30:01.000005" and f["day"] == "2026-11-29" and f["span"] == 90.5
    assert f["members"] == [1, 2, 3]
    assert f["hostile"] == "[Unprintable: Hostile]"
    assert f["hostile_map"] == Markers.UNREADABLE
    assert f["obj"] == "SHOUTY"
    assert f["cyclic"] == [1, Markers.CIRCULAR]
    depth, v = 1, f["too_deep"]
    while isinstance(v, list):
        depth, v = depth + 1, v[0]
    assert v == Markers.TOO_DEEP and depth <= 64
    assert f["long"].startswith("x" * 8000) and f["long"].endswith(" chars]") and len(f["long"]) <= 8192
    assert f["surrogate"] == "a\ud800b"
    assert f["keys"] == {"null": 1, "true": 2, "1.5": 3, "7": 4, Markers.PROTO_KEY: 5}
    many = records[2]["fields"]
    assert len(many) == 256 and many[Markers.TRUNCATED_KEY] == "[Truncated: 145 more keys]"
    assert len(records[3]["event_description"]) <= 4096


def test_seed_event_shape(collector: Collector) -> None:
    """Constructor keywords ride on every event (as in the seed); `timestamp=` replaces the event time."""
    n = AuditNotifier("Shape", "CRYPTO", "shape", ["execute_trade", None], 4242, url=collector.url,
                      strategy="mean-revert", desk=7)
    try:
        n.send("custom", None, symbol="BTC", desk=8, timestamp=1700000000.5)
        assert n.flush(FLUSH_S)
    finally:
        n.close(0)
    boot, custom = collector.events(n.session)
    assert boot["event_type"] == "boot" and boot["event_description"] == "Project was booted."
    assert boot["fields"] == {"booted_with_pid": 4242, "strategy": "mean-revert", "desk": 7}
    # The seed's dict merge: a send field of the same name keeps its place, the constructor's value wins.
    assert custom["fields"] == {"symbol": "BTC", "desk": 7, "strategy": "mean-revert"}
    assert custom["timestamp"] == 1700000000.5 and custom["event_description"] is None
    session = next(r for r in collector.records() if r["session"] == n.session and r["seq"] == 0)
    assert session["fields"]["project_privileges"] == ["execute_trade", None]
    assert session["fields"]["sdk"].startswith("ic-audit-client@")


def test_unencodable_project_name_still_delivers(collector: Collector) -> None:
    """A lone surrogate (half of an emoji, cut by the bot) in the project name: the hello is still valid UTF-8."""
    n = AuditNotifier("Half\ud83d", "FOREX", "\udc00", url=collector.url)
    try:
        assert n.flush(FLUSH_S), n.stats()
    finally:
        n.close(0)
    assert len(collector.events(n.session)) == 1


def test_the_dump_is_what_the_python_tool_would_have_written(start_collector: Callable[..., Collector]) -> None:
    """Same events through the seed's client and server, or through this SDK and the collector: the same dump bytes
    (json.dump of the seed client's dicts, grouped by project), as long as no constructor extras are used. (A whole
    timestamp such as 1764417602.0 comes back as 1764417602: the known difference docs/protocol.md lists.)"""
    c = start_collector()
    meta = {"project_name": "Parity", "project_market": "FOREX", "project_description": "caf\u00e9 desk",
            "project_privileges": [ProjectPrivileges.EXECUTE_TRADE]}
    sent: List[Tuple[str, Any, Dict[str, Any]]] = [
        ("trade_opened", "Opened long EURUSD",
         {"timestamp": 1764417600.25, "symbol": "EURUSD", "price": 1.085, "qty": 10000.0, "big": 2**63}),
        ("error", "Timeout \u65e5\u672c \U0001F680", {"timestamp": 1764417601.5, "nan": math.nan, "inf": -math.inf,
                                                     "nested": {"a": [1, None, True], "b": "it's \"q\"\n"}}),
        ("custom", None, {"timestamp": 1764417602.75, "tuple": (1, 2.5)}),
    ]
    n = AuditNotifier(meta["project_name"], meta["project_market"], meta["project_description"],
                      ProjectPrivileges.EXECUTE_TRADE, url=c.url)
    try:
        for event_type, description, fields in sent:
            n.send(event_type, description, **fields)
        assert n.flush(FLUSH_S)
    finally:
        n.close(0)
    boot = c.events(n.session)[0]
    expected = [{"event_type": "boot", "event_description": "Project was booted.", "timestamp": boot["timestamp"],
                 "booted_with_pid": os.getpid(), **meta}]
    expected += [{"event_type": t, "event_description": d, **f, **meta} for t, d, f in sent]
    dump = subprocess.run(["node", str(CLI), "dump", "--all", "--shape", "v0.3", "--data-dir", c.data_dir,
                           "--out", "-"], capture_output=True, text=True, check=True).stdout
    assert dump.rstrip("\n") == json.dumps({"Parity": expected})
