"""Values a column's schema accepts, for the rows the generated tests store.

A test row is made from ``n`` (``render.tests_code.sample_expr``); a column whose
schema limits its values (a pattern, lengths, bounds, a format the API models
check) instead takes one of a few values found here, distinct and ascending, so
rows made with different ``n`` differ and sort as ``n`` does.
"""

from __future__ import annotations

import math
import re
import string
from fractions import Fraction
from typing import Any

from fastgen.spec.openapi.compile.pattern_dialect import app_check
from fastgen.spec.openapi.compile.regex_samples import matching_strings

SAMPLES = 8  # values per column: rows n = 1..5 of the list tests stay distinct
# A string of one of these formats -> its i-th value (the API models check them).
FORMATS = {
    "email": "user{}@example.com",
    "idn-email": "user{}@example.com",
    "uri": "https://example.com/{}",
    "iri": "https://example.com/{}",
    "uri-reference": "https://example.com/{}",
    "hostname": "host{}.example.com",
    "ipv4": "192.0.2.{}",
    "ipv6": "2001:db8::{}",
    "time": "12:00:0{}",
    "duration": "PT{}H",
    "byte": "YWI{}",  # base64 of ab5, ab6, ...: text, as pydantic's Base64Str decodes it
}
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


class NoSample(ValueError):
    """No value satisfies the schema (the message says which keywords clash)."""


def column_samples(schema: dict[str, Any], kind: str) -> tuple[Any, ...] | None:
    """Up to ``SAMPLES`` distinct values, ascending, that the property's schema
    accepts, for a column of type ``kind``; None where it limits nothing a test
    row made from ``n`` breaks, or where a ``pattern`` no search here satisfies
    might still be. Raises ``NoSample`` when the limits provably clash."""
    if kind in ("string", "text", "enum"):
        return _strings(schema)
    if kind in ("integer", "float"):
        return _numbers(schema, kind == "integer")
    return None


def _strings(schema: dict[str, Any]) -> tuple[Any, ...] | None:
    low = _int(schema.get("minLength")) or 0
    high = _int(schema.get("maxLength"))
    pattern = schema.get("pattern")
    fmt = FORMATS.get(schema.get("format"))  # type: ignore[arg-type]
    enum = schema.get("enum")
    if not (low or isinstance(pattern, str) or fmt):
        return None  # a string enum's values are the column's (``enum_values``)
    if high is not None and high < low:
        raise NoSample(f"minLength {low} is above maxLength {high}")
    if isinstance(enum, list):
        candidates = [v for v in enum if isinstance(v, str)]
    elif fmt:
        candidates = [fmt.format(i) for i in range(1, SAMPLES + 1)]
    elif isinstance(pattern, str):
        try:
            candidates = matching_strings(pattern, low, high, SAMPLES)
        except re.error:
            # Not in Python's dialect even rewritten (an unknown property),
            # which the app's models may still read: the type's samples.
            return None
    else:
        width = max(low, 1)
        candidates = [c * width for c in string.ascii_lowercase[:SAMPLES]]
    found = sorted(
        {v for v in candidates if _fits_string(v, low, high, pattern)},
    )[:SAMPLES]
    if not found and isinstance(pattern, str):
        # The search found none, which proves nothing: the document is not refused
        # for it, and the column keeps the type's samples.
        return None
    if not found:
        raise NoSample(_string_clash(low, high, pattern, schema, enum))
    return tuple(found)


def _string_clash(
    low: int, high: int | None, pattern: Any, schema: dict[str, Any], enum: Any
) -> str:
    said = [f"minLength {low}"] if low else []
    said += [f"maxLength {high}"] if high is not None else []
    said += [f"pattern {pattern!r}"] if isinstance(pattern, str) else []
    said += [f"format {schema['format']!r}"] if schema.get("format") in FORMATS else []
    said += ["its enum"] if isinstance(enum, list) else []
    return f"no string found that keeps {', '.join(said)}"


