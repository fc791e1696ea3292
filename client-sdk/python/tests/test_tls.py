"""wss:// to a collector with a certificate from a test CA made here with openssl: the private CA (option or
IC_AUDIT_CA), a pinned fingerprint, client certificates; every certificate problem is a counted failure, never an
exception in the bot."""

import hashlib
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Dict, Iterator

import pytest
from collector import Collector

from ic_audit import AuditNotifier

FLUSH_S = 10.0
REFUSED_S = 1.0
SERVER_EXT = "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
CLIENT_EXT = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"


def openssl(folder: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)


def make_ca(folder: Path, name: str) -> None:
    openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def issue(folder: Path, name: str, cn: str, ext: str) -> None:
    (folder / f"{name}.ext").write_text(ext)
    openssl(folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}")
    openssl(folder, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")


@pytest.fixture(scope="module")
def pki() -> Iterator[Dict[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="ic-audit-pytest-pki-"))
    make_ca(folder, "ca")
    make_ca(folder, "other-ca")
    issue(folder, "server", "localhost", SERVER_EXT)
    issue(folder, "client", "bot-1", CLIENT_EXT)
    yield {name: str(folder / name) for name in
           ("ca.pem", "other-ca.pem", "server.pem", "server.key", "client.pem", "client.key")}
    shutil.rmtree(folder, ignore_errors=True)


def fingerprint(pem_file: str) -> str:
    der = ssl.PEM_cert_to_DER_cert(Path(pem_file).read_text())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


@pytest.fixture(scope="module")
def tls_collector(pki: Dict[str, str]) -> Iterator[Collector]:
    c = Collector(args=["--tls-cert", pki["server.pem"], "--tls-key", pki["server.key"]]).start()
    assert c.tls
    yield c
    c.close()


def deliver(url: str, **options: object) -> AuditNotifier:
    n = AuditNotifier("TlsBot", "FOREX", "over wss", url=url, backoff_cap=0.2, **options)  # type: ignore[arg-type]
    n.send("trade_opened", "encrypted", price=250.0)
    return n


def test_private_ca_delivers(tls_collector: Collector, pki: Dict[str, str]) -> None:
    n = deliver(tls_collector.url, ca_file=pki["ca.pem"])
    try:
        assert n.flush(FLUSH_S), n.stats()
    finally:
        n.close(0)
    assert [r["seq"] for r in tls_collector.events(n.session)] == [1, 2]


def test_ca_from_the_environment(tls_collector: Collector, pki: Dict[str, str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IC_AUDIT_CA", pki["ca.pem"])
    monkeypatch.setenv("IC_AUDIT_URL", tls_collector.url)
    n = AuditNotifier("EnvTls", "FOREX", "url and CA from the environment")
    try:
        assert n.url == tls_collector.url
        assert n.flush(FLUSH_S), n.stats()
    finally:
        n.close(0)


def test_wrong_ca_is_a_counted_failure_not_an_exception(tls_collector: Collector, pki: Dict[str, str]) -> None:
    n = deliver(tls_collector.url, ca_file=pki["other-ca.pem"])
    try:
        n.send("still", "fine")  # the bot carries on
        assert n.flush(REFUSED_S) is False
        s = n.stats()
        assert s.connect_failures >= 1 and s.acked == 0 and s.queued == 3
        assert s.last_error is not None and s.last_error.startswith("CERTIFICATE_VERIFY_FAILED")
    finally:
        n.close(0)
    assert tls_collector.events(n.session) == []


def test_plain_ws_to_the_tls_port_is_a_counted_failure(tls_collector: Collector) -> None:
    n = deliver(tls_collector.url.replace("wss://", "ws://"))
    try:
        assert n.flush(REFUSED_S) is False and n.stats().connect_failures >= 1
    finally:
        n.close(0)


def test_pinned_fingerprint(tls_collector: Collector, pki: Dict[str, str]) -> None:
    good = deliver(tls_collector.url, ca_file=pki["ca.pem"], cert_fingerprint=fingerprint(pki["server.pem"]))
    bad = deliver(tls_collector.url, ca_file=pki["ca.pem"], cert_fingerprint=fingerprint(pki["ca.pem"]))
    try:
        assert good.flush(FLUSH_S), good.stats()
        assert bad.flush(REFUSED_S) is False
        assert bad.stats().last_error == "E_CERT_PIN"
    finally:
        good.close(0)
        bad.close(0)


def test_client_certificates(start_collector: Callable[..., Collector], pki: Dict[str, str]) -> None:
    c = start_collector(args=["--tls-cert", pki["server.pem"], "--tls-key", pki["server.key"],
                              "--tls-client-ca", pki["ca.pem"]])
    without = deliver(c.url, ca_file=pki["ca.pem"])
    mutual = deliver(c.url, ca_file=pki["ca.pem"], client_cert_file=pki["client.pem"],
                     client_key_file=pki["client.key"])
    try:
        assert mutual.flush(FLUSH_S), mutual.stats()
        assert without.flush(REFUSED_S) is False and without.stats().connect_failures >= 1
    finally:
        without.close(0)
        mutual.close(0)
    assert [r["seq"] for r in c.events(mutual.session)] == [1, 2]
    assert c.events(without.session) == []


def test_every_event_once_across_a_tls_collector_restart(start_collector: Callable[..., Collector],
                                                         pki: Dict[str, str]) -> None:
    c = start_collector(args=["--tls-cert", pki["server.pem"], "--tls-key", pki["server.key"]])
    n = AuditNotifier("TlsRestart", "FOREX", "over wss, across a kill -9", url=c.url, ca_file=pki["ca.pem"],
                      backoff_cap=0.2)
    try:
        for i in range(50):
            n.send("tick", "before", i=i)
        assert n.flush(FLUSH_S)
        c.kill()
        for i in range(50, 100):
            n.send("tick", "while it is down, then after", i=i)
        c.start()
        assert n.flush(FLUSH_S), n.stats()
        assert n.stats().reconnects >= 1
    finally:
        n.close(0)
    events = c.events(n.session)
    assert [r["seq"] for r in events] == list(range(1, 102))
    assert [r["fields"]["i"] for r in events[1:]] == list(range(100))
