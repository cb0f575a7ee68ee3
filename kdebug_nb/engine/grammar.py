"""kubectl debug's argument grammar, shared by ``%kdebug``, ``kdebug`` and the widgets.

Two steps, kept apart on purpose:

* :func:`parse_args` turns words into :class:`DebugOptions` following the Go
  ``pflag`` rules kubectl uses (behaviour document §1.1): flags and targets
  interleave before ``--``, ``--flag=value`` or ``--flag value``, booleans take
  a value only with ``=``, short booleans combine (``-it``), short string
  flags take their value attached (``-cfoo``) or as the next word. It raises
  :class:`UsageError` only for *syntax* (unknown flag, missing value, a value
  its type refuses), with pflag's wording.
* :func:`validate` applies kubectl's semantic checks in kubectl's order
  (§1.4-1.5) plus kdebug_nb's own, and returns the notices kubectl would print
  on the way. Options built in Python (``kdebug_nb.debug(...)``) never pass
  through ``parse_args``, so the runner calls ``validate`` for every run;
  ``parse_args`` does not call it, which keeps notices from being printed twice.

``FLAGS`` describes every flag (names, value kind, choices) for help text and
tab completion; ``USAGE`` is the help text itself.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kdebug_nb.engine.envmap import MapSyntaxError, merge_pairs, parse_map, read_csv_record
from kdebug_nb.engine.imageref import is_valid_image
from kdebug_nb.engine.options import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TIMEOUT,
    MAX_CONCURRENCY_LIMIT,
    ON_INTERRUPT,
    PROFILES,
    DebugOptions,
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
    #: bool | string | map | list | float | int | dryrun | verbosity
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
    _f("detach", "bool", "Create the debug container and return without waiting.",
       default="false", group="kdebug"),
    _f("timeout", "float", "Seconds to wait for the debug container to start.",
       default=f"{DEFAULT_TIMEOUT:g}", group="kdebug", metavar="SECONDS"),
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
    _f("run-timeout", "float", "Seconds each pod's command may run before it is stopped "
       "(0: no bound).", default="0", group="fleet", metavar="SECONDS"),
    _f("on-interrupt", "string", "What an interrupt does to the pods already running: abandon "
       "(stop following them) or wait (let them finish); no new pod starts either way.",
       default="abandon", choices=ON_INTERRUPT, group="fleet", metavar="WHAT"),
    _f("qps", "float", "Client-side limit of API requests per second (0: none), like "
       "client-go's QPS.", default=f"{DEFAULT_QPS:g}", group="fleet", metavar="QPS"),
    _f("burst", "int", "Requests allowed at once above --qps, like client-go's Burst.",
       default=str(DEFAULT_BURST), group="fleet", metavar="N"),
)

_BY_NAME = {f.name: f for f in FLAGS}
_BY_SHORT = {f.short: f for f in FLAGS if f.short}
_BOOL_WORDS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
               "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?i:inf|infinity|nan)")


class _Syntax(Exception):
    """A value the flag's type refuses; wrapped as pflag's "invalid argument"."""


def _to_bool(value: str) -> bool:
    try:
        return _BOOL_WORDS[value]
    except KeyError:
        raise _Syntax(f'strconv.ParseBool: parsing {_go_quote(value)}: invalid syntax') from None


def _to_float(value: str) -> float:
    if not _FLOAT.fullmatch(value):
        raise _Syntax(f"strconv.ParseFloat: parsing {_go_quote(value)}: invalid syntax")
    return float(value)


def _to_int(value: str) -> int:
    try:
        if re.fullmatch(r"[+-]?0[0-7]+", value):
            return int(value, 8)  # Go's base-0 parsing reads a leading 0 as octal
        return int(value, 0)
    except ValueError:
        raise _Syntax(f"strconv.ParseInt: parsing {_go_quote(value)}: invalid syntax") from None


_BYTE_UNITS = {"": 1, "k": 1000, "M": 1000**2, "G": 1000**3,
               "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3}


def _to_bytes(value: str) -> int:
    """A byte count as Kubernetes quantities spell them: ``65536``, ``64Ki``, ``1Mi``."""
    match = re.fullmatch(r"(\d+)(|k|M|G|Ki|Mi|Gi)", value)
    if not match:
        raise _Syntax(f"quantities must match the regular expression "
                      f"'^[0-9]+(k|M|G|Ki|Mi|Gi)?$': {_go_quote(value)}")
    return int(match.group(1)) * _BYTE_UNITS[match.group(2)]


def _to_verbosity(value: str) -> bool:
    """A boolean, or kubectl's ``-v=N`` log level (any level above 0 turns verbose on)."""
    if value in _BOOL_WORDS:
        return _BOOL_WORDS[value]
    if re.fullmatch(r"\d+", value):
        return int(value) > 0
    raise _Syntax(f"strconv.ParseBool: parsing {_go_quote(value)}: invalid syntax")


