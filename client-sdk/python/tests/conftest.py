import os
import shutil
import tempfile
from typing import Callable, Iterator, List

import pytest
from collector import CLI, Collector


@pytest.fixture(scope="session", autouse=True)
def _config_dir() -> Iterator[None]:
    """A temp IC_AUDIT_CONFIG_DIR for the run: the collectors' signing keys never land in the real home."""
    if not CLI.is_file():
        pytest.exit(f"{CLI} is missing: run `npm run build` first", returncode=2)
    folder = tempfile.mkdtemp(prefix="ic-audit-pytest-config-")
    old = os.environ.get("IC_AUDIT_CONFIG_DIR")
    os.environ["IC_AUDIT_CONFIG_DIR"] = folder
    yield
    if old is None:
        del os.environ["IC_AUDIT_CONFIG_DIR"]
    else:
        os.environ["IC_AUDIT_CONFIG_DIR"] = old
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client reads IC_AUDIT_* variables: a developer's own must not steer the tests."""
    for name in ("IC_AUDIT_URL", "IC_AUDIT_TOKEN", "IC_AUDIT_CA", "IC_AUDIT_CERT_FINGERPRINT", "IC_AUDIT_CLIENT_CERT",
                 "IC_AUDIT_CLIENT_KEY", "IC_AUDIT_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def start_collector() -> Iterator[Callable[..., Collector]]:
    """Starts collectors for one test; all are closed (and their data dirs removed) after it, newest first."""
    started: List[Collector] = []

    def start(**kwargs: object) -> Collector:
        c = Collector(**kwargs)  # type: ignore[arg-type]
        started.append(c)
        return c.start()

    yield start
    for c in reversed(started):
        c.close()


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    """One collector shared by a test module whose tests never stop it."""
    c = Collector().start()
    yield c
    c.close()
