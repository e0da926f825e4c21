"""The published JSON Schema of the spec, generated from the pydantic model."""

from __future__ import annotations

from typing import Any

from fastgen.spec.native.model import FastgenSpec


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``fastgen.yaml`` (checked in at schemas/fastgen.schema.json)."""
    schema = FastgenSpec.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
