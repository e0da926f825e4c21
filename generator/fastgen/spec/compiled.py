"""What a front end hands on: the service model, and the code that is not data."""

from __future__ import annotations

from dataclasses import dataclass

from fastgen.model.service import ServiceModel


@dataclass(frozen=True)
class Compiled:
    """A compiled input: its service model and, for an OpenAPI document, the module of
    pydantic models written for its schemas (``api_models.py`` before render formats
    it). The module is Python source, so it travels beside the model, not in it."""

    model: ServiceModel
    # datamodel-code-generator's module (or model_writer's byte-identical one); the
    # OpenAPI compiler read it to learn the classes it defined. None for a native spec.
    models_source: str | None = None
