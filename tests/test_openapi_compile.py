"""The compile of an OpenAPI description into the service model, and the CLI on it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fastgen.cli import app
from fastgen.model.files import is_openapi, spec_file_name
from fastgen.model.service import ApiType
from fastgen.render.api_code import (
    api_body_annotation,
    api_decorator,
    api_models_module,
    api_param_annotation,
    api_reads_json,
    api_request,
    api_type,
    media_json_as,
    media_requests,
    media_responses,
    undeclared_errors,
)
from fastgen.spec.inputs import read_input, read_input_file
from fastgen.spec.problems import SpecError

SPECS = Path(__file__).parent / "specs" / "openapi"
PETSTORE = SPECS / "compile" / "petstore-table.yaml"
CORPUS = Path(__file__).parent / "corpus"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_petstore_compiles_to_a_table_and_cached_routes() -> None:
    read = read_input_file(PETSTORE)
    data, model = read.answer, read.model
    assert is_openapi(data) and spec_file_name(data) == "openapi.yaml"
    assert model.package == "swagger_petstore"
    assert model.version == "1.0.0"
    (pet,) = model.resources
    assert (pet.pk.name, pet.pk.type) == ("id", "integer")
    assert [(f.name, f.required) for f in pet.fields] == [
        ("name", True),
        ("tag", False),
    ]
    assert model.api is not None
    ops = {op.name: op for op in model.api.operations}
    assert {name: op.crud for name, op in ops.items()} == {
        "find_pets": "list",
        "add_pet": "create",
        "my_pets": None,  # a stub: no table serves it
        "find_pet_by_id": "get",
        "delete_pet": "delete",
    }
    assert "dependencies=[Depends(require_bearer)]" in api_decorator(ops["my_pets"])
    assert api_type(ops["find_pets"].returns) == "list[api_models.Pet]"
    assert ops["delete_pet"].status == 204
    assert [(p.name, p.scope) for p in model.policies] == [
        ("find_pets", "public"),
        ("my_pets", "private"),
        ("find_pet_by_id", "public"),
    ]
    assert model.invalidations == {
        "add_pet": (("find_pets", False),),
        "delete_pet": (("find_pet_by_id", True), ("find_pets", False)),
    }
    source = read.models_source  # beside the model, not in it
    assert source is not None
    assert "class Pet(NewPet):" in source and "datamodel-codegen" not in source


STUBS = """\
openapi: 3.1.0
info: {title: Shop, version: "2024-01"}
x-fastgen: {cache: {ttl: 30}}
paths:
  /orders/{order-id}:
    get:
      operationId: getOrder
      tags: [orders]
      security: [{key: []}]
      x-fastgen-cache: {scope: private, invalidated_by: [cancelOrder]}
      parameters:
        - {name: order-id, in: path, required: true,
           schema: {type: integer, minimum: 1}}
        - {name: X-Trace, in: header, schema: {type: string, maxLength: 8}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  state: {type: [string, "null"], enum: [open, done, null]}
        "404": {description: missing}
    delete:
      operationId: cancelOrder
      tags: [orders]
      parameters:
        - {name: order-id, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: cancelled}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"""


def test_stubs_security_and_invalidated_by(tmp_path: Path) -> None:
    read = read_input_file(write(tmp_path, STUBS))
    model = read.model
    assert model.version == "0.1.0"  # "2024-01" is not PEP 440
    assert model.api is not None
    (router,) = model.api.routers
    assert router.name == "orders"
    get, cancel = router.operations
    assert get.crud is None and get.route == "/orders/{order_id}"
    assert api_param_annotation(get.params[0]) == "Annotated[int, Path(ge=1)]"
    assert api_param_annotation(get.params[1]) == (
        'Annotated[str | None, Header(alias="X-Trace", convert_underscores=False, '
        "max_length=8)]"
    )
    assert api_type(get.returns) == "api_models.GetOrderResponse"
    assert "dependencies=[Depends(require_key)]" in api_decorator(get)
    assert get.policy is not None and get.policy.scope == "private"
    assert get.policy.ttl == 30
    assert model.invalidations == {"cancel_order": (("get_order", False),)}
    assert cancel.invalidates and api_type(cancel.returns) == "None"
    source = read.models_source
    assert source is not None and "class GetOrderResponse(BaseModel):" in source
    (scheme,) = model.api.schemes
    assert (scheme.location, scheme.parameter) == ("header", "x-key")


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        (
            (
                "- {name: ids, in: query, explode: false, "
                "schema: {type: array, items: {type: integer}}}"
            ),
            "query parameter 'ids' is an array with explode: false",
        ),
        (
            "- {name: filter, in: query, schema: {type: object}}",
            "query parameter 'filter' is an object",
        ),
    ],
)
def test_unsupported_parameters_fail_located(
    tmp_path: Path, fragment: str, message: str
) -> None:
    text = f"""\
openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /things:
    get:
      parameters:
        {fragment}
      responses: {{"200": {{description: ok}}}}
"""
    with pytest.raises(SpecError) as error:
        read_input(write(tmp_path, text))
    (problem,) = error.value.problems
    assert (problem.line, problem.column) == (7, 11)
    assert problem.message.startswith("#/paths/~1things/get/parameters/0: ")
    assert message in problem.message


SECURED = """\
openapi: 3.0.3
info: {title: t, version: "1"}
security: [{key: []}]
paths:
  /mine:
    get:
      x-fastgen-cache: {ttl: 30}
      responses: {"200": {description: ok}}
  /optional:
    get:
      security: [{}, {key: []}]
      x-fastgen-cache: {ttl: 30}
      responses: {"200": {description: ok}}
  /open:
    get:
      security: []
      x-fastgen-cache: {ttl: 30}
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"""


def test_a_secured_read_is_cached_per_caller_unless_it_says_otherwise(
    tmp_path: Path,
) -> None:
    """The cache answers before the security check: a public entry of an operation
    that needs credentials would reach callers without them."""
    model = read_input_file(write(tmp_path, SECURED)).model
    scopes = {p.path: p.scope for p in model.policies}
    assert scopes == {"/mine": "private", "/optional": "private", "/open": "public"}
    # A private entry is only answered to a request meeting the route's own
    # security, keyed by that alternative's credentials (the anonymous one aside).
    security = {p.path: p.security for p in model.policies}
    assert security == {"/mine": (("key",),), "/optional": (("key",),), "/open": None}
    optional_public = SECURED.replace(
        "[{}, {key: []}]\n      x-fastgen-cache: {ttl: 30}",
        "[{}, {key: []}]\n      x-fastgen-cache: {ttl: 30, scope: public}",
    )
    model = read_input_file(write(tmp_path, optional_public)).model
    assert {p.path: p.scope for p in model.policies}["/optional"] == "public"
    required_public = SECURED.replace("{ttl: 30}", "{ttl: 30, scope: public}", 1)
    with pytest.raises(SpecError) as error:
        read_input(write(tmp_path, required_public))
    (problem,) = error.value.problems
    assert (problem.line, problem.column) == (7, 41)
    assert "x-fastgen-cache/scope" in problem.message
    assert "expected scope: private" in problem.message
    warmed = SECURED.replace("{ttl: 30}", "{ttl: 30, warm: true}", 1)
    with pytest.raises(SpecError) as error:
        read_input(write(tmp_path, warmed))
    (problem,) = error.value.problems
    assert "x-fastgen-cache/warm" in problem.message
    assert "an operation with security is cached per caller" in problem.message


def test_resource_list_must_answer_an_array_of_its_schema(tmp_path: Path) -> None:
    text = PETSTORE.read_text().replace(
        "                type: array\n                items:\n"
        "                  $ref: '#/components/schemas/Pet'",
        "                $ref: '#/components/schemas/Pet'",
    )
    with pytest.raises(SpecError, match="success response must be an array of"):
        read_input(write(tmp_path, text))


def test_cli_validates_and_generates_openapi(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(PETSTORE)])
    assert result.exit_code == 0, result.output
    bad = write(tmp_path, STUBS.replace("cancelOrder]", "cancelOrdr]"))
    result = runner.invoke(app, ["new", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "'cancelOrdr' is not an operationId" in result.output
    assert not (tmp_path / "out").exists()


def test_same_shape_routes_get_pattern_convertors() -> None:
    _, model = read_input(SPECS / "warn" / "same-shape-pattern.yaml")
    assert model.api is not None
    assert [op.route for op in model.api.operations] == [
        "/folders/{folderId:pattern_1}",
        "/folders/{folderPath:path}",
    ]
    assert [op.openapi_path for op in model.api.operations] == [
        "/folders/{folderId}",
        "/folders/{folderPath}",
    ]
    assert model.api.convertors == (("pattern_1", r"\d+"),)


def test_new_compiles_the_document_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validating the input and rendering it share one compile: for OpenAPI each one
    runs datamodel-code-generator, the largest cost of ``fastgen new``."""
    import fastgen.spec.openapi.compile as compile_module
    from fastgen.api import new_project

    compiled = []
    real = compile_module.compile_api

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compile_module, "compile_api", counting)
    project = new_project(PETSTORE, tmp_path / "petstore")
    assert len(compiled) == 1
    assert (project / "src" / "swagger_petstore" / "api_models.py").is_file()


