"""kubectl debug's flags as data: names, kinds, defaults, help, and value conversion.

One table serves the parser (``grammar.parse``), the help text
(``grammar.usage``) and tab completion. Value conversions follow Go's
``strconv`` and ``pflag`` (``github.com/spf13/pflag``: ``bool.go``,
``float64.go``, ``int.go``), whose wording kubectl users see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kdebug_nb.engine.debug_options import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TIMEOUT,
    MAX_CONCURRENCY_LIMIT,
    ON_INTERRUPT,
)
from kdebug_nb.engine.ratelimit import DEFAULT_BURST, DEFAULT_QPS
from kdebug_nb.errors import UsageError

PULL_POLICIES: tuple[str, ...] = ("Always", "IfNotPresent", "Never")
OUTPUT_FORMATS: tuple[str, ...] = ("yaml", "json")
LEGACY_DEPRECATION = (
    "--profile=legacy is deprecated and will be removed in v1.39. "
    'It is recommended to explicitly specify a profile, for example "--profile=general".'
)


@dataclass(frozen=True)
class Flag:
    """One flag of the grammar, as help text and completion need to see it."""

    name: str
    short: str
    #: bool | string | map | list | float | duration | int | bytes | dryrun | verbosity
    kind: str
    dest: str
    help: str
    default: str = ""
    choices: tuple[str, ...] = ()
    #: kubectl (kubectl debug's own), global (kubectl globals), kdebug, fleet
    group: str = "kubectl"
    #: the value's placeholder in help text
    metavar: str = ""

    @property
    def takes_value(self) -> bool:
        """Whether ``--name VALUE`` consumes the next word (booleans never do)."""
        return self.kind not in ("bool", "dryrun", "verbosity")

    @property
    def repeatable(self) -> bool:
        """Whether giving the flag again adds to it (maps, lists) instead of replacing it."""
        return self.kind in ("map", "list")


def _f(name: str, kind: str, help: str, *, short: str = "", dest: str = "", **kw: Any) -> Flag:
    return Flag(name, short, kind, dest or name.replace("-", "_"), help, **kw)


FLAGS: tuple[Flag, ...] = (
    _f("arguments-only", "bool", "Put the command in args instead of command.", default="false"),
    _f("attach", "bool", "Wait for the container to start and attach (default: the value of -i).",
       default="false"),
    _f("container", "string", "Name of the debug container (generated if absent).", short="c", metavar="NAME"),
    _f("copy-to", "string", "Debug a copy of the pod with this name instead of the pod itself.", metavar="NAME"),
    _f("custom", "string", "JSON or YAML file with a partial container spec merged after the profile.", metavar="PATH"),
    _f("env", "map", "Environment variables KEY=VALUE[,KEY=VALUE...] (repeatable).", metavar="KEY=VALUE"),
    _f("filename", "list", "Take targets from manifest files (repeatable).", short="f",
       dest="filenames", metavar="PATH"),
    _f("image", "string", "Image of the debug container (required unless --copy-to).", metavar="IMAGE"),
    _f("image-pull-policy", "string", "Image pull policy; empty lets the server decide.",
       choices=PULL_POLICIES, metavar="POLICY"),
    _f("keep-annotations", "bool", "With --copy-to: keep the pod's annotations.", default="false"),
    _f("keep-init-containers", "bool", "With --copy-to: keep init containers.", default="true"),
    _f("keep-labels", "bool", "With --copy-to: keep the pod's labels.", default="false"),
    _f("keep-liveness", "bool", "With --copy-to: keep liveness probes.", default="false"),
    _f("keep-readiness", "bool", "With --copy-to: keep readiness probes.", default="false"),
    _f("keep-startup", "bool", "With --copy-to: keep startup probes.", default="false"),
    _f("profile", "string", "Security profile of the debug container.", default="general",
       choices=("general", "baseline", "restricted", "netadmin", "sysadmin"), metavar="PROFILE"),
    _f("quiet", "bool", "Suppress informational messages.", short="q", default="false"),
    _f("replace", "bool", "With --copy-to: delete the original pod.", default="false"),
    _f("same-node", "bool", "With --copy-to: schedule the copy on the original's node.",
       default="false"),
    _f("set-image", "map", "With --copy-to: NAME=IMAGE pairs, * for every container (repeatable).", metavar="NAME=IMAGE"),
    _f("share-processes", "bool", "With --copy-to: set process namespace sharing in the copy "
       "(when not given, the profile decides)."),
    _f("stdin", "bool", "Keep stdin open on the debug container; implies --attach.", short="i",
       default="false"),
    _f("target", "string", "Target processes of this container (ephemeral containers only).", metavar="CONTAINER"),
    _f("tty", "bool", "Allocate a TTY for the debug container (needs -i).", short="t",
       default="false"),
    _f("namespace", "string", "Namespace of the pod (and of node debugging pods).", short="n",
       group="global", metavar="NAMESPACE"),
    _f("context", "string", "kubeconfig context to use.", group="global", metavar="CONTEXT"),
    _f("kubeconfig", "string", "Path of the kubeconfig file to use.", group="global", metavar="PATH"),
    _f("server", "string", "The address and port of the Kubernetes API server.", short="s",
       group="global", metavar="URL"),
    _f("token", "string", "Bearer token for authentication to the API server.", group="global",
       metavar="TOKEN"),
    _f("as", "string", "Username to impersonate for the operation.", dest="impersonate",
       group="global", metavar="USER"),
    _f("certificate-authority", "string", "Path to a cert file for the certificate authority.",
       group="global", metavar="PATH"),
    _f("insecure-skip-tls-verify", "bool", "Do not check the server's certificate "
       "(makes HTTPS connections insecure).", default="false", group="global"),
    _f("request-timeout", "duration", "How long a single request may take (e.g. 30s, 1m; a bare "
       "number is seconds; 0 means no limit). Default: 60s.", group="global", metavar="DURATION"),
    _f("detach", "bool", "Create the debug container and return without waiting.",
       default="false", group="kdebug"),
    _f("timeout", "float", "Seconds to wait for the debug container to start.",
       default=f"{DEFAULT_TIMEOUT:g}", group="kdebug", metavar="SECONDS"),
    _f("run-timeout", "duration", "Stop following the command after this long (e.g. 30s, 5m; a "
       "bare number is seconds); it keeps running unless --rm deletes its pod. Default: no bound.",
       group="kdebug", metavar="DURATION"),
    _f("rm", "bool", "Delete the copy or node pod when the command ends.", default="false",
       group="kdebug"),
    _f("dry-run", "dryrun", "Build the object and show it instead of sending it "
       "(--dry-run or --dry-run=client).", default="none", choices=("none", "client"),
       group="kdebug"),
    _f("output", "string", "With --dry-run: yaml or json.", short="o", choices=OUTPUT_FORMATS,
       group="kdebug", metavar="FORMAT"),
    _f("verbose", "verbosity", "Show full tracebacks and API calls.", short="v", default="false",
       group="kdebug"),
    _f("v", "verbosity", "kubectl's log level, accepted so pasted commands work: --v=N with N > 0 "
       "means --verbose.", dest="verbose", group="kdebug", metavar="N"),
    _f("help", "bool", "Show this help.", short="h", default="false", group="kdebug"),
    _f("selector", "string", "Fleet run over the pods (or, with the target nodes, the nodes) "
       "this label selector matches.", short="l", group="fleet", metavar="SELECTOR"),
    _f("field-selector", "string", "Fleet run over the pods (or nodes) this field selector "
       "matches, e.g. status.phase=Running.", group="fleet", metavar="SELECTOR"),
    _f("all-namespaces", "bool", "Fleet run over the selected pods of every namespace.",
       short="A", default="false", group="fleet"),
    _f("max-concurrency", "int", "Pods debugged at once in a fleet run (1 to "
       f"{MAX_CONCURRENCY_LIMIT}).", default=str(DEFAULT_MAX_CONCURRENCY), group="fleet",
       metavar="N"),
    _f("max-output", "bytes", "Output kept per pod in a fleet run; the rest is dropped and the "
       "drop marked (e.g. 64Ki, 1Mi).", default="1Mi", group="fleet", metavar="BYTES"),
    _f("on-interrupt", "string", "What an interrupt does to the pods already running: abandon "
       "(stop following them) or wait (let them finish); no new pod starts either way.",
       default="abandon", choices=ON_INTERRUPT, group="fleet", metavar="WHAT"),
    _f("qps", "float", "Client-side limit of API requests per second (0: none), like "
       "client-go's QPS.", default=f"{DEFAULT_QPS:g}", group="fleet", metavar="QPS"),
    _f("burst", "int", "Requests allowed at once above --qps, like client-go's Burst.",
       default=str(DEFAULT_BURST), group="fleet", metavar="N"),
)

BY_NAME = {f.name: f for f in FLAGS}
BY_SHORT = {f.short: f for f in FLAGS if f.short}
BOOL_WORDS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
               "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?i:inf|infinity|nan)")

class FlagSyntax(Exception):
    """A value the flag's type refuses; wrapped as pflag's "invalid argument"."""


def to_bool(value: str) -> bool:
    try:
        return BOOL_WORDS[value]
    except KeyError:
        raise FlagSyntax(f'strconv.ParseBool: parsing {go_quote(value)}: invalid syntax') from None


def to_float(value: str) -> float:
    if not _FLOAT.fullmatch(value):
        raise FlagSyntax(f"strconv.ParseFloat: parsing {go_quote(value)}: invalid syntax")
    return float(value)


_BYTE_UNITS = {"": 1, "k": 1000, "M": 1000**2, "G": 1000**3,
               "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}


def to_bytes(value: str) -> int:
    """A byte count as Kubernetes quantities spell them: ``65536``, ``64Ki``, ``1Mi``."""
    match = re.fullmatch(r"(\d+)(|k|M|G|Ki|Mi|Gi)", value)
    if not match:
        raise FlagSyntax(f"quantities must match the regular expression "
                         f"'^[0-9]+(k|M|G|Ki|Mi|Gi)?$': {go_quote(value)}")
    return int(match.group(1)) * _BYTE_UNITS[match.group(2)]


def to_int(value: str) -> int:
    try:
        if re.fullmatch(r"[+-]?0[0-7]+", value):
            return int(value, 8)  # Go's base-0 parsing reads a leading 0 as octal
        return int(value, 0)
    except ValueError:
        raise FlagSyntax(f"strconv.ParseInt: parsing {go_quote(value)}: invalid syntax") from None


_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def to_duration(value: str) -> float:
    """Seconds from Go's ``time.ParseDuration`` form (``1m30s``), or a bare number of seconds
    as kubectl's ``--request-timeout`` also takes."""
    if _FLOAT.fullmatch(value):
        return float(value)
    text = value[1:] if value[:1] in "+-" else value
    parts = _DURATION_PART.findall(text)
    if not text or "".join(n + u for n, u in parts) != text:
        raise FlagSyntax(f"time: invalid duration {go_quote(value)}")
    seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in parts)
    return -seconds if value.startswith("-") else seconds


def to_verbosity(value: str) -> bool:
    """A boolean, or kubectl's ``-v=N`` log level (any level above 0 turns verbose on)."""
    if value in BOOL_WORDS:
        return BOOL_WORDS[value]
    if re.fullmatch(r"\d+", value):
        return int(value) > 0
    raise FlagSyntax(f"strconv.ParseBool: parsing {go_quote(value)}: invalid syntax")


def to_dry_run(value: str) -> bool:
    if value in ("unchanged", "client", "true"):
        return True
    if value in ("none", "false"):
        return False
    if value == "server":
        raise UsageError("--dry-run=server is not supported: kdebug_nb renders objects client-side "
                         "(use --dry-run=client)")
    raise UsageError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n",
               "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """Go's ``%q`` (``strconv.Quote``): printable characters as they are, others escaped."""
    out = []
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'