def _to_dry_run(value: str) -> bool:
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


def _go_quote(text: str) -> str:
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


class _State:
    """Values collected while scanning; turned into DebugOptions at the end."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.maps: dict[str, list[tuple[str, str]]] = {"env": [], "set_image": []}
        self.lists: dict[str, list[str]] = {"filenames": []}

    def set(self, flag: Flag, value: str, label: str) -> None:
        try:
            if flag.kind == "bool":
                self.values[flag.dest] = _to_bool(value)
            elif flag.kind == "float":
                self.values[flag.dest] = _to_float(value)
            elif flag.kind == "int":
                self.values[flag.dest] = _to_int(value)
            elif flag.kind == "bytes":
                self.values[flag.dest] = _to_bytes(value)
            elif flag.kind == "verbosity":
                self.values[flag.dest] = _to_verbosity(value)
            elif flag.kind == "dryrun":
                self.values[flag.dest] = _to_dry_run(value)
            elif flag.kind == "map":
                self.maps[flag.dest].extend(parse_map(value))
            elif flag.kind == "list":
                self.lists[flag.dest].extend(read_csv_record(value) if value else [])
            else:
                self.values[flag.dest] = value
        except (_Syntax, MapSyntaxError) as exc:
            raise UsageError(
                f"invalid argument {_go_quote(value)} for {_go_quote(label)} flag: {exc}"
            ) from None


def _label(flag: Flag) -> str:
    return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"


def split_words(argv: str | Sequence[str]) -> list[str]:
    """Split a magic's line like a POSIX shell would (quotes, backslashes)."""
    if not isinstance(argv, str):
        return list(argv)
    try:
        return shlex.split(argv)
    except ValueError as exc:
        raise UsageError(f"cannot split arguments: {exc}") from None


def parse_args(argv: str | Sequence[str]) -> DebugOptions:
    """Parse kubectl debug's command line (a string is split with shlex).

    A leading ``kubectl debug`` is dropped, so a command copied from a terminal
    works unchanged. Only syntax is checked here; call :func:`validate` for
    kubectl's semantic checks.
    """
    words = split_words(argv)
    if words[:2] == ["kubectl", "debug"]:
        words = words[2:]
    state = _State()
    targets: list[str] = []
    command: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            command = words[i:]
            break
        if len(word) < 2 or not word.startswith("-"):
            targets.append(word)
        elif word.startswith("--"):
            i = _parse_long(word, words, i, state)
        else:
            i = _parse_short(word, words, i, state)
    values = state.values
    values["env"] = merge_pairs(state.maps["env"])
    values["set_image"] = merge_pairs(state.maps["set_image"])
    values["filenames"] = tuple(state.lists["filenames"])
    if values.get("dry_run") and not values.get("output"):
        values["output"] = "yaml"
    return DebugOptions(targets=tuple(targets), command=tuple(command), **values)


def _parse_long(word: str, words: list[str], i: int, state: _State) -> int:
    body = word[2:]
    if body[0] in "-=":
        raise UsageError(f"bad flag syntax: {word}")
    name, has_value, value = body.partition("=")
    flag = _BY_NAME.get(name.replace("_", "-"))  # kubectl normalises _ to -
    if flag is None:
        raise UsageError(f"unknown flag: --{name}")
    if not has_value:
        if not flag.takes_value:
            value = "unchanged" if flag.kind == "dryrun" else "true"
        elif i < len(words):
            value, i = words[i], i + 1
        else:
            raise UsageError(f"flag needs an argument: {word}")
    state.set(flag, value, _label(flag))
    return i


def _parse_short(word: str, words: list[str], i: int, state: _State) -> int:
    shorts = word[1:]
    while shorts:
        char = shorts[0]
        flag = _BY_SHORT.get(char)
        if flag is None:
            raise UsageError(f"unknown shorthand flag: '{char}' in -{shorts}")
        if len(shorts) > 2 and shorts[1] == "=":
            value, rest = shorts[2:], ""
        elif not flag.takes_value:
            value, rest = "true", shorts[1:]
        elif len(shorts) > 1:
            value, rest = shorts[1:], ""
        elif i < len(words):
            value, rest, i = words[i], "", i + 1
        else:
            raise UsageError(f"flag needs an argument: '{char}' in -{shorts}")
        state.set(flag, value, _label(flag))
        shorts = rest
    return i


