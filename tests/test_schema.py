"""The published JSON Schema matches the pydantic spec model."""

import json

import jsonschema
import yaml

from fastgen.spec.native.schema import spec_json_schema

from .conftest import EXAMPLE, REPO


def test_checked_in_schema_is_up_to_date() -> None:
    checked_in = json.loads((REPO / "schemas" / "fastgen.schema.json").read_text())
    assert checked_in == spec_json_schema(), (
        "schemas/fastgen.schema.json is stale: run `fastgen schema > "
        "schemas/fastgen.schema.json`"
    )


def test_template_ships_the_current_schema() -> None:
    """Generated projects get it as .fastgen/fastgen.schema.json (fastgen.yaml's
    modeline points there). It is a plain file of the template, not rendered from the
    running fastgen, so an update's old side keeps the old schema and the change shows."""
    (shipped,) = (REPO / "templates").glob("*/fastgen.schema.json")
    assert shipped.read_text() == json.dumps(spec_json_schema(), indent=2) + "\n", (
        f"{shipped.relative_to(REPO)} is stale: run `fastgen schema > "
        f"'{shipped.relative_to(REPO)}'`"
    )


def test_example_validates_against_the_schema() -> None:
    spec = yaml.safe_load(EXAMPLE.read_text())
    jsonschema.validate(spec, spec_json_schema())


def test_schema_rejects_unknown_keys() -> None:
    spec = yaml.safe_load(EXAMPLE.read_text())
    spec["service"]["titel"] = "typo"
    errors = list(jsonschema.Draft202012Validator(spec_json_schema()).iter_errors(spec))
    assert any("titel" in error.message for error in errors)
