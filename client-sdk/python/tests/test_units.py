"""Pure parts, without a collector: shared limits, version, backoff, the serializer's bounds, the buffer's order."""

import json
import math
import random
import re
import sys
from pathlib import Path
from typing import Any, List

from collector import REPO

from ic_audit import _limits, _wsframe, backoff_delay
from ic_audit._serialize import event_json, fields_json
from ic_audit._store import EventStore
from ic_audit._text import truncate, utf16_length
from ic_audit._version import SDK_VERSION

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the version-specific branch is exercised on older interpreters only
    tomllib = None


def test_limits_are_the_collectors() -> None:
    text = (REPO / "shared" / "src" / "limits.ts").read_text()
    ts = {name: value for name, value in re.findall(r"export const (\w+) = ([^;]+);", text)}
    mine = {k: v for k, v in vars(_limits).items() if k.isupper()}
    for name, value in mine.items():
        assert name in ts, name
        assert value == json.loads(ts[name].replace("_", "").replace("'", '"')), name


def test_version_is_the_packages() -> None:
    if tomllib is not None:
        project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
        assert project["version"] == SDK_VERSION and project["name"] == "ic-audit-client"


def test_license_is_the_repositorys() -> None:
    assert (Path(__file__).parents[1] / "LICENSE").read_text() == (REPO / "LICENSE").read_text()


def test_backoff_is_full_jitter_capped() -> None:
    # Same figures as client-sdk/test/backoff.test.ts, in seconds.
    assert backoff_delay(0, 0.1, 5.0, lambda: 0.5) == 0.05
    assert backoff_delay(3, 0.1, 5.0, lambda: 0.999) == 0.1 * 8 * 0.999
    assert backoff_delay(10, 0.1, 5.0, lambda: 0.999) == 5.0 * 0.999
    assert backoff_delay(5000, 0.1, 5.0, lambda: 0.5) == 2.5
    assert backoff_delay(2, 0.1, 5.0, lambda: math.nan) == 0.0
    assert backoff_delay(2, 0.1, 5.0, lambda: 1.0) < 0.4


def measure(v: Any, depth: int) -> int:
    """The collector's estimate of a fields value (shared/src/validate.ts measure()), negative when refused."""
    if isinstance(v, str):
        return -2 if utf16_length(v) > _limits.MAX_FIELD_STRING_LENGTH else utf16_length(v) + 2
    if v is None:
        return 4
    if isinstance(v, bool):
        return 5
    if isinstance(v, (int, float)):
        return 24
    if depth > _limits.MAX_FIELD_DEPTH:
        return -1
    total = 2
    items = v.items() if isinstance(v, dict) else ((None, x) for x in v)
    for k, x in items:
        n = measure(x, depth + 1)
        if n < 0:
            return n
        total += n + (len(k) + 4 if k is not None else 1)
    return total


def check_fields(text: str) -> None:
    fields = json.loads(text)
    assert isinstance(fields, dict) and len(fields) <= _limits.MAX_FIELDS_PER_EVENT
    assert all(len(k) <= _limits.MAX_FIELD_KEY_LENGTH and k != "__proto__" for k in fields)
    size = measure(fields, 1)
    assert 0 <= size <= _limits.MAX_FIELDS_JSON_LENGTH


def test_fields_stay_within_the_limits_whatever_the_bot_passes() -> None:
    rng = random.Random(17)
    wide = {f"k{i}": "\U0001F680" * 5000 for i in range(40)}
    deep: List[Any] = []
    cursor = deep
    for _ in range(200):
        cursor.append([])
        cursor = cursor[0]
    cases: List[Any] = [
        wide,
        {"deep": deep},
        {"list": ["x" * 9000] * 50},
        {"k" * 500: 1, "n": [2**5000, -(2**5000)]},
        {f"n{i}": rng.random() for i in range(1000)},
        {"mixed": {i: [None, True, 1.5, "\x00" * 3000] for i in range(100)}},
    ]
    for fields in cases:
        check_fields(fields_json(fields))


def test_event_json_is_one_valid_event() -> None:
    raw = event_json(7, "t" * 5000, "d" * 9000, 1700000000.25, {"price": 250.0, "lone": "\udc00"})
    event = json.loads(raw)
    assert event["seq"] == 7 and event["timestamp"] == 1700000000.25
    assert utf16_length(event["event_type"]) <= _limits.MAX_EVENT_TYPE_LENGTH
    assert utf16_length(event["event_description"]) <= _limits.MAX_DESCRIPTION_LENGTH
    assert b'"price":250.0' in raw and event["fields"]["lone"] == "\udc00"


def test_truncate_counts_utf16_and_never_splits_a_character() -> None:
    s = "\U0001F680" * 100
    cut = truncate(s, 50)
    assert utf16_length(cut) <= 50 and cut.endswith(" chars]") and "\ud83d" not in cut
    assert truncate("short", 50) == "short"


def test_store_drops_the_oldest_and_rewinds_in_order() -> None:
    store = EventStore(max_events=3, max_bytes=1 << 20)
    assert [store.add(seq, b"x") for seq in (1, 2, 3, 4)] == [0, 0, 0, 1]
    assert store.take(2, 1 << 20) == [b"x", b"x"]
    assert [seq for seq, _ in store.inflight] == [2, 3]
    store.rewind()
    assert [seq for seq, _ in store.pending] == [2, 3, 4]
    assert store.release_through(3) == 2 and len(store) == 1
    small = EventStore(max_events=100, max_bytes=10)
    assert [small.add(seq, b"12345") for seq in (1, 2, 3)] == [0, 0, 1]


def test_client_frames_are_marked_masked_with_an_all_zero_key_and_carry_the_payload_as_is() -> None:
    for payload in (b"", b"x" * 125, b"y" * 126, b"z" * 65535, b"w" * 65536):
        frame = _wsframe.encode(_wsframe.OP_TEXT, payload)
        assert frame[0] == 0x80 | _wsframe.OP_TEXT
        assert frame[1] & 0x80, "RFC 6455: every client frame is marked masked"
        size = frame[1] & 0x7F
        at = 2 if size < 126 else 4 if size == 126 else 10
        assert frame[at:at + 4] == b"\0\0\0\0"
        assert frame[at + 4:] == payload
        # A server unmasking with the key it was given reads the same bytes.
        reader = _wsframe.FrameReader(1 << 20)
        assert reader.feed(frame) == [(_wsframe.OP_TEXT, payload)]

