"""Keep credentials out of everything the history writes.

History files end up in postmortems, tickets and git repositories, so a token
typed on a ``%kdebug`` line or printed by ``cat .../serviceaccount/token`` must
never reach them. Redaction is applied when a record is built, before any
write, so neither the JSON Lines file nor an export can hold a secret.

A ``Redactor`` remembers every value it has masked (and the kubeconfig
credentials it was told about) and masks them wherever they appear again: a
password given with ``--env=DB_PASS=...`` and then echoed by the command is
masked in the output too. Only the secret value is replaced; the rest of a
command stays readable (``sh -c 'echo password=***; echo done'``).
``docs/history.md`` lists what is masked and what is not.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

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

#: parts of an environment variable's name that mark its value as a credential
_SECRET_NAME = re.compile(r"(?i)pass|pwd|secret|token|key|auth|cred")
#: the shell's working directories: "PWD" here is not a password
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

#: programs that take a password glued to ``-p`` (``mysql -uroot -phunter2``);
#: elsewhere ``-p`` is a port, a pid or "parents" (``ps -p1``, ``cp -pr``)
_GLUED_P_PROGRAMS = re.compile(r"(?<![\w./-])(?:[\w./-]*/)?(?:mysql[\w-]*|mariadb[\w-]*|sshpass)\b")
_GLUED_P = re.compile(r"(?<![^\s'\"])-p(?P<v>[^\s'\"]+)")

# An unquoted value runs to white space or a quote; shell punctuation (;&|<>)
# ends it only when nothing but space or a quote follows, so
# "password=hunter2; echo done" keeps "; echo done" while "a;b" is one value.
_PUNCT = r";&|<>()`"
_VALUE = (
    r"(?P<q>[\"'])(?P<qv>.*?)(?P=q)"
    rf"|(?P<v>(?:[^\s'\"{_PUNCT}]|[{_PUNCT}](?=[^\s'\"{_PUNCT}]))+)"
)

_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|\Z)", re.S)
# the end of a PEM block whose start was cut off (a slice of a longer output)
_PEM_TAIL = re.compile(r"\A(?:(?!-----BEGIN ).)*?-----END [A-Z0-9 ]+-----", re.S)
_PEM_MASK = "-----REDACTED PEM BLOCK-----"

#: names whose ``name: value`` in YAML/JSON-ish output is a credential
_YAML_SECRET_NAME = re.compile(
    r"(?i)token|passw(?:or)?d|passwd|secret|"
    r"(?:api|private|access|client|signing|encryption)[-_]?key|credential"
)

# Every pattern below starts where its first part cannot continue a previous
# character (a lookbehind) and has no alternation inside a repeated part:
# container output is untrusted, and "keykeykey..." or "a.a.a..." must cost
# linear time, not quadratic.

#: patterns whose group "v" (or "qv", a quoted value's inside) is a secret
_VALUE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # JWTs (service-account tokens): three base64url parts, the first "eyJ"
    re.compile(r"\b(?P<v>eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)"),
    # Authorization headers and bearer tokens
    re.compile(r"(?i)(?:authorization:\s*(?:bearer|basic)\s+)(?P<v>\S+)"),
    re.compile(r"(?i)\bbearer\s+(?P<v>[A-Za-z0-9._~+/=-]{8,})"),
    # credentials in URLs: https://user:password@host
    re.compile(r"(?i)(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:(?P<v>[^\s/@'\"]+)@"),
    # NAME=value where NAME names a credential (env listings, shell assignments);
    # the name is checked by is_secret_name
    re.compile(rf"(?<![\w.-])(?P<name>[A-Za-z_][\w.-]*)=(?:{_VALUE})"),
    # name: value in YAML/JSON-ish output, for _YAML_SECRET_NAME names only
    # (masked in place, not remembered: "serviceAccountToken: default" is no secret)
    re.compile(rf"(?<![\w.-])(?P<yname>[A-Za-z_][\w.-]*)[\"']?[ \t]*:[ \t]*(?:{_VALUE})"),
    # base64 of kubeconfig credential fields
    re.compile(r"(?i)\b(?:client-key|client-certificate|token)-data:\s*(?P<v>\S+)"),
)

#: values shorter than this are masked where found but not hunted elsewhere:
#: masking every "1" or "on" in the output would destroy it
MIN_REMEMBERED = 4
#: how many distinct values one redactor remembers (bounded memory)
MAX_REMEMBERED = 256
#: placeholder values masked where they stand but never hunted elsewhere
_PLACEHOLDERS = frozenset(
    {"true", "false", "null", "none", "nil", "yes", "no", "on", "off", "default",
     "enabled", "disabled", "empty", "unset", "changeme", "xxxx", "****"}
)


def is_secret_name(name: str) -> bool:
    """True when an environment variable called ``name`` holds a credential."""
    return name not in _NOT_SECRET_NAMES and bool(_SECRET_NAME.search(name))


class Redactor:
    """Masks credentials, and every value it has masked before, in text and argv."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._known: dict[str, None] = {}
        self._known_re: re.Pattern[str] | None = None
        self.remember(known)

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(self._known)

    def remember(self, values: Iterable[str]) -> None:
        """Mask ``values`` wherever they appear from now on."""
        for value in values:
            value = value.strip()
            if (
                len(value) >= MIN_REMEMBERED
                and value not in self._known
                and MASK not in value
                and value.lower() not in _PLACEHOLDERS
                and len(self._known) < MAX_REMEMBERED
            ):
                self._known[value] = None
                self._known_re = None

    def remember_kubeconfig(self, kubeconfig: str | None = None, context: str | None = None) -> None:
        """Mask the credentials of ``context``'s user (as kubectl finds the kubeconfig)."""
        from kdebug_nb.runbook.credentials import kubeconfig_credentials

        self.remember(kubeconfig_credentials(kubeconfig, context))

    def mask_known(self, text: str) -> str:
        """``text`` with every remembered value replaced by the mask."""
        if not self._known or not text:
            return text
        if self._known_re is None:
            alternatives = sorted(self._known, key=len, reverse=True)
            self._known_re = re.compile("|".join(map(re.escape, alternatives)))
        return self._known_re.sub(MASK, text)

    def text(self, text: str) -> str:
        """Mask tokens, PEM blocks, password assignments and known values in free text."""
        if not text:
            return text
        text = _PEM.sub(_PEM_MASK, text)
        if "-----END " in text:
            text = _PEM_TAIL.sub(_PEM_MASK, text)
        for pattern in _VALUE_PATTERNS:
            text = pattern.sub(self._mask_value, text)
        if "-p" in text and _GLUED_P_PROGRAMS.search(text):
            text = "".join(self._glued_p(line) for line in text.splitlines(keepends=True))
        return self.mask_known(text)

    def args(self, argv: Sequence[str]) -> list[str]:
        """``argv`` with credential flag values and secret env values masked.

        Handles ``--token=X``, ``--token X``, ``--env=PASSWORD=x``, ``--env PASSWORD=x``,
        ``-e``, bare ``KEY=VALUE`` words (``env DB_PASS=x cmd``), ``-pX`` after a
        mysql-family program, and secrets inside longer words (``sh -c '...'``).
        """
        out: list[str] = []
        mask_next = pair_next = glued_p = False
        for word in argv:
            if mask_next:
                self.remember([word])
                out.append(MASK)
                mask_next = False
            elif pair_next:
                out.append(self._pair(word))
                pair_next = False
            elif (flag := _secret_flag(word)) is not None:
                if "=" in word:
                    self.remember([word.split("=", 1)[1]])
                    out.append(f"{flag}={MASK}")
                else:
                    out.append(word)
                    mask_next = True
            elif word in ("--env", "-e"):
                out.append(word)
                pair_next = True
            elif word.startswith("--env="):
                out.append("--env=" + self._pair(word[len("--env=") :]))
            elif "=" in word and _ENV_NAME.fullmatch(word.split("=", 1)[0]):
                out.append(self._pair(word))
            elif glued_p and word.startswith("-p") and len(word) > 2 and not word.startswith("--"):
                self.remember([word[2:]])
                out.append(f"-p{MASK}")
            else:
                out.append(self.text(word))
            glued_p = glued_p or bool(_GLUED_P_PROGRAMS.fullmatch(PurePosixPath(word).name))
        return [self.mask_known(w) for w in out]

    def line(self, line: str) -> str:
        """Redact a whole command line, keeping its spelling when nothing is secret."""
        try:
            words = shlex.split(line)
        except ValueError:
            return self.text(line)
        redacted = self.args(words)
        if redacted == words:
            return self.text(line)
        return self.mask_known(" ".join(_quote(w) for w in redacted))

    def _pair(self, value: str) -> str:
        """``KEY=VALUE[,KEY=VALUE]`` with a secret-looking key loses its value."""
        parts = []
        for item in value.split(","):
            key, sep, val = item.partition("=")
            if sep and is_secret_name(key):
                self.remember([val])
                parts.append(f"{key}={MASK}")
            else:
                parts.append(self.text(item))
        return ",".join(parts)

    def _mask_value(self, m: re.Match[str]) -> str:
        groups = m.groupdict()
        if groups.get("name") is not None and not is_secret_name(groups["name"]):
            return m.group(0)
        yname = groups.get("yname")
        if yname is not None and not _YAML_SECRET_NAME.search(yname):
            return m.group(0)
        group = "qv" if groups.get("qv") is not None else "v"
        if m.group(group) is None:
            return m.group(0)
        if yname is None:
            self.remember([m.group(group)])
        whole, start = m.group(0), m.start()
        return whole[: m.start(group) - start] + MASK + whole[m.end(group) - start :]

    def _glued_p(self, line: str) -> str:
        found = _GLUED_P_PROGRAMS.search(line)
        if found is None:
            return line
        head, rest = line[: found.end()], line[found.end() :]
        return head + _GLUED_P.sub(self._mask_value, rest)


def _quote(word: str) -> str:
    """``shlex.quote``, but a mask alone does not make a word need quotes."""
    plain = word.replace(MASK, "x")
    return word if shlex.quote(plain) == plain else shlex.quote(word)


def _secret_flag(word: str) -> str | None:
    name = word.split("=", 1)[0]
    return name if name in SECRET_FLAGS else None


def redact_text(text: str) -> str:
    """Mask tokens, PEM blocks and password assignments in free text."""
    return Redactor().text(text)


def redact_args(argv: Sequence[str]) -> list[str]:
    """``argv`` with credentials masked (see ``Redactor.args``)."""
    return Redactor().args(argv)


def redact_line(line: str) -> str:
    """Redact a whole command line, keeping its spelling when nothing is secret."""
    return Redactor().line(line)
