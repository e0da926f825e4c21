"""The typed description: operations and their parts, exactly as the compile step sees them."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from fastgen.spec.openapi import (
    ApiDescription,
    InlineSchema,
    MediaType,
    SchemaRef,
    SecurityRequirement,
    describe_api,
    load_openapi,
    read_openapi,
)

from .conftest import REPO

FIXTURES = REPO / "tests" / "specs" / "openapi"


def fixture(name: str) -> ApiDescription:
    return read_openapi(FIXTURES / name)


def test_operation_names_and_routes() -> None:
    api = fixture("names.yaml")
    find, delete = api.operations
    assert (find.name, find.operation_id, find.method) == (
        "find_pet_by_id",
        "find pet by id",
        "GET",
    )
    assert (delete.name, delete.operation_id) == ("delete_pets_pet_id", None)
    assert find.path == "/pets/{pet-id}"
    assert find.route == delete.route == "/pets/{pet_id}"
    assert [(p.name, p.python_name, p.location) for p in find.parameters] == [
        ("pet-id", "pet_id", "path"),
        ("page-size", "page_size", "query"),
    ]


def test_parameters() -> None:
    (op,) = fixture("parameters.yaml").operations
    rows = [(p.name, p.location, p.required, p.style, p.explode) for p in op.parameters]
    assert rows == [
        ("itemId", "path", True, "simple", False),
        ("fields", "query", False, "form", True),
        ("X-Request-Id", "header", False, "simple", False),
        ("session", "cookie", False, "form", True),
    ]
    # Described as written; the compile rejects it (see the support matrix).
    (unexploded,) = fixture("reject/explode-false.yaml").operations[0].parameters
    assert (unexploded.style, unexploded.explode) == ("form", False)
    assert op.parameters[0].source.pointer == "#/paths/~1items~1{itemId}/parameters/0"
    assert op.parameters[1].schema == InlineSchema(
        {"type": "array", "items": {"type": "string"}}, op.parameters[1].schema.source
    )


def test_request_bodies() -> None:
    api = fixture("bodies.yaml")
    kinds = {
        op.path: [(m.content_type, m.kind) for m in op.request_body.content]
        for op in api.operations
        if op.request_body is not None
    }
    assert kinds == {
        "/json": [("application/json", "json"), ("application/vnd.api+json", "json")],
        "/form": [("application/x-www-form-urlencoded", "form")],
        "/upload": [("multipart/form-data", "multipart")],
        "/text": [("text/plain", "text")],
        "/bytes": [("application/octet-stream", "binary")],
    }
    assert api.operations[0].request_body.required is True
    assert api.operations[4].request_body.content[0].schema is None


def test_responses() -> None:
    (op,) = fixture("responses.yaml").operations
    assert [r.status for r in op.responses] == ["200", "4XX", "default"]
    ok = op.responses[0]
    assert ok.content[0] == MediaType("application/json", "json", SchemaRef("Report"))
    assert ok.content[1].kind == "binary"
    assert [(h.name, h.required) for h in ok.headers] == [
        ("X-Rate-Limit-Remaining", False)
    ]
    assert op.responses[2].content == ()


def test_security() -> None:
    api = fixture("security.yaml")
    schemes = {
        s.name: (s.kind, s.parameter_name, s.location) for s in api.security_schemes
    }
    assert schemes == {
        "bearer": ("http_bearer", None, None),
        "basic": ("http_basic", None, None),
        "headerKey": ("api_key", "X-API-Key", "header"),
        "queryKey": ("api_key", "api_key", "query"),
        "cookieKey": ("api_key", "session", "cookie"),
        "oauth": ("oauth2", None, None),
        "oidc": ("openid_connect", None, None),
    }
    me, public, admin = api.operations
    assert me.security == (SecurityRequirement((("bearer", ()),)),)
    assert public.security == ()
    assert admin.security[1] == SecurityRequirement(
        (("headerKey", ()), ("queryKey", ()))
    )
    assert admin.security[3] == SecurityRequirement((("oauth", ("admin",)),))


def test_annotations_and_settings() -> None:
    api = fixture("annotated.yaml")
    assert api.settings.cache.backend == "tiered"
    assert api.settings.database.pool_size == 10
    listing = api.operation("list_pets")
    assert listing.cache is not None
    assert listing.cache.invalidated_by == ["createPet", "deletePet"]
    assert api.operation("get_pet").cache.strategy == "stale-while-revalidate"
    (pet,) = api.resources
    assert pet.annotation.table == "pets"
    assert dict(pet.operations) == {
        "list": "list_pets",
        "get": "get_pet",
        "create": "create_pet",
        "delete": "delete_pet",
    }
    assert pet.source.pointer == "#/components/schemas/Pet"
    assert list(api.schemas) == ["NewPet", "Pet"]


def test_route_order_puts_literals_before_parameters() -> None:
    api = fixture("route-order.yaml")
    assert [op.name for op in api.operations] == ["get_pet", "get_my_pets"]
    assert api.route_order == ("get_my_pets", "get_pet")


def test_route_order_puts_the_constrained_route_first() -> None:
    api = fixture("warn/same-shape-pattern.yaml")
    assert api.route_order == (
        "get_folders_folder_id",
        "get_folders_folder_path",
    )


def test_multi_file_document() -> None:
    api = fixture("multifile/openapi.yaml")
    assert list(api.schemas) == ["Error", "Pet", "Cat", "Dog"]
    (op,) = api.operations
    assert [r.content[0].schema for r in op.responses] == [
        InlineSchema(
            {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
            op.responses[0].content[0].schema.source,
        ),
        SchemaRef("Error"),
    ]
    assert op.source.file == str(FIXTURES / "multifile" / "paths" / "pets.yaml")


def test_corrections_leave_the_bundled_document_alone() -> None:
    document, source_map = load_openapi(FIXTURES / "warn" / "default-type.yaml")
    before = copy.deepcopy(document)
    api = describe_api(document, source_map)
    assert document == before
    (param,) = api.operations[0].parameters
    assert param.schema.schema == {"type": "boolean", "default": False}


@pytest.mark.parametrize(
    ("servers", "base_path"),
    [
        ("[{url: 'https://api.example.com/v1/'}]", "/v1"),
        (
            "[{url: '{scheme}://x.io/ds-api', variables: {scheme: {default: https}}}]",
            "/ds-api",
        ),
        ("[{url: /api}]", "/api"),
        ("[{url: 'https://x.io/{version}'}]", ""),
        ("[]", ""),
    ],
)
def test_base_path(tmp_path: Path, servers: str, base_path: str) -> None:
    path = tmp_path / "api.yaml"
    text = (FIXTURES / "openapi-30.yaml").read_text()
    path.write_text(text + f"servers: {servers}\n")
    assert read_openapi(path).base_path == base_path
