"""The values the generated tests store in an OpenAPI column keep its schema's
limits (pattern, lengths, bounds, multipleOf, enum, format), stay distinct and
ascending, and a schema no value keeps is a problem at generation time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import (
    AnyUrl,
    Base64Str,
    IPvAnyAddress,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import SchemaError

from fastgen.model.fields import FieldModel
from fastgen.render.sample_keys import key_values
from fastgen.render.tests_code import sample_expr
from fastgen.spec.inputs import read_input
from fastgen.spec.openapi.compile.column_samples import NoSample, column_samples
from fastgen.spec.openapi.compile.regex_samples import matching_strings
from fastgen.spec.problems import SpecError

# Patterns, and the lengths of the strings each matches.
PATTERNS: dict[str, Callable[[int], bool]] = {
    "^[A-Z]+$": lambda n: n >= 1,
    "^[a-z]{2}-\\d{3}$": lambda n: n == 6,
    "^(foo|bar)[^,]x?$": lambda n: n in (4, 5),
    "^\\w+@\\w+\\.com$": lambda n: n >= 7,
    "^[A-Z]{2,4}[0-9]*$": lambda n: n >= 2,
    "^(?:ab)+$": lambda n: n >= 2 and n % 2 == 0,
    "[0-9]": lambda n: n >= 1,  # unanchored: any string holding a digit
    "^(a|b)\\1$": lambda n: n == 2,
    "^[^a-z]{3}$": lambda n: n == 3,
    "^.{5,}$": lambda n: n >= 5,
    "^\\s?x\\S$": lambda n: n in (2, 3),
}


def _valid(schema: dict[str, Any], value: Any) -> bool:
    """Whether JSON Schema (draft 4's boolean exclusives, or 2020-12's numbers)
    accepts ``value``."""
    boolean = isinstance(schema.get("exclusiveMinimum"), bool) or isinstance(
        schema.get("exclusiveMaximum"), bool
    )
    checker = jsonschema.Draft4Validator if boolean else jsonschema.Draft202012Validator
    return checker(schema).is_valid(value)


def number_schema(
    low: int | None, high: int | None, exclusive: str, *, integer: bool
) -> dict[str, Any]:
    """A number's schema with the bounds given: inclusive, or exclusive in 3.0's
    boolean form or 3.1's number form (``exclusive``: "", "3.0" or "3.1")."""
    schema: dict[str, Any] = {"type": "integer" if integer else "number"}
    if exclusive == "3.1":
        schema |= {"exclusiveMinimum": low} if low is not None else {}
        schema |= {"exclusiveMaximum": high} if high is not None else {}
    else:
        schema |= {"minimum": low} if low is not None else {}
        schema |= {"maximum": high} if high is not None else {}
        if exclusive == "3.0":
            schema |= {"exclusiveMinimum": True, "exclusiveMaximum": True}
    return schema


def string_schema(pattern: str, low: int, high: int | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "pattern": pattern, "minLength": low}
    if high is not None:
        schema["maxLength"] = high
    return schema


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
@settings(max_examples=25, deadline=None)
@given(low=st.integers(0, 9), extra=st.one_of(st.none(), st.integers(0, 9)))
def test_strings_match_the_pattern_within_the_lengths(
    pattern: str, low: int, extra: int | None
) -> None:
    high = None if extra is None else low + extra
    schema = string_schema(pattern, low, high)
    possible = any(
        map(PATTERNS[pattern], range(low, (20 if high is None else high) + 1))
    )
    values = column_samples(schema, "string")
    if values is None:  # none found (the lengths exclude every match, here)
        assert not possible, schema
        return
    assert possible
    assert list(values) == sorted(set(values))
    assert all(_valid(schema, v) for v in values), values
    assert not any("," in v for v in values)  # a list filter's separator


