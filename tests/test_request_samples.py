"""The sample requests of the generated tests (``compile/samples.py``) take values
their parameters' and bodies' schemas accept: a number within exclusive bounds,
OpenAPI 3.0's boolean form and 3.1's numbers, is one too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from fastgen.spec.inputs import read_input
from fastgen.spec.openapi.compile.samples import NO_SAMPLE, sample

from .test_column_samples import number_schema


def _valid(schema: dict[str, Any], value: Any) -> bool:
    boolean = any(
        isinstance(schema.get(key), bool)
        for key in ("exclusiveMinimum", "exclusiveMaximum")
    )
    checker = jsonschema.Draft4Validator if boolean else jsonschema.Draft202012Validator
    return checker(schema).is_valid(value)


def test_exclusive_bounds_have_a_sample() -> None:
    """``exclusiveMinimum: 0`` (a count, a price) made every request of its
    operation unsampled, so its generated tests were left out; and 3.1's
    ``exclusiveMaximum: 1`` was sampled as 1, which its route refuses."""
    for schema in (
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
        {"type": "integer", "exclusiveMinimum": 0},
        {"type": "number", "exclusiveMinimum": 0.5, "maximum": 2},
        {"type": "integer", "exclusiveMaximum": 1},
        {"type": "number", "maximum": 0, "exclusiveMaximum": True},
    ):
        value = sample(schema, {})
        assert value is not NO_SAMPLE and _valid(schema, value), (schema, value)


@settings(max_examples=300, deadline=None)
@given(
    low=st.one_of(st.none(), st.integers(-20, 20)),
    high=st.one_of(st.none(), st.integers(-20, 20)),
    exclusive=st.sampled_from(["no", "3.0", "3.1"]),
    integer=st.booleans(),
)
def test_a_number_sample_keeps_its_bounds(
    low: int | None, high: int | None, exclusive: str, integer: bool
) -> None:
    schema = number_schema(low, high, exclusive, integer=integer)
    value = sample(schema, {})
    if value is NO_SAMPLE:  # only where no value lies within the bounds
        assert low is not None and high is not None
        assert low > high or exclusive != "no" and high - low <= int(integer)
        return
    assert _valid(schema, value), (schema, value)
    assert isinstance(value, int) if integer else isinstance(value, float)


def test_an_operation_with_exclusive_bounds_gets_its_sample(tmp_path: Path) -> None:
    """Its generated test sends the sample (it had none: the test was left out)."""
    path = tmp_path / "openapi.yaml"
    path.write_text(DOCUMENT)
    _, model = read_input(path)
    (op,) = model.api_operations
    assert op.sample == ("/items/1", {"limit": 0.5}, {"price": 1.0, "count": 3})


DOCUMENT = """\
openapi: 3.1.0
info: {title: Fixture, version: 1.0.0}
paths:
  /items/{id}:
    post:
      operationId: priceItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, exclusiveMinimum: 0}}
        - {name: limit, in: query, required: true, schema: {type: number, exclusiveMinimum: 0, maximum: 1, multipleOf: 0.5}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [price, count]
              properties:
                price: {type: number, exclusiveMinimum: 0}
                count: {type: integer, exclusiveMinimum: 2, exclusiveMaximum: 9}
      responses:
        '204': {description: done}
"""
