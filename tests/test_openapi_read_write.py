"""readOnly and writeOnly properties: request bodies and responses use different models.

datamodel-code-generator splits a schema with such properties into ``XRequest``
(without the read-only ones) and ``XResponse`` (without the write-only ones); the
compile picks the variant by where the schema is used, and keeps those names free.
"""

from __future__ import annotations

import ast
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fastgen.model.service import ServiceModel
from fastgen.render.api_code import (
    api_decorator,
    api_operation_imports,
    api_param_annotation,
    api_request_body,
    api_type,
)
from fastgen.spec.inputs import Input, read_input_file
from fastgen.spec.openapi import read_openapi
from fastgen.spec.openapi.compile import compile_api
from fastgen.spec.openapi.models import REQUEST, RESPONSE, ModelSet, marks_read_write

from .test_openapi_corpus import CORPUS

ACCOUNTS = """\
openapi: 3.0.3
info: {title: Accounts, version: 1.0.0}
paths:
  /accounts:
    get:
      operationId: listAccounts
      responses:
        "200":
          description: every account
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Account'}}
    post:
      operationId: createAccount
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Account'}}
      responses:
        "201":
          description: the stored account
          content:
            application/json: {schema: {$ref: '#/components/schemas/Account'}}
        default:
          description: failed
          content:
            application/json: {schema: {$ref: '#/components/schemas/ErrorResponse'}}
  /accounts/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      operationId: getAccount
      responses:
        "200":
          description: one account
          content:
            application/json: {schema: {$ref: '#/components/schemas/Account'}}
        "404":
          description: none
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
  /sessions:
    post:
      operationId: logIn
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [name, password, expires]
              properties:
                name: {type: string}
                password: {type: string, writeOnly: true}
                expires: {type: string, format: date-time, readOnly: true}
      responses:
        "204": {description: logged in}
components:
  schemas:
    Account:
      x-fastgen-resource: {path: /accounts, id: id, table: accounts}
      type: object
      required: [id, name, password, created_at]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
        created_at: {type: string, format: date-time, readOnly: true}
    AccountRequest:
      description: named like the request variant of Account, which takes the name
      type: object
      properties:
        note: {type: string}
    Error:
      type: object
      properties:
        detail: {type: string}
    ErrorResponse:
      description: named like a variant of Error, which has none, so it keeps it
      type: object
      properties:
        errors: {type: array, items: {$ref: '#/components/schemas/Error'}}
"""


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> Input:
    path = tmp_path_factory.mktemp("rw") / "openapi.yaml"
    path.write_text(ACCOUNTS, encoding="utf-8")
    return read_input_file(path)


@pytest.fixture(scope="module")
def model(read: Input) -> ServiceModel:
    return read.model


def classes(models_source: str | None) -> dict[str, Any]:
    """The generated models (the module the compile handed on beside the service
    model), imported as a module (pydantic resolves the annotations in it)."""
    assert models_source is not None
    module = types.ModuleType(f"api_models_{id(models_source)}")
    sys.modules[module.__name__] = module
    try:
        source = compile(models_source, "api_models.py", "exec")
        exec(source, vars(module))  # noqa: S102 - the generated module, run as one
    finally:
        del sys.modules[module.__name__]
    tree = ast.parse(models_source)
    return {
        node.name: getattr(module, node.name)
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }


def test_bodies_use_the_request_model_and_responses_the_response_model(
    model: ServiceModel,
) -> None:
    assert model.api is not None
    ops = {op.name: op for op in model.api.operations}
    create = ops["create_account"]
    assert create.crud == "create"
    request = "api_models.AccountRequest"
    assert [api_param_annotation(p) for p in create.params] == [
        f"Annotated[{request}, Body(), strict_json({request})]"
    ]
    assert api_type(create.returns) == "api_models.AccountResponse"
    assert api_type(ops["list_accounts"].returns) == "list[api_models.AccountResponse]"
    assert api_type(ops["get_account"].returns) == "api_models.AccountResponse"
    (form,) = ops["log_in"].params
    # Read by media_types.FormBody: FastAPI's Form() drops empty values, refuses files.
    assert [(m.content_type, m.reader, api_type(m.type)) for m in form.media] == [
        (
            "application/x-www-form-urlencoded",
            "form",
            "api_models.LogInRequestRequest",
        )
    ]