@settings(max_examples=300, deadline=None)
@given(
    low=st.one_of(st.none(), st.integers(-40, 40)),
    high=st.one_of(st.none(), st.integers(-40, 40)),
    exclusive=st.sampled_from(["no", "3.0", "3.1"]),
    step=st.sampled_from([None, 1, 2, 3, 7, 0.5, 1.5, 0.25]),
    integer=st.booleans(),
)
def test_numbers_keep_bounds_and_multiples(
    low: int | None, high: int | None, exclusive: str, step: Any, integer: bool
) -> None:
    schema = number_schema(low, high, exclusive, integer=integer)
    if step is not None:
        schema["multipleOf"] = step
    try:
        values = column_samples(schema, "integer" if integer else "float")
    except NoSample:
        # Bounded on both sides: no multiple of the step lies inside.
        assert low is not None and high is not None
        unit = Fraction(str(step or (1 if integer else Fraction(1, 10**6))))
        inside = [
            k * unit
            for k in range(-2000, 2001)
            if _valid(schema, float(k * unit)) and (not integer or k * unit % 1 == 0)
        ]
        assert not inside, schema
        return
    if values is None:  # nothing to keep: the type's samples serve
        assert low is None and high is None and step is None
        return
    assert list(values) == sorted(set(values))
    assert all(_valid(schema, v) for v in values), (schema, values)
    assert all(isinstance(v, int) for v in values) or not integer


def test_a_number_enum_within_bounds() -> None:
    schema = {"type": "integer", "enum": [30, 1, 20, 99], "maximum": 50}
    assert column_samples(schema, "integer") == (1, 20, 30)
    with pytest.raises(NoSample, match="no integer found within maximum 0, enum"):
        column_samples({**schema, "maximum": 0}, "integer")


def test_formats_and_lengths() -> None:
    email = column_samples({"type": "string", "format": "email"}, "text")
    assert email is not None and len(email) == 8
    assert all(re.fullmatch(r"user\d@example\.com", v) for v in email)
    assert column_samples({"type": "string", "format": "uri"}, "text")[0] == (  # type: ignore[index]
        "https://example.com/1"
    )
    assert column_samples({"type": "string", "minLength": 3}, "text")[0] == "aaa"  # type: ignore[index]
    assert column_samples({"type": "string", "maxLength": 3}, "string") is None
    assert column_samples({"type": "string", "format": "date"}, "date") is None
    enum = {"type": "string", "enum": ["a", "bb", "ccc"], "minLength": 2}
    assert column_samples(enum, "enum") == ("bb", "ccc")
    with pytest.raises(NoSample, match="minLength 4 is above maxLength 3"):
        column_samples({"type": "string", "minLength": 4, "maxLength": 3}, "string")
    # A pattern Python cannot read or no search satisfies refuses no document: the
    # column keeps the type's samples (ECMA's [^], any character, which neither
    # of the app's engines reads; its models then check no pattern).
    assert column_samples({"type": "string", "pattern": "(["}, "string") is None
    assert column_samples({"type": "string", "pattern": r"^[^]$"}, "string") is None
    lookbehind = {"type": "string", "pattern": r"^(?<!x)y{3}$", "maxLength": 2}
    assert column_samples(lookbehind, "string") is None


@pytest.mark.parametrize(
    ("fmt", "kind"),
    [
        ("uri", AnyUrl),
        ("ipv4", IPvAnyAddress),
        ("ipv6", IPvAnyAddress),
        ("time", dt.time),
        ("duration", dt.timedelta),
        ("byte", Base64Str),
    ],
)
def test_a_format_sample_is_answered_as_it_was_sent(fmt: str, kind: Any) -> None:
    """The models read these formats into objects and the columns store their JSON
    form: each sample is already that form, so a test row reads back unchanged."""
    samples = column_samples({"type": "string", "format": fmt}, "text")
    assert samples is not None and len(samples) == 8
    adapter: TypeAdapter[Any] = TypeAdapter(kind)
    for sample in samples:
        read = adapter.validate_python(sample)
        assert adapter.dump_python(read, mode="json") == sample


def test_one_pattern_gives_the_same_strings() -> None:
    assert matching_strings("^[a-z]{3}$") == matching_strings("^[a-z]{3}$")
    assert matching_strings("^x$") == ["x"]
    assert matching_strings("^$", low=1) == []


def _field(samples: tuple[Any, ...]) -> FieldModel:
    return FieldModel(
        "code", "string", "str", True, 12, False, True, False, None, None, None, (),
        limits=(("pattern", "^[A-Z]+$"),), samples=samples,
    )  # fmt: skip