# --------------------------------------------------------------------------- targets

_POD_TYPES = frozenset({"pod", "pods", "po"})
_NODE_TYPES = frozenset({"node", "nodes", "no"})


@dataclass(frozen=True)
class Target:
    """A target word split into its resource type and name."""

    resource: str  # as typed, e.g. "pods", "node", "deployment.apps"
    name: str
    #: "Pod", "Node", or "" for any other resource type (unsupported by debug)
    kind: str


def parse_target(word: str) -> Target:
    """``mypod`` → a pod; ``TYPE[[.VERSION].GROUP]/NAME`` → that type."""
    resource, slash, name = word.partition("/")
    if not slash:
        return Target("pods", word, "Pod")
    base = resource.split(".", 1)[0].lower()
    kind = "Pod" if base in _POD_TYPES else "Node" if base in _NODE_TYPES else ""
    return Target(resource, name, kind)


# --------------------------------------------------------------------------- validation


class Notices(list[str]):
    """Lines :func:`validate` would have kubectl print: informational lines
    (suppressed by ``-q``; the list itself) and ``warnings`` (never suppressed)."""

    def __init__(self, notices: Sequence[str] = (), warnings: Sequence[str] = ()) -> None:
        super().__init__(notices)
        self.warnings: list[str] = list(warnings)


def validate(opts: DebugOptions) -> Notices:
    """kubectl's checks (§1.4-1.5) in kubectl's order, then kdebug_nb's own.

    Raises :class:`UsageError` on the first failure. Returns the
    ``Targeting container`` notice (unless ``-q``) and, on the ``warnings``
    attribute, the legacy-profile deprecation notice.
    """
    # imported here so that parsing (and tab completion's FLAGS) stays cheap
    from kdebug_nb.engine.builders.custom import (
        FORBIDDEN_MESSAGE,
        has_forbidden_fields,
        resolve_custom_spec,
    )
    from kdebug_nb.engine.fleet.targets import is_fleet, validate_fleet

    notices = Notices()
    fleet = is_fleet(opts)
    if fleet:
        validate_fleet(opts)
    if opts.profile not in PROFILES:
        raise UsageError(f"unknown profile: {opts.profile}")
    custom = resolve_custom_spec(opts)
    image, container, copy_to, command = opts.image, opts.container, opts.copy_to, opts.command

    if opts.attach is True and not image and not container:
        raise UsageError("you must specify --container or create a new container using --image "
                         "in order to attach.")
    if copy_to:
        if not image and not opts.set_image and not command:
            raise UsageError("you must specify --image, --set-image or command arguments.")
        if command and not container and not image:
            raise UsageError("you must specify an existing container or a new image when "
                             "specifying args.")
    elif opts.replace:
        raise UsageError("--replace may only be used with --copy-to.")
    elif opts.same_node:
        raise UsageError("--same-node may only be used with --copy-to.")
    elif opts.set_image:
        raise UsageError("--set-image may only be used with --copy-to.")
    elif not image:
        raise UsageError("you must specify --image when not using --copy-to.")
    if image and not is_valid_image(image):
        raise UsageError(f"invalid image name {_go_quote(image)}: invalid reference format")
    if not opts.targets and not opts.filenames and not fleet:
        raise UsageError("NAME or filename is required for debug")
    if opts.image_pull_policy not in (*PULL_POLICIES, ""):
        raise UsageError(f"invalid image pull policy: {opts.image_pull_policy}")
    for key, value in opts.set_image:
        if not is_valid_image(value):
            raise UsageError(f"invalid image name {_go_quote(value)} for container "
                             f"{_go_quote(key)}: invalid reference format")
    if opts.target:
        if copy_to:
            raise UsageError("--target is incompatible with --copy-to. Use --share-processes "
                             "instead.")
        if not opts.quiet:
            notices.append(
                f"Targeting container {_go_quote(opts.target)}. If you don't see processes from "
                "this container it may be because the container runtime doesn't support this "
                "feature."
            )
    if opts.tty and not opts.stdin:
        raise UsageError("-i/--stdin is required for containers with -t/--tty=true")
    if custom is not None and has_forbidden_fields(custom):
        raise UsageError(FORBIDDEN_MESSAGE)
    if opts.targets and opts.filenames:
        raise UsageError("resource/name arguments cannot be provided when a path is specified")
    _validate_own(opts)
    if opts.profile == "legacy":
        notices.warnings.append(LEGACY_DEPRECATION)
    return notices


