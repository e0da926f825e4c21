"""Bundling multi-file OpenAPI documents into one, with every problem located."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from fastgen.spec.openapi import load_openapi
from fastgen.spec.openapi.pointer import escape, pointer, split_ref, unescape
from fastgen.spec.problems import SpecError

HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / next(iter(files))


def bundle(tmp_path: Path, files: dict[str, str]) -> dict[str, Any]:
    return load_openapi(write(tmp_path, files))[0]


def problems(tmp_path: Path, files: dict[str, str]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_openapi(write(tmp_path, files))
    return [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems]


def schema_at(document: dict[str, Any], path: str, method: str = "get") -> Any:
    response = document["paths"][path][method]["responses"]["200"]
    return response["content"]["application/json"]["schema"]


OK = "responses: {'200': {description: ok, content: {application/json: {schema: %s}}}}"


@pytest.mark.parametrize(
    ("segment", "escaped"),
    [("/pets", "~1pets"), ("a~b", "a~0b"), ("~1", "~01"), ("{id}", "{id}")],
)
def test_pointer_segments_round_trip(segment: str, escaped: str) -> None:
    assert escape(segment) == escaped
    assert unescape(escaped) == segment


def test_split_ref_decodes_percent_and_tilde_escapes() -> None:
    assert split_ref("a%20b.yaml#/paths/~1pets~1%7Bid%7D") == (
        "a b.yaml",
        ["paths", "/pets/{id}"],
    )
    assert split_ref("#/") == ("", [""])
    assert split_ref("#Pet") == ("", None)
    assert pointer(("paths", "/pets/{id}", "get")) == "#/paths/~1pets~1{id}/get"


def test_path_item_ref_with_escaped_pointer_is_inlined(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths:\n  /pets:\n    $ref: 'api.yaml#/paths/~1pets'\n",
            "api.yaml": f"paths:\n  /pets:\n    get:\n      {OK % '{type: string}'}\n",
        },
    )
    assert schema_at(document, "/pets") == {"type": "string"}


def test_external_schemas_are_hoisted_once_and_shared(tmp_path: Path) -> None:
    ref = "{$ref: 'models.yaml#/Pet'}"
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths:\n  /a:\n    get:\n      {OK % ref}\n"
            + f"  /b:\n    get:\n      {OK % ref}\n",
            "models.yaml": "Pet: {type: object, properties: {name: {type: string}}}\n",
        },
    )
    assert schema_at(document, "/a") == {"$ref": "#/components/schemas/Pet"}
    assert schema_at(document, "/b") == {"$ref": "#/components/schemas/Pet"}
    assert list(document["components"]["schemas"]) == ["Pet"]


def test_whole_file_schema_is_named_after_the_file(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths:\n  /a:\n    get:\n      {OK % '{$ref: schemas/Menu-Item.yaml}'}\n",
            "schemas/Menu-Item.yaml": "type: string\n",
        },
    )
    assert document["components"]["schemas"] == {"Menu-Item": {"type": "string"}}


def test_name_collisions_get_numeric_suffixes_in_order_of_use(tmp_path: Path) -> None:
    paths = "".join(
        f"  /{n}:\n    get:\n      {OK % ('{$ref: ' + ref + '}')}\n"
        for n, ref in [("a", "a.yaml#/Pet"), ("b", "b.yaml#/Pet"), ("c", "c.yaml#/pet")]
    )
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths:\n"
            + paths
            + "components:\n  schemas:\n    Pet: {type: integer}\n",
            "a.yaml": "Pet: {type: string}\n",
            "b.yaml": "Pet: {type: boolean}\n",
            "c.yaml": "pet: {type: number}\n",
        },
    )
    assert document["components"]["schemas"] == {
        "Pet": {"type": "integer"},
        "Pet_2": {"type": "string"},
        "Pet_3": {"type": "boolean"},
        "pet_4": {"type": "number"},
    }
    assert schema_at(document, "/c") == {"$ref": "#/components/schemas/pet_4"}


def test_component_that_is_a_ref_keeps_its_name(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths:\n  /a:\n    get:\n      {OK % '{$ref: pet.yaml}'}\n"
            + "components:\n  schemas:\n    Pet: {$ref: pet.yaml}\n",
            "pet.yaml": "type: object\nproperties:\n  parent: {$ref: '#'}\n",
        },
    )
    assert document["components"]["schemas"] == {
        "Pet": {
            "type": "object",
            "properties": {"parent": {"$ref": "#/components/schemas/Pet"}},
        }
    }
    assert schema_at(document, "/a") == {"$ref": "#/components/schemas/Pet"}


def test_recursive_schemas_across_files_terminate(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths:\n  /t:\n    get:\n      {OK % '{$ref: tree.yaml#/Tree}'}\n",
            "tree.yaml": "Tree:\n  type: object\n  properties:\n"
            "    children: {type: array, items: {$ref: 'leaf.yaml#/Leaf'}}\n",
            "leaf.yaml": "Leaf:\n  type: object\n  properties:\n"
            "    tree: {$ref: 'tree.yaml#/Tree'}\n    self: {$ref: '#/Leaf'}\n",
        },
    )
    schemas = document["components"]["schemas"]
    assert schemas["Tree"]["properties"]["children"]["items"] == {
        "$ref": "#/components/schemas/Leaf"
    }
    assert schemas["Leaf"]["properties"] == {
        "tree": {"$ref": "#/components/schemas/Tree"},
        "self": {"$ref": "#/components/schemas/Leaf"},
    }


def test_refs_back_into_the_root_become_internal(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths:\n  /a: {$ref: 'sub/paths.yaml#/a'}\n"
            + "components:\n  schemas:\n    Error: {type: string}\n",
            "sub/paths.yaml": "a:\n  get:\n    "
            + OK % "{$ref: '../openapi.yaml#/components/schemas/Error'}"
            + "\n",
        },
    )
    assert schema_at(document, "/a") == {"$ref": "#/components/schemas/Error"}
    assert list(document["components"]["schemas"]) == ["Error"]


def test_discriminator_mapping_to_files_is_rewritten(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + f"paths:\n  /a:\n    get:\n      {OK % '{$ref: Item.yaml}'}\n",
            "Item.yaml": "oneOf: [{$ref: ./Cat.yaml}]\ndiscriminator:\n"
            "  propertyName: kind\n  mapping: {cat: ./Cat.yaml, dog: Dog}\n",
            "Cat.yaml": "type: object\n",
        },
    )
    item = document["components"]["schemas"]["Item"]
    assert item["discriminator"]["mapping"] == {
        "cat": "#/components/schemas/Cat",
        "dog": "Dog",
    }


def test_non_document_files_are_embedded_under_extensions(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths:\n  /a:\n    get:\n      "
            + OK % "{type: string}"
            + "\n      x-codeSamples:\n"
            + "        - {lang: Python, source: {$ref: samples/get.py}}\n"
            + "        - {lang: C, source: {$ref: samples/missing.c}}\n",
            "samples/get.py": "print('hi')\n",
        },
    )
    samples = document["paths"]["/a"]["get"]["x-codeSamples"]
    assert [s["source"] for s in samples] == [
        "print('hi')\n",
        "<not bundled: samples/missing.c>",
    ]


def test_examples_are_copied_verbatim(tmp_path: Path) -> None:
    document = bundle(
        tmp_path,
        {
            "openapi.yaml": HEAD
            + "paths:\n  /a:\n    get:\n      "
            + OK % "{type: object, example: {$ref: not-a-ref.yaml}}"
            + "\n",
        },
    )
    assert schema_at(document, "/a")["example"] == {"$ref": "not-a-ref.yaml"}


def test_bundle_is_deterministic_and_json_compatible() -> None:
    corpus = Path(__file__).resolve().parent / "corpus"
    root = corpus / "redocly-cafe" / "openapi" / "openapi.yaml"
    first = json.dumps(load_openapi(root)[0])
    assert first == json.dumps(load_openapi(root)[0])
    assert '"$ref": "../' not in first
    assert '"$ref": "#/components/schemas/MenuItem"' in first


def test_positions_point_into_the_file_that_holds_the_construct(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "openapi.yaml": HEAD + "paths:\n  /a: {$ref: 'paths.yaml#/a'}\n",
            "paths.yaml": "a:\n  get:\n    " + OK % "{$ref: 'models.yaml#/M'}" + "\n",
            "models.yaml": "M:\n  type: object\n",
        },
    )
    _, source_map = load_openapi(root)
    operation = source_map.source(("paths", "/a", "get"))
    assert (operation.file, operation.line, operation.column) == (
        str(tmp_path / "paths.yaml"),
        3,
        5,
    )
    assert operation.pointer == "#/paths/~1a/get"
    model = source_map.source(("components", "schemas", "M", "type"))
    assert (model.file, model.line) == (str(tmp_path / "models.yaml"), 2)
    key = source_map.problem(("paths", "/a"), "here", key=True)
    assert (key.file, key.line, key.column) == (str(root), 4, 3)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"openapi.yaml": HEAD + "paths:\n  /a: {$ref: nope.yaml}\n"},
            "openapi.yaml:4:14: #/paths/~1a/$ref: $ref 'nope.yaml': file not found: "
            "{tmp}/nope.yaml",
            id="missing-file",
        ),
        pytest.param(
            {
                "openapi.yaml": HEAD + "paths:\n  /a: {$ref: 'p.yaml#/paths/~1pest'}\n",
                "p.yaml": "paths:\n  /pets: {}\n",
            },
            "openapi.yaml:4:14: #/paths/~1a/$ref: $ref 'p.yaml#/paths/~1pest': "
            "{tmp}/p.yaml has no '/pest' at #/paths (did you mean '/pets'?)",
            id="missing-pointer",
        ),
        pytest.param(
            {"openapi.yaml": HEAD + "paths:\n  /a: {$ref: 'https://x.io/a.yaml'}\n"},
            "openapi.yaml:4:14: #/paths/~1a/$ref: $ref 'https://x.io/a.yaml': remote "
            "references are not supported; download the document and refer to it by "
            "a relative path",
            id="remote",
        ),
        pytest.param(
            {
                "openapi.yaml": HEAD
                + "paths:\n  /a:\n    get:\n      "
                + OK % "{$ref: model.cs}"
                + "\n",
            },
            "openapi.yaml:6:88: #/paths/~1a/get/responses/200/content/application~1json"
            "/schema/$ref: $ref 'model.cs': not a YAML or JSON document; only x- "
            "extensions, examples and descriptions may refer to other kinds of files",
            id="non-document-schema",
        ),
        pytest.param(
            {
                "openapi.yaml": HEAD + "paths:\n  /a: {$ref: 'p.yaml#/a'}\n",
                "p.yaml": "a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n",
            },
            "p.yaml:2:11: #/paths/~1a/$ref: circular $ref: {tmp}/p.yaml#/a contains "
            "itself",
            id="circular-object",
        ),
        pytest.param(
            {
                "openapi.yaml": HEAD + "paths:\n  /a: {$ref: p.yaml}\n",
                "p.yaml": "get: [unclosed\n",
            },
            "p.yaml:1:6: invalid YAML: '[' opened here is never closed: no ']' "
            "before the end of the file (noticed at 2:1)",
            id="invalid-yaml-in-external-file",
        ),
        pytest.param(
            {"openapi.yaml": HEAD + "paths:\n  /a: {$ref: '#/components/nope'}\n"},
            "openapi.yaml:4:14: #/paths/~1a/$ref: $ref '#/components/nope': "
            "{tmp}/openapi.yaml has no 'components' at #",
            id="missing-internal",
        ),
    ],
)
def test_reference_errors_are_located(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    assert problems(tmp_path, files) == [expected.replace("{tmp}", str(tmp_path))]
