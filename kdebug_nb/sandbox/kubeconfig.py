"""The kubeconfig that points clients (kubectl, the official client, the engine) at a sandbox.

Cluster, user and context are all named ``kdebug-sandbox`` so the file can be
merged into someone's own config without clashing. The file is written only
where the caller says, or to a fresh private temp file; ``~/.kube/config`` is
never read or written.

Also here: the throwaway self-signed certificate a sandbox serves HTTPS with
when it checks tokens, because kubectl (client-go) only sends credentials
over TLS; the kubeconfig carries that certificate as the cluster's CA.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

CONTEXT = "kdebug-sandbox"


def kubeconfig_dict(
    server: str,
    *,
    token: str | None = None,
    namespace: str = "default",
    name: str = CONTEXT,
    ca_pem: bytes | None = None,
) -> dict[str, Any]:
    """The kubeconfig as a dict, e.g. for ``kubernetes.config.new_client_from_config_dict``.

    ``ca_pem`` is the certificate an https ``server`` must present.
    """
    user: dict[str, Any] = {"token": token} if token else {}
    cluster: dict[str, Any] = {"server": server}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": user}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}
        ],
        "current-context": name,
    }


def write_kubeconfig(
    server: str,
    path: str | Path | None = None,
    *,
    token: str | None = None,
    namespace: str = "default",
    ca_pem: bytes | None = None,
) -> Path:
    """Write the kubeconfig (mode 0600: it may hold a token) and return its path.

    Without ``path`` a new temp file is created; the caller removes it with
    ``remove_kubeconfig`` when done.
    """
    conf = kubeconfig_dict(server, token=token, namespace=namespace, ca_pem=ca_pem)
    text = yaml.safe_dump(conf, sort_keys=False)
    if path is None:
        fd, name = tempfile.mkstemp(prefix="kdebug-sandbox-", suffix=".kubeconfig")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return Path(name)
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Create with 0600 from the start rather than chmod after: no window where a token is readable.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return target


def remove_kubeconfig(path: str | Path) -> None:
    """Delete a kubeconfig written by ``write_kubeconfig``; missing is fine."""
    try:
        Path(path).unlink()
    except FileNotFoundError:
        pass


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """Make a certificate + key for ``host`` (and localhost) in ``directory``; returns their paths.

    Uses the ``openssl`` command, so no crypto library is needed. The key is
    only ever on disk in the caller's private temp directory.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError(
            "serving with a token needs TLS (kubectl only sends tokens over https), "
            "and TLS needs the openssl command; install openssl or start without a token"
        )
    cert, key = directory / "tls.crt", directory / "tls.key"
    proc = subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "30", "-subj", "/CN=kdebug-sandbox",
            "-addext", f"subjectAltName=IP:{host},DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise RuntimeError(f"openssl could not make the sandbox certificate: {detail}")
    os.chmod(key, 0o600)
    return cert, key
