"""A JSON column's schema may widen without ``--allow-data-loss``.

Unit tests of ``fastgen.render.json_widening``: the widenings users make in pull
requests pass, narrowings and keywords it does not know are reasons with their
keyword path; hypothesis checks, against the ``jsonschema`` validator, that what
passes keeps every value the old schema took, and that random widenings pass.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fastgen.render.dataloss import destructive_changes
from fastgen.render.json_widening import narrowings, recorded_narrowings
from fastgen.render.migrations import schema_of
from fastgen.spec.inputs import read_input

from .test_dataloss import PK_SPEC

TAGS = {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 3}
SIZE = {
    "type": "object",
    "required": ["w", "unit"],
    "properties": {
        "w": {"type": "integer", "minimum": 0, "maximum": 10},
        "unit": {"type": "string", "enum": ["cm", "in"]},
        "label": {"type": "string", "minLength": 2, "format": "email"},
    },
}


def changed(schema: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``schema`` with the keyword at ``path`` (``properties/w/maximum``) set to
    ``value``, or removed when ``value`` is ``...``."""
    result = copy.deepcopy(schema)
    *parents, key = path.split("/")
    node = result
    for part in parents:
        node = node[part]
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return result


WIDENINGS = [
    (TAGS, changed(TAGS, "items/maxLength", 10)),
    (TAGS, changed(TAGS, "maxItems", ...)),
    (TAGS, changed(TAGS, "items/type", ["string", "null"])),
    (TAGS, changed(TAGS, "items/nullable", True)),
    (TAGS, changed(TAGS, "type", ["array", "null"])),
    (TAGS, {"anyOf": [TAGS, {"type": "null"}]}),
    (TAGS, changed(TAGS, "items", {"type": "string"})),
    (TAGS, changed(TAGS, "items", True)),
    (TAGS, {}),
    (SIZE, changed(SIZE, "properties/h", {"type": "number"})),
    (SIZE, changed(SIZE, "required", ["w"])),
    (SIZE, changed(SIZE, "required", ...)),
    (SIZE, changed(SIZE, "properties/unit/enum", ["cm", "in", "mm"])),
    (SIZE, changed(SIZE, "properties/unit/enum", ...)),
    (SIZE, changed(SIZE, "properties/w/maximum", 100)),
    (SIZE, changed(SIZE, "properties/w/minimum", -1)),
    (SIZE, changed(SIZE, "properties/w/type", "number")),
    (SIZE, changed(SIZE, "properties/label/minLength", 0)),
    (SIZE, changed(SIZE, "properties/label/format", ...)),
    (SIZE, changed(SIZE, "additionalProperties", True)),
    (SIZE, changed(SIZE, "properties/w/exclusiveMaximum", 11)),
    # The same object written as a base and its extension (a $ref inlined).
    (
        SIZE,
        {
            "allOf": [
                changed(SIZE, "properties/label", ...),
                {"properties": {"label": {"type": "string"}, "h": {"type": "integer"}}},
            ]
        },
    ),
    ({"type": "integer", "multipleOf": 4}, {"type": "integer", "multipleOf": 2}),
    (
        {"type": "number", "minimum": 0, "exclusiveMinimum": True},
        {"type": "number", "minimum": 0},
    ),
    ({"type": "string", "const": "a"}, {"type": "string", "enum": ["a", "b"]}),
    ({"enum": ["a", 1]}, {"type": ["string", "integer"]}),
    (
        {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 9}, True]},
    ),
    ({"type": "object"}, {"type": "object", "additionalProperties": True}),
    # Parts that do not merge: each must take the old values.
    (
        {"type": "string", "maxLength": 3},
        {"allOf": [{"maxLength": 5}, {"type": "string", "maxLength": 4}]},
    ),
    # A property removed where other properties are kept (and answered).
    (SIZE, {**changed(SIZE, "properties/label", ...), "additionalProperties": True}),
    (
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"type": "object", "additionalProperties": {"type": "number"}},
    ),
    # Formats that only widen a number's range (OpenAPI's int32 < int64 < float < double).
    ({"type": "integer", "format": "int32"}, {"type": "integer", "format": "int64"}),
    ({"type": "integer", "format": "int64"}, {"type": "integer"}),
    ({"type": "number", "format": "float"}, {"type": "number", "format": "double"}),
    ({"type": "integer", "format": "int32"}, {"type": "number", "format": "double"}),
    # An enum's values checked against the new keywords, one by one.
    (
        {"type": "string", "enum": ["cm", "in"]},
        {"type": "string", "enum": ["cm", "in"], "maxLength": 2, "minLength": 2},
    ),
    (
        {"type": "string", "enum": ["cm", "in"], "pattern": "^c"},
        {"type": "string", "pattern": "^[a-z]+$"},
    ),
    ({"type": "string", "const": "cm"}, {"type": "string", "pattern": "m$"}),
    (
        {"type": "integer", "enum": [2, 4]},
        {"type": "integer", "minimum": 2, "exclusiveMaximum": 5, "multipleOf": 2},
    ),
    # A value old refused is none of its values: it need not pass the new keywords.
    (
        {"type": "string", "enum": ["cm", "inch"], "maxLength": 2},
        {"type": "string", "maxLength": 3},
    ),
    # A type list split over the new union's members.
    ({"type": ["string", "null"]}, {"anyOf": [{"type": "string"}, {"type": "null"}]}),
    (
        {"type": ["string", "null"], "enum": ["cm", None]},
        {"anyOf": [{"enum": ["cm", "in"]}, {"type": "null"}]},
    ),
    (
        {"type": ["string", "integer"], "maxLength": 3, "nullable": True},
        {"oneOf": [{"type": "string", "maxLength": 4}, {"type": ["integer", "null"]}]},
    ),
    # allOf parts that overlap: one part alone takes no fewer values.
    (
        {"allOf": [{"type": "string", "maxLength": 5}, {"maxLength": 3}]},
        {"allOf": [{"type": "string", "maxLength": 5}]},
    ),
    # An anyOf beside other keywords: the keywords go into each member.
    (
        {
            "type": "object",
            "properties": {"a": {"type": "string"}},
            "anyOf": [{"required": ["a"]}, {"maxProperties": 1}],
        },
        {"type": "object", "properties": {"a": {"type": "string"}}},
    ),
    ({"anyOf": [TAGS, {"type": "null"}]}, {"anyOf": [TAGS, {"type": "null"}, SIZE]}),
    (
        {**SIZE, "additionalProperties": False},
        changed(SIZE, "properties/h", {"type": "number"}),
    ),
]