LOCALS = """\
openapi: 3.0.3
info: {title: Locals, version: 1.0.0}
paths:
  /search:
    get:
      operationId: search
      parameters:
        - {name: session, in: cookie, schema: {type: string}}
        - {name: query, in: query, schema: {type: string}}
        - {name: cache, in: header, schema: {type: string}}
      responses:
        "200": {description: ok}
"""


def test_parameters_named_like_the_routes_own_arguments_get_an_underscore(
    tmp_path: Path,
) -> None:
    """A cookie called ``session`` would be a second ``session`` argument of the route."""
    _, model = read_input(write(tmp_path, LOCALS))
    assert model.api is not None
    (op,) = model.api.operations
    assert [(p.name, api_param_annotation(p)) for p in op.params] == [
        ("session_", 'Annotated[str | None, Cookie(alias="session")]'),
        ("query_", 'Annotated[str | None, Query(alias="query")]'),
        (
            "cache_",
            'Annotated[str | None, Header(alias="cache", convert_underscores=False)]',
        ),
    ]


LIST = """\
openapi: 3.0.3
info: {title: Invoices, version: 1.0.0}
paths:
  /invoices:
    get:
      operationId: listInvoices
      x-fastgen-cache: {ttl: 30}
      parameters:
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, default: 25}}
        - {name: partner_id, in: query, schema: {type: integer}}
        - {name: status, in: query,
           schema: {type: array, items: {type: string, enum: [open, paid]}}}
        - {name: number, in: query, schema: {type: integer}}
        - {name: issued, in: query, schema: {type: string, format: date-time}}
        - {name: sort, in: query, schema: {type: string, default: number}}
        - {name: X-Tenant, in: header, schema: {type: string}}
        - {name: session, in: cookie, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Invoice"}}
components:
  schemas:
    Invoice:
      x-fastgen-resource: {path: /invoices, table: invoices}  # not the schema name
      type: object
      required: [id]
      properties:
        id: {type: integer}
        partner_id: {type: integer}
        status: {type: string, enum: [open, paid]}
        number: {type: string}
        issued: {type: string, format: date-time}
"""


