"""The sandbox's certificate authority and the server certificates it issues.

The CA plays the part of the AWS RDS/DocumentDB global bundle: clients verify the sandbox's
servers against ``.sandbox/tls/ca.pem`` exactly as they verify AWS endpoints against the bundle.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from sandbox.state import state_dir

_LOCK = threading.Lock()


def _tls_dir() -> Path:
    path = state_dir() / "tls"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def ca_bundle() -> Path:
    """Path of the CA certificate, created on first use."""
    directory = _tls_dir()
    cert, key = directory / "ca.pem", directory / "ca.key"
    with _LOCK:
        if not cert.exists():
            _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                     "-subj", "/CN=openedx-data-services sandbox CA", "-keyout", str(key), "-out", str(cert))
            key.chmod(0o600)
    return cert


def server_certificate(name: str) -> tuple[Path, Path]:
    """(certificate, key) for a server at 127.0.0.1/localhost, signed by the sandbox CA."""
    ca = ca_bundle()
    directory = _tls_dir()
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    with _LOCK:
        if not cert.exists():
            csr, ext = directory / f"{name}.csr", directory / f"{name}.ext"
            ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
            _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
                     "-keyout", str(key), "-out", str(csr))
            _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca.with_suffix(".key")),
                     "-CAcreateserial", "-days", "3650", "-extfile", str(ext), "-out", str(cert))
            key.chmod(0o600)
            csr.unlink()
            ext.unlink()
    return cert, key
