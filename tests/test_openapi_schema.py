"""The published JSON Schema of the x-fastgen annotations matches their pydantic models."""

import json

import jsonschema
import pytest

from fastgen.spec.openapi import annotations_json_schema

from .conftest import REPO

SCHEMA = REPO / "schemas" / "x-fastgen.schema.json"


def test_checked_in_schema_is_up_to_date() -> None:
    assert json.loads(SCHEMA.read_text()) == annotations_json_schema(), (
        "schemas/x-fastgen.schema.json is stale: run `python -m fastgen.spec.openapi "
        "schema > schemas/x-fastgen.schema.json`"
    )


def _validator(definition: str) -> jsonschema.Draft202012Validator:
    schema = annotations_json_schema()
    return jsonschema.Draft202012Validator({**schema, "$ref": f"#/$defs/{definition}"})


def test_annotations_validate_against_the_schema() -> None:
    schema = annotations_json_schema()
    jsonschema.validate(
        {"x-fastgen": {"service": {"name": "shop"}, "cache": {"backend": "tiered"}}},
        schema,
    )
    _validator("CacheAnnotation").validate(
        {"ttl": 60, "invalidated_by": ["createPet"], "scope": "private"}
    )
    _validator("ResourceAnnotation").validate({"path": "/pets", "id": "id"})


@pytest.mark.parametrize(
    ("definition", "value", "word"),
    [
        ("FastgenAnnotation", {"servce": {"name": "shop"}}, "servce"),
        ("CacheAnnotation", {"tll": 5}, "tll"),
        ("ResourceAnnotation", {"path": "/pets", "table": "pets", "idd": "x"}, "idd"),
    ],
)
def test_schema_rejects_unknown_keys(definition: str, value: object, word: str) -> None:
    errors = list(_validator(definition).iter_errors(value))
    assert any(word in error.message for error in errors)