def test_list_applies_pagination_and_column_filters_and_hands_over_the_rest(
    tmp_path: Path,
) -> None:
    """page/per_page paginate, same-kind columns filter (an array with IN); the
    others (a number for a text column, a timestamp, sort, a header, a cookie) go to
    the user's ``refine``, and the header and cookie vary the cache key."""
    _, model = read_input(write(tmp_path, LIST))
    assert model.api is not None
    (op,) = model.api.operations
    assert (op.limit_param, op.offset_param, op.page_param) == (
        "per_page",
        None,
        "page",
    )
    assert op.filters == (("partner_id", "partner_id"),)
    assert op.any_filters == (("status", "status"),)
    assert op.refined == ("number", "issued", "sort", "x_tenant", "session_")
    assert model.api.refined_lists == (op,)
    # The generated 501 test sends a parameter only refine applies.
    assert op.refine_sample == ("/invoices", {"number": 1}, None)
    assert api_request(op.refine_sample) == '["/invoices", {"number": 1}, None]'
    assert op.policy is not None
    assert op.policy.vary == ("cookie", "x-tenant")


def test_sent_requests_become_never_served_routes() -> None:
    _, hooks = read_input(SPECS / "webhooks.yaml")
    assert hooks.api is not None
    (webhook,) = hooks.api.webhooks
    assert (webhook.name, webhook.route, api_type(webhook.returns)) == (
        "order_shipped",
        "orderShipped",
        "None",
    )
    assert [api_type(p.type) for p in webhook.params] == [
        "api_models.OrderShippedRequest | None"
    ]
    # its 200 has no content: answered and published without a body, not as JSON
    assert "response_class=Response" in api_decorator(webhook)
    _, subscribed = read_input(SPECS / "callbacks.yaml")
    assert subscribed.api is not None
    (group,) = subscribed.api.callbacks
    ((name, callback),) = group.callbacks
    assert (group.var, group.path, name) == (
        "subscribe_callbacks",
        "/subscriptions",
        "onEvent",
    )
    assert 'name="onEvent"' in api_decorator(
        callback
    ) and "status_code=204" in api_decorator(callback)
    (subscribe,) = subscribed.api.operations
    assert "callbacks=subscribe_callbacks.routes" in api_decorator(subscribe)


