"""How a `wss://` connection checks the collector: system trust store, an extra CA, a pinned fingerprint, mTLS."""

import hashlib
import re
import ssl
from typing import NamedTuple, Optional


class TlsTrust(NamedTuple):
    """PEM files and pin; each file is read at every connection attempt, so a renewed one is picked up."""

    ca_file: Optional[str] = None
    cert_fingerprint: Optional[str] = None
    client_cert_file: Optional[str] = None
    client_key_file: Optional[str] = None


class CertPinError(Exception):
    """The collector's certificate is valid but not the pinned one."""

    code = "E_CERT_PIN"


def normalize_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint as lowercase hex, whatever its case and separators (`AB:CD:...` included)."""
    return re.sub(r"[^0-9a-fA-F]", "", text).lower()


def make_context(trust: TlsTrust) -> ssl.SSLContext:
    """The system's trust store plus `ca_file`; host names checked; the client certificate when both files are given."""
    ctx = ssl.create_default_context()
    if trust.ca_file:
        ctx.load_verify_locations(cafile=trust.ca_file)
    if trust.client_cert_file and trust.client_key_file:
        ctx.load_cert_chain(trust.client_cert_file, trust.client_key_file)
    return ctx


def check_pin(sock: ssl.SSLSocket, fingerprint: Optional[str]) -> None:
    """Raises CertPinError unless the peer's certificate has the pinned SHA-256 (no pin: nothing to check)."""
    if not fingerprint:
        return
    der = sock.getpeercert(binary_form=True)
    got = hashlib.sha256(der or b"").hexdigest()
    want = normalize_fingerprint(fingerprint)
    if got != want:
        raise CertPinError(f"certificate fingerprint {got} is not the pinned {want}")
