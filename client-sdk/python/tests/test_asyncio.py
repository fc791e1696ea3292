"""asyncio bots: send() from a coroutine, `await aflush()` / `aclose()` without blocking the event loop."""

import asyncio
import socket
from typing import Tuple

from collector import Collector

from ic_audit import AuditNotifier

FLUSH_S = 10.0
STALLED_FLUSH_S = 0.5
# Loop turns other tasks must get while a flush waits: proof the loop was never blocked for the whole wait.
MIN_TURNS = 10


async def flush_while_counting(n: AuditNotifier, timeout: float) -> Tuple[bool, int]:
    turns = 0
    stop = asyncio.Event()

    async def other_task() -> None:
        nonlocal turns
        while not stop.is_set():
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other_task())
    ok = await n.aflush(timeout)
    stop.set()
    await task
    return ok, turns


def test_aflush_delivers_without_blocking_the_loop(collector: Collector) -> None:
    async def bot() -> Tuple[bool, int, bool, str]:
        n = AuditNotifier("AsyncBot", "CRYPTO", "asyncio bot", url=collector.url)
        for i in range(500):
            n.send("tick", "from a coroutine", i=i)
        ok, turns = await flush_while_counting(n, FLUSH_S)
        closed = await n.aclose(FLUSH_S)
        return ok, turns, closed, n.session

    ok, _, closed, session = asyncio.run(bot())
    assert ok and closed
    assert [r["seq"] for r in collector.events(session)] == list(range(1, 502))


def test_a_stalled_flush_leaves_the_loop_running() -> None:
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)  # accepts TCP, never answers: the flush waits its whole timeout

    async def bot() -> Tuple[bool, int]:
        n = AuditNotifier("StalledBot", "CRYPTO", "asyncio bot", url=f"ws://127.0.0.1:{hole.getsockname()[1]}/x")
        n.send("tick", "never acked")
        try:
            return await flush_while_counting(n, STALLED_FLUSH_S)
        finally:
            await n.aclose(0)

    try:
        ok, turns = asyncio.run(bot())
    finally:
        hole.close()
    assert ok is False
    assert turns >= MIN_TURNS
