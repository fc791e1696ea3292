"""RFC 6455 framing for a client: masked frames out, unmasked frames in. No I/O here."""

import struct
from typing import List, Optional, Tuple

OP_CONT = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

_FIN = 0x80
_MASK_BIT = 0x80


class ProtocolViolation(Exception):
    """The server broke the framing rules (or sent more than we accept): the connection is dropped."""


def mask(payload: bytes, key: bytes) -> bytes:
    """XOR `payload` with the 4-byte `key` repeated, as one big-integer operation (fast in CPython)."""
    n = len(payload)
    if n == 0:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(n, "little")


ZERO_KEY = b"\0\0\0\0"
"""The masking key of every frame this SDK sends. Masking guards proxies against frames that hostile script in a
browser builds; a bot's connection runs no such script, so an all-zero key (XOR with it changes nothing) spares both
sides the work, as the Node SDK does (docs/protocol.md)."""


def encode(opcode: int, payload: bytes) -> bytes:
    """One final client frame, marked masked as RFC 6455 5.3 requires, with the key `ZERO_KEY`."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", _FIN | opcode, _MASK_BIT | n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", _FIN | opcode, _MASK_BIT | 126, n)
    else:
        head = struct.pack("!BBQ", _FIN | opcode, _MASK_BIT | 127, n)
    return head + ZERO_KEY + payload


class FrameReader:
    """Turns received bytes into whole messages: (opcode, payload), fragments joined, control frames as they come."""

    def __init__(self, max_payload: int) -> None:
        self._buf = bytearray()
        self._max = max_payload
        self._frag_op: Optional[int] = None
        self._frag: List[bytes] = []

    def feed(self, data: bytes) -> List[Tuple[int, bytes]]:
        self._buf += data
        out: List[Tuple[int, bytes]] = []
        while True:
            frame = self._next()
            if frame is None:
                return out
            fin, op, payload = frame
            if op >= OP_CLOSE:
                out.append((op, payload))
            elif op == OP_CONT:
                if self._frag_op is None:
                    raise ProtocolViolation("continuation without a first fragment")
                self._frag.append(payload)
                if sum(len(p) for p in self._frag) > self._max:
                    raise ProtocolViolation("message too large")
                if fin:
                    out.append((self._frag_op, b"".join(self._frag)))
                    self._frag_op, self._frag = None, []
            elif fin:
                out.append((op, payload))
            else:
                self._frag_op, self._frag = op, [payload]

    def _next(self) -> Optional[Tuple[bool, int, bytes]]:
        buf = self._buf
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        n = b1 & 0x7F
        pos = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n = struct.unpack_from("!H", buf, 2)[0]
            pos = 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n = struct.unpack_from("!Q", buf, 2)[0]
            pos = 10
        if n > self._max:
            raise ProtocolViolation("frame too large")
        key = b""
        if b1 & _MASK_BIT:
            key = bytes(buf[pos:pos + 4])
            pos += 4
        if len(buf) < pos + n:
            return None
        payload = bytes(buf[pos:pos + n])
        del buf[:pos + n]
        if key:
            payload = mask(payload, key)
        return bool(b0 & _FIN), b0 & 0x0F, payload
