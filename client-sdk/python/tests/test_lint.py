"""The package is typed (`mypy --strict`, py.typed shipped) and linted (`ruff`): part of the tests, so CI runs them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The B1-py benchmark's Python side is held to the same rules.
BENCH = str(ROOT.parents[1] / "bench" / "b1-py-send.py")
LINT_TIMEOUT_S = 300


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=LINT_TIMEOUT_S)


def test_mypy_strict() -> None:
    done = run("mypy", "--strict", "src", "tests", BENCH)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff() -> None:
    done = run("ruff", "check", "--config", "pyproject.toml", "src", "tests", BENCH)
    assert done.returncode == 0, done.stdout + done.stderr


def test_py_typed_is_shipped() -> None:
    assert (ROOT / "src" / "ic_audit" / "py.typed").is_file()
    assert 'ic_audit = ["py.typed"]' in (ROOT / "pyproject.toml").read_text()
