"""Small, common mistakes in a document's schemas: warned about and read as meant.

Real documents say ``default: "false"`` on a boolean or use 3.1's ``const`` in a 3.0
document. Where the intent is unambiguous the schema is read as meant, with a located
warning; where it is not, it is an error. The caller's document is left untouched: a
corrected copy is returned.
"""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

from fastgen.spec.openapi.report import Report
from fastgen.spec.openapi.structure import Kind, walk
from fastgen.spec.openapi.version import is_31
from fastgen.spec.problems import Loc, did_you_mean

TYPES_30 = ("string", "number", "integer", "boolean", "array", "object")
TYPES_31 = (*TYPES_30, "null")
_INTEGER_RE = re.compile(r"^-?[0-9]+$")


def normalise_schemas(
    document: dict[str, Any], version: str, report: Report
) -> dict[str, Any]:
    """A copy of ``document`` whose schemas say what their authors meant."""
    fixed = copy.deepcopy(document)
    schemas = [
        (loc, node)
        for loc, node, kind in walk(fixed)
        if kind is Kind.SCHEMA and isinstance(node, dict)
    ]
    for loc, schema in schemas:
        if is_31(version):
            _nullable_in_31(schema, loc, report)
        else:
            _const_in_30(schema, loc, report)
            _type_list_in_30(schema, loc, report)
        _null_in_enum(schema, loc, version, report)
        _required_in_property(schema, loc, report)
        if _types_are_valid(schema, loc, version, report):
            _default_matches_type(schema, loc, report)
    return fixed


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _nullable_in_31(schema: dict[str, Any], loc: Loc, report: Report) -> None:
    if "nullable" not in schema:
        return
    nullable = schema.pop("nullable")
    types = _types(schema)
    if nullable is True and types and "null" not in types:
        schema["type"] = [*types, "null"]
        report.warn(
            (*loc, "nullable"),
            "nullable is OpenAPI 3.0; in 3.1 read as type: "
            f"{json.dumps(schema['type'])}",
            key=True,
        )
    else:
        report.warn((*loc, "nullable"), "nullable is OpenAPI 3.0; ignored", key=True)


def _const_in_30(schema: dict[str, Any], loc: Loc, report: Report) -> None:
    if "const" not in schema:
        return
    value = schema.pop("const")
    schema.setdefault("enum", [value])
    report.warn(
        (*loc, "const"),
        f"const is OpenAPI 3.1; in 3.0 read as enum: [{json.dumps(value)}]",
        key=True,
    )


def _type_list_in_30(schema: dict[str, Any], loc: Loc, report: Report) -> None:
    """``type: [string, "null"]`` in 3.0: one type and null say nullable: true."""
    kind = schema.get("type")
    if not isinstance(kind, list) or "null" not in kind:
        return
    concrete = [name for name in kind if name != "null"]
    if len(concrete) != 1 or not isinstance(concrete[0], str):
        return  # several types: not one 3.0 schema, rejected by _types_are_valid
    schema["type"] = concrete[0]
    schema["nullable"] = True
    report.warn(
        (*loc, "type"),
        f"a list of types is OpenAPI 3.1; in 3.0 read as type: {concrete[0]} with "
        "nullable: true",
    )