def test_the_test_rows_take_the_samples_in_turn() -> None:
    expr = sample_expr(_field(("A", "B", "C", "D", "E", "F", "G", "H")))
    assert expr == '("A", "B", "C", "D", "E", "F", "G", "H")[n % 8]'
    rows = [eval(expr, {"dt": dt}, {"n": n}) for n in range(1, 6)]
    assert rows == sorted(set(rows))  # distinct, and ascending as n
    assert sample_expr(_field(("A",))) == '("A",)[0]'


DOCUMENT = """\
openapi: 3.0.3
info: {title: Fixture, version: 1.0.0}
paths:
  /codes:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Code'}}}
components:
  schemas:
    Code:
      x-fastgen-resource: {path: /codes, list: {filter: [code]}}
      type: object
      required: [code]
      properties:
        id: {type: integer}
        code: CODE
"""


def test_a_column_no_value_satisfies_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(DOCUMENT.replace("CODE", "{type: integer, minimum: 5, maximum: 4}"))
    with pytest.raises(SpecError) as caught:
        read_input(path)
    assert [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems] == [
        "openapi.yaml:14:7: #/components/schemas/Code: property 'code' takes"
        + " no value: no integer found within minimum 5, maximum 4"
    ]


def test_a_pattern_column_samples_through_the_compile(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    schema = "{type: string, pattern: '^[A-Z]+$', maxLength: 4}"
    path.write_text(DOCUMENT.replace("CODE", schema))
    _, model = read_input(path)
    (code,) = model.resource("code").fields
    assert code.samples and all(re.fullmatch("[A-Z]{1,4}", v) for v in code.samples)
    path.write_text(DOCUMENT.replace("CODE", "{type: string, pattern: '^\\p{Lu}+$'}"))
    _, model = read_input(path)
    (code,) = model.resource("code").fields
    assert code.samples and all(re.fullmatch("[A-Z]+", v) for v in code.samples)


@pytest.mark.parametrize("pattern", [r"^[^]{2}$", r"^(?<!x)y{3}$"])
def test_a_pattern_no_search_satisfies_refuses_no_document(
    tmp_path: Path, pattern: str
) -> None:
    # ECMA's [^] is no regex of either of the app's engines, and no string of two
    # characters matches the other: neither proves the document wrong, so it
    # compiles as before.
    path = tmp_path / "openapi.yaml"
    schema = f"{{type: string, pattern: '{pattern}', maxLength: 2}}"
    path.write_text(DOCUMENT.replace("CODE", schema))
    _, model = read_input(path)
    (code,) = model.resource("code").fields
    assert code.samples is None


# Patterns in ECMA-262's dialect (JSON Schema's) that Python's re cannot read, most
# as real documents write them (AWS CloudFormation's names, NRK's titles, forms),
# and the lengths of the strings each matches.
ECMA_PATTERNS: dict[str, Callable[[int], bool]] = {
    r"^\p{L}+$": lambda n: n >= 1,
    r"\p{Lu}": lambda n: n >= 1,
    r"[\p{L}\p{N}_-]+": lambda n: n >= 1,
    r"^[\p{L}\p{Z}\p{N}_.\-]*$": lambda n: n >= 0,
    r"^[\p{L}\p{M}\p{N}\s+=._:@\/-]+$": lambda n: n >= 1,
    r"^[\p{L}0-9\.,-:!]{5,100}$": lambda n: 5 <= n <= 100,
    r"^[\p{L}\p{M} '’\-]+$": lambda n: n >= 1,
    r"^\p{Lu}\p{Ll}*$": lambda n: n >= 1,
    r"^(?<year>\d{4})-\u00e9$": lambda n: n == 6,
    r"^\p{Script=Greek}{2,}$": lambda n: n >= 2,
    r"^\P{L}{3}$": lambda n: n == 3,
    r"^x\u{e9}\pN$": lambda n: n == 3,
    r"^[[:upper:]][[:digit:]]+$": lambda n: n >= 2,  # Rust's POSIX classes
}


def _app_accepts(pattern: str, value: str) -> bool:
    """Whether the generated app's models accept ``value`` (pydantic: Rust's regex,
    or Python's re for a pattern Rust refuses, as datamodel-code-generator sets)."""
    kind = Annotated[str, StringConstraints(pattern=pattern)]
    try:
        adapter: TypeAdapter[str] = TypeAdapter(kind)
    except SchemaError:
        adapter = TypeAdapter(kind, config={"regex_engine": "python-re"})
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("pattern", sorted(ECMA_PATTERNS))
@settings(max_examples=15, deadline=None)
@given(low=st.integers(0, 9), extra=st.one_of(st.none(), st.integers(0, 9)))
def test_an_ecma_pattern_gets_strings_the_app_accepts(
    pattern: str, low: int, extra: int | None
) -> None:
    high = None if extra is None else low + extra
    schema = string_schema(pattern, low, high)
    fits = ECMA_PATTERNS[pattern]
    if not any(map(fits, range(low, (20 if high is None else high) + 1))):
        return  # no length allowed: nothing to find
    values = column_samples(schema, "string")
    assert values is not None, schema
    assert list(values) == sorted(set(values))
    assert all(low <= len(v) <= (high or len(v)) for v in values), values
    assert all(_app_accepts(pattern, v) for v in values), values
    assert not any("," in v for v in values)  # a list filter's separator


def test_a_sample_is_one_the_app_accepts_whatever_python_reads() -> None:
    """Python's re reads these patterns otherwise than pydantic's Rust engine (a
    class intersection; "&", "[" and "]" to re): the search runs on re's reading,
    the app's engine has the last word, and where it takes none of the strings
    found, the column keeps the type's samples."""
    for pattern in (r"^[a-z&&[^aeiou]]{3}$", r"^[a-z--[aeiou]]\w$"):
        values = column_samples({"type": "string", "pattern": pattern}, "string")
        assert values is None or all(_app_accepts(pattern, v) for v in values), values
    posix = r"^[[:alpha:]]+x$"
    values = column_samples({"type": "string", "pattern": posix}, "string")
    assert values and all(_app_accepts(posix, v) for v in values), values


# Pieces of patterns, whole and broken, for the rewriting to meet in any order.
PIECES = [
    *(r"\p{L}", r"\pL", r"\P{", r"\p{", r"\p{=}", r"\p{gc=Lu}", r"\k<a>"),
    *(r"\u{", r"\u00e9", r"\x{41}", r"\z", r"\d", "\\", "(?<", "(?<a>", "("),
    *("[:alpha:]", "[:^x:]", "&&", "[", "]", "^", "$", ")", "{", "}", "{2,3}"),
    *("a", "é", "-", "*", "+", "?", "|", "."),
]


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    low=st.integers(0, 4),
)
def test_any_pattern_gets_accepted_samples_or_none(pattern: str, low: int) -> None:
    """A pattern the rewriting cannot read, whole or broken, refuses no document
    and makes up no sample: each one found is one the app accepts."""
    schema = {"type": "string", "pattern": pattern, "minLength": low}
    values = column_samples(schema, "string")
    assert values is None or all(_app_accepts(pattern, v) for v in values), values


