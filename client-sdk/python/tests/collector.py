"""Starts the REAL collector (`ic-audit serve` from electron/dist/app/cli.js, `npm run build` first) for the tests.

A child process on 127.0.0.1, port 0 (or a given one) and a temp data dir; `restart()` brings it back on the same
port and data dir after a kill -9. Mirrors test/helpers/collector.ts.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parents[3]
CLI = REPO / "electron" / "dist" / "app" / "cli.js"
_READY = re.compile(r"console\s+http(s?)://[^:\s]+:(\d+)/\?token=([0-9a-f]+)")
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
POLL_S = 0.02


class Collector:
    def __init__(self, data_dir: Optional[str] = None, port: int = 0, args: Sequence[str] = (),
                 env: Optional[Dict[str, str]] = None) -> None:
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="ic-audit-pytest-")
        self.port = port
        self.args = list(args)
        self.env = env or {}
        self.tls = False
        self.console_token = ""
        self.proc: Optional[subprocess.Popen[str]] = None
        self._out: List[str] = []
        self._pump: threading.Thread = threading.Thread()

    @property
    def url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}/ingest"

    def output(self) -> str:
        return "".join(self._out)

    def start(self) -> "Collector":
        cmd = ["node", str(CLI), "serve", "--port", str(self.port), "--data-dir", self.data_dir,
               "--host", "127.0.0.1", *self.args]
        self._out = []
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, **self.env})
        self.proc = proc
        ready = threading.Event()
        found: Dict[str, Any] = {}

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                self._out.append(line)
                m = _READY.search(line)
                if m and not ready.is_set():
                    found.update(tls=m.group(1) == "s", port=int(m.group(2)), token=m.group(3))
                    ready.set()
            ready.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        if not ready.wait(START_TIMEOUT_S) or not found:
            self.kill()
            raise RuntimeError(f"collector did not start:\n{self.output()}")
        self.port, self.tls, self.console_token = found["port"], found["tls"], found["token"]
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        # The reader sees the end of the output once the process is gone; then its pipe can be closed.
        self._pump.join(STOP_TIMEOUT_S)
        if proc.stdout is not None:
            proc.stdout.close()
        self.proc = None

    def restart(self) -> "Collector":
        self.kill()
        return self.start()

    def close(self) -> None:
        self.kill(signal.SIGTERM)
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # ---- what is stored ------------------------------------------------------------------------------------------

    def journal_lines(self) -> List[str]:
        """Every complete journal line, oldest first (a line being written is left out)."""
        lines: List[str] = []
        folder = Path(self.data_dir) / "journal"
        if not folder.is_dir():
            return lines
        for f in sorted(folder.glob("*.jsonl")):
            text = f.read_text("utf-8")
            lines.extend(line for line in text.split("\n")[:-1] if line)
        return lines

    def records(self) -> List[Dict[str, Any]]:
        return [json.loads(line) for line in self.journal_lines()]

    def events(self, session: str) -> List[Dict[str, Any]]:
        """A session's bot events (seq >= 1), in journal order."""
        return [r for r in self.records() if r["session"] == session and r["seq"] >= 1 and r["source"] == "ws"]


def exact_fields(line: str) -> str:
    """The exact text of a journal line's fields as received (`fields_text` when it holds bare NaN / Infinity)."""
    record = json.loads(line)
    if isinstance(record.get("fields_text"), str):
        return str(record["fields_text"])
    start = line.index(',"fields":') + len(',"fields":')
    end = line.rindex(',"prev_hash":"')
    return line[start:end]


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    """Polls external state (another process's files) until `predicate()` or the deadline."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(POLL_S)


def free_port() -> int:
    """A loopback port with nothing listening (for a collector that is absent, or started later on it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
