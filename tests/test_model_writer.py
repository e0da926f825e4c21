"""``model_writer`` writes exactly datamodel-code-generator's module, or declines.

The writer replaces the generator only for speed (issue 13, target 2): a document it
accepts must get the same bytes the generator writes with fastgen's options. Compared
here on every document the tests generate (examples, test specs, the corpus) whose
schemas it accepts, on schemas written for the constructs it covers, and on small
schemas hypothesis draws from them; and the documents that take the fast path are
listed, so coverage does not shrink unnoticed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastgen.spec.inputs import read_input_file
from fastgen.spec.openapi import models
from fastgen.spec.openapi.model_writer import _GENERATOR_STRING_FORMATS, write_models

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"


def _documents() -> list[Path]:
    found = sorted((REPO / "examples").glob("*.yaml"))
    found += sorted((REPO / "tests" / "specs" / "openapi").rglob("*.yaml"))
    with (CORPUS / "MANIFEST.tsv").open(newline="") as manifest:
        found += [
            CORPUS / row["file"] for row in csv.DictReader(manifest, delimiter="\t")
        ]
    return found


# The documents whose models the writer writes (the rest go to the generator).
FAST = {
    "examples/petstore.yaml",
    "tests/corpus/dmcg-paths-ref-external/openapi.yaml",
    "tests/corpus/museum-3.1.yaml",
    "tests/corpus/petstore-expanded.yaml",
    "tests/corpus/uspto.yaml",
    "tests/corpus/webhook-example.yaml",
    "tests/specs/openapi/annotated.yaml",
    "tests/specs/openapi/bodies.yaml",
    "tests/specs/openapi/callbacks.yaml",
    "tests/specs/openapi/compile/petstore-table.yaml",
    "tests/specs/openapi/discriminator-plain.yaml",
    "tests/specs/openapi/private-schemes.yaml",
    "tests/specs/openapi/resource-list.yaml",
    "tests/specs/openapi/several-media.yaml",
    "tests/specs/openapi/responses.yaml",
    "tests/specs/openapi/warn/const-in-30.yaml",
    "tests/specs/openapi/warn/required-on-property.yaml",
    "tests/specs/openapi/webhooks.yaml",
}


def _generator(document: dict[str, Any]) -> tuple[str, list[str]]:
    """datamodel-code-generator's module for ``document`` and its warnings."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = models._datamodel_codegen(document, read_write=False, aliases={})
    return source, [str(w.message) for w in caught]


def _assert_same(document: dict[str, Any]) -> None:
    written = write_models(document, models.HEADER)
    assert written is not None
    assert written == _expected(document)