def test_a_form_union_is_read_by_form_body_with_its_discriminator() -> None:
    _, form = read_input(SPECS / "form-union.yaml")
    assert form.api is not None
    (body,) = form.api.operations[0].params
    assert api_type(body.type) == "api_models.Beverage | api_models.Dessert"
    reader = (
        'RequestBody({"multipart/form-data": FormBody(api_models.Beverage '
        '| api_models.Dessert, discriminator="category")}, required=True)'
    )
    assert media_requests(form) == [("post", "/menu", reader)]
    assert form.api.fastapi_minimum == "0.115"  # FastAPI's Form() is not used


SENT_FORM_UNION = """\
openapi: 3.1.0
info: {title: Hooks, version: 1.0.0}
webhooks:
  menuChanged:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]
              discriminator: {propertyName: kind}
      responses: {'204': {description: received}}
components:
  schemas:
    A:
      type: object
      required: [kind]
      properties: {kind: {type: string, const: A}}
    B:
      type: object
      required: [kind]
      properties: {kind: {type: string, const: B}}
"""


def test_form_unions_sent_and_object_queries_raise_the_fastapi_minimum(
    tmp_path: Path,
) -> None:
    sent = read_input_file(write(tmp_path, SENT_FORM_UNION)).model
    assert sent.api is not None and sent.api.fastapi_minimum == "0.160"
    (webhook,) = sent.api.webhooks
    (body,) = webhook.params
    assert api_param_annotation(body) == (
        'Annotated[api_models.A | api_models.B, Field(discriminator="kind"), Form()]'
    )
    read = read_input_file(SPECS / "object-query.yaml")
    query, source = read.model, read.models_source
    assert query.api is not None and query.api.fastapi_minimum == "0.159"
    filter_, limit = query.api.operations[0].params
    # Filter forbids extras, so FastAPI would reject ?limit=: a subclass allows them.
    # Its size is an integer enum, sent as text: converted before it is compared.
    assert api_param_annotation(filter_) == (
        "Annotated[api_models.GetItemsFilterQuery, Query(), "
        "ints_from_text(api_models.GetItemsFilterQuery)]"
    )
    assert source is not None and "class GetItemsFilterQuery(Filter):" in source
    assert 'extra="allow"' in api_models_module(source)  # as written
    assert limit.name == "limit"
    _, plain = read_input(SPECS / "bodies.yaml")
    assert plain.api is not None and plain.api.fastapi_minimum == "0.115"


