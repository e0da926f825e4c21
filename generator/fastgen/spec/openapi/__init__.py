"""OpenAPI 3.0/3.1 input: bundle a document, check it, describe it for compilation.

``read_openapi(path)`` is the whole input side; ``load_openapi`` and ``describe_api``
are its two halves. ``docs/openapi.md`` lists what is supported, warned about, rejected.
"""

from fastgen.spec.openapi.annotations import (
    CacheAnnotation,
    FastgenAnnotation,
    ResourceAnnotation,
    annotations_json_schema,
)
from fastgen.spec.openapi.bundle import load_openapi
from fastgen.spec.openapi.describe import describe_api, read_openapi
from fastgen.spec.openapi.description import (
    ApiDescription,
    Header,
    Info,
    InlineSchema,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Resource,
    Response,
    Schema,
    SchemaRef,
    SecurityRequirement,
    SecurityScheme,
    Tag,
)
from fastgen.spec.openapi.sourcemap import Source, SourceMap

__all__ = [
    "ApiDescription",
    "CacheAnnotation",
    "FastgenAnnotation",
    "Header",
    "Info",
    "InlineSchema",
    "MediaType",
    "Operation",
    "Parameter",
    "RequestBody",
    "Resource",
    "ResourceAnnotation",
    "Response",
    "Schema",
    "SchemaRef",
    "SecurityRequirement",
    "SecurityScheme",
    "Source",
    "SourceMap",
    "Tag",
    "annotations_json_schema",
    "describe_api",
    "load_openapi",
    "read_openapi",
]