def _expected(document: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The generator's module and its warnings, each once (as models keeps them)."""
    source, said = _generator(document)
    return source, tuple(dict.fromkeys(said))


@pytest.fixture(scope="module")
def accepted() -> dict[str, list[tuple[dict[str, Any], str]]]:
    """Document -> each schema document the writer accepted in its compile, with
    what it wrote."""
    found: dict[str, list[tuple[dict[str, Any], str]]] = {}
    real = models.write_models
    current = [""]

    def spy(
        document: dict[str, Any], header: str
    ) -> tuple[str, tuple[str, ...]] | None:
        written = real(document, header)
        if written is not None:
            found.setdefault(current[0], []).append((document, written))
        return written

    models._generate_module.cache_clear()
    models.write_models = spy  # type: ignore[assignment]
    try:
        for path in _documents():
            current[0] = path.relative_to(REPO).as_posix()
            models._generate_module.cache_clear()  # the same schemas in two documents
            try:
                read_input_file(path)
            except Exception:  # noqa: BLE001, S112 (a refused spec: nothing accepted)
                continue
    finally:
        models.write_models = real  # type: ignore[assignment]
        models._generate_module.cache_clear()
    return found


def test_the_fast_path_documents_are_listed(accepted: dict[str, Any]) -> None:
    assert set(accepted) == FAST


def test_accepted_documents_get_the_generators_module(accepted: dict[str, Any]) -> None:
    for name, documents in sorted(accepted.items()):
        for document, written in documents:
            assert (name, written) == (name, _expected(document))


_B = {"type": "object", "properties": {"x": {"type": "string"}}}
_REF_B = {"$ref": "#/components/schemas/B"}
# Each construct the writer covers, beside a referenced schema B.
COVERED: dict[str, dict[str, Any]] = {
    "scalars": {"type": "string"},
    "integer": {"type": "integer", "format": "int64"},
    "number": {"type": "number", "format": "float"},
    "boolean": {"type": "boolean"},
    "date-time": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "uuid": {"type": "string", "format": "uuid"},
    "email": {"type": "string", "format": "email"},
    "uri": {"type": "string", "format": "uri"},
    "byte": {"type": "string", "format": "byte"},
    "binary": {"type": "string", "format": "binary"},
    "password": {"type": "string", "format": "password"},
    "array": {"type": "array", "items": {"type": "string"}},
    "nested array": {"type": "array", "items": {"type": "array", "items": _REF_B}},
    "array of refs": {"type": "array", "items": _REF_B, "minItems": 1},
    "ref": _REF_B,
    "enum": {"type": "string", "enum": ["a", "b"], "default": "a"},
    "int enum": {"type": "integer", "enum": [1, 2]},
    "nullable": {"type": "string", "nullable": True},
    "nullable enum": {"type": "string", "enum": ["x"], "nullable": True},
    "nullable default": {"type": "string", "nullable": True, "default": "x"},
    "defaults": {"type": "boolean", "default": False},
    "string limits": {
        "type": "string",
        "minLength": 1,
        "maxLength": 5,
        "pattern": "^a",
    },
    "integer limits": {"type": "integer", "minimum": 1, "maximum": 5, "default": 2},
    "number limits": {"type": "number", "minimum": 0.5, "maximum": 10},
    "escaped pattern": {"type": "string", "pattern": "^([01]\\d|2[0-3])$"},
    "described ref": {**_REF_B, "description": "it's", "example": 1080},
    "described": {
        "type": "string",
        "description": 'a "quoted" word',
        "example": "it's",
    },
    # models.py keeps a format no pydantic type publishes under x-format
    "unknown format": {
        "type": "string",
        "format": "uriref",
        "x-format": "uriref",
        "description": "d",
    },
    "unknown item format": {
        "type": "array",
        "items": {"type": "string", "format": "zip", "x-format": "zip"},
    },
    "array of inline objects": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"b": _REF_B, "n": {"type": "integer"}},
            "required": ["n"],
        },
    },
}


@pytest.mark.parametrize("construct", sorted(COVERED))
@pytest.mark.parametrize("required", [False, True])
def test_each_covered_construct(construct: str, required: bool) -> None:
    prop = COVERED[construct]
    if required and "default" in prop:
        prop = {k: v for k, v in prop.items() if k != "default"}
    schema = {"type": "object", "properties": {"p": prop}}
    if required:
        schema["required"] = ["p"]
    _assert_same(_document({"A": schema, "B": _B}))


def test_subclasses_and_dependency_order() -> None:
    ref = {"$ref": "#/components/schemas/Q"}
    child = {
        "type": "object",
        "properties": {"id": {"type": "integer"}},
        "required": ["id"],
    }
    _assert_same(
        _document(
            {
                "A": {
                    "type": "object",
                    "properties": {"c": {"$ref": "#/components/schemas/C"}},
                },
                "C": {
                    "type": "object",
                    "properties": {"d": {"$ref": "#/components/schemas/D"}},
                },
                "D": _B,
                "E": {"type": "object"},
                "P": {"allOf": [ref, child]},
                "Q": {"type": "object", "properties": {"x": {"type": "string"}}},
            }
        )
    )


