"""One WebSocket connection over the standard library: TCP (+ TLS), the upgrade, text frames, pings answered."""

import base64
import errno
import hashlib
import os
import select
import socket
import ssl
import time
from typing import List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from . import _wsframe as wf
from ._limits import MAX_FRAME_BYTES
from ._tls import CertPinError, TlsTrust, check_pin, make_context

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# An upgrade answer is a few hundred bytes; anything this long is not our collector.
_MAX_HANDSHAKE_BYTES = 16 * 1024
_RECV_BYTES = 256 * 1024


class ConnectionClosed(Exception):
    """The connection ended; `str()` says why. `texts` are messages that arrived just before (a last ack)."""

    def __init__(self, reason: str, texts: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.texts = list(texts)


def failure_reason(err: BaseException) -> str:
    """A short, stable name for why a connection failed: ECONNREFUSED, CERTIFICATE_VERIFY_FAILED, E_CERT_PIN..."""
    if isinstance(err, CertPinError):
        return err.code
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"CERTIFICATE_VERIFY_FAILED: {err.verify_message}"
    if isinstance(err, ssl.SSLError):
        return f"TLS: {err.reason or err}"
    if isinstance(err, (socket.timeout, TimeoutError)):
        return "ETIMEDOUT"
    if isinstance(err, OSError) and err.errno is not None:
        return errno.errorcode.get(err.errno, str(err.errno))
    return str(err) or type(err).__name__


def parse_url(url: str) -> Tuple[bool, str, int, str]:
    """(secure, host, port, path) of a ws:// or wss:// (or http:// / https://) URL; ValueError otherwise."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss", "http", "https"):
        raise ValueError(f"not a WebSocket URL: {url}")
    secure = scheme in ("wss", "https")
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in {url}")
    port = parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return secure, host, port, path


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise socket.timeout("connection attempt timed out")
    return left


class Connection:
    """A connected, upgraded WebSocket. Blocking socket with timeouts; only the background thread uses it."""

    def __init__(self, sock: socket.socket, leftover: bytes) -> None:
        self.sock = sock
        self._reader = wf.FrameReader(MAX_FRAME_BYTES)
        self._early = leftover
        self.closed = False

    @classmethod
    def open(cls, url: str, trust: TlsTrust, timeout_s: float) -> "Connection":
        """TCP connect, TLS (wss), HTTP upgrade, all within `timeout_s`. Raises on any failure."""
        deadline = time.monotonic() + timeout_s
        secure, host, port, path = parse_url(url)
        ctx = make_context(trust) if secure else None
        raw = socket.create_connection((host, port), timeout=_remaining(deadline))
        sock: socket.socket = raw
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if ctx is not None:
                raw.settimeout(_remaining(deadline))
                tls = ctx.wrap_socket(raw, server_hostname=host)
                sock = tls
                check_pin(tls, trust.cert_fingerprint)
            leftover = _upgrade(sock, host, port, path, deadline)
        except BaseException:
            sock.close()
            raise
        return cls(sock, leftover)

    def send_text(self, payload: bytes) -> None:
        """Sends one text frame (UTF-8 `payload`); raises ConnectionClosed when the socket fails."""
        self._send(wf.encode(wf.OP_TEXT, payload))

    def _send(self, frame: bytes) -> None:
        try:
            self.sock.sendall(frame)
        except OSError as err:
            self.close()
            raise ConnectionClosed(f"send failed: {failure_reason(err)}") from err

    def readable(self, timeout_s: Optional[float], wake: Optional[socket.socket] = None) -> Tuple[bool, bool]:
        """Waits until the connection (or `wake`) has something to read: (connection readable, woken)."""
        if self._early or (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0):
            return True, False
        watch = [self.sock] if wake is None else [self.sock, wake]
        try:
            ready, _, _ = select.select(watch, [], [], timeout_s)
        except (OSError, ValueError) as err:
            raise ConnectionClosed(failure_reason(err)) from err
        return self.sock in ready, wake is not None and wake in ready

    def read_texts(self) -> List[str]:
        """Reads what is there (blocking at most the socket timeout) and returns the text messages in it."""
        if self._early:
            data, self._early = self._early, b""
        else:
            try:
                data = self.sock.recv(_RECV_BYTES)
            except ssl.SSLWantReadError:
                return []
            except OSError as err:
                self.close()
                raise ConnectionClosed(failure_reason(err)) from err
            if not data:
                self.close()
                raise ConnectionClosed("closed by the collector")
        try:
            messages = self._reader.feed(data)
        except wf.ProtocolViolation as err:
            self.close()
            raise ConnectionClosed(f"protocol: {err}") from err
        texts: List[str] = []
        for op, payload in messages:
            if op == wf.OP_TEXT:
                texts.append(payload.decode("utf-8", "replace"))
            elif op == wf.OP_PING:
                self._send(wf.encode(wf.OP_PONG, payload))
            elif op == wf.OP_CLOSE:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.close()
                raise ConnectionClosed(f"closed ({code})", texts)
        return texts

    def close(self) -> None:
        """Tears the connection down at once: at exit nothing may wait for a closing handshake."""
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass


def _upgrade(sock: socket.socket, host: str, port: int, path: str, deadline: float) -> bytes:
    """The HTTP/1.1 upgrade; returns bytes that arrived after the answer's head (the first frames)."""
    key = base64.b64encode(os.urandom(16))
    host_header = f"[{host}]" if ":" in host else host
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host_header}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key.decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode("latin-1")
    sock.settimeout(_remaining(deadline))
    sock.sendall(request)
    buf = b""
    while b"\r\n\r\n" not in buf:
        if len(buf) > _MAX_HANDSHAKE_BYTES:
            raise ConnectionClosed("upgrade answer too long")
        sock.settimeout(_remaining(deadline))
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionClosed("closed during the upgrade")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 2)
    if len(status) < 2 or status[1] != "101":
        raise ConnectionClosed(f"upgrade refused: {lines[0][:80]}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    expected = base64.b64encode(hashlib.sha1(key + _GUID).digest()).decode()
    if headers.get("sec-websocket-accept") != expected:
        raise ConnectionClosed("bad Sec-WebSocket-Accept")
    return rest
