"""The sandbox's throwaway TLS identity and bearer credential, made in Python.

Each sandbox serves https with a certificate made at start and forgotten at
stop: its own key, a self-signed certificate naming the loopback address it
listens on (and ``localhost``), which the kubeconfig it writes carries as the
cluster's CA (``certificate-authority-data``). kubectl (client-go) sends bearer
tokens only over TLS, so this is what lets the sandbox require a credential at
all. The key never leaves memory except for the moment ``ssl`` needs a file to
load it from (a private directory, removed before ``server_context`` returns).

One certificate is both the CA and the serving certificate (kube-apiserver's
own fallback, ``GenerateSelfSignedCertKey`` in client-go's ``util/cert/cert.go``,
makes a CA and a leaf; one suffices here). Go's verifier accepts a leaf that is
itself in the root pool; OpenSSL's strict mode (Python 3.13's default context)
wants critical basic constraints and both key identifiers, so they are set.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: how long a sandbox's certificate is valid; a sandbox lives as long as its process
VALIDITY = datetime.timedelta(days=365)


@dataclass(frozen=True)
class ServingIdentity:
    """A certificate (PEM, safe to share: clients trust it) and its private key (PEM)."""

    cert_pem: bytes
    key_pem: bytes

    def __repr__(self) -> str:
        return "<ServingIdentity (key not shown)>"


def new_token() -> str:
    """A fresh bearer credential: 256 random bits, URL-safe (no quoting in kubeconfigs)."""
    return secrets.token_urlsafe(32)


def throwaway_identity(host: str = "127.0.0.1") -> ServingIdentity:
    """A new P-256 key and a self-signed certificate for ``host`` (an IP) and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"kdebug-sandbox@{host}")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        # A minute of slack for clocks of clients that read the certificate right away.
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=False,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return ServingIdentity(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def server_context(identity: ServingIdentity) -> ssl.SSLContext:
    """An ``SSLContext`` serving ``identity`` (TLS 1.2 or newer)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # load_cert_chain reads only files: they exist, 0600 in a 0700 directory, for this call alone.
    directory = Path(tempfile.mkdtemp(prefix="kdebug-sandbox-tls-"))
    try:
        cert, key = directory / "tls.crt", directory / "tls.key"
        cert.write_bytes(identity.cert_pem)
        key.touch(mode=0o600)
        key.write_bytes(identity.key_pem)
        context.load_cert_chain(cert, key)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return context
