"""The ``KDebug`` configurable: what ``%config KDebug`` lists and sets.

Traitlets are the notebook's settings surface; before anything reaches the
engine they are frozen into a ``Settings`` value, and flags given on a magic's
line always win over them (they are placed *before* the line's own flags, and
for kubectl's string flags the last occurrence wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from traitlets import Bool, Float, Int, Unicode
from traitlets.config import Configurable


class KDebug(Configurable):
    """Settings of the kdebug_nb magics (``%config KDebug.namespace = "prod"``)."""

    namespace = Unicode("", help="Namespace used when a line has no -n/--namespace.").tag(
        config=True
    )
    context = Unicode("", help="kubeconfig context used when a line has no --context.").tag(
        config=True
    )
    kubeconfig = Unicode(
        "", help="kubeconfig file used when a line has no --kubeconfig (empty: kubectl's lookup)."
    ).tag(config=True)
    image = Unicode(
        "",
        help="Debug image used when a line has no --image (ephemeral and node debugging).",
    ).tag(config=True)
    profile = Unicode(
        "", help="Security profile used when a line has no --profile (empty: general)."
    ).tag(config=True)
    timeout = Float(
        0.0, help="Seconds to wait for the debug container to start (0: the engine's default)."
    ).tag(config=True)
    history_path = Unicode(
        "",
        help="JSON Lines file the run history is appended to "
        "(empty: kdebug-history.jsonl in the kernel's working directory).",
    ).tag(config=True)
    persist_history = Bool(True, help="Append every run to history_path.").tag(config=True)
    short_errors = Bool(
        True, help="Show errors as one line; False re-raises them with a traceback."
    ).tag(config=True)
    progress = Bool(
        True, help="Show the container's state while waiting for it to start."
    ).tag(config=True)
    completion_timeout = Float(
        0.3, help="Seconds tab completion may wait for a cluster lookup before using its cache."
    ).tag(config=True)
    max_output = Int(
        100_000,
        min=0,
        help="Characters of a run's output shown in the cell: its head and tail, with a line "
        "saying how much was left out (the result's .output holds all of it). 0: no limit.",
    ).tag(config=True)


@dataclass(frozen=True)
class Settings:
    """A frozen snapshot of ``KDebug``: what one magic call runs with."""

    namespace: str = ""
    context: str = ""
    kubeconfig: str = ""
    image: str = ""
    profile: str = ""
    timeout: float = 0.0
    history_path: str = ""
    persist_history: bool = True
    short_errors: bool = True
    progress: bool = True
    completion_timeout: float = 0.3
    max_output: int = 100_000

    @classmethod
    def of(cls, config: KDebug) -> Settings:
        # every field is a KDebug trait of the same name
        return cls(**{f.name: getattr(config, f.name) for f in fields(cls)})

    def default_flags(self, argv: Sequence[str]) -> list[str]:
        """Flags standing for these settings, to be placed before ``argv``.

        The default image is only added where kubectl requires one and the line
        gives none: in copy mode an ``--image`` would replace a container's image.
        """
        words = _flag_words(argv)
        flags: list[str] = []
        if self.kubeconfig:
            flags.append(f"--kubeconfig={self.kubeconfig}")
        if self.context:
            flags.append(f"--context={self.context}")
        if self.namespace:
            flags.append(f"--namespace={self.namespace}")
        if self.profile:
            flags.append(f"--profile={self.profile}")
        if self.timeout:
            flags.append(f"--timeout={self.timeout:g}")
        if self.image and not words & {"--image", "--copy-to"}:
            flags.append(f"--image={self.image}")
        return flags


def _flag_words(argv: Sequence[str]) -> set[str]:
    """Long flag names used before ``--`` (``--image=x`` counts as ``--image``)."""
    names: set[str] = set()
    for word in argv:
        if word == "--":
            break
        if word.startswith("--"):
            names.add(word.split("=", 1)[0])
    return names
