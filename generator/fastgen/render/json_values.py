"""Whether one value passes a schema's number and string keywords, as the app checks.

``json_widening`` proves an ``enum`` (or ``const``) kept value by value: a new
``maxLength``, ``pattern`` or ``maximum`` takes the old values when each of them
passes it. A ``pattern`` is read as the generated models read it: by pydantic's
Rust engine, or Python's ``re`` where a model needs that (it holds a lookaround),
so a value passes only where every engine that reads the pattern takes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import cache
from typing import Any

from pydantic_core import SchemaError, SchemaValidator, core_schema

# The end of a reason that says a keyword was not read, so proves nothing either way.
UNTOLD = "not compared"


def number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def bounds(schema: Mapping[str, Any], upper: bool) -> list[tuple[Any, bool]] | None:
    """(bound, exclusive) for each lower (or upper) bound; None if one is malformed."""
    inclusive, exclusive = (
        ("maximum", "exclusiveMaximum") if upper else ("minimum", "exclusiveMinimum")
    )
    found = []
    flag = schema.get(exclusive)
    if inclusive in schema:
        if not number(schema[inclusive]):
            return None
        found.append((schema[inclusive], flag is True))  # OpenAPI 3.0's boolean
    if number(flag):
        found.append((flag, True))  # 3.1: the bound itself
    elif flag not in (None, True, False):
        return None
    return found


def refusals(value: Any, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(keyword, why) for each number or string keyword of ``schema`` that refuses
    ``value``, or that it cannot read (its why ends with ``UNTOLD``)."""
    if isinstance(value, str):
        return _string(value, schema)
    if number(value):
        return _number(value, schema)
    return []


def _string(value: str, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = []
    shown = json.dumps(value)
    for keyword, short in (("minLength", True), ("maxLength", False)):
        count = schema.get(keyword)
        if count is None:
            continue
        if not isinstance(count, int) or isinstance(count, bool):
            found.append((keyword, f"not a count, {UNTOLD}"))
        elif len(value) < count if short else len(value) > count:
            word = "shorter" if short else "longer"
            found.append((keyword, f"{shown} is {word} than {count}"))
    pattern = schema.get("pattern")
    if pattern is not None:
        checks = _pattern_checks(pattern) if isinstance(pattern, str) else ()
        if not checks:
            found.append(("pattern", f"not read, {UNTOLD}"))
        elif not all(check(value) for check in checks):
            found.append(("pattern", f"refuses {shown}"))
    return found


@cache
def _pattern_checks(pattern: str) -> tuple[Callable[[Any], bool], ...]:
    """pydantic's check of ``pattern`` by each engine a model may read it with."""
    schema = core_schema.str_schema(pattern=pattern)
    found = []
    for engine in ("rust-regex", "python-re"):
        try:
            config = core_schema.CoreConfig(regex_engine=engine)
            found.append(SchemaValidator(schema, config).isinstance_python)
        except SchemaError:
            continue
    return tuple(found)


def _number(value: float, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = []
    for upper, keyword in ((False, "minimum"), (True, "maximum")):
        limits = bounds(schema, upper)
        if limits is None:
            found.append((keyword, f"not a number, {UNTOLD}"))
        elif not all(_inside(value, b, e, upper) for b, e in limits):
            found.append((keyword, f"refuses {value}"))
    step = schema.get("multipleOf")
    if step is not None:
        if not number(step) or step <= 0:
            found.append(("multipleOf", f"not a number, {UNTOLD}"))
        elif (Fraction(str(value)) / Fraction(str(step))).denominator != 1:
            found.append(("multipleOf", f"refuses {value}"))
    return found


def _inside(value: float, bound: Any, exclusive: bool, upper: bool) -> bool:
    if value == bound:
        return not exclusive
    return value < bound if upper else value > bound
