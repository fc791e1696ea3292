"""Options after defaults, environment and clamping: always usable, whatever a bot passed."""

import os
from dataclasses import dataclass
from typing import Any, Optional

from . import _defaults as d
from ._limits import MAX_EVENTS_PER_FRAME, MAX_FRAME_BYTES
from ._tls import TlsTrust

# The frame wrapper adds ~30 bytes; leave room so a full batch is always under the collector's frame limit.
_FRAME_HEADROOM = 1024
_MIN_BATCH_BYTES = 1024


def env(name: str) -> Optional[str]:
    v = os.environ.get(name)
    return v if v else None


def _text(v: Any, env_name: str) -> Optional[str]:
    return v if isinstance(v, str) and v else env(env_name)


def _num(v: Any, default: float, low: float, high: float = float("inf")) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        return default
    return float(min(high, max(low, v)))


def _int(v: Any, default: int, low: int, high: int = 1 << 62) -> int:
    return int(_num(v, default, low, high))


@dataclass(frozen=True)
class Options:
    url: str
    token: Optional[str]
    trust: TlsTrust
    buffer_max_events: int
    buffer_max_bytes: int
    batch_max_events: int
    batch_max_bytes: int
    flush_interval: float
    max_inflight_events: int
    backoff_base: float
    backoff_cap: float
    connect_timeout: float
    io_timeout: float
    flush_timeout: float
    exit_flush_timeout: float
    debug: bool


def resolve(
    url: Any = None,
    token: Any = None,
    ca_file: Any = None,
    cert_fingerprint: Any = None,
    client_cert_file: Any = None,
    client_key_file: Any = None,
    buffer_max_events: Any = None,
    buffer_max_bytes: Any = None,
    batch_max_events: Any = None,
    batch_max_bytes: Any = None,
    flush_interval: Any = None,
    max_inflight_events: Any = None,
    backoff_base: Any = None,
    backoff_cap: Any = None,
    connect_timeout: Any = None,
    io_timeout: Any = None,
    flush_timeout: Any = None,
    exit_flush_timeout: Any = None,
    debug: Any = None,
) -> Options:
    """Garbage in gives defaults, never an exception. Times are in seconds (the TypeScript SDK's are in ms)."""
    base = _num(backoff_base, d.BACKOFF_BASE_S, 0.001)
    return Options(
        url=_text(url, d.ENV_URL) or d.DEFAULT_URL,
        token=_text(token, d.ENV_TOKEN),
        trust=TlsTrust(
            ca_file=_text(ca_file, d.ENV_CA),
            cert_fingerprint=_text(cert_fingerprint, d.ENV_CERT_FINGERPRINT),
            client_cert_file=_text(client_cert_file, d.ENV_CLIENT_CERT),
            client_key_file=_text(client_key_file, d.ENV_CLIENT_KEY),
        ),
        buffer_max_events=_int(buffer_max_events, d.BUFFER_MAX_EVENTS, 1),
        buffer_max_bytes=_int(buffer_max_bytes, d.BUFFER_MAX_BYTES, 1),
        batch_max_events=_int(batch_max_events, d.BATCH_MAX_EVENTS, 1, MAX_EVENTS_PER_FRAME),
        batch_max_bytes=_int(batch_max_bytes, d.BATCH_MAX_BYTES, _MIN_BATCH_BYTES, MAX_FRAME_BYTES - _FRAME_HEADROOM),
        flush_interval=_num(flush_interval, d.FLUSH_INTERVAL_S, 0.0),
        max_inflight_events=_int(max_inflight_events, d.MAX_INFLIGHT_EVENTS, 1),
        backoff_base=base,
        backoff_cap=_num(backoff_cap, d.BACKOFF_CAP_S, base),
        connect_timeout=_num(connect_timeout, d.CONNECT_TIMEOUT_S, 0.001),
        io_timeout=_num(io_timeout, d.IO_TIMEOUT_S, 0.1),
        flush_timeout=_num(flush_timeout, d.FLUSH_TIMEOUT_S, 0.0),
        exit_flush_timeout=_num(exit_flush_timeout, d.EXIT_FLUSH_TIMEOUT_S, 0.0),
        debug=debug is True or (debug is None and env(d.ENV_DEBUG) not in (None, "0")),
    )
