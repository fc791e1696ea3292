"""`pip install ./client-sdk/python` into a fresh venv gives an importable, typed `ic_audit` with no dependencies."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT_S = 300
# This workplace's package mirror (the machine's pip config names it too); elsewhere pip's own configuration.
MIRRORS = ("/opt/pypi/simple", "/opt/pypi-more/simple")


def index_args() -> List[str]:
    found = [m for m in MIRRORS if os.path.isdir(m)]
    if not found:
        return []
    return ["--index-url", f"file://{found[0]}", *(a for m in found[1:] for a in ("--extra-index-url", f"file://{m}"))]


def test_pip_install_into_a_fresh_venv() -> None:
    folder = Path(tempfile.mkdtemp(prefix="ic-audit-pytest-venv-"))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=INSTALL_TIMEOUT_S)
        python = folder / "bin" / "python"
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               *index_args(), str(ROOT)], capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        assert done.returncode == 0, done.stdout + done.stderr
        probe = ("import ic_audit, importlib.metadata as m, pathlib; "
                 "print(ic_audit.__file__); print(m.version('ic-audit-client')); "
                 "print([r for r in m.requires('ic-audit-client') or [] if 'extra ==' not in r]); "
                 "print((pathlib.Path(ic_audit.__file__).parent / 'py.typed').is_file())")
        out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True, cwd=folder,
                             timeout=INSTALL_TIMEOUT_S).stdout.split("\n")
        assert "site-packages" in out[0] and out[1] == ic_audit_version() and out[2] == "[]" and out[3] == "True"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def ic_audit_version() -> str:
    from ic_audit import SDK_VERSION

    return SDK_VERSION