def test_the_request_model_has_no_read_only_field_and_the_response_no_write_only(
    read: Input,
) -> None:
    models = classes(read.models_source)
    assert "Account" not in models
    request = models["AccountRequest"].model_validate({"name": "ann", "password": "s"})
    assert request.model_dump() == {"name": "ann", "password": "s"}
    response = models["AccountResponse"].model_validate(
        {"id": 1, "name": "ann", "password": "s", "created_at": "2026-01-01T00:00:00Z"}
    )
    assert set(response.model_dump()) == {"id", "name", "created_at"}
    with pytest.raises(ValidationError):  # read-only but required in a response
        models["AccountResponse"].model_validate({"name": "ann"})
    form = models["LogInRequestRequest"].model_validate({"name": "a", "password": "p"})
    assert set(form.model_dump()) == {"name", "password"}


def test_variant_names_stay_free_only_for_schemas_that_split(
    read: Input,
) -> None:
    models = classes(read.models_source)
    # The component AccountRequest yields its name to Account's request variant...
    assert set(models["AccountRequest2"].model_fields) == {"note"}
    # ...but Error does not split, so ErrorResponse keeps its own.
    assert set(models["ErrorResponse"].model_fields) == {"errors"}
    assert set(models["Error"].model_fields) == {"detail"}


def test_a_table_leaves_read_only_columns_to_the_database_or_the_hook(
    model: ServiceModel,
) -> None:
    (table,) = model.resources
    assert table.pk.name == "id"
    assert [(f.name, f.required) for f in table.fields] == [
        ("name", True),
        ("password", True),
        ("created_at", True),
    ]
    assert model.api is not None
    create = next(op for op in model.api.operations if op.name == "create_account")
    # The database numbers the id; no request sends created_at, so before_create
    # must fill it (the route answers 501 until it does).
    assert create.hook_fills == ("created_at",)
    assert ("fastapi", "HTTPException") in api_operation_imports(create, "accounts")
    assert create.sample is not None
    assert list(create.sample) == [
        "/accounts",
        {},
        {"name": "x", "password": "x"},
    ]


def test_documents_without_marks_are_generated_as_before(tmp_path: Path) -> None:
    assert not marks_read_write({"properties": {"readOnly": {"type": "boolean"}}})
    assert marks_read_write({"items": {"properties": {"a": {"readOnly": True}}}})
    text = ACCOUNTS.replace("readOnly: true", "").replace("writeOnly: true", "")
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    models = classes(read_input_file(path).models_source)
    assert {"Account", "AccountRequest", "Error", "ErrorResponse"} <= set(models)
    assert "AccountResponse" not in models


def test_the_cafe_menu_form_is_a_union_of_request_models() -> None:
    """The Redocly cafe: a multipart oneOf of component schemas whose base marks
    id/createdAt readOnly and photo writeOnly (its user test sends the form)."""
    api = read_openapi(CORPUS / "redocly-cafe" / "openapi" / "openapi.yaml")
    compiled = compile_api(api)
    model = compiled.model
    assert model.api is not None
    ops = {op.name: op for op in model.api.operations}
    (body,) = ops["create_menu_item"].params
    assert (
        api_type(body.type) == "api_models.BeverageRequest | api_models.DessertRequest"
    )
    # read as the multipart form it is declared, the category choosing the model
    assert api_request_body(body) == (
        'RequestBody({"multipart/form-data": FormBody(api_models.BeverageRequest | '
        'api_models.DessertRequest, discriminator="category")}, required=True)'
    )
    assert api_type(ops["create_menu_item"].returns) == "api_models.MenuItemResponse"
    assert api_type(ops["create_order"].params[0].type) == "api_models.OrderRequest"
    models = classes(compiled.models_source)
    assert "createdAt" not in models["BeverageRequest"].model_fields
    assert "photo" in models["BeverageRequest"].model_fields
    assert "photo" not in models["BeverageResponse"].model_fields
    # formats no pydantic type has are published, and validated as any string
    error = models["Error"]
    assert error.model_json_schema()["properties"]["instance"]["format"] == (
        "uri-reference"
    )
    assert error(type="t", title="t", status=400, instance="not :// a uri").instance
    order = models["OrderResponse"].model_json_schema()["properties"]
    assert order["id"]["format"] == "ulid"


