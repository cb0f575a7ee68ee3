"""Kubernetes resource quantities in their canonical form (``0.5`` -> ``500m``).

kubectl decodes ``--custom`` specs into typed objects, and a ``Quantity``
re-encodes canonically: the value keeps the format family of its suffix
(binary ``Ki``/``Mi``..., decimal SI ``m``/``k``/``M``..., or an exponent
``e3``) and is written with the largest suffix that keeps the number an
integer. Values are rounded up to nano precision, as the Go parser does.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from kdebug_nb.errors import UsageError

_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_QUANTITY = re.compile(_PATTERN)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_SUFFIX = {exp: suffix for suffix, exp in _BINARY.items()}
_NANO = Fraction(1, 10**9)


def _error(text: str) -> UsageError:
    return UsageError(f"quantities must match the regular expression '{_PATTERN}' ({text!r})")


def parse_quantity(text: str) -> tuple[Fraction, str]:
    """The value and its format family: ``binary``, ``decimal`` or ``exponent``."""
    match = _QUANTITY.match(text.strip())
    if not match or match.group(1).count(".") > 1 or match.group(1).strip("+-") in ("", "."):
        raise _error(text)
    number, suffix = match.groups()
    value = Fraction(number)
    if suffix in _BINARY:
        value, family = value * 1024 ** _BINARY[suffix], "binary"
    elif suffix in _DECIMAL:
        value, family = value * Fraction(10) ** _DECIMAL[suffix], "decimal"
    elif re.fullmatch(r"[eE][-+]?[0-9]+", suffix):
        value, family = value * Fraction(10) ** int(suffix[1:]), "exponent"
    else:
        raise _error(text)
    # round away from zero to whole nanos
    nanos = math.ceil(abs(value) / _NANO)
    return (nanos * _NANO if value >= 0 else -nanos * _NANO), family


def canonical_quantity(text: str) -> str:
    """``text`` as Go's ``Quantity`` would encode it."""
    value, family = parse_quantity(text)
    if value == 0:
        return "0"
    if family == "binary" and abs(value) >= 1024 and value.denominator == 1:
        mantissa, exp = int(value), 0
        while mantissa % 1024 == 0 and exp < 6:
            mantissa //= 1024
            exp += 1
        return f"{mantissa}{_BINARY_SUFFIX.get(exp, '')}"
    # decimal form: mantissa * 10**exp with exp a multiple of 3 and no spare zeros
    exp = 0
    while value.denominator != 1:
        value *= 10
        exp -= 1
    mantissa = int(value)
    while mantissa % 10 == 0:
        mantissa //= 10
        exp += 1
    shift = exp % 3
    mantissa *= 10**shift
    exp -= shift
    if family == "exponent":
        return f"{mantissa}e{exp}" if exp else str(mantissa)
    suffix = _DECIMAL_SUFFIX.get(exp)
    return f"{mantissa}{suffix}" if suffix is not None else f"{mantissa}e{exp}"