@pytest.mark.parametrize(("old", "new"), WIDENINGS)
def test_a_widening_passes(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert narrowings(old, new) == []


NARROWINGS = [
    (TAGS, changed(TAGS, "items/maxLength", 4), "items/maxLength: lowered from 5 to 4"),
    (TAGS, changed(TAGS, "minItems", 1), "minItems: added (1)"),
    (TAGS, changed(TAGS, "uniqueItems", True), "uniqueItems: added"),
    (
        TAGS,
        changed(TAGS, "items/type", "integer"),
        "items/type: no longer takes string",
    ),
    (
        TAGS,
        changed(TAGS, "items/pattern", "^a"),
        "items/pattern: changed, not compared",
    ),
    (
        TAGS,
        changed(TAGS, "items/format", "uuid"),
        "items/format: added, not compared",
    ),
    (TAGS, {"type": "null"}, "type: no longer takes array"),
    (
        SIZE,
        changed(SIZE, "required", ["w", "unit", "label"]),
        "required: adds label (rows without it)",
    ),
    (
        SIZE,
        changed(SIZE, "properties/unit/enum", ["cm"]),
        'properties/unit/enum: drops "in"',
    ),
    (
        SIZE,
        changed(SIZE, "properties/w/maximum", 9),
        "properties/w/maximum: lowered to 9 from 10",
    ),
    (
        SIZE,
        changed(SIZE, "properties/w/exclusiveMaximum", 10),
        "properties/w/maximum: lowered to 10 (exclusive) from 10",
    ),
    (
        SIZE,
        changed(SIZE, "properties/w/type", "string"),
        "properties/w/type: no longer takes integer",
    ),
    (
        SIZE,
        changed(SIZE, "properties/label", ...),
        (
            "properties/label: removed; rows keep its values, which a property of "
            "that name added later would meet"
        ),
    ),
    (
        SIZE,
        changed(SIZE, "properties/label/format", "uri"),
        "properties/label/format: changed from email, not compared",
    ),
    (
        SIZE,
        {
            **changed(SIZE, "properties/label", ...),
            "additionalProperties": {"type": "string", "maxLength": 5},
        },
        "properties/label/maxLength: added (5)",
    ),
    (
        {"type": "number"},
        {"type": "integer"},
        "type: no longer takes number",
    ),
    (
        {"type": "integer"},
        {"type": "integer", "multipleOf": 2},
        "multipleOf: 2 takes values any number did",
    ),
    ({"type": "string"}, {"enum": ["a"]}, "enum: added"),
    (
        {"type": "object"},
        {"type": "object", "properties": {"a": {"type": "string"}}},
        "properties/a/type: took any type, now only string",
    ),
    (
        {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        {"type": "string"},
        "type: no longer takes integer",
    ),
    (
        {"type": "string"},
        {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]},
        "anyOf: no member accepts every value the old schema did",
    ),
    # Not proven, so refused: keywords not compared, a schema that refers to itself.
    (
        {"type": "string"},
        {"type": "string", "contentMediaType": "text/html"},
        "contentMediaType: a keyword not compared",
    ),
    (
        {"type": "object", "properties": {"a": {"type": "integer"}}},
        {"type": "object", "patternProperties": {"^a": {"type": "integer"}}},
        "patternProperties: a keyword not compared",
    ),
    (
        {"properties": {"next": {"$ref": "#/components/schemas/Node"}, "v": {}}},
        {"properties": {"next": {"$ref": "#/components/schemas/Node"}}},
        (
            "properties/v: removed; rows keep its values, which a property of that "
            "name added later would meet"
        ),
    ),
    (
        {"properties": {"next": {"$ref": "#/components/schemas/Node"}}},
        {"properties": {"next": {"$ref": "#/components/schemas/Other"}}},
        "properties/next/$ref: a recursive schema changed, not compared",
    ),
    (
        {"type": "array", "items": [{"type": "string"}]},
        {"type": "array", "items": [{"type": "string"}], "maxItems": 2},
        "maxItems: added (2)",
    ),
    (
        {"type": "string"},
        {"type": "string", "allOf": {"maxLength": 2}},
        "allOf: not a list, not compared",
    ),
    (
        {"type": "string", "maxLength": 3},
        {"allOf": [{"maxLength": 4}, {"maxLength": 2}]},
        "allOf/1/maxLength: lowered from 3 to 2",
    ),
    (
        {"allOf": [{"maxLength": 2}, {"maxLength": 3}]},
        {"type": "string"},
        "allOf: parts that overlap, not compared",
    ),
    (
        {"type": "integer", "format": "int64"},
        {"type": "integer", "format": "int32"},
        "format: changed from int64, not compared",
    ),
    (
        {"type": "string", "enum": ["cm", "inch"]},
        {"type": "string", "maxLength": 2},
        'maxLength: "inch" is longer than 2',
    ),
    (
        {"type": "string", "enum": ["cm", "in"]},
        {"type": "string", "pattern": "^c"},
        'pattern: refuses "in"',
    ),
    (
        {"type": "string", "enum": ["ab\n"]},
        {"type": "string", "pattern": "^ab$"},
        'pattern: refuses "ab\\n"',
    ),
    (
        {"type": "string", "enum": ["cm"]},
        {"type": "string", "pattern": "(?=c)["},
        "pattern: not read, not compared",
    ),
    (
        {"type": "integer", "enum": [2, 5]},
        {"type": "integer", "multipleOf": 2, "maximum": 4},
        "maximum: refuses 5",
    ),
    (
        {"type": ["string", "integer"]},
        {"anyOf": [{"type": "string", "maxLength": 4}, {"type": "integer"}]},
        "anyOf: no member accepts every value the old schema did",
    ),
    (
        {"allOf": [{"type": "string", "maxLength": 5}, {"maxLength": 3}]},
        {"type": "string", "maxLength": 2},
        "allOf: parts that overlap, not compared",
    ),
]


@pytest.mark.parametrize(("old", "new", "reason"), NARROWINGS)
def test_a_narrowing_names_its_keyword_path_and_why(
    old: dict[str, Any], new: dict[str, Any], reason: str
) -> None:
    assert reason in narrowings(old, new)


# A tree as ``schema.json`` records a recursive schema: its ``$ref``s back into
# itself are JSON pointers from the recorded schema's root.
TREE = {
    "type": "object",
    "properties": {
        "v": {"type": "string", "maxLength": 3},
        "kids": {"type": "array", "items": {"$ref": "#"}},
    },
}


def test_a_recursive_schema_widened_passes() -> None:
    assert narrowings(TREE, changed(TREE, "properties/v/maxLength", 5)) == []
    # The same tree unrolled once, wider at each level.
    inner = changed(TREE, "properties/kids/items", {"$ref": "#/properties/kids/items"})
    unrolled = changed(TREE, "properties/kids/items", inner)
    assert narrowings(TREE, unrolled) == []
    assert narrowings(unrolled, TREE) == []
    # A list of trees under another property: the pointer says which node.
    listed = {
        "type": "object",
        "properties": {
            "t": changed(TREE, "properties/kids/items", {"$ref": "#/properties/t"})
        },
    }
    wider = changed(listed, "properties/t/properties/v/maxLength", 4)
    assert narrowings(listed, wider) == []


def test_a_recursive_schema_narrowed_deep_down_names_the_path() -> None:
    inner = changed(TREE, "properties/kids/items", {"$ref": "#/properties/kids/items"})
    unrolled = changed(TREE, "properties/kids/items", inner)
    narrower = changed(unrolled, "properties/kids/items/properties/v/maxLength", 2)
    assert narrowings(TREE, narrower) == [
        "properties/kids/items/properties/v/maxLength: lowered from 3 to 2"
    ]


def test_a_schema_that_refers_to_itself_with_no_value_between_is_refused() -> None:
    """Assuming the pair proven is sound only once a value was taken apart:
    here the new schema takes no value at all."""
    old = {"anyOf": [{"$ref": "#"}, {"type": "string"}]}
    new = {"anyOf": [{"$ref": "#"}]}
    assert (
        "$ref: refers to itself with no item or property between, not compared"
        in narrowings(old, new)
    )
    assert narrowings({"type": "string"}, new) != []


def test_every_reason_is_listed() -> None:
    new = changed(changed(TAGS, "maxItems", 2), "items/maxLength", 4)
    assert narrowings(TAGS, new) == [
        "maxItems: lowered from 3 to 2",
        "items/maxLength: lowered from 5 to 4",
    ]


def test_recorded_schemas_are_compared_as_json_text() -> None:
    old = json.dumps(TAGS, sort_keys=True)
    assert recorded_narrowings(old, None) == []  # no longer JSON: its type says so
    assert recorded_narrowings(None, old) == []  # recorded from this update on
    narrower = json.dumps(changed(TAGS, "maxItems", 1))
    assert recorded_narrowings(old, narrower) == ["maxItems: lowered from 3 to 1"]


def _compiled(spec: Path, properties: str) -> Any:
    spec.write_text(PK_SPEC.replace("properties:\n", f"properties:\n{properties}"))
    return read_input(spec)[1]


def test_an_openapi_widening_is_no_loss_and_a_narrowing_names_the_column(
    tmp_path: Path,
) -> None:
    """Through the compile: a ``$ref`` inlined, ``nullable`` of OpenAPI 3.0."""
    spec = tmp_path / "openapi.yaml"
    old = _compiled(
        spec, "        tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}\n"
    )
    wider = _compiled(
        spec,
        "        tags:\n          type: array\n          items:\n"
        "            type: [string, 'null']\n            description: a label\n",
    )
    found = destructive_changes(schema_of(old), wider, schema_of(wider), {}, "o.yaml")
    assert found == []
    assert schema_of(wider) != schema_of(old)  # recorded by the update
    narrower = _compiled(
        spec, "        tags: {type: array, items: {type: string, maxLength: 2}}\n"
    )
    (loss,) = destructive_changes(
        schema_of(old), narrower, schema_of(narrower), {}, "o.yaml"
    )
    assert loss.message.startswith(
        "changes the schema of JSON column things.tags (items/maxLength: added (2)): "
    )


NODE = """\
    Node:
      type: object
      properties:
        v: {type: string, maxLength: LIMIT}
        kids: {type: array, items: {$ref: '#/components/schemas/Node'}}
"""


def _with_node(spec: Path, limit: int) -> Any:
    """A tree column (``tree``, a recursive ``Node``), its ``v`` at most ``limit``."""
    spec.write_text(
        PK_SPEC.replace(
            "properties:\n",
            "properties:\n        tree: {$ref: '#/components/schemas/Node'}\n",
            1,
        )
        + NODE.replace("LIMIT", str(limit))
    )
    return read_input(spec)[1]


def test_a_recursive_column_is_recorded_self_contained_and_may_widen(
    tmp_path: Path,
) -> None:
    """The recorded ``$ref`` points into the recorded schema, which a JSON Schema
    validator reads as it is; a tree widened at every depth is no loss."""
    spec = tmp_path / "openapi.yaml"
    old = _with_node(spec, 3)
    (column,) = (f for f in old.resources[0].fields if f.name == "tree")
    recorded = json.loads(column.json_schema)
    assert recorded["properties"]["kids"]["items"] == {"$ref": "#"}
    deep = {"v": "abc", "kids": [{"v": "abc", "kids": [{"v": "abcd"}]}]}
    assert not jsonschema.Draft202012Validator(recorded).is_valid(deep)
    wider = _with_node(spec, 5)
    assert (
        destructive_changes(schema_of(old), wider, schema_of(wider), {}, "o.yaml") == []
    )
    narrower = _with_node(spec, 2)
    (loss,) = destructive_changes(
        schema_of(old), narrower, schema_of(narrower), {}, "o.yaml"
    )
    assert "(properties/v/maxLength: lowered from 3 to 2)" in loss.message


# Random schemas of the keywords the rule knows, their values, and changes.
NAMES = ("a", "b", "c")
PATTERNS = ("^x", "y", "^[xyz]+$", "z$", "^(x|yy)$")
FORMATS = ("int32", "int64", "float", "double")
# Numbers past a format's range: where a narrowed format refuses one.
FAR = (2**31, -(2**31) - 1, 2**63, 3.5e38)
# OpenAPI's number formats as ranges (the jsonschema validator checks no others).
RANGES = jsonschema.FormatChecker([])
RANGES.checks("int32")(lambda v: not _numeric(v) or (v == int(v) and abs(v) < 2**31))
RANGES.checks("int64")(lambda v: not _numeric(v) or (v == int(v) and abs(v) < 2**63))
RANGES.checks("float")(lambda v: not _numeric(v) or abs(v) <= 3.4028234663852886e38)
RANGES.checks("double")(lambda v: True)


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalars() -> st.SearchStrategy[dict[str, Any]]:
    small = st.integers(-3, 3)
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "minLength": st.integers(0, 2),
            "maxLength": st.integers(2, 5),
            "enum": st.lists(
                st.sampled_from(["x", "yy", "zzz"]), min_size=1, unique=True
            ),
            "pattern": st.sampled_from(PATTERNS),
        },
    )
    number = st.fixed_dictionaries(
        {"type": st.sampled_from(["integer", "number"])},
        optional={
            "minimum": small,
            "maximum": small.map(lambda n: n + 4),
            "format": st.sampled_from(FORMATS),
            "enum": st.lists(
                st.sampled_from([0, 2, 5, 2**40]), min_size=1, unique=True
            ),
        },
    )
    return st.one_of(string, number, st.just({"type": "boolean"}))