def test_root_models_reversed_allof_and_the_date_alias() -> None:
    """Scalars and arrays as RootModels (their description kept), an ``allOf`` with
    the object first, and a field named ``date`` (the generator imports the type as
    ``date_aliased`` then)."""
    day = {"type": "string", "format": "date", "description": "a day", "example": "x"}
    ticket = {
        "type": "object",
        "properties": {"date": {"$ref": "#/components/schemas/Day"}},
    }
    schemas = {
        "Day": day,
        "Days": {"type": "array", "items": {"$ref": "#/components/schemas/Day"}},
        "Kind": {"type": "string", "enum": ["a", "b"], "example": "a"},
        "Price": {"type": "number", "format": "float", "example": 25},
        "Ticket": ticket,
        "Bought": {
            "allOf": [_B, {"$ref": "#/components/schemas/Ticket"}],
            "description": "x",
            "type": "object",
        },
    }
    _assert_same(_document(schemas))
    _assert_same(_document(schemas, "3.1.0"))
    del schemas["Ticket"], schemas["Bought"]
    _assert_same(_document(schemas))  # no field named date: date as is


# What the writer leaves to the generator.
DECLINED: dict[str, dict[str, Any]] = {
    "cycle": {
        "A": {
            "type": "object",
            "properties": {"b": {"$ref": "#/components/schemas/B"}},
        },
        "B": {
            "type": "object",
            "properties": {"a": {"$ref": "#/components/schemas/A"}},
        },
    },
    "inline object": {"A": {"type": "object", "properties": {"o": _B}}},
    "additionalProperties": {"A": {**_B, "additionalProperties": {"type": "string"}}},
    "unknown format": {
        "A": {
            "type": "object",
            "properties": {"u": {"type": "string", "format": "ulid"}},
        }
    },
    "keyword name": {
        "A": {"type": "object", "properties": {"class": {"type": "string"}}}
    },
    "non-ASCII text": {
        "A": {"type": "object", "properties": {"p": {"type": "string", "example": "é"}}}
    },
    "nullable root": {"A": {"type": "string", "nullable": True}},
    "chained allOf": {
        "A": {"allOf": [{"$ref": "#/components/schemas/B"}, _B]},
        "B": {"allOf": [{"$ref": "#/components/schemas/C"}, _B]},
        "C": _B,
    },
    "oneOf": {
        "A": {"type": "object", "properties": {"p": {"oneOf": [{"type": "string"}]}}}
    },
    # pydantic's Rust regex engine refuses them: the generator's model says
    # regex_engine="python-re" (hypothesis found "{").
    **{
        f"pattern {pattern}": {
            "A": {
                "type": "object",
                "properties": {"p": {"type": "string", "pattern": pattern}},
            }
        }
        for pattern in ("{", "(?=a)b", "(a)\\1")
    },
}


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_declined_constructs(case: str) -> None:
    assert write_models(_document(DECLINED[case]), models.HEADER) is None


def test_a_pattern_only_pythons_re_compiles_is_the_generators() -> None:
    (text, _) = _expected(_document(DECLINED["pattern {"]))
    assert 'regex_engine="python-re"' in text