def test_integer_enum_parameters_are_converted_from_text(tmp_path: Path) -> None:
    document = write(
        tmp_path,
        """
openapi: 3.0.3
info: {title: Sizes, version: 1.0.0}
paths:
  /items:
    get:
      parameters:
        - {name: size, in: query, schema: {type: integer, enum: [1, 2]}}
        - {name: fresh, in: query, schema: {type: boolean, enum: [true, false]}}
      responses: {'204': {description: ok}}
""",
    )
    _, model = read_input(document)
    assert model.api is not None
    size, fresh = model.api.operations[0].params
    # A query value is text: Literal[1, 2] alone would never match "1".
    assert (
        api_type(size.type) == "Annotated[Literal[1, 2], BeforeValidator(int)] | None"
    )
    assert api_type(fresh.type) == "bool | None"


def test_a_column_referring_to_a_schema_named_with_a_slash_has_its_type(
    tmp_path: Path,
) -> None:
    """``$ref`` pointers escape ``/`` as ``~1``: the column's schema is found through
    the one unescape of ``pointer.py``, not stored as JSON for want of it."""
    text = LIST.replace(
        "status: {type: string, enum: [open, paid]}",
        'status: {$ref: "#/components/schemas/Status~1Kind"}',
    )
    text += "    Status/Kind: {type: string, enum: [open, paid]}\n"
    _, model = read_input(write(tmp_path, text))
    (invoices,) = model.resources
    status = next(f for f in invoices.fields if f.name == "status")
    assert status.type == "enum"
    assert model.api is not None
    assert model.api.operations[0].any_filters == (("status", "status"),)


ALIASED_TABLE = """\
openapi: 3.0.3
info: {title: D, version: 1.0.0}
paths:
  /invoices:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Invoice'}
      responses:
        '201':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Invoice'}
components:
  schemas:
    InvoiceData:
      type: object
      required: [key, name]
      properties:
        key: {type: string, format: uuid}
        name: {type: string, maxLength: 20}
    InvoiceAlias: {$ref: '#/components/schemas/InvoiceData'}
    InvoiceAlias2: {$ref: '#/components/schemas/InvoiceAlias'}
    Invoice:
      allOf: [{$ref: '#/components/schemas/InvoiceAlias2'}]
      x-fastgen-resource: {path: /invoices, id: key}
"""


def test_a_table_through_an_allof_of_an_alias_has_its_properties(
    tmp_path: Path,
) -> None:
    """``allOf: [$ref: Alias]``, the alias only a ``$ref`` (here two in a chain): the
    generator extended the alias's empty RootModel, so the table's API model had no
    field and every create failed (NOT NULL, answered as a 409)."""
    read = read_input_file(write(tmp_path, ALIASED_TABLE))
    assert read.models_source is not None
    namespace: dict[str, Any] = {}
    exec(api_models_module(read.models_source), namespace)  # noqa: S102
    assert set(namespace["Invoice"].model_fields) == {"key", "name"}
    (invoices,) = read.model.resources
    assert [f.name for f in invoices.fields] == ["name"]  # and the key


def test_integer_columns_are_bounded_to_what_the_column_holds(tmp_path: Path) -> None:
    """A table's integer column is 32 bits on PostgreSQL: its API model field (and so
    the served document) says so, unless the document already bounds it tighter."""
    text = LIST.replace(
        "partner_id: {type: integer}",
        "partner_id: {type: integer, minimum: 1, format: int64}",
    ).replace("number: {type: string}", "number: {type: integer, maximum: 999}")
    read = read_input_file(write(tmp_path, text))
    model = read.model
    assert model.api is not None and read.models_source is not None
    source = api_models_module(read.models_source)
    assert "id: Annotated[int, Field(ge=-2147483648, le=2147483647)]" in source
    # Not required, not nullable: absent (MISSING), never None.
    partner_id = "partner_id: Annotated[int | MISSING, Field(ge=1, le=2147483647)]"
    assert partner_id + " = MISSING" in source
    assert "number: Annotated[int | MISSING, Field(ge=-2147483648, le=999)]" in source
    # Query parameters are not columns: their schemas are left as written.
    list_invoices = model.api.operations[0]
    page = next(p for p in list_invoices.params if p.name == "page")
    assert "ge=" not in api_param_annotation(page)


SEVERAL_MEDIA = SPECS / "several-media.yaml"


