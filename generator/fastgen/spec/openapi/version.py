"""Which OpenAPI version a document is written in, and whether fastgen reads it."""

from __future__ import annotations

import re
from typing import Any

from fastgen.spec.openapi.sourcemap import SourceMap
from fastgen.spec.problems import SpecError

SUPPORTED_RE = re.compile(r"^3\.[01]\.[0-9]+(-[0-9A-Za-z.-]+)?$")
SWAGGER_HINT = (
    "convert it to OpenAPI 3 first, e.g. with `npx swagger2openapi {file} -o "
    "openapi.yaml`, or open it in https://editor.swagger.io and choose Edit > Convert "
    "to OpenAPI 3"
)


def openapi_version(document: Any, source_map: SourceMap) -> str:
    """The document's ``openapi`` version (3.0.x or 3.1.x); ``SpecError`` otherwise."""
    if not isinstance(document, dict):
        raise SpecError(
            [source_map.problem((), "an OpenAPI document must be a mapping of keys")]
        )
    if "swagger" in document:
        hint = SWAGGER_HINT.format(file=source_map.root.file)
        message = f"Swagger {document['swagger']} documents are not supported; {hint}"
        raise SpecError([source_map.problem(("swagger",), message, key=True)])
    version = document.get("openapi")
    if version is None:
        native = " (a native fastgen spec starts with 'fastgen: 1')"
        message = "missing 'openapi'; expected openapi: 3.0.x or 3.1.x" + (
            native if "fastgen" in document else ""
        )
        raise SpecError([source_map.problem((), message)])
    if not isinstance(version, str):
        message = (
            f'openapi: {version!r} must be a string such as "3.0.3"; quote it, '
            "YAML reads an unquoted 3.0 as a number"
        )
        raise SpecError([source_map.problem(("openapi",), message)])
    if not SUPPORTED_RE.match(version):
        message = (
            f"openapi: {version!r} is not supported; fastgen reads OpenAPI 3.0.x and "
            "3.1.x"
        )
        raise SpecError([source_map.problem(("openapi",), message)])
    return version


def is_31(version: str) -> bool:
    return version.startswith("3.1.")