def test_a_pattern_the_app_cannot_compile_keeps_the_type_samples() -> None:
    # ECMA's [^] (any character) and \k<name>: neither pydantic engine compiles
    # them, so the app's models drop or refuse them; no sample is made up.
    for pattern in (r"^[^]$", r"^(?<a>x)\k<a>$", r"^\p{No_Such_Property}$"):
        assert column_samples({"type": "string", "pattern": pattern}, "string") is None


def test_a_key_of_few_values_bounds_the_rows_a_test_stores(tmp_path: Path) -> None:
    """A key's test values repeat after as many rows as it has values: make_<table>
    skips past them rather than store a key twice (a unique violation)."""
    path = tmp_path / "openapi.yaml"
    keyed = DOCUMENT.replace("{path: /codes,", "{path: /codes, id: code,")
    path.write_text(keyed.replace("CODE", "{type: string, pattern: '^[a-c]$'}"))
    _, model = read_input(path)
    codes = model.resource("code")
    assert codes.pk.samples == ("a", "b", "c")
    assert key_values(codes, model) == 3
    path.write_text(keyed.replace("CODE", "{type: string, enum: [x, y]}"))
    _, model = read_input(path)
    assert key_values(model.resource("code"), model) == 2
    path.write_text(DOCUMENT.replace("CODE", "{type: string, pattern: '^[a-c]$'}"))
    _, model = read_input(path)  # the integer id: the database numbers it
    assert key_values(model.resource("code"), model) is None
