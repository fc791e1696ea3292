"""The seed's module-level functions: fast_audit, dumps, project list. None of them raises."""

import json
import os
import select
import socket
import sys
import time
import uuid
from typing import Any, Dict, List, Optional

from . import _defaults as d
from ._connection import Connection, failure_reason, parse_url
from ._options import resolve
from ._version import SDK_NAME, SDK_VERSION
from .notifier import AuditNotifier

# Project name the hello of a dump request declares when a token is used (the TypeScript SDK's too).
DUMP_CLIENT_PROJECT = "ic-audit-dump"
# After the first bytes of a legacy reply, this long without more means the reply is complete.
_LEGACY_QUIET_S = 0.05
_LEGACY_READ = 65536


def fast_audit(project_name: Any, project_market: Any, project_description: Any,
               timeout: Optional[float] = None, **options: Any) -> bool:
    """The seed's one-liner: declares the project with its boot event and returns once the collector acked it
    (True) or after `timeout` seconds (False; default 3). The connection is closed right after."""
    try:
        n = AuditNotifier(project_name, project_market, project_description, flush_interval=0, **options)
        return n.close(d.FAST_AUDIT_TIMEOUT_S if timeout is None else timeout)
    except Exception:
        return False


def _dump(request: Dict[str, Any], options: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """Sends a dump request over /ingest; the collector's `dumped` answer, or None (unreachable, refused, late)."""
    timeout = options.pop("timeout", None)
    timeout = d.DUMP_TIMEOUT_S if not isinstance(timeout, (int, float)) else float(timeout)
    o = resolve(**{k: v for k, v in options.items() if k in _RESOLVE_KEYS})
    deadline = time.monotonic() + timeout
    req_id = uuid.uuid4().hex
    dump = json.dumps({"type": "dump", "id": req_id, **request})
    conn: Optional[Connection] = None
    try:
        conn = Connection.open(o.url, o.trust, timeout)
        if o.token is None:
            # Without a token the collector takes a dump request before any hello: no pseudo-project appears.
            conn.send_text(dump.encode())
        else:
            hello = {
                "type": "hello", "v": 1, "session": str(uuid.uuid4()),
                "project": {"project_name": DUMP_CLIENT_PROJECT, "project_description": "Requests audit dumps."},
                "sdk": f"{SDK_NAME}@{SDK_VERSION}", "pid": os.getpid(), "token": o.token,
            }
            conn.send_text(json.dumps(hello).encode())
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            conn.sock.settimeout(left)
            if not conn.readable(left)[0]:
                return None
            for text in conn.read_texts():
                frame = json.loads(text)
                if frame.get("type") == "welcome":
                    conn.send_text(dump.encode())
                elif frame.get("type") == "dumped" and frame.get("id") == req_id:
                    return dict(frame)
                elif frame.get("type") == "error":
                    return None
    except Exception:
        return None
    finally:
        if conn is not None:
            conn.close()


_RESOLVE_KEYS = {"url", "token", "ca_file", "cert_fingerprint", "client_cert_file", "client_key_file", "debug"}


def trigger_audit_dumping(**options: Any) -> None:
    """The seed's call: the collector writes the last 30 hours of every project (`dumped_audit_trails.json` in its
    dumps folder) and this prints `Server response: Audit trails dumped`. Options: url, token, TLS, `hours`, timeout."""
    hours = options.pop("hours", d.DUMP_HOURS)
    done = _dump({"hours": hours}, options)
    _say("Audit trails dumped" if done else "no dump written (collector unreachable or refused)")


def trigger_audit_dumping_all(**options: Any) -> None:
    """v0.4.7: every event of every project; prints `Server response: All audit trails dumped`."""
    done = _dump({"all": True}, options)
    _say("All audit trails dumped" if done else "no dump written (collector unreachable or refused)")


def _say(reply: str) -> None:
    print(f"Server response: {reply}")


def _legacy(command: bytes, options: Dict[str, Any], complete: Any) -> Optional[bytes]:
    """One command on the collector's legacy port (plain loopback, no token): its reply, or None."""
    o = resolve(**{k: v for k, v in options.items() if k in _RESOLVE_KEYS})
    timeout = options.get("timeout")
    timeout = d.DUMP_TIMEOUT_S if not isinstance(timeout, (int, float)) else float(timeout)
    try:
        secure, host, port, _ = parse_url(o.url)
        if secure or o.token is not None:
            # The Python tool's protocol is served only plain, on loopback, without an ingest token.
            return None
        deadline = time.monotonic() + timeout
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(command)
            reply = b""
            while True:
                left = deadline - time.monotonic()
                wait = left if not reply else min(left, _LEGACY_QUIET_S)
                if wait <= 0 or not select.select([s], [], [], wait)[0]:
                    return reply or None
                chunk = s.recv(_LEGACY_READ)
                if not chunk:
                    return reply or None
                reply += chunk
                if complete(reply):
                    return reply
    except Exception as err:
        if o.debug:
            sys.stderr.write(f"[ic-audit] E_CONNECT {o.url}: {failure_reason(err)}\n")
        return None


def _parses(reply: bytes) -> bool:
    try:
        json.loads(reply.decode("utf-8"))
        return True
    except ValueError:
        return False


def available_audit_projects(**options: Any) -> List[str]:
    """v0.4.7: the names of every project the collector knows (any order). An empty list when unreachable."""
    reply = _legacy(b"available_projects", options, _parses)
    if reply is None or not _parses(reply):
        return []
    names = json.loads(reply.decode("utf-8"))
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def trigger_audit_compact(filters: Optional[List[str]] = None, **options: Any) -> None:
    """v0.4.7: the collector writes `compact_audit_dump.txt` (all projects, or those named in `filters`) and this
    prints its answer, e.g. `Server response: Compact audit dump created`."""
    command = "dump_compact" if not filters else "dump_compact_with_filter:" + ",".join(str(f) for f in filters)
    reply = _legacy(command.encode("utf-8"), options, lambda r: r.endswith(b"created"))
    _say(reply.decode("utf-8", "replace") if reply else "no compact dump written (needs the collector's plain "
         "loopback port without an ingest token)")


def start_audit_machine(use_screen: bool = False) -> None:
    """v0.4.7 started a per-machine agent (port 9631) for the server to pull remote audits from. Not needed here:
    bots on other machines report straight to the collector over wss:// (docs/security.md). Kept so that scripts
    which call it still run; it says so on stderr and returns."""
    try:
        sys.stderr.write("ic-audit: start_audit_machine() is not needed: remote bots report to the collector over "
                         "wss:// (see docs/security.md)\n")
    except Exception:
        pass
