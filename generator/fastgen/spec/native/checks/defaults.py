"""A field's default: of its type, and within the limits the field's column and the
generated API hold every value to, so that no default is refused, rounded or cut."""

from __future__ import annotations

import decimal
import json
import math
import re
from collections.abc import Callable
from typing import Any

from fastgen.spec.native.limits import (
    DECIMAL_INTEGER_DIGITS,
    DECIMAL_SCALE,
    DECIMAL_TEXT,
    DEFAULT_STRING_LENGTH,
    INTEGER_MAX,
    INTEGER_MIN,
)
from fastgen.spec.native.model import FieldSpec


def default_problem(spec: FieldSpec) -> str | None:
    """Why ``spec.default`` does not fit ``spec.type`` and its limits, or None."""
    check = _CHECKS.get(spec.type)
    if check is None:
        return f"defaults are not supported for {spec.type} fields"
    return check(spec, spec.default)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string(spec: FieldSpec, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{value!r} is not a valid {spec.type} default"
    if "\x00" in value:
        return f"{value!r} holds a NUL character, which PostgreSQL does not store"
    if spec.type == "text":
        return None
    if spec.max_length is not None and len(value) > spec.max_length:
        return f"{_shown(value)} is longer than max_length {spec.max_length}"
    if spec.max_length is None and len(value) > DEFAULT_STRING_LENGTH:
        return (
            f"{_shown(value)} is longer than max_length {DEFAULT_STRING_LENGTH}, "
            "a string's length when it gives no max_length"
        )
    return None


def _shown(value: str) -> str:
    """A string default as a message shows it: whole, or its length when long."""
    return repr(value) if len(value) <= 40 else f"the {len(value)}-character default"


def _integer(spec: FieldSpec, value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{value!r} is not a valid integer default"
    if not INTEGER_MIN <= value <= INTEGER_MAX:
        return (
            f"{value} is outside the 32-bit range of an integer column "
            f"({INTEGER_MIN} to {INTEGER_MAX})"
        )
    return None


def _float(spec: FieldSpec, value: Any) -> str | None:
    if not _is_number(value):
        return f"{value!r} is not a valid float default"
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        return f"{value!r} is not a finite number (a double and JSON hold none)"
    return None


def _decimal(spec: FieldSpec, value: Any) -> str | None:
    if not (_is_number(value) or isinstance(value, str)):
        return f"{value!r} is not a valid decimal default"
    try:
        number = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        return f"{value!r} is not a valid decimal default"
    if not number.is_finite():
        return f"{value!r} is not a finite number"
    if isinstance(value, float) and len(number.normalize().as_tuple().digits) > 15:
        return f"{value!r}{_UNQUOTED}"
    if abs(number) >= 10**DECIMAL_INTEGER_DIGITS:
        return (
            f"{value!r} has more than {DECIMAL_INTEGER_DIGITS} digits before the "
            f"point; a decimal column holds at most {DECIMAL_INTEGER_DIGITS}"
            + (_UNQUOTED if isinstance(value, float) else "")
        )
    places = _places(number)
    if places > DECIMAL_SCALE:
        return (
            f"{value!r} has {places} digits after the point; a decimal column keeps "
            f"{DECIMAL_SCALE} (scale {DECIMAL_SCALE}), so it would be rounded"
        )
    if isinstance(value, str) and not re.fullmatch(DECIMAL_TEXT, value):
        return (
            f"{value!r} is not a decimal string as the API reads one: an optional "
            f"'-', at most {DECIMAL_INTEGER_DIGITS} digits, and at most "
            f"{DECIMAL_SCALE} more after a '.'"
        )
    return None


# A float keeps 15 significant digits exactly: past them, the number the YAML parser
# read may not be the one written (12345678901234.1234 reads 12345678901234.123).
_UNQUOTED = (
    " (an unquoted number is read as a float, which keeps 15 significant digits: "
    "write the default quoted, as a string, to keep every digit)"
)


def _places(number: decimal.Decimal) -> int:
    """The digits after the point of a finite decimal, its trailing zeros left out
    (exact: no rounding context is involved)."""
    _sign, digits, exponent = number.as_tuple()
    if not number or not isinstance(exponent, int):
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + zeros))


def _boolean(spec: FieldSpec, value: Any) -> str | None:
    return (
        None if isinstance(value, bool) else f"{value!r} is not a valid boolean default"
    )


def _enum(spec: FieldSpec, value: Any) -> str | None:
    values = spec.values or []
    if value in values:
        return None
    return f"{value!r} is not one of the values: {', '.join(values)}"


def _json(spec: FieldSpec, value: Any) -> str | None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return f"{value!r} is not a valid json default"
    return None


_CHECKS: dict[str, Callable[[FieldSpec, Any], str | None]] = {
    "string": _string,
    "text": _string,
    "integer": _integer,
    "float": _float,
    "decimal": _decimal,
    "boolean": _boolean,
    "enum": _enum,
    "json": _json,
}
