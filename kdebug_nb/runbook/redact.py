"""Keep credentials out of everything the history writes.

History files end up in postmortems, tickets and git repositories, so a token
typed on a ``%kdebug`` line or printed by ``cat .../serviceaccount/token`` must
never reach them. Redaction is applied when a record is built, before any
write, so neither the JSON Lines file nor an export can hold a secret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MASK = "***"

#: flags whose value is a credential (kubectl globals and common spellings)
SECRET_FLAGS = frozenset(
    {
        "--token",
        "--password",
        "--username",
        "--client-key",
        "--client-certificate",
        "--client-key-data",
        "--client-certificate-data",
        "--certificate-authority-data",
        "--auth-provider-arg",
        "--exec-arg",
        "--bearer-token",
        "--api-key",
        "--secret",
    }
)

# Key names that mark a credential in --env=KEY=VALUE pairs and KEY=VALUE words.
_SECRET_KEY = re.compile(r"(?i)(token|passw(or)?d|passwd|secret|api[-_]?key|private[-_]?key|credential)")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM blocks: certificates and private keys
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|\Z)", re.S),
        "-----REDACTED PEM BLOCK-----",
    ),
    # JWTs (service-account tokens): three base64url parts, the first "eyJ"
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
    # Authorization headers, and token/password assignments in output
    (re.compile(r"(?i)(authorization:\s*(?:bearer|basic)\s+)\S+"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), rf"\1{MASK}"),
    (
        re.compile(
            r"(?i)\b([A-Za-z0-9_.-]*(?:token|passw(?:or)?d|passwd|secret|api[-_]?key)"
            r"[A-Za-z0-9_.-]*\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
        ),
        rf"\1{MASK}",
    ),
    # base64 of kubeconfig credential fields
    (re.compile(r"(?i)\b((?:client-key|client-certificate|token)-data:\s*)\S+"), rf"\1{MASK}"),
)


def redact_text(text: str) -> str:
    """Mask tokens, PEM blocks and password assignments in free text."""
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def _secret_flag(word: str) -> str | None:
    name = word.split("=", 1)[0]
    return name if name in SECRET_FLAGS else None


def _redact_pair(value: str) -> str:
    """``KEY=VALUE[,KEY=VALUE]`` with a secret-looking key loses its value."""
    parts = []
    for item in value.split(","):
        key, sep, _val = item.partition("=")
        parts.append(f"{key}={MASK}" if sep and _SECRET_KEY.search(key) else item)
    return ",".join(parts)


def redact_args(argv: Sequence[str]) -> list[str]:
    """Return ``argv`` with credential flag values and secret env values masked.

    Handles ``--token=X``, ``--token X``, ``--env=PASSWORD=x``, ``--env PASSWORD=x``,
    ``-e`` and bare ``KEY=VALUE`` words (``env PASSWORD=x cmd`` in a command).
    """
    out: list[str] = []
    mask_next = False
    pair_next = False
    for word in argv:
        if mask_next:
            out.append(MASK)
            mask_next = False
            continue
        if pair_next:
            out.append(_redact_pair(word))
            pair_next = False
            continue
        flag = _secret_flag(word)
        if flag is not None:
            if "=" in word:
                out.append(f"{flag}={MASK}")
            else:
                out.append(word)
                mask_next = True
            continue
        if word in ("--env", "-e"):
            out.append(word)
            pair_next = True
            continue
        if word.startswith("--env="):
            out.append("--env=" + _redact_pair(word[len("--env=") :]))
            continue
        if "=" in word and not word.startswith("-") and _SECRET_KEY.search(word.split("=", 1)[0]):
            out.append(_redact_pair(word))
            continue
        out.append(redact_text(word))
    return out


def redact_line(line: str) -> str:
    """Redact a whole command line, keeping its spelling when nothing is secret."""
    import shlex

    try:
        words = shlex.split(line)
    except ValueError:
        return redact_text(line)
    redacted = redact_args(words)
    if redacted == words:
        return redact_text(line)
    return shlex.join(redacted)