def test_a_body_in_several_media_types_is_read_in_each() -> None:
    """Issue 15: each media type the document declares is read (by Content-Type)
    and published; JSON and forms of one schema share its model."""
    _, model = read_input(SEVERAL_MEDIA)
    assert model.api is not None
    ops = {op.name: op for op in model.api.operations}
    (body,) = ops["add_thing"].params
    assert body.marker == "Depends" and body.required
    assert [(m.content_type, m.reader, api_type(m.type)) for m in body.media] == [
        ("application/xml", "bytes", "bytes"),
        ("application/json", "json", "api_models.Thing"),
        ("application/x-www-form-urlencoded", "form", "api_models.Thing"),
        ("multipart/form-data", "form", "api_models.AddThingRequest"),
        ("text/plain", "text", "str"),
        ("application/octet-stream", "bytes", "bytes"),
    ]
    assert api_type(body.type) == (
        "bytes | api_models.Thing | api_models.AddThingRequest | str"
    )
    # XML is read as bytes, and published with the JSON's model, its schema's
    assert api_type(body.media[0].published_type) == "api_models.Thing"
    assert [m.schema for m in body.media][4:] == [
        {"type": "string"},
        {"type": "string"},
    ]
    assert api_body_annotation(ops["add_thing"], body) == (
        "Annotated[bytes | api_models.Thing | api_models.AddThingRequest | str, "
        'Depends(REQUEST_BODIES["post", "/things"])]'
    )
    ((method, path, reader),) = media_requests(model)
    assert (method, path) == ("post", "/things")
    assert reader == (
        'RequestBody({"application/xml": BytesBody(api_models.Thing), '
        '"application/json": JsonBody(api_models.Thing), '
        '"application/x-www-form-urlencoded": FormBody(api_models.Thing), '
        '"multipart/form-data": FormBody(api_models.AddThingRequest), '
        '"text/plain": TextBody({"type": "string"}), '
        '"application/octet-stream": BytesBody({"type": "string"})}, required=True)'
    )
    assert "json" in model.api_media_readers and model.several_media_types


TEXT_AND_BYTES = """\
openapi: 3.0.3
info: {title: notes, version: 1.0.0}
paths:
  /notes:
    post:
      operationId: addNote
      requestBody:
        required: true
        content:
          text/plain: {schema: {type: string}}
          application/octet-stream: {schema: {type: string, format: binary}}
      responses:
        '204': {description: stored}
"""


@pytest.mark.parametrize(
    ("document", "readers"),
    [
        (PETSTORE, {"JsonBody", "FormBody"}),
        ("text-and-bytes", {"TextBody", "BytesBody"}),
        (
            SPECS / "several-media.yaml",
            {"JsonBody", "FormBody", "TextBody", "BytesBody"},
        ),
    ],
)
def test_media_types_py_defines_only_the_readers_its_bodies_use(
    tmp_path: Path, document: Path | str, readers: set[str]
) -> None:
    """No reader class, helper or import a project's bodies never use."""
    from fastgen.api import new_project

    if document == "text-and-bytes":
        document = write(tmp_path, TEXT_AND_BYTES)
    project = new_project(Path(document), tmp_path / "out")
    (module,) = project.glob("src/*/media_types.py")
    source = module.read_text()
    every = {"JsonBody", "FormBody", "TextBody", "BytesBody"}
    assert {name for name in every if f"class {name}(" in source} == readers
    forms, validated = "FormBody" in readers, readers & {"JsonBody", "FormBody"}
    assert ("def _array_properties" in source) == forms
    assert ("UploadFile" in source) == forms
    assert ("def _validated" in source) == bool(validated)
    from_pydantic = {
        alias.name
        for node in ast.parse(source).body
        if isinstance(node, ast.ImportFrom) and node.module == "pydantic"
        for alias in node.names
    }
    assert ("ValidationError" in from_pydantic) == bool(validated)


