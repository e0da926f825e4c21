"""Every real document in the corpus (tests/corpus/) loads whole and compiles.

Loading means: every operation MANIFEST.tsv counts is described (none dropped), with
exactly the warnings listed here, and the webhooks and callbacks the document sends.
Compiling means: every operation becomes a route of the service model.
(tests/test_openapi_corpus_e2e.py then generates, installs, tests and fuzzes each.)
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from fastgen.spec.openapi import read_openapi
from fastgen.spec.openapi.compile import compile_api

CORPUS = Path(__file__).resolve().parent / "corpus"
with (CORPUS / "MANIFEST.tsv").open(newline="") as manifest:
    ROWS = {row["file"]: row for row in csv.DictReader(manifest, delimiter="\t")}

HEADERS = "is ignored, as OpenAPI requires"
# document -> warnings expected when it loads: message fragment -> how many
LOADS: dict[str, dict[str, int]] = {
    "petstore-expanded.yaml": {},
    "uspto.yaml": {},
    "billingo-3.0.7.yaml": {
        'default "1" is a string but the schema\'s type is integer; read as 1': 5,
        'default "false" is a string but the schema\'s type is boolean': 1,
        'default "1" is a string but the schema\'s type is number; read as 1': 1,
    },
    "ynab-1.0.0.yaml": {"enum contains null but the schema is not nullable": 4},
    "vtex-profile-system.yaml": {HEADERS: 2},
    "hubspot-files-v3.yaml": {"are the same route to OpenAPI": 2},
    "hubspot-automation-v4.yaml": {},
    "vtex-giftcard-hub.yaml": {HEADERS: 30},
    "museum-3.1.yaml": {},
    "redocly-cafe/openapi/openapi.yaml": {},
    "dmcg-paths-ref-external/openapi.yaml": {},
    "webhook-example.yaml": {},
    "opc-baseline-3.0.json": {
        "default 1 is a number but the schema's type is string": 1,
        "const is OpenAPI 3.1; in 3.0 read as enum": 2,
        "enum contains null but the schema is not nullable": 2,
        "'header param' is not a valid HTTP field name": 1,
    },
}
# document -> webhooks it publishes, and callbacks (operation, callback name)
SENT: dict[str, tuple[list[str], list[tuple[str, str]]]] = {
    "webhook-example.yaml": (["post_new_pet"], []),
    "museum-3.1.yaml": (["publish_new_event"], []),
    "redocly-cafe/openapi/openapi.yaml": (["order_notification_webhook"], []),
    "opc-baseline-3.0.json": ([], [("callback_test", "event")]),
}


def test_every_corpus_document_has_an_asserted_outcome() -> None:
    assert sorted(ROWS) == sorted(LOADS)


@pytest.mark.parametrize("name", sorted(LOADS))
def test_document_loads_every_operation(name: str) -> None:
    api = read_openapi(CORPUS / name)
    assert len(api.operations) == int(ROWS[name]["n_operations"])
    assert len({op.name for op in api.operations}) == len(api.operations)
    assert sorted(api.route_order) == sorted(op.name for op in api.operations)
    webhooks, callbacks = SENT.get(name, ([], []))
    assert [op.name for op in api.webhooks] == webhooks
    assert [
        (op.name, callback.name) for op in api.operations for callback in op.callbacks
    ] == callbacks
    found: Counter[str] = Counter()
    for warning in api.warnings:
        matches = [f for f in LOADS[name] if f in warning.message]
        assert matches, f"unexpected warning: {warning}"
        found[matches[0]] += 1
    assert dict(found) == LOADS[name]


def test_baseline_names_parameters_and_its_callback() -> None:
    api = read_openapi(CORPUS / "opc-baseline-3.0.json")
    hyphen = next(op for op in api.operations if "{hyphen-in-path}" in op.path)
    # Starlette routes only identifiers; the app publishes the document's name.
    assert hyphen.route == "/naming/{hyphen_in_path}"
    model = compile_api(api).model
    assert model.api is not None
    assert model.api.document_paths == (
        (
            "/naming/{hyphen_in_path}",
            "/naming/{hyphen-in-path}",
            (("hyphen_in_path", "hyphen-in-path"),),
        ),
    )
    assert model.api.published_path("/naming/{hyphen_in_path}") == hyphen.path
    cookies = {
        (p.name, p.python_name)
        for op in api.operations
        for p in op.parameters
        if p.location == "cookie"
    }
    # "param" is also a path, a query and a header parameter of the same operation;
    # the path parameter is named first (FastAPI reads any argument named like a
    # template parameter from the path).
    assert cookies == {
        ("MyToken", "my_token"),
        ("cookie param", "cookie_param"),
        ("param", "param_4"),
    }
    same = next(op for op in api.operations if op.path.startswith("/same-name"))
    assert [p.python_name for p in same.parameters if p.location == "path"] == ["param"]
    (callback,) = api.operation("callback_test").callbacks
    assert (callback.expression, callback.operation.method) == ("callback", "POST")
    assert [r.status for r in callback.operation.responses] == ["200", "503"]


def test_multi_file_constructs_are_located_in_their_own_files() -> None:
    api = read_openapi(CORPUS / "redocly-cafe" / "openapi" / "openapi.yaml")
    create = api.operation("create_menu_item")
    assert create.source.file.endswith("redocly-cafe/openapi/paths/menu.yaml")
    assert create.source.pointer == "#/paths/~1menu/post"
    limit = api.operation("list_menu_items").parameters[-1]
    assert limit.source.file.endswith("components/parameters/Limit.yaml")
    assert [(s.name, s.kind) for s in api.security_schemes] == [
        ("OAuth2", "oauth2"),
        ("ApiKey", "api_key"),
    ]


@pytest.mark.parametrize("name", sorted(LOADS))
def test_document_compiles_every_operation(name: str) -> None:
    compiled = compile_api(read_openapi(CORPUS / name))
    model = compiled.model
    assert model.api is not None
    served = sorted(op.name for op in model.api.operations)
    assert served == sorted(op.name for op in read_openapi(CORPUS / name).operations)
    assert "class " in str(compiled.models_source)