def _fits_string(value: str, low: int, high: int | None, pattern: Any) -> bool:
    """Whether the app's models take ``value`` (its pattern by their engine)."""
    if len(value) < low or (high is not None and len(value) > high):
        return False
    if not isinstance(pattern, str):
        return True
    accepts = app_check(pattern)
    return accepts is not None and accepts(value)


def _numbers(schema: dict[str, Any], integer: bool) -> tuple[Any, ...] | None:
    keys = (*_NUMBER_KEYS, "multipleOf")
    if not any(_number(schema.get(k)) for k in keys) and "enum" not in schema:
        return None
    low, low_open, high, high_open = _bounds(schema)
    step = (
        Fraction(str(schema["multipleOf"]))
        if _number(schema.get("multipleOf"))
        else None
    )
    if step is not None and step <= 0:
        raise NoSample(f"multipleOf {schema['multipleOf']} is not above 0")
    if integer:
        # the integers among the multiples of p/q are the multiples of p
        step = Fraction(step.numerator) if step else Fraction(1)
    enum = schema.get("enum")
    if isinstance(enum, list):
        candidates = [Fraction(str(v)) for v in enum if _number(v)]
    else:
        candidates = _stepped(low, low_open, high, high_open, step)
    found = sorted(
        {
            c
            for c in candidates
            if _inside(c, low, low_open, high, high_open)
            and (step is None or c % step == 0)
            and (not integer or c.denominator == 1)
        }
    )[:SAMPLES]
    if not found:
        raise NoSample(
            f"no {'integer' if integer else 'number'} found within {_said(schema)}"
        )
    return tuple(int(c) if integer else float(c) for c in found)


def _stepped(
    low: Fraction | None,
    low_open: bool,
    high: Fraction | None,
    high_open: bool,
    step: Fraction | None,
) -> list[Fraction]:
    """Candidates from the lower bound upwards (or below the upper one), ``step``
    apart; without a step, spread inside the bounds, rounded where they stay so."""
    if step is None and low is not None and high is not None:
        return _spread(low, high)
    unit = step or Fraction(1)
    if low is not None:
        start = math.ceil(low / unit) * unit
        start += unit if low_open and start == low else 0
    elif high is not None:
        start = math.floor(high / unit) * unit - unit * (SAMPLES - 1)
        start -= unit if high_open and start + unit * (SAMPLES - 1) == high else 0
    else:
        start = unit
    return [start + unit * i for i in range(SAMPLES)]


def _spread(low: Fraction, high: Fraction) -> list[Fraction]:
    """Values evenly inside ``low`` and ``high``, with the fewest decimals that
    keep them inside and distinct."""
    exact = [low + (high - low) * i / (SAMPLES + 1) for i in range(1, SAMPLES + 1)]
    for digits in range(12):
        shorter = [Fraction(round(v, digits)) for v in exact]
        if len(set(shorter)) == SAMPLES and all(low < v < high for v in shorter):
            return shorter
    return exact


def _bounds(
    schema: dict[str, Any],
) -> tuple[Fraction | None, bool, Fraction | None, bool]:
    """(low, open, high, open): 3.0's boolean exclusives and 3.1's numbers."""
    out: list[Any] = []
    for bound, exclusive in (
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ):
        value = schema.get(bound)
        limit = Fraction(str(value)) if _number(value) else None
        is_open = schema.get(exclusive) is True and limit is not None
        other = schema.get(exclusive)
        if _number(other):
            tighter = Fraction(str(other))
            keep_own = limit is not None and (
                limit > tighter if bound == "minimum" else limit < tighter
            )
            if not keep_own:
                limit, is_open = tighter, True
        out += [limit, is_open]
    return out[0], out[1], out[2], out[3]


def _inside(
    value: Fraction,
    low: Fraction | None,
    low_open: bool,
    high: Fraction | None,
    high_open: bool,
) -> bool:
    if low is not None and (value < low or low_open and value == low):
        return False
    return high is None or not (value > high or high_open and value == high)


def _said(schema: dict[str, Any]) -> str:
    keys = (*_NUMBER_KEYS, "multipleOf", "enum")
    return ", ".join(f"{k} {schema[k]}" for k in keys if k in schema)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