def _document(schemas: dict[str, Any], version: str = "3.0.3") -> dict[str, Any]:
    """A schemas-only document as ``ModelSet.document`` makes one (keys sorted)."""
    document = {
        "openapi": version,
        "info": {"title": "models", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    return json.loads(json.dumps(document, sort_keys=True))


_NAMES = st.sampled_from(["id", "name", "tag", "count", "bornOn", "owner_id", "date"])
_SCALAR = st.sampled_from([v for k, v in COVERED.items() if "ref" not in k])


_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
_VALUES = {
    "string": _TEXT,
    "integer": st.integers(-(2**40), 2**40),
    "number": st.integers(-100, 100) | st.floats(-1e6, 1e6, allow_nan=False),
    "boolean": st.booleans(),
}
_FORMATS = {
    "string": [None, "date", "date-time", "uuid", "email", "uri", "byte", "password"],
    "integer": [None, "int32", "int64"],
    "number": [None, "float", "double"],
    "boolean": [None],
}


@st.composite
def _scalar(draw: st.DrawFn) -> dict[str, Any]:
    """A scalar property with any mix of format, enum, limits, nullable, default,
    description and example."""
    kind = draw(st.sampled_from(sorted(_VALUES)))
    prop: dict[str, Any] = {"type": kind}
    if fmt := draw(st.sampled_from(_FORMATS[kind])):
        prop["format"] = fmt
    values = _VALUES[kind]
    if kind in {"string", "integer"} and draw(st.booleans()):
        prop["enum"] = draw(st.lists(values, min_size=1, max_size=3, unique=True))
        values = st.sampled_from(prop["enum"])
    limits = {
        "string": ["minLength", "maxLength", "pattern"],
        "integer": ["minimum", "maximum"],
        "number": ["minimum", "maximum"],
    }.get(kind, [])
    for key in draw(st.lists(st.sampled_from(limits), unique=True)) if limits else []:
        prop[key] = draw(
            _TEXT
            if key == "pattern"
            else _VALUES[kind]
            if key in {"minimum", "maximum"}
            else st.integers(0, 9)
        )
    for key, strategy in (
        ("nullable", st.booleans()),
        ("default", values),
        ("description", _TEXT),
        ("example", values),
    ):
        if draw(st.booleans()):
            prop[key] = draw(strategy)
    return prop


def _properties(classes: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    refs = [{"$ref": f"#/components/schemas/{c}"} for c in classes]
    described = [{**ref, "description": "d", "example": "x"} for ref in refs]
    refs += [{**ref, "description": "a 'quoted' \\d"} for ref in refs] + described
    prop = _SCALAR | _scalar() | (st.sampled_from(refs) if refs else _SCALAR)
    prop = prop | prop.map(
        lambda p: {"type": "array", "items": p} if "$ref" in p else p
    )
    return st.dictionaries(_NAMES, prop, max_size=4)


@st.composite
def _schemas(draw: st.DrawFn) -> dict[str, Any]:
    """Up to four classes, each referring only to the ones before it (no cycles),
    some subclasses of an earlier one; names in any order."""
    names = draw(st.permutations(["Alpha", "Beta", "Gamma", "Delta"]))[
        : draw(st.integers(1, 4))
    ]
    schemas: dict[str, Any] = {}
    for i, name in enumerate(names):
        if draw(st.integers(0, 3)) == 0:  # a RootModel
            root = draw(_scalar() | _properties(names[:i]).map(_an_array))
            schemas[name] = {k: v for k, v in root.items() if k != "default"}
            continue
        properties = draw(_properties(names[:i]))
        required = draw(
            st.lists(st.sampled_from(sorted(properties) or ["-"]), unique=True)
        )
        body = {"type": "object", "properties": properties}
        if required and required != ["-"]:
            body["required"] = [r for r in required if r in properties]
        if i and draw(st.booleans()):
            parent = names[draw(st.integers(0, i - 1))]
            own = {
                k: v
                for k, v in properties.items()
                if k not in schemas[parent].get("properties", {})
            }
            body = {
                **body,
                "properties": own,
                "required": [r for r in body.get("required", []) if r in own],
            }
            parts = [{"$ref": f"#/components/schemas/{parent}"}, body]
            body = {"allOf": parts[:: draw(st.sampled_from([1, -1]))]}
        schemas[name] = body
    return schemas


def _an_array(properties: dict[str, Any]) -> dict[str, Any]:
    """An array of one of the drawn properties' types (a string when none)."""
    items = next(iter(properties.values()), {"type": "string"})
    return {"type": "array", "items": items, "description": "many"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_schemas(), st.sampled_from(["3.0.3", "3.1.0"]))
def test_drawn_schemas(schemas: dict[str, Any], version: str) -> None:
    document = _document(schemas, version)
    written = write_models(document, models.HEADER)
    if written is not None:
        assert written == _expected(document)


_IDENTIFIERS = st.from_regex(
    r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True
) | st.sampled_from(
    [
        "from_orm",
        "schema",
        "copy",
        "json",
        "model_config",
        "date",
        "class",
        "Field",
        "root",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_IDENTIFIERS, _SCALAR, min_size=1, max_size=4))
def test_drawn_property_names(properties: dict[str, Any]) -> None:
    """Names the generator renames or aliases (keywords, BaseModel's members, the
    module's imports) are left to it."""
    document = _document({"A": {"type": "object", "properties": properties}, "B": _B})
    written = write_models(document, models.HEADER)
    if written is not None:
        assert written == _expected(document)


def test_a_fast_path_document_does_not_load_the_generator() -> None:
    """The point of the writer: a fresh process compiling petstore-expanded never
    imports datamodel-code-generator (0.10-0.15 s of CPU)."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path\n"
        "from fastgen.spec.inputs import read_input_file\n"
        f"read_input_file(Path({str(CORPUS / 'petstore-expanded.yaml')!r}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('datamodel_code')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_generators_string_formats() -> None:
    """The writer reads any other string format as the generator does: str, warned."""
    from datamodel_code_generator.parser.jsonschema import json_schema_data_formats

    assert set(json_schema_data_formats["string"]) == _GENERATOR_STRING_FORMATS


def test_a_required_property_with_a_default_and_two_unknown_formats() -> None:
    prop = {"type": "string", "format": "a b", "x-format": "a b", "default": "x"}
    schema = {
        "type": "object",
        "properties": {
            "d": {"type": "integer", "default": 3, "description": "d"},
            "e": {"type": "string", "default": "e"},
            "f": prop,
            "g": {"type": "string", "format": "uriref", "x-format": "uriref"},
            "h": {"type": "string", "format": "a b", "x-format": "a b"},
        },
        "required": ["d", "e", "f"],
    }
    document = _document({"A": schema})
    assert write_models(document, models.HEADER) is None  # a default with a format
    schema["properties"]["f"] = {
        "type": "string",
        "format": "uriref",
        "x-format": "uriref",
    }
    document = _document({"A": schema})
    _assert_same(document)
    written = write_models(document, models.HEADER)
    assert written is not None
    assert written[1] == (
        "format of 'uriref' not understood for 'string' - using default",
        "format of 'a b' not understood for 'string' - using default",
    )


# The generator names an array's inline item by inflect's singular of the whole
# path: DataSetList.apis -> DataSetListApi, Parent.status -> ParentStatu,
# Parent.children -> ParentChildrenItem.
@pytest.mark.parametrize(
    "name", ["apis", "status", "children", "data", "people", "x", "orderItems", "news"]
)
def test_inline_array_items_take_the_generators_names(name: str) -> None:
    item = {"type": "object", "properties": {"a": {"type": "string"}}}
    nested = {
        "type": "object",
        "properties": {"inner": {"type": "array", "items": item}},
    }
    schemas = {
        "Parent": {
            "type": "object",
            "properties": {name: {"type": "array", "items": nested}, "z": _REF_B},
        },
        "B": {
            "type": "object",
            "properties": {"more": {"type": "array", "items": item}},
        },
    }
    _assert_same(_document(schemas))


def test_inline_item_names_the_writer_leaves_to_the_generator() -> None:
    item = {"type": "object", "properties": {"a": {"type": "string"}}}
    # the item class would take a component's name
    taken = {
        "A": {"type": "object", "properties": {"bs": {"type": "array", "items": item}}},
        "AB": _B,
    }
    # a snake_case name, and an inline object in a root model
    snake = {
        "A": {"type": "object", "properties": {"b_s": {"type": "array", "items": item}}}
    }
    root = {"A": {"type": "array", "items": item}}
    for schemas in (taken, snake, root):
        assert write_models(_document(schemas), models.HEADER) is None