def _required_in_property(schema: dict[str, Any], loc: Loc, report: Report) -> None:
    """Swagger-style ``required: true`` on a property: the object's ``required``."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, prop in properties.items():
        if not isinstance(prop, dict) or not isinstance(prop.get("required"), bool):
            continue
        where = (*loc, "properties", name, "required")
        if prop.pop("required"):
            listed = schema.get("required")
            if not isinstance(listed, list):
                listed = schema["required"] = []
            if name not in listed:
                listed.append(name)
            report.warn(
                where,
                f"required: true belongs on the object (required: [{name}]), not on "
                f"the property; read as required: [{name}]",
            )
        else:
            report.warn(
                where,
                "required: false on a property is Swagger 2.0; properties are "
                "optional unless the object lists them in required: ignored",
            )


def _null_in_enum(
    schema: dict[str, Any], loc: Loc, version: str, report: Report
) -> None:
    enum = schema.get("enum")
    if not isinstance(enum, list) or None not in enum:
        return
    types = _types(schema)
    if is_31(version):
        if types and "null" not in types:
            schema["type"] = [*types, "null"]
            report.warn(
                (*loc, "enum"),
                "enum contains null but type does not; read as type: "
                f"{json.dumps(schema['type'])}",
            )
    elif schema.get("nullable") is not True:
        schema["nullable"] = True
        report.warn(
            (*loc, "enum"),
            "enum contains null but the schema is not nullable; read as nullable: true",
        )


def _types_are_valid(
    schema: dict[str, Any], loc: Loc, version: str, report: Report
) -> bool:
    kind = schema.get("type")
    if kind is None:
        return True
    if isinstance(kind, list) and not is_31(version):
        report.error(
            (*loc, "type"),
            "a list of types needs OpenAPI 3.1; in 3.0 use one type and nullable: true",
        )
        return False
    allowed = TYPES_31 if is_31(version) else TYPES_30
    kind = _lower_case_types(schema, loc, allowed, report)
    if not isinstance(kind, str | list):
        report.error((*loc, "type"), f"type must be one of: {', '.join(allowed)}")
        return False
    for name in kind if isinstance(kind, list) else [kind]:
        if name == "file":
            report.error(
                (*loc, "type"),
                "type: file is Swagger 2.0; use type: string with format: binary",
            )
            return False
        if name not in allowed:
            hint = did_you_mean(str(name), list(allowed))
            report.error(
                (*loc, "type"),
                f"type: {name!r} is not a JSON Schema type; expected one of: "
                f"{', '.join(allowed)}{hint}",
            )
            return False
    return True


def _lower_case_types(
    schema: dict[str, Any], loc: Loc, allowed: tuple[str, ...], report: Report
) -> Any:
    """``type: Integer`` is integer: JSON Schema's type names are lower case."""
    kind = schema["type"]
    names = kind if isinstance(kind, list) else [kind]
    fixed = [
        name.lower()
        if isinstance(name, str) and name not in allowed and name.lower() in allowed
        else name
        for name in names
    ]
    if fixed == names:
        return kind
    schema["type"] = fixed if isinstance(kind, list) else fixed[0]
    report.warn(
        (*loc, "type"),
        f"type: {json.dumps(kind)} is not lower case, as JSON Schema requires; read "
        f"as type: {json.dumps(schema['type'])}",
    )
    return schema["type"]


def _default_matches_type(schema: dict[str, Any], loc: Loc, report: Report) -> None:
    if "default" not in schema or "type" not in schema:
        return
    value = schema["default"]
    types = _types(schema)
    if value is None and (schema.get("nullable") is True or "null" in types):
        return
    if value is None:
        del schema["default"]
        report.warn(
            (*loc, "default"),
            "default: null but the schema is not nullable; read as no default",
        )
        return
    if any(_is_of_type(value, name) for name in types):
        return
    concrete = [name for name in types if name != "null"]
    shown = json.dumps(value, default=str)
    if len(concrete) == 1 and (fixed := _coerce(value, concrete[0])) is not None:
        schema["default"] = fixed[0]
        report.warn(
            (*loc, "default"),
            f"default {shown} is {_json_type(value)} but the schema's type is "
            f"{concrete[0]}; read as {json.dumps(fixed[0])}",
        )
        return
    report.error(
        (*loc, "default"),
        f"default {shown} does not match the schema's type {' or '.join(types)}",
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _is_of_type(value: Any, name: str) -> bool:
    if name == "integer":
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and float(value).is_integer()
        )
    checks: dict[str, Any] = {
        "string": str,
        "boolean": bool,
        "array": list,
        "object": dict,
        "null": type(None),
    }
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, checks.get(name, object))


def _coerce(value: Any, name: str) -> tuple[Any] | None:
    """``(value,)`` read as type ``name`` when that is unambiguous, else None."""
    if isinstance(value, str):
        text = value.strip()
        if name == "boolean" and text.lower() in ("true", "false"):
            return (text.lower() == "true",)
        if name == "integer" and _INTEGER_RE.match(text):
            return (int(text),)
        if name == "number":
            try:
                number = float(text)
            except ValueError:
                return None
            if math.isfinite(number):
                return (int(text) if _INTEGER_RE.match(text) else number,)
        return None
    if name == "string" and isinstance(value, bool):
        return ("true" if value else "false",)
    if name == "string" and isinstance(value, int | float):
        return (str(value),)
    return None
