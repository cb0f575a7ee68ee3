"""The image-reference check kubectl applies to ``--image`` and ``--set-image``.

kubectl matches the whole value against the Docker distribution reference
grammar (``NAME[:TAG][@DIGEST]``). Length limits of the full parser are not
applied, and neither are they here. ASCII classes only: ``re.ASCII`` keeps
``\\w``-like surprises out, and ``fullmatch`` avoids the ``$``-before-newline
trap of ``match``.
"""

from __future__ import annotations

import re

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

IMAGE_REF = re.compile(
    rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*(?::{_TAG})?(?:@{_DIGEST})?",
    re.ASCII,
)


def is_valid_image(ref: str) -> bool:
    """True when kubectl debug would accept ``ref`` as an image reference."""
    return IMAGE_REF.fullmatch(ref) is not None