def _schemas() -> st.SearchStrategy[dict[str, Any]]:
    def nested(
        children: st.SearchStrategy[dict[str, Any]],
    ) -> st.SearchStrategy[dict[str, Any]]:
        array = st.fixed_dictionaries(
            {"type": st.just("array"), "items": children},
            optional={
                "maxItems": st.integers(1, 3),
                "minItems": st.integers(0, 1),
                "uniqueItems": st.booleans(),
            },
        )
        props = st.dictionaries(st.sampled_from(NAMES), children, min_size=1)
        obj = props.flatmap(
            lambda p: st.fixed_dictionaries(
                {
                    "type": st.just("object"),
                    "properties": st.just(p),
                    "required": st.lists(st.sampled_from(sorted(p)), unique=True),
                },
                optional={"additionalProperties": st.just(False)},
            )
        )
        union = st.lists(children, min_size=1, max_size=3).map(lambda m: {"anyOf": m})
        return st.one_of(array, obj, union)

    return st.recursive(_scalars(), nested, max_leaves=6)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def _in_a_child(
    draw: st.DrawFn,
    schema: dict[str, Any],
    change: Callable[[dict[str, Any]], st.SearchStrategy[dict[str, Any]]],
) -> bool:
    """Maybe ``change`` one of ``schema``'s children (a property, the items) in
    place: whether it did."""
    children = [f"properties/{n}" for n in schema.get("properties", {})]
    children += ["items"] if "items" in schema else []
    if not children or not draw(st.booleans()):
        return False
    *parent, key = draw(st.sampled_from(children)).split("/")
    node = schema
    for part in parent:
        node = node[part]
    node[key] = draw(change(node[key]))
    return True


