"""kubectl debug's argument grammar, shared by ``%kdebug``, ``kdebug`` and the widgets.

The first stage of the engine's pipeline: ``flags`` (the table), ``parse``
(words → :class:`DebugOptions`, syntax only), ``validate`` (kubectl's
semantic checks → a frozen :class:`Validated`), ``targets`` (the one target
parser, ``-f`` manifests), ``usage`` (the help text).
"""

from __future__ import annotations

from kdebug_nb.engine.grammar.flags import (
    FLAGS,
    LEGACY_DEPRECATION,
    OUTPUT_FORMATS,
    PULL_POLICIES,
    Flag,
)
from kdebug_nb.engine.grammar.parse import parse_args, split_words
from kdebug_nb.engine.grammar.targets import TargetRef, parse_target, target_kind
from kdebug_nb.engine.grammar.usage import USAGE, usage
from kdebug_nb.engine.grammar.validate import Validated, validate

__all__ = [
    "FLAGS",
    "LEGACY_DEPRECATION",
    "OUTPUT_FORMATS",
    "PULL_POLICIES",
    "USAGE",
    "Flag",
    "TargetRef",
    "Validated",
    "parse_args",
    "parse_target",
    "split_words",
    "target_kind",
    "usage",
    "validate",
]