def _validate_own(opts: DebugOptions) -> None:
    """kdebug_nb's additions, checked after everything kubectl checks.

    * ``--timeout`` is a finite number of seconds above 0;
    * ``-o`` is ``yaml`` or ``json`` and only goes with ``--dry-run``;
    * ``--detach`` (return without waiting) contradicts an explicit ``--attach=true``;
    * ``--rm`` deletes what the run created once the command ends, so it needs
      something deletable (a copy or a node pod: an ephemeral container cannot
      be removed from its pod), something to wait for (not ``--detach``, not a
      ``--set-image``-only copy, which has no debug container). With ``-f`` the
      target kinds are unknown here; the ephemeral builder refuses it then.
    """
    if not (math.isfinite(opts.timeout) and opts.timeout > 0):
        raise UsageError(f"--timeout must be a positive number of seconds, not {opts.timeout:g}")
    if opts.output and opts.output not in OUTPUT_FORMATS:
        raise UsageError(f'unable to match a printer suitable for the output format '
                         f'"{opts.output}", allowed formats are: json,yaml')
    if opts.output and not opts.dry_run:
        raise UsageError("-o/--output is only used with --dry-run")
    if opts.detach and opts.attach is True:
        raise UsageError("--detach and --attach=true contradict each other")
    if not opts.rm:
        return
    if opts.detach:
        raise UsageError("--rm cannot be combined with --detach: nothing would wait for the "
                         "command to end")
    node_only = bool(opts.targets) and all(
        parse_target(t).kind == "Node" or t in ("node", "nodes", "no") for t in opts.targets
    )
    if not opts.copy_to and not node_only and not opts.filenames:
        from kdebug_nb.engine.builders.common import RM_EPHEMERAL

        raise UsageError(RM_EPHEMERAL)
    if opts.copy_to and not opts.image and opts.set_image and not opts.container:
        raise UsageError("--rm needs a debug container to wait for: a --set-image-only copy "
                         "has none")


# --------------------------------------------------------------------------- help

_EXAMPLES = """\
Examples:
  # Run a command in a new ephemeral container of pod mypod and show its output
  %kdebug mypod --image=busybox -- ps x

  # Share the process namespace of container app (ephemeral containers only)
  %kdebug mypod --image=busybox --target=app -- ps x

  # Debug a copy of mypod with a debug container added, deleting the copy afterwards
  %kdebug mypod --copy-to=mypod-debug --image=busybox --rm -- ps x

  # Debug a copy of mypod with its app container's command changed
  %kdebug mypod --copy-to=mypod-debug -c app -- sh -c 'env; sleep 1d'

  # Debug a copy of mypod with every container's image changed
  %kdebug mypod --copy-to=mypod-debug --set-image=*=busybox

  # Run a command on a node, with the node's filesystem at /host
  %kdebug node/node-1 --image=busybox -- ls /host/etc

  # Run an audit in every running pod labelled app=web, in every namespace, 20 at a time
  %kdebug -l app=web -A --field-selector=status.phase=Running --max-concurrency=20 \\
      --image=busybox -- sh -c 'id; ls /'

  # The same on every node labelled role=worker
  %kdebug nodes -l role=worker --image=busybox -- cat /host/etc/os-release

  # Show the patch that would be sent, without sending it
  %kdebug mypod --image=busybox --dry-run -o json -- ps x
"""


def _usage() -> str:
    titles = {"kubectl": "Options:", "global": "kubectl globals:",
              "kdebug": "kdebug_nb options:", "fleet": "Fleet runs (several targets, -l, -A or --field-selector):"}
    lines = [
        "Usage: %kdebug (POD | TYPE/NAME)... [flags] [-- COMMAND [ARG...]]",
        "",
        "Debug a pod with an ephemeral container, a copy of a pod, or a node with a",
        "debugging pod, exactly as kubectl debug (KEP-1441) does, from a notebook.",
        "Words before -- are targets (a pod name, pod/NAME or node/NAME); words",
        "after -- are the command. Flags may come before or after the targets.",
        "",
        _EXAMPLES,
    ]
    for group, title in titles.items():
        lines.append(title)
        for flag in (f for f in FLAGS if f.group == group):
            names = f"-{flag.short}, --{flag.name}" if flag.short else f"    --{flag.name}"
            if flag.takes_value or flag.metavar:
                names += "=" + (flag.metavar or "VALUE")
            text = flag.help
            if flag.choices:
                text += " One of: " + ", ".join(flag.choices) + "."
            if flag.default and flag.default not in ("false",):
                text += f" Default: {flag.default}."
            lines.append(f"  {names:<32} {text}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


USAGE: str = _usage()