def _kept_by(values: list[Any]) -> dict[str, Any]:
    """Keywords that take each of ``values``."""
    texts = [v for v in values if isinstance(v, str)]
    numbers = [v for v in values if _numeric(v)]
    kept: dict[str, Any] = {}
    if texts:
        kept["maxLength"] = max(map(len, texts))
        kept["minLength"] = min(map(len, texts))
        kept["pattern"] = "^(" + "|".join(texts) + ")$"
    if numbers:
        kept["maximum"], kept["minimum"] = max(numbers), min(numbers)
    return kept


@st.composite
def _widened(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with one change that takes every value it took."""
    result = copy.deepcopy(schema)
    if _in_a_child(draw, result, _widened):
        return result
    loose = [k for k in ("minLength", "maxLength", "minimum", "maximum") if k in result]
    loose += [k for k in ("minItems", "maxItems", "enum", "required") if k in result]
    loose += [k for k in ("format", "pattern", "uniqueItems") if k in result]
    loose += [k for k in ("additionalProperties",) if k in result]
    more = ["null", "any", "property", "integer", "wider", "variant", "kept"]
    choice = draw(st.sampled_from([*loose, *more]))
    if choice in loose:
        del result[choice]
    elif choice == "wider" and result.get("format") in FORMATS:
        result["format"] = draw(
            st.sampled_from(FORMATS[FORMATS.index(result["format"]) :])
        )
    elif choice == "variant" and "anyOf" in result:
        result["anyOf"].insert(draw(st.integers(0, 9)), draw(_scalars()))
    elif choice == "kept" and "enum" in result:  # a keyword every value passes
        result.update(_kept_by(result["enum"]))
    elif choice == "null" and "type" in result:
        result = _nullable(result)
    elif choice == "any":
        result = {"anyOf": [result, draw(_scalars())]}
    elif choice == "property" and "properties" in result:
        result["properties"]["d"] = draw(_scalars())
    elif choice == "integer" and result.get("type") == "integer":
        result["type"] = "number"
    return result


BOUNDS = {
    "string": ["minLength", "maxLength"],
    "integer": ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
    "number": ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
    "array": ["minItems", "maxItems"],
    "object": ["minProperties", "maxProperties"],
}


@st.composite
def _changed(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with one change that may take fewer values."""
    result = copy.deepcopy(schema)
    if _in_a_child(draw, result, _changed):
        return result
    more = ["format", "pattern", "unique", "closed", "member"]
    choice = draw(st.sampled_from(["widen", "bound", "type", "drop", "require", *more]))
    if choice == "widen":
        return draw(_widened(result))
    if choice == "format":
        result["format"] = draw(st.sampled_from(FORMATS))
    elif choice == "pattern":
        result["pattern"] = draw(st.sampled_from(PATTERNS))
    elif choice == "unique" and "items" in result:
        result["uniqueItems"] = True
    elif choice == "closed" and "properties" in result:
        result["additionalProperties"] = False
    elif choice == "member" and "anyOf" in result and len(result["anyOf"]) > 1:
        result["anyOf"].pop(draw(st.integers(0, len(result["anyOf"]) - 1)))
    if choice == "bound":
        key = draw(st.sampled_from(BOUNDS.get(result.get("type"), ["maxLength"])))
        bound = result.get(key, 2) + draw(st.integers(-2, 2))
        counted = key.startswith(("min", "max")) and key not in ("minimum", "maximum")
        result[key] = max(bound, 0) if counted else bound
    elif choice == "type":
        result["type"] = draw(st.sampled_from(["string", "integer", "number", "array"]))
    elif choice == "drop" and result.get("properties"):
        result["properties"].pop(draw(st.sampled_from(sorted(result["properties"]))))
    elif choice == "require" and "properties" in result:
        result["required"] = sorted(result["properties"])
    return result


@st.composite
def _value(draw: st.DrawFn, schema: dict[str, Any]) -> Any:
    """A value ``schema`` takes, objects holding only properties it names (as the
    generated models store them)."""
    if "anyOf" in schema:
        return draw(_value(draw(st.sampled_from(schema["anyOf"]))))
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    kind = draw(st.sampled_from(kinds))
    if kind == "null":
        return None
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    # Values at the old schema's bounds: where a narrowed bound refuses one.
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 6)
        return "x" * draw(st.sampled_from([low, high, (low + high) // 2]))
    if kind in ("integer", "number"):
        low, high = schema.get("minimum", -9), schema.get("maximum", 9)
        if "minimum" not in schema and "maximum" not in schema and draw(st.booleans()):
            return draw(st.sampled_from(FAR))
        if kind == "integer" or draw(st.booleans()):
            return draw(st.sampled_from([low, high]) | st.integers(low, max(low, high)))
        return draw(st.floats(low, max(low, high)))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "array":
        size = draw(
            st.sampled_from([schema.get("minItems", 0), schema.get("maxItems", 3)])
        )
        if "minItems" not in schema and draw(st.booleans()):
            size = 0
        return [draw(_value(schema["items"])) for _ in range(size)]
    required = set(schema.get("required", ()))
    return {
        name: draw(_value(sub))
        for name, sub in schema["properties"].items()
        if name in required or draw(st.booleans())
    }


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_widenings_pass(data: st.DataObject) -> None:
    old = data.draw(_schemas())
    new = data.draw(_widened(old))
    assert narrowings(old, new) == []


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
@given(st.data())
def test_what_passes_takes_every_value_the_old_schema_took(data: st.DataObject) -> None:
    old = data.draw(_schemas())
    new = data.draw(_changed(old))
    assume(narrowings(old, new) == [])
    for _ in range(10):
        value = data.draw(_value(old))
        if jsonschema.Draft202012Validator(old, format_checker=RANGES).is_valid(value):
            jsonschema.Draft202012Validator(new, format_checker=RANGES).validate(value)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["integer", "number"]),
    st.sampled_from([None, *FORMATS]),
    st.sampled_from([None, *FORMATS]),
    st.sampled_from([0, 2.5, *FAR]),
)
def test_a_format_passes_only_where_it_keeps_each_number(
    kind: str, was: str | None, now: str | None, value: float
) -> None:
    old = {"type": kind} | ({"format": was} if was else {})
    new = {"type": kind} | ({"format": now} if now else {})
    if narrowings(old, new) == [] and jsonschema.Draft202012Validator(
        old, format_checker=RANGES
    ).is_valid(value):
        jsonschema.Draft202012Validator(new, format_checker=RANGES).validate(value)


def _tree(leaf: dict[str, Any], kids: Any) -> dict[str, Any]:
    """A node holding ``leaf`` as ``v`` and, as ``kids``, items of ``kids``."""
    return {
        "type": "object",
        "properties": {"v": leaf, "kids": {"type": "array", "items": kids}},
    }


@st.composite
def _tree_value(draw: st.DrawFn, leaf: dict[str, Any], depth: int) -> Any:
    size = draw(st.integers(0, 2)) if depth else 0
    kids = [draw(_tree_value(leaf, depth - 1)) for _ in range(size)]
    return {"v": draw(_value(leaf)), "kids": kids}


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_what_passes_takes_every_tree_the_old_schema_took(data: st.DataObject) -> None:
    """Recursive schemas, the new one maybe unrolled a level (its own pointer)."""
    leaf = data.draw(_scalars())
    old = _tree(leaf, {"$ref": "#"})
    new_leaf, inner_leaf = data.draw(_changed(leaf)), data.draw(_changed(leaf))
    if data.draw(st.booleans()):
        new = _tree(new_leaf, {"$ref": "#"})
    else:
        inner = _tree(inner_leaf, {"$ref": "#/properties/kids/items"})
        new = _tree(new_leaf, inner)
    assume(narrowings(old, new) == [])
    for _ in range(5):
        value = data.draw(_tree_value(leaf, 3))
        if jsonschema.Draft202012Validator(old, format_checker=RANGES).is_valid(value):
            jsonschema.Draft202012Validator(new, format_checker=RANGES).validate(value)
