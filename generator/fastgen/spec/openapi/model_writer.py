"""The ``api_models`` module of a simple document, written without datamodel-code-generator.

Why hand-rolled (the engineering standards prefer the library): importing
datamodel-code-generator costs 0.10-0.15 s of CPU and its run another 0.05-0.06 s on a
four-schema document, against a whole `fastgen new` of ~0.8 s and fastapi-code-generator's
~0.45 s (bench/README.md, "2026-12-06, the models of simple documents"); issue 13's
target 2 (at most 1.5x) cannot hold on small documents while every one pays for it.

This writer covers the schemas small documents use: objects with properties (or an
``allOf`` of one component and one such object, a subclass), scalars and arrays as
``RootModel``s, properties of scalar types with the formats below, constraints,
``enum`` (a ``Literal``), ``nullable``, defaults, examples and descriptions,
references to components (described or not) and arrays of those, arrays of inline
objects (a class named by the generator's own singular of the owner's name, whose
import, ~0.1 s, only such a document pays) and string formats the generator does not
know (with its warning).
It returns exactly the module datamodel-code-generator writes with fastgen's options
(``models._options``), or None for any document with a construct it does not handle,
which then goes to datamodel-code-generator as before: coverage is a matter of speed,
never of correctness. tests/test_model_writer.py compares both on every document of
the corpus, the examples and the test specs that this writer accepts, and lists
which documents take this path.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic_core import SchemaError, SchemaValidator, core_schema

_REF = "#/components/schemas/"
_PYDANTIC, _TYPING = "pydantic", "typing"
# (type, format) -> the hint and the import it needs, as datamodel-code-generator has them.
_SCALARS: dict[tuple[str, str | None], tuple[str, str | None]] = {
    ("string", None): ("str", None),
    ("string", "date-time"): ("AwareDatetime", _PYDANTIC),
    ("string", "date"): ("date", "datetime"),
    ("string", "uuid"): ("UUID", "uuid"),
    ("string", "email"): ("EmailStr", _PYDANTIC),
    ("string", "uri"): ("AnyUrl", _PYDANTIC),
    ("string", "byte"): ("Base64Str", _PYDANTIC),
    ("string", "binary"): ("bytes", None),
    ("string", "password"): ("SecretStr", _PYDANTIC),
    ("integer", None): ("int", None),
    ("integer", "int32"): ("int", None),
    ("integer", "int64"): ("int", None),
    ("number", None): ("float", None),
    ("number", "float"): ("float", None),
    ("number", "double"): ("float", None),
    ("boolean", None): ("bool", None),
}
# Constraint keyword -> pydantic's Field argument, for each kind of value.
_NUMBER_LIMITS = {"minimum": "ge", "maximum": "le"}
_STRING_LIMITS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
}
_ARRAY_LIMITS = {"minItems": "min_length", "maxItems": "max_length"}
# models.py keeps a format no pydantic type publishes under this key; the generator
# writes it as json_schema_extra (models._FORMAT_EXTRA).
_FORMAT_EXTRA = "x-format"
# The string formats datamodel-code-generator knows (its json_schema_data_formats;
# tests/test_model_writer.py compares): any other it reads as str, with a warning.
_GENERATOR_STRING_FORMATS = frozenset(
    {
        *("binary", "byte", "date", "date-time", "date-time-local", "decimal"),
        *("default", "duration", "email", "hostname", "idn-email", "idn-hostname"),
        *("integer", "ipv4", "ipv4-network", "ipv6", "ipv6-network", "iri"),
        *("iri-reference", "json-pointer", "password", "path", "regex"),
        *("relative-json-pointer", "time", "time-local", "timestamp with time zone"),
        *("ulid", "unixtime", "uri", "uri-reference", "uri-template", "uuid"),
        *("uuid1", "uuid2", "uuid3", "uuid4", "uuid5"),
    }
)
# Property names whose inline array items the writer names: the generator's camel
# case of these is the name with its first letter upper-cased.
_CAMEL = re.compile(r"[a-z][A-Za-z]*")
_COMMON_KEYS = frozenset({"type", "description", "example", "nullable", "default"})
_PROPERTY_KEYS = {
    "string": _COMMON_KEYS | {"format", "enum", _FORMAT_EXTRA} | set(_STRING_LIMITS),
    "integer": _COMMON_KEYS | {"format", "enum"} | set(_NUMBER_LIMITS),
    "number": _COMMON_KEYS | {"format"} | set(_NUMBER_LIMITS),
    "boolean": _COMMON_KEYS,
    "array": _COMMON_KEYS | {"items"} | set(_ARRAY_LIMITS),
}
# Names a field must not take: the module's imports, pydantic's BaseModel members,
# builtins the hints use; datamodel-code-generator renames or aliases those.
_TAKEN = frozenset(
    {
        *("Annotated", "Any", "AnyUrl", "AwareDatetime", "Base64Str", "BaseModel"),
        *("EmailStr", "Field", "Literal", "MISSING", "RootModel", "SecretStr", "UUID"),
        *("annotations", "bool", "bytes", "construct", "copy", "datetime", "dict"),
        *("float", "int", "json", "list", "parse_file", "parse_obj", "parse_raw"),
        *("schema", "schema_json", "str", "uuid", "validate", "fields", "from_orm"),
        "update_forward_refs",
        # imported by other modules datamodel-code-generator writes (models.RESERVED)
        *("ConfigDict", "Dict", "Enum", "IntEnum", "List", "Optional", "StrEnum"),
        *("Union", "time", "timedelta"),
    }
)


class Unsupported(Exception):
    """A construct this writer does not handle: datamodel-code-generator writes it."""


class _Imports:
    """``from X import a, b`` lines in the order datamodel-code-generator first asks for
    each module, names sorted."""

    def __init__(self) -> None:
        self.modules: dict[str, set[str]] = {}

    def add(self, module: str | None, name: str | None) -> None:
        if module is not None and name is not None:
            self.modules.setdefault(module, set()).add(name)

    def lines(self) -> str:
        return "\n".join(
            f"from {module} import {', '.join(sorted(names))}"
            for module, names in self.modules.items()
        )


@dataclass(frozen=True)
class _Doc:
    """What every schema's writing consults: the components, and whether a field
    named ``date`` makes the generator import ``date as date_aliased``; and what it
    adds: the classes of inline array items and the generator's warnings, in the
    order the generator meets them."""

    schemas: dict[str, Any]
    date_aliased: bool
    inline: dict[str, _Class] = dataclasses.field(default_factory=dict)
    warnings: dict[str, None] = dataclasses.field(default_factory=dict)


@dataclass
class _Class:
    """A class statement: its bases, the component it inherits (for the order),
    its fields and the pydantic base it imports."""

    bases: str
    parent: str | None
    fields: list[_Field]
    base_import: str | None


def write_models(
    document: dict[str, Any], header: str
) -> tuple[str, tuple[str, ...]] | None:
    """The module datamodel-code-generator writes for ``document`` (``ModelSet.document``:
    schemas under their class names) and the warnings it gives, or None when the
    writer cannot vouch for them."""
    schemas = document.get("components", {}).get("schemas", {})
    version = str(document.get("openapi", ""))
    if not isinstance(schemas, dict) or not schemas or not version.startswith("3."):
        return None
    try:
        if any(name in _TAKEN or not name.isidentifier() for name in schemas):
            raise Unsupported("class name")
        if not version.startswith("3.0") and _has_key(schemas, {"nullable"}):
            raise Unsupported("3.0 keyword in 3.1")
        doc = _Doc(schemas, _has_property(schemas, "date"))
        classes: dict[str, _Class] = {}
        for name, schema in schemas.items():
            written = _class(name, schema, doc)
            # The generator places an inline item's class before its owner's.
            classes.update(doc.inline)
            classes[name] = written
        if any(_has_property(schemas, name) for name in doc.inline):
            raise Unsupported("a property named like an item class")
        order = _order(classes)
    except Unsupported:
        return None
    imports = _Imports()
    bodies = []
    for name in order:
        written = classes[name]
        for field in written.fields:
            for module, imported in field.imports:
                imports.add(module, imported)
        imports.add(_PYDANTIC, written.base_import)
        body = "\n".join(f"    {field.line}" for field in written.fields)
        bodies.append(f"class {name}({written.bases}):\n{body or '    pass'}")
    source = (
        f"{header}\n\nfrom __future__ import annotations\n\n{imports.lines()}\n\n\n"
        + "\n\n\n".join(bodies)
    )
    return source, tuple(doc.warnings)


def _order(classes: dict[str, _Class]) -> list[str]:
    """datamodel-code-generator's order (``sort_data_models``): passes over the schemas
    in document order, each placing those whose references are placed, earlier ones of
    the same pass included; a cycle or a self-reference is not handled here."""
    placed: dict[str, None] = {}
    pending = list(classes)
    while pending:
        left = []
        for name in pending:
            refs = _references(classes[name])
            if name in refs:
                raise Unsupported("self-reference")
            if refs <= placed.keys():
                placed[name] = None
            else:
                left.append(name)
        if len(left) == len(pending):
            raise Unsupported("cyclic references")
        pending = left
    return list(placed)


def _references(written: _Class) -> set[str]:
    refs = {ref for field in written.fields for ref in field.refs}
    return refs | ({written.parent} if written.parent else set())


class _Field:
    """One class attribute line and what it needs."""

    def __init__(
        self, line: str, imports: list[tuple[str | None, str]], refs: set[str]
    ):
        self.line, self.imports, self.refs = line, imports, refs


def _class(name: str, schema: Any, doc: _Doc) -> _Class:
    """A component's class: a subclass for an ``allOf`` of a component and an
    object, a ``RootModel`` for a scalar or an array, else a ``BaseModel``."""
    if not isinstance(schema, dict):
        raise Unsupported(name)
    if "allOf" in schema:
        return _subclass(name, schema, doc)
    if schema.get("type") in _ROOT_TYPES and "properties" not in schema:
        return _root(schema, doc)
    return _Class("BaseModel", None, _fields(schema, doc, name), "BaseModel")


_ROOT_TYPES = frozenset({"string", "integer", "number", "boolean", "array"})


def _subclass(name: str, schema: dict[str, Any], doc: _Doc) -> _Class:
    """``class X(Parent)`` with the fields of the object beside the reference."""
    parts = schema["allOf"]
    if (
        not set(schema) <= {"allOf", "description", "type"}
        or schema.get("type", "object") != "object"
    ):
        raise Unsupported("allOf")
    if not (isinstance(parts, list) and len(parts) == 2):
        raise Unsupported("allOf")
    refs = [part for part in parts if isinstance(part, dict) and set(part) == {"$ref"}]
    if len(refs) != 1:
        raise Unsupported("allOf")
    parent = _ref_target(refs[0], doc.schemas)
    own = parts[1] if parts[0] is refs[0] else parts[0]
    target = doc.schemas[parent]
    if "allOf" in target or target.get("type", "object") != "object":
        raise Unsupported("parent")
    if not isinstance(own, dict):
        raise Unsupported("allOf")
    inherited = target.get("properties", {})
    if set(own.get("properties", {})) & set(inherited):
        raise Unsupported("property redefined")
    return _Class(parent, parent, _fields(own, doc, name), None)


def _root(schema: dict[str, Any], doc: _Doc) -> _Class:
    """``class X(RootModel[T])`` with ``root: T`` (its description kept)."""
    if "nullable" in schema or "default" in schema:
        raise Unsupported("root")
    imports: list[tuple[str | None, str]] = []
    refs: set[str] = set()
    hint = _hint(schema, doc, imports, refs)
    arguments = _arguments(schema)
    line = f"root: {hint}"
    if arguments:
        imports += [(_TYPING, "Annotated"), (_PYDANTIC, "Field")]
        line = f"root: Annotated[{hint}, Field({', '.join(arguments)})]"
    return _Class(
        f"RootModel[{hint}]", None, [_Field(line, imports, refs)], "RootModel"
    )


def _fields(schema: Any, doc: _Doc, owner: str) -> list[_Field]:
    """The fields of an object schema, in the (sorted) order of its properties."""
    if not isinstance(schema, dict) or not set(schema) <= {
        "type",
        "properties",
        "required",
        "description",
    }:
        raise Unsupported("object")
    if schema.get("type") != "object" and "properties" not in schema:
        raise Unsupported("type")
    if schema.get("type", "object") != "object":
        raise Unsupported("type")
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        raise Unsupported("properties")
    if not set(required) <= set(properties) or list(properties) != sorted(properties):
        raise Unsupported("required")
    return [
        _field(name, prop, name in required, doc, owner)
        for name, prop in properties.items()
    ]


def _field(name: str, prop: Any, required: bool, doc: _Doc, owner: str) -> _Field:
    """``name: hint = default`` as datamodel-code-generator writes the property."""
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or name.startswith(("_", "model_"))
        or name.endswith("_aliased")
        or name in _TAKEN
        or name in doc.schemas
        or not isinstance(prop, dict)
    ):
        raise Unsupported(name)
    imports: list[tuple[str | None, str]] = []
    refs: set[str] = set()
    path = f"{owner}{name[0].upper()}{name[1:]}" if _CAMEL.fullmatch(name) else None
    hint = _hint(prop, doc, imports, refs, path)
    if prop.get("nullable") is True:
        hint += " | None"
    elif "nullable" in prop and prop["nullable"] is not False:
        raise Unsupported("nullable")
    arguments = _arguments(prop)
    has_default = "default" in prop and not required
    if required and "default" in prop:
        # The generator leaves a required property's default out.
        if prop.get("nullable") is not None:
            raise Unsupported("required nullable default")
        _literal(prop["default"], prop)
    # The generator asks for the type's imports, then Annotated, then pydantic's.
    annotated = bool(arguments) or (required and prop.get("nullable") is True)
    imports += [(_TYPING, "Annotated")] if annotated else []
    if not required and not has_default:
        hint += " | MISSING"
        imports.append((_PYDANTIC, "MISSING"))
    if annotated:
        imports.append((_PYDANTIC, "Field"))
        hint = f"Annotated[{hint}, Field({', '.join(arguments) or '...'})]"
    line = f"{name}: {hint}"
    if has_default:
        line += f" = {_literal(prop['default'], prop)}"
    elif not required:
        line += " = MISSING"
    return _Field(line, imports, refs)


def _hint(
    prop: dict[str, Any],
    doc: _Doc,
    imports: list[tuple[str | None, str]],
    refs: set[str],
    path: str | None = None,
) -> str:
    """The type of a property (or an array's items) without nullability; ``path``
    names an inline object of its items (None: not handled)."""
    if "$ref" in prop:
        if not set(prop) <= {"$ref", "description", "example"}:
            raise Unsupported("$ref with siblings")
        target = _ref_target(prop, doc.schemas)
        refs.add(target)
        return target
    kind = prop.get("type")
    if not isinstance(kind, str) or kind not in _PROPERTY_KEYS:
        raise Unsupported("type")
    if not set(prop) <= _PROPERTY_KEYS[kind]:
        raise Unsupported("keyword")
    if kind == "array":
        items = prop.get("items")
        if isinstance(items, dict) and items.get("type") == "object":
            return f"list[{_item_class(items, doc, refs, path)}]"
        if not isinstance(items, dict) or not set(items) <= {
            "$ref",
            "type",
            "format",
            "enum",
            "items",
            _FORMAT_EXTRA,
        }:
            raise Unsupported("items")
        return f"list[{_hint(items, doc, imports, refs)}]"
    if "enum" in prop:
        return _enum(prop, kind, imports)
    hint, module = _SCALARS.get((kind, prop.get("format")), (None, None))
    if hint is None:
        hint, module = _unknown_format(prop, doc), None
    if hint == "date" and doc.date_aliased:
        imports.append((module, "date as date_aliased"))
        return "date_aliased"
    imports.append((module, hint))
    return hint


def _unknown_format(prop: dict[str, Any], doc: _Doc) -> str:
    """``str`` for a string format the generator does not know, with its warning."""
    format_ = prop.get("format")
    if (
        prop.get("type") != "string"
        or not isinstance(format_, str)
        or format_ in _GENERATOR_STRING_FORMATS
        or prop.get(_FORMAT_EXTRA) != format_
    ):
        raise Unsupported("format")
    _string(format_)  # printable ASCII: written as repr() writes it
    doc.warnings[
        f"format of {format_!r} not understood for 'string' - using default"
    ] = None
    return "str"


def _item_class(
    items: dict[str, Any], doc: _Doc, refs: set[str], path: str | None
) -> str:
    """The class of an array's inline object, named as the generator names it: the
    singular of its path (``DataSetList.apis`` -> ``DataSetListApi``)."""
    if path is None:
        raise Unsupported("inline object")
    # The generator's own function (inflect's rules): imported only for a document
    # with such an array, ~0.1 s against its whole import and run (~0.19 s).
    from datamodel_code_generator.reference import get_singular_name

    name = get_singular_name(path)
    if (
        not name.isidentifier()
        or name in _TAKEN
        or name in doc.schemas
        or name in doc.inline
    ):
        raise Unsupported("item class name")
    doc.inline[name] = _Class("BaseModel", None, _fields(items, doc, name), "BaseModel")
    refs.add(name)
    return name


def _enum(
    prop: dict[str, Any], kind: str, imports: list[tuple[str | None, str]]
) -> str:
    values = prop["enum"]
    expected: Callable[[Any], bool] = (
        (lambda v: isinstance(v, str))
        if kind == "string"
        else (lambda v: isinstance(v, int) and not isinstance(v, bool))
    )
    if not (isinstance(values, list) and values and all(map(expected, values))):
        raise Unsupported("enum")
    if len(set(values)) != len(values) or prop.get("format") is not None:
        raise Unsupported("enum")
    imports.append((_TYPING, "Literal"))
    written = (_string(v) if kind == "string" else repr(v) for v in values)
    return f"Literal[{', '.join(written)}]"


def _arguments(prop: dict[str, Any]) -> list[str]:
    """``Field`` arguments, sorted by name as datamodel-code-generator sorts them."""
    kind = prop.get("type")
    limits = {"string": _STRING_LIMITS, "array": _ARRAY_LIMITS}.get(
        str(kind), _NUMBER_LIMITS
    )
    found: dict[str, str] = {}
    if kind == "string" and prop.get("format") is not None and set(limits) & set(prop):
        raise Unsupported("constraint on a format")
    for key, argument in limits.items():
        if key in prop:
            found[argument] = _limit(prop[key], kind, key)
    if "description" in prop:
        found["description"] = _string(prop["description"])
    if _FORMAT_EXTRA in prop and kind == "string":
        found["json_schema_extra"] = repr({"format": prop[_FORMAT_EXTRA]})
    if "example" in prop:
        found["examples"] = f"[{_example(prop['example'])}]"
    return [f"{key}={found[key]}" for key in sorted(found)]


def _limit(value: Any, kind: Any, key: str) -> str:
    if key == "pattern":
        if not isinstance(value, str) or not _rust_regex(value):
            # datamodel-code-generator then sets the model's regex_engine to
            # Python's re: a pattern pydantic's own (Rust) engine cannot compile.
            raise Unsupported("pattern")
        return _string(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unsupported("limit")
    if kind == "number":
        return repr(float(value))
    if isinstance(value, float):
        raise Unsupported("limit")
    return repr(value)


def _rust_regex(pattern: str) -> bool:
    """Whether pydantic's default regex engine compiles ``pattern`` ("{" alone, a
    lookaround or a backreference it does not)."""
    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


def _literal(value: Any, prop: dict[str, Any]) -> str:
    """A default or example of the property's own scalar type, as Python."""
    kind = prop.get("type")
    checks: dict[Any, Callable[[Any], bool]] = {
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    }
    if kind not in checks or not checks[kind](value):
        raise Unsupported("literal")
    if "enum" in prop and value not in prop["enum"]:
        raise Unsupported("literal")
    if kind == "string" and prop.get("format") is not None:
        raise Unsupported("literal")
    return _string(value) if kind == "string" else repr(value)


