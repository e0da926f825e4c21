"""Compile an ``ApiDescription`` into the one ``ServiceModel`` the templates render.

The OpenAPI document decides the HTTP surface: every operation becomes a route with its
own parameters, body, status codes and response models (datamodel-code-generator writes
the models, see ``models.py``), grouped into one router per tag. What runs behind a
route is either the generated repository (operations of an ``x-fastgen-resource``) or a
typed stub in ``hooks/operations/`` that the user owns. Cache policies, invalidation and
settings reuse the native spec's compile, so the cache layer cannot tell them apart.

The parts: ``context`` (what one compile shares), ``types`` (schemas as annotations),
``tables`` and ``listing`` (tables, and how a list applies its parameters),
``table_lists`` (a table's ``list``: the native list's query, checked and compiled),
``params`` and ``bodies`` (route arguments and responses), ``security``,
``caching``, ``samples`` (requests for the generated tests), ``operations``,
``routers`` and ``service`` (the whole).
"""

from __future__ import annotations

from fastgen.spec.compiled import Compiled
from fastgen.spec.openapi.compile.service import service_model
from fastgen.spec.openapi.description import ApiDescription, InlineSchema
from fastgen.spec.openapi.models import marks_read_write

__all__ = ["compile_api"]


def compile_api(
    api: ApiDescription, stored_json: frozenset[tuple[str, str]] = frozenset()
) -> Compiled:
    """The service model of a checked OpenAPI description and the module of pydantic
    models written for its schemas; ``SpecError`` if it can't be compiled.

    Which schemas datamodel-code-generator splits into request and response models
    (for a document that marks properties readOnly or writeOnly) is known once it
    has run; the first compile guesses them from the schema graph (``ModelSet``).
    When the guess missed, the compile runs again knowing them. ``stored_json``: the
    (table, column) pairs a project's migrations made JSON columns (``Context``).
    """
    read_write = _marks_read_write(api)
    compiled, models = service_model(api, read_write, None, stored_json)
    if not read_write or models.guess_held:
        return compiled
    return service_model(api, read_write, models.split_ids, stored_json)[0]


def _marks_read_write(api: ApiDescription) -> bool:
    """Whether a schema the models come from marks properties readOnly/writeOnly."""
    operations = [*api.operations, *api.webhooks]
    operations += [c.operation for op in operations for c in op.callbacks]
    inline = [
        media.schema.schema
        for op in operations
        for part in (op.request_body, *op.responses)
        if part is not None
        for media in part.content
        if isinstance(media.schema, InlineSchema)
    ]
    inline += [
        p.schema.schema
        for op in operations
        for p in op.parameters
        if isinstance(p.schema, InlineSchema)
    ]
    return marks_read_write(dict(api.schemas)) or marks_read_write(inline)
