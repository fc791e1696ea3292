"""Turning anything a bot passes into bounded text, without ever raising."""

from typing import Any

UNPRINTABLE = "[Unprintable]"


def utf16_length(s: str) -> int:
    """Length as the collector (JavaScript) counts it: characters beyond U+FFFF count twice."""
    n = len(s)
    # Only strings with a non-BMP character differ; `max` over the code points is C-speed.
    if n == 0 or max(s) <= "\uffff":
        return n
    return n + sum(1 for c in s if c > "\uffff")


def truncate(s: str, max_len: int) -> str:
    """`s` cut to at most `max_len` UTF-16 units, ending with the marker `…[+N chars]` (N characters cut)."""
    if len(s) * 2 <= max_len or utf16_length(s) <= max_len:
        return s
    marker_max = 4 + len(str(len(s))) + 6
    if max_len <= marker_max:
        return _cut16(s, max(0, max_len))
    head = _cut16(s, max_len - marker_max)
    return head + "…[+" + str(len(s) - len(head)) + " chars]"


def _cut16(s: str, units: int) -> str:
    """The longest prefix of `s` that is at most `units` UTF-16 units."""
    head = s[:units]
    over = utf16_length(head) - units
    while over > 0:
        over -= 2 if head[-1] > "\uffff" else 1
        head = head[:-1]
    return head


def type_name(v: object) -> str:
    try:
        name = type(v).__name__
        return name if isinstance(name, str) else "object"
    except Exception:
        return "object"


def to_text(v: Any) -> str:
    """Any value as text: str() of it, else repr(), else a marker naming its type; never raises."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, BaseException):
        try:
            return f"{type_name(v)}: {v}"
        except Exception:
            pass
    for fn in (str, repr):
        try:
            s = fn(v)
            if isinstance(s, str):
                return str.__str__(s)
        except Exception:
            pass
    return f"[Unprintable: {type_name(v)}]"
