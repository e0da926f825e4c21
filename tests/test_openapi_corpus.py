"""Every real document in the shared corpus either loads whole or fails precisely.

Loading means: every operation MANIFEST.tsv counts is described (none dropped), with
exactly the warnings listed here. Failing means: a located SpecError for a construct
docs/openapi.md documents as unsupported.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from fastgen.errors import SpecError
from fastgen.openapi import describe_api, load_openapi, read_openapi
from fastgen.openapi.compile import compile_api

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
with (CORPUS / "MANIFEST.tsv").open(newline="") as manifest:
    ROWS = {row["file"]: row for row in csv.DictReader(manifest, delimiter="\t")}

HEADERS = "is ignored, as OpenAPI requires"
WEBHOOKS = "describe requests this API sends"
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
    "museum-3.1.yaml": {WEBHOOKS: 1},
    "redocly-cafe/openapi/openapi.yaml": {WEBHOOKS: 1},
    "dmcg-paths-ref-external/openapi.yaml": {},
}
# document -> every problem, as FILE:LINE:COL: message with FILE relative to the corpus
REJECTED: dict[str, list[str]] = {
    "webhook-example.yaml": [
        (
            "webhook-example.yaml:6:1: #/webhooks: the document has webhooks but no "
            "paths: there is no operation to serve"
        )
    ],
    "opc-baseline-3.0.json": [
        (
            "opc-baseline-3.0.json:1706:9: #/paths/~1tests~1callback/post/callbacks: "
            "callbacks are not supported: they are requests the service would send "
            "back to the caller, which fastgen does not generate; remove them or "
            "describe them in the operation's description"
        )
    ],
}


def test_every_corpus_document_has_an_asserted_outcome() -> None:
    assert sorted(ROWS) == sorted([*LOADS, *REJECTED])


@pytest.mark.parametrize("name", sorted(LOADS))
def test_document_loads_every_operation(name: str) -> None:
    api = read_openapi(CORPUS / name)
    assert len(api.operations) == int(ROWS[name]["n_operations"])
    assert len({op.name for op in api.operations}) == len(api.operations)
    assert sorted(api.route_order) == sorted(op.name for op in api.operations)
    found: Counter[str] = Counter()
    for warning in api.warnings:
        matches = [f for f in LOADS[name] if f in warning.message]
        assert matches, f"unexpected warning: {warning}"
        found[matches[0]] += 1
    assert dict(found) == LOADS[name]


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_document_fails_with_located_problems(name: str) -> None:
    with pytest.raises(SpecError) as caught:
        read_openapi(CORPUS / name)
    problems = [str(p).replace(f"{CORPUS}/", "") for p in caught.value.problems]
    assert problems == REJECTED[name]


def test_baseline_without_its_callback_describes_all_operations() -> None:
    """The callback is the only thing in the opc baseline fastgen cannot serve."""
    document, source_map = load_openapi(CORPUS / "opc-baseline-3.0.json")
    del document["paths"]["/tests/callback"]["post"]["callbacks"]
    api = describe_api(document, source_map)
    assert len(api.operations) == int(ROWS["opc-baseline-3.0.json"]["n_operations"])
    hyphen = next(op for op in api.operations if "{hyphen-in-path}" in op.path)
    assert hyphen.route == "/naming/{hyphen_in_path}"
    cookies = {
        (p.name, p.python_name)
        for op in api.operations
        for p in op.parameters
        if p.location == "cookie"
    }
    # "param" is also a query and a header parameter of the same operation.
    assert cookies == {
        ("MyToken", "my_token"),
        ("cookie param", "cookie_param"),
        ("param", "param_3"),
    }


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


# document -> the compile's problems, for documents the input side accepts
NOT_COMPILED: dict[str, list[str]] = {
    "redocly-cafe/openapi/openapi.yaml": [
        (
            "redocly-cafe/openapi/paths/menu.yaml:45:5: #/paths/~1menu/post/"
            "requestBody: a multipart/form-data body must be an object with "
            "properties (not oneOf/anyOf, not free-form): FastAPI reads a form into "
            "one model with fields"
        )
    ],
}


@pytest.mark.parametrize("name", sorted(set(LOADS) - set(NOT_COMPILED)))
def test_document_compiles_every_operation(name: str) -> None:
    model = compile_api(read_openapi(CORPUS / name))
    assert model.api is not None
    served = sorted(op.name for op in model.api.operations)
    assert served == sorted(op.name for op in read_openapi(CORPUS / name).operations)
    assert "class " in model.api.models_source


@pytest.mark.parametrize("name", sorted(NOT_COMPILED))
def test_document_compile_fails_located(name: str) -> None:
    with pytest.raises(SpecError) as caught:
        compile_api(read_openapi(CORPUS / name))
    problems = [str(p).replace(f"{CORPUS}/", "") for p in caught.value.problems]
    assert problems == NOT_COMPILED[name]


def test_baseline_without_its_callback_compiles_but_for_object_parameters() -> None:
    """Query parameters that are models (FastAPI has no URL form for them) remain."""
    document, source_map = load_openapi(CORPUS / "opc-baseline-3.0.json")
    del document["paths"]["/tests/callback"]["post"]["callbacks"]
    with pytest.raises(SpecError) as caught:
        compile_api(describe_api(document, source_map))
    assert [p.message.split(":")[0] for p in caught.value.problems] == [
        "#/paths/~1defaults/post/parameters/11",
        "#/paths/~1defaults/post/parameters/12",
    ]