def test_a_response_in_several_media_types_is_published_in_each() -> None:
    """The route answers the first (JSON first); the others are published beside
    it: a model's from its type (media_types.RESPONSES), the others as written."""
    _, model = read_input(SEVERAL_MEDIA)
    assert model.api is not None
    ops = {op.name: op for op in model.api.operations}
    add = ops["add_thing"]
    assert api_type(add.returns) == "api_models.Thing" and add.status == 201
    (created,) = add.responses
    assert [(m.content_type, m.published_type) for m in created.also] == [
        ("application/xml", ApiType("model", "Thing")),
        ("image/png", None),  # as written
    ]
    assert (
        '"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}'
        in api_decorator(add)
    )
    assert media_responses(model) == [
        ("post", "/things", "201", [("application/xml", "api_models.Thing")])
    ]
    # A JSON answer the document types otherwise is published under its type.
    assert media_json_as(model) == [
        ("get", "/things/count", "200", "application/json; version=2")
    ]


def test_routes_publish_the_statuses_their_document_leaves_out() -> None:
    """What the generated route may answer besides the document's responses (a 304
    and 412 of a conditional read, a 413 or 415 body, a database away, a constraint) is
    published with the shared body, so a typed client parses every answer; what
    the document covers (the status, its range or ``default``) is left as it is."""
    billing = read_input_file(Path(__file__).parents[1] / "examples" / "billing.yaml")
    ops = {op.name: op for op in billing.model.api.operations}  # type: ignore[union-attr]
    assert undeclared_errors(ops["create_partner"]) == (409, 413, 415, 503, 504)
    assert undeclared_errors(ops["get_partner"]) == (304, 412, 503, 504)  # 404 declared
    assert undeclared_errors(ops["delete_partner"]) == (409, 503, 504)
    assert undeclared_errors(ops["list_document"]) == (304, 412, 503, 504)
    assert api_decorator(ops["get_partner"], (304, 412)).count("**errors(304, 412), ")
    petstore = read_input_file(PETSTORE).model.api
    ops = {op.name: op for op in petstore.operations}  # type: ignore[union-attr]
    # ``default`` covers every error, but a 304 only by its status or 3XX.
    assert undeclared_errors(ops["find_pets"]) == (304,)
    assert undeclared_errors(ops["add_pet"]) == ()
    assert "responses=errors(" not in api_decorator(ops["add_pet"])
    # A secured operation answers 401 when its security is not met.
    museum = read_input_file(CORPUS / "museum-3.1.yaml").model.api
    ops = {op.name: op for op in museum.operations}  # type: ignore[union-attr]
    assert undeclared_errors(ops["get_special_event"]) == (401, 412, 501)
    assert undeclared_errors(ops["delete_special_event"]) == (501,)  # 401 declared


@pytest.mark.parametrize(
    "taken", ["errors", "present", "select", "pets_hooks", "require_x"]
)
def test_a_route_is_never_named_like_its_modules_imports(
    tmp_path: Path, taken: str
) -> None:
    """A route function named ``present`` shadowed crud.present for the routes
    after it (and ``errors`` the responses of their decorators)."""
    text = PETSTORE.read_text().replace(
        "operationId: findPets", f"operationId: {taken}"
    )
    model = read_input_file(write(tmp_path, text)).model
    names = {op.name for op in model.api.operations}  # type: ignore[union-attr]
    assert f"{taken}_" in names and taken not in names


@pytest.mark.parametrize(
    ("media_type", "json"),
    [
        ("application/json", True),
        ("application/vnd.api+json", True),
        ("application/json; charset=utf-8", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
    ],
)
def test_a_body_read_as_json_takes_json_only(
    tmp_path: Path, media_type: str, json: bool
) -> None:
    """Every body FastAPI reads as JSON is behind crud.JsonBodyRoute (a 415 for
    another Content-Type), whatever JSON media type the document names."""
    text = f"""\
openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /notes:
    post:
      operationId: addNote
      requestBody:
        required: true
        content:
          '{media_type}':
            schema:
              type: object
              properties: {{text: {{type: string}}}}
      responses:
        '204': {{description: ok}}
"""
    model = read_input_file(write(tmp_path, text)).model
    [op] = model.api.operations  # type: ignore[union-attr]
    assert api_reads_json(op) is json