def test_a_variant_name_is_kept_free_whatever_the_order_of_the_schemas() -> None:
    for keys in (["PetRequest", "Pet"], ["Pet", "PetRequest"]):
        schemas = {key: {"type": "object"} for key in keys}
        first = ModelSet(schemas, "3.0.3", read_write=True)  # before generation
        assert first.names == {"Pet": "Pet", "PetRequest": "PetRequest2"}
        split = ModelSet(schemas, "3.0.3", True, frozenset({"c:Pet"}))
        assert split.names == first.names
        assert split.variant("Pet", REQUEST) == "PetRequest"
        assert split.variant("PetRequest2", RESPONSE) == "PetRequest2"
        unsplit = ModelSet(schemas, "3.0.3", True, frozenset())
        assert unsplit.names == {"Pet": "Pet", "PetRequest": "PetRequest"}


WEBHOOK = """\
openapi: 3.1.0
info: {title: Hooks, version: 1.0.0}
webhooks:
  accountCreated:
    post:
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Account'}}
      responses:
        "200":
          description: the subscriber's receipt
          content:
            application/json: {schema: {$ref: '#/components/schemas/Account'}}
components:
  schemas:
    Account:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        password: {type: string, writeOnly: true}
"""


def test_a_webhook_sends_the_response_model(tmp_path: Path) -> None:
    """The service owns what it sends, so its body carries the readOnly id (and no
    password); the subscriber's answer is the request side."""
    path = tmp_path / "openapi.yaml"
    path.write_text(WEBHOOK, encoding="utf-8")
    model = read_input_file(path).model
    assert model.api is not None
    (webhook,) = model.api.webhooks
    (body,) = webhook.params
    assert api_type(body.type) == "api_models.AccountResponse"
    assert "response_model=api_models.AccountRequest" in api_decorator(webhook)


def test_a_property_that_refers_to_a_default_is_not_made_nullable() -> None:
    """datamodel-code-generator makes an optional reference to a schema with a
    default ``E | None``: the default is written on the property, so null is refused."""
    schemas = {
        "E": {"type": "string", "enum": ["a", "b"], "default": "a"},
        "P": {
            "type": "object",
            "properties": {
                "by_all_of": {"allOf": [{"$ref": "#/components/schemas/E"}]},
                "by_ref": {"$ref": "#/components/schemas/E"},
            },
        },
    }
    source = ModelSet(schemas, "3.0.3").generate()
    assert "None" not in source.split("class P")[1]
    assert ModelSet(schemas, "3.0.3").document()["components"]["schemas"]["P"][
        "properties"
    ]["by_ref"] == {"$ref": "#/components/schemas/E", "default": "a"}


READ_WRITE_DOCUMENTS = [
    Path(__file__).resolve().parents[1] / "examples" / "store.yaml",
    Path(__file__).resolve().parent / "specs" / "openapi" / "read-write.yaml",
    CORPUS / "billingo-3.0.7.yaml",
    CORPUS / "redocly-cafe" / "openapi" / "openapi.yaml",
]


def _compiled(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Input, list[bool]]:
    """``path`` read and compiled, and one entry per generator run."""
    from fastgen.spec.openapi import models

    runs: list[bool] = []
    real = models._datamodel_codegen

    def counted(*args: Any, **kwargs: Any) -> str:
        runs.append(True)
        return real(*args, **kwargs)

    models._generate_module.cache_clear()
    monkeypatch.setattr(models, "_datamodel_codegen", counted)
    try:
        return read_input_file(path), runs
    finally:
        models._generate_module.cache_clear()


@pytest.mark.parametrize("path", READ_WRITE_DOCUMENTS, ids=lambda p: p.name)
def test_the_guessed_split_holds_and_the_generator_runs_once(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schemas that hold a readOnly/writeOnly property (through references too)
    are the ones the generator splits: one compile, one generation (billingo gave a
    name back on a second one and ran the generator twice)."""
    read, runs = _compiled(path, monkeypatch)
    assert len(runs) == 1
    assert REQUEST + "(" in str(read.models_source)  # some schema did split


@pytest.mark.parametrize("path", READ_WRITE_DOCUMENTS[2:3], ids=lambda p: p.name)
def test_a_missed_guess_compiles_again_with_the_generators_split(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastgen.spec.openapi.compile as compile_package

    guessed, _ = _compiled(path, monkeypatch)
    compiles: list[bool] = []
    real = compile_package.service_model

    def counted(*args: Any) -> Any:
        compiles.append(True)
        return real(*args)

    monkeypatch.setattr(compile_package, "service_model", counted)
    monkeypatch.setattr(ModelSet, "_holds_read_write", lambda self, schema: False)
    missed, _ = _compiled(path, monkeypatch)  # guessed: nothing splits
    assert len(compiles) == 2
    assert missed.model == guessed.model
    assert missed.models_source == guessed.models_source
