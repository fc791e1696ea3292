"""Events as the protocol's JSON: exact numbers, Python's bare NaN, anything else made safe within the limits.

Runs on the background thread only. Every function here returns text for whatever it is given and never raises:
a value it cannot read becomes a marker string, so an event is never lost to serialization.
"""

import dataclasses
import datetime
import decimal
import enum
import json
import math
import re
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ._limits import (
    MAX_DESCRIPTION_LENGTH,
    MAX_EVENT_TYPE_LENGTH,
    MAX_FIELD_DEPTH,
    MAX_FIELD_KEY_LENGTH,
    MAX_FIELD_STRING_LENGTH,
    MAX_FIELDS_JSON_LENGTH,
    MAX_FIELDS_PER_EVENT,
)
from ._text import to_text, truncate, utf16_length


class Markers:
    """What is stored in place of what could not be kept (listed in the README, "Hostile values")."""

    CIRCULAR = "[Circular]"
    TOO_DEEP = "[Truncated: too deep]"
    UNREADABLE = "[Unreadable]"
    TRUNCATED_KEY = "__truncated__"
    PROTO_KEY = "[__proto__]"
    UNSERIALIZABLE_KEY = "__unserializable__"


# JSON as the seed's client wrote it (json.dumps defaults: every non-ASCII character as a \u escape), so the stored
# text and the dumps are what the Python tool would have kept for the same event; and always valid UTF-8, even for
# lone surrogates. Python's own C encoders.
_quote = json.encoder.encode_basestring_ascii
_dumps_flat = json.JSONEncoder(ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode

# Costs are upper bounds of the length the collector's checkFields() estimates (24 per number, a string's UTF-16
# length + 2), so the result always passes its check. The text itself may be longer (escapes), at most 6 times.
_NUMBER_COST = 26
_MARKER_COST = 64
_CHILD_MIN = 40
_BUDGET = MAX_FIELDS_JSON_LENGTH - 2 - (MAX_FIELD_DEPTH + 2) * _MARKER_COST
# A string this short cannot pass the string limit even if every character counts twice in UTF-16.
_FAST_STRING = MAX_FIELD_STRING_LENGTH // 2
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\Z")
_BYTES_PREVIEW = MAX_FIELD_STRING_LENGTH // 4
# A `timestamp=` field beyond this (year 33658) is not an epoch time in seconds: it stays a field.
_MAX_EPOCH_S = 1e12


def float_text(x: float) -> str:
    """A float as Python's json writes it: repr (`250.0` stays `250.0`), bare NaN / Infinity / -Infinity."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    return float.__repr__(x)


class _Ctx:
    __slots__ = ("left", "stack")

    def __init__(self) -> None:
        self.left = _BUDGET
        self.stack: List[int] = []


def _str(s: str, ctx: _Ctx) -> str:
    if len(s) > _FAST_STRING:
        s = truncate(s, MAX_FIELD_STRING_LENGTH)
    cost = utf16_length(s) + 2
    if cost > ctx.left:
        s = truncate(s, max(12, ctx.left - 2))
        cost = utf16_length(s) + 2
    ctx.left -= cost
    return str(_quote(s))


def _number(text: str, ctx: _Ctx) -> str:
    ctx.left -= max(_NUMBER_COST, len(text))
    return text


def _int(v: int, ctx: _Ctx) -> str:
    try:
        return _number(int.__repr__(v), ctx)
    except ValueError:
        # Past Python's int-to-text limit (sys.get_int_max_str_digits): too long for any field anyway.
        return _str(f"[int: {v.bit_length()} bits]", ctx)


def _decimal(v: decimal.Decimal, ctx: _Ctx) -> str:
    if v.is_nan():
        return _number("NaN", ctx)
    if v.is_infinite():
        return _number("-Infinity" if v < 0 else "Infinity", ctx)
    text = str(v)
    # Its exact text as a JSON number (`1.10` stays `1.10`); an exponent JSON cannot write becomes a string.
    return _number(text, ctx) if _JSON_NUMBER.match(text) else _str(text, ctx)


def _key(k: Any) -> str:
    """A mapping key as json.dumps names it (None -> "null", True -> "true", 1.5 -> "1.5"), else its text."""
    if type(k) is str:
        s = k
    elif k is None:
        s = "null"
    elif k is True or k is False:
        s = "true" if k else "false"
    elif isinstance(k, float):
        s = float_text(float.__pos__(k))
    elif isinstance(k, int):
        try:
            s = int.__repr__(int.__pos__(k))
        except ValueError:
            s = f"[int: {k.bit_length()} bits]"
    else:
        s = to_text(k)
    return Markers.PROTO_KEY if s == "__proto__" else s


def _entries(items: Any, depth: int, ctx: _Ctx, max_keys: int, max_key_len: int) -> str:
    """An object within the budget and `max_keys`; what does not fit is counted under `__truncated__`."""
    parts: List[str] = []
    ctx.left -= 2
    pending: Optional[Tuple[Any, Any]] = None
    skipped = 0
    for k, raw in items:
        if pending is not None:
            skipped += 1
            continue
        name = _key(k)
        if len(name) > max_key_len:
            name = truncate(name, max_key_len)
        key_text = str(_quote(name))
        key_cost = utf16_length(name) + 4
        if len(parts) >= max_keys - 1 or ctx.left - key_cost < _CHILD_MIN:
            pending = (key_text, raw)
            continue
        ctx.left -= key_cost
        parts.append(key_text + ":" + _value(raw, depth + 1, ctx))
    if pending is not None:
        key_text, raw = pending
        if skipped == 0 and len(parts) < max_keys and ctx.left - len(key_text) - 2 >= _CHILD_MIN:
            ctx.left -= len(key_text) + 2
            parts.append(key_text + ":" + _value(raw, depth + 1, ctx))
        else:
            marker = f"[Truncated: {skipped + 1} more keys]"
            ctx.left -= len(marker) + len(Markers.TRUNCATED_KEY) + 6
            parts.append(_quote(Markers.TRUNCATED_KEY) + ":" + _quote(marker))
    return "{" + ",".join(parts) + "}"


def _items(seq: Any, total: int, depth: int, ctx: _Ctx) -> str:
    parts: List[str] = []
    ctx.left -= 2
    for i, item in enumerate(seq):
        if ctx.left < _CHILD_MIN:
            marker = f"[Truncated: {total - i} more items]"
            ctx.left -= len(marker) + 3
            parts.append(_quote(marker))
            break
        ctx.left -= 1
        parts.append(_value(item, depth + 1, ctx))
    return "[" + ",".join(parts) + "]"


def _set_items(v: Any) -> List[Any]:
    items = list(v)
    try:
        items.sort()
    except Exception:
        # Mixed or unorderable members keep the set's own order.
        pass
    return items


def _container(v: Any, depth: int, ctx: _Ctx) -> Optional[str]:
    """Mappings, sequences, sets and dataclasses as JSON objects or arrays; None for anything else."""
    if isinstance(v, Mapping):
        return _entries(list(v.items()), depth, ctx, MAX_FIELDS_PER_EVENT if depth == 1 else 1 << 62,
                        MAX_FIELD_KEY_LENGTH if depth == 1 else MAX_FIELD_STRING_LENGTH)
    if isinstance(v, (list, tuple)):
        return _items(v, len(v), depth, ctx)
    if isinstance(v, (set, frozenset)):
        return _items(_set_items(v), len(v), depth, ctx)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        pairs = [(f.name, getattr(v, f.name)) for f in dataclasses.fields(v)]
        return _entries(pairs, depth, ctx, 1 << 62, MAX_FIELD_STRING_LENGTH)
    return None


def _value(v: Any, depth: int, ctx: _Ctx) -> str:
    try:
        t = type(v)
        if t is str:
            return _str(v, ctx)
        if v is None:
            return _number("null", ctx)
        if t is bool:
            return _number("true" if v else "false", ctx)
        if t is int:
            return _int(v, ctx)
        if t is float:
            return _number(float_text(v), ctx)
        # Subclasses (IntEnum, str enums, numpy floats...) by their base value, never by their own __repr__.
        if isinstance(v, str):
            return _str(str.__str__(v), ctx)
        if isinstance(v, int):
            return _int(int.__pos__(v), ctx)
        if isinstance(v, float):
            return _number(float_text(float.__pos__(v)), ctx)
        if isinstance(v, decimal.Decimal):
            return _decimal(v, ctx)
        if isinstance(v, (bytes, bytearray, memoryview)):
            data = bytes(v[:_BYTES_PREVIEW])
            size = len(v) if not isinstance(v, memoryview) else v.nbytes
            text = repr(data) if size <= _BYTES_PREVIEW else f"{data!r}…[{size} bytes]"
            return _str(text, ctx)
        if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
            return _str(v.isoformat(), ctx)
        if isinstance(v, datetime.timedelta):
            return _number(float_text(v.total_seconds()), ctx)
        if isinstance(v, uuid.UUID):
            return _str(str(v), ctx)
        if isinstance(v, enum.Enum):
            return _str(to_text(v), ctx)
        if depth > MAX_FIELD_DEPTH:
            return _str(Markers.TOO_DEEP, ctx)
        ident = id(v)
        if ident in ctx.stack:
            return _str(Markers.CIRCULAR, ctx)
        ctx.stack.append(ident)
        try:
            out = _container(v, depth, ctx)
        finally:
            ctx.stack.pop()
        return out if out is not None else _str(to_text(v), ctx)
    except Exception:
        return _str(Markers.UNREADABLE, ctx)


# Values the C encoder writes exactly as the careful walk would (bool and None included; no containers).
_FLAT_TYPES = frozenset((str, int, float, bool, type(None)))
# A flat object's JSON this short fits every limit: no string can reach MAX_FIELD_STRING_LENGTH even counted in
# UTF-16, and the collector's estimate (24 per number, each string's UTF-16 length) stays under the fields limit.
_FLAT_TEXT_MAX = MAX_FIELD_STRING_LENGTH // 2
_FLAT_KEY_MAX = MAX_FIELD_KEY_LENGTH // 2


def _flat_json(fields: Dict[str, Any]) -> Optional[str]:
    """The C encoder's JSON of a flat object of plain values when it surely fits the limits, else None."""
    if len(fields) > MAX_FIELDS_PER_EVENT or "__proto__" in fields:
        return None
    if not _FLAT_TYPES.issuperset(map(type, fields.values())):
        return None
    text = str(_dumps_flat(fields))
    if len(text) > _FLAT_TEXT_MAX or max(map(len, fields)) > _FLAT_KEY_MAX:
        return None
    return text


def fields_json(fields: Dict[str, Any]) -> str:
    """`fields` as JSON the collector accepts: the C encoder for flat plain values, else the careful walk."""
    if not fields:
        return "{}"
    try:
        flat = _flat_json(fields)
        if flat is not None:
            return flat
    except Exception:
        # Non-string keys, an int too long for text...: the careful walk handles each.
        pass
    ctx = _Ctx()
    try:
        return _entries(list(fields.items()), 1, ctx, MAX_FIELDS_PER_EVENT, MAX_FIELD_KEY_LENGTH)
    except Exception:
        return "{" + _quote(Markers.UNSERIALIZABLE_KEY) + ":" + _quote(Markers.UNREADABLE) + "}"


def text_value(v: Any, max_len: int) -> str:
    return _quote(truncate(to_text(v), max_len))


def event_json(seq: int, event_type: Any, description: Any, timestamp: float, fields: Dict[str, Any]) -> bytes:
    """One `events[i]` of an events frame, as UTF-8."""
    etype = _quote(event_type) if type(event_type) is str and len(event_type) <= MAX_EVENT_TYPE_LENGTH // 2 \
        else text_value(event_type, MAX_EVENT_TYPE_LENGTH)
    if description is None:
        # The Python client sent a null description as null, and the collector stores it so.
        desc = "null"
    elif type(description) is str and len(description) <= MAX_DESCRIPTION_LENGTH // 2:
        desc = _quote(description)
    else:
        desc = text_value(description, MAX_DESCRIPTION_LENGTH)
    text = (
        '{"seq":' + str(seq) + ',"event_type":' + etype + ',"event_description":' + desc
        + ',"timestamp":' + float.__repr__(timestamp) + ',"fields":' + fields_json(fields) + "}"
    )
    return text.encode("ascii")


def event_timestamp(fields: Dict[str, Any], now: float) -> float:
    """The seed let a `timestamp=` field replace the event's time: honoured when it is a usable epoch time."""
    ts = fields.get("timestamp")
    if (type(ts) is int or type(ts) is float) and ts == ts and 0 <= ts < _MAX_EPOCH_S:
        del fields["timestamp"]
        return float(ts)
    return now