def _example(value: Any) -> str:
    """An example as Python, whatever the property's type (the generator copies it)."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool | int):
        return repr(value)
    raise Unsupported("example")


def _string(value: Any) -> str:
    """A string as Python: its ``repr``, as the generator writes printable ASCII
    (other characters it may spell its own way)."""
    if not isinstance(value, str) or not value.isascii() or not value.isprintable():
        raise Unsupported("string")
    return repr(value)


def _has_property(node: Any, name: str) -> bool:
    """Whether some object schema inside ``node`` has a property ``name``."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and name in properties:
            return True
        return any(_has_property(v, name) for v in node.values())
    if isinstance(node, list):
        return any(_has_property(item, name) for item in node)
    return False


def _has_key(node: Any, keys: set[str]) -> bool:
    if isinstance(node, dict):
        return bool(keys & set(node)) or any(_has_key(v, keys) for v in node.values())
    if isinstance(node, list):
        return any(_has_key(item, keys) for item in node)
    return False


def _ref_target(prop: dict[str, Any], schemas: dict[str, Any]) -> str:
    ref = prop.get("$ref")
    if not isinstance(ref, str) or not ref.startswith(_REF):
        raise Unsupported("$ref")
    target = ref[len(_REF) :]
    if target not in schemas:
        raise Unsupported("$ref")
    return target
