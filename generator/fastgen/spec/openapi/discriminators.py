"""The variants of a discriminated union, told apart as its mapping says.

A ``oneOf``/``anyOf`` with a ``discriminator`` names the property whose value selects
a variant, and its ``mapping`` which value selects which (a variant the mapping does
not name is selected by its component's name: OpenAPI's implicit mapping). pydantic
tells a union's models apart only by a property each declares as literal values, and
refuses the union otherwise, so the models would not import: a variant's property
written as a plain string is read as the ``enum`` of the values that select it, and
required (a discriminator property is always sent). Where no reading works (the
property is not a string, one value selects two variants) it is a located error.
"""

from __future__ import annotations

from typing import Any

from fastgen.spec.openapi.pointer import unescape
from fastgen.spec.openapi.report import Report
from fastgen.spec.openapi.structure import Kind, walk
from fastgen.spec.problems import Loc

REF_PREFIX = "#/components/schemas/"

# A union: where its discriminator is, its property, and value -> variant component
Union = tuple[Loc, str, dict[str, str]]


def tag_variants(document: dict[str, Any], report: Report) -> None:
    """Narrow, in ``document``, each discriminated union's variants' property to the
    values that select them; report the unions pydantic could not tell apart."""
    section = document.get("components")
    components = section.get("schemas") if isinstance(section, dict) else None
    if not isinstance(components, dict):
        return
    unions = [
        union
        for loc, node, kind in walk(document)
        if kind is Kind.SCHEMA and isinstance(node, dict)
        if (union := _union(loc, node, components)) is not None
    ]
    selecting: dict[tuple[str, str], list[str]] = {}  # (variant, property) -> values
    for _, name, chosen in unions:
        for value, key in chosen.items():
            found = selecting.setdefault((key, name), [])
            found += [value] if value not in found else []
    refused = set()
    for (key, name), values in selecting.items():
        if not _narrowed(components[key], name, values):
            refused.add((key, name))
    for loc, name, chosen in unions:
        _check(loc, name, chosen, components, refused, report)


def _union(
    loc: Loc, schema: dict[str, Any], components: dict[str, Any]
) -> Union | None:
    """The union ``schema`` is, if a discriminated ``oneOf``/``anyOf`` of components."""
    discriminator = schema.get("discriminator")
    variants = schema.get("oneOf") or schema.get("anyOf")
    if not isinstance(discriminator, dict) or not isinstance(variants, list):
        return None
    name = discriminator.get("propertyName")
    keys = [_key(v.get("$ref")) if isinstance(v, dict) else None for v in variants]
    if not isinstance(name, str) or not keys:
        return None
    if any(key is None or not isinstance(components.get(key), dict) for key in keys):
        return None
    mapping = discriminator.get("mapping")
    mapped = mapping.items() if isinstance(mapping, dict) else ()
    chosen = {str(value): _key(target) for value, target in mapped}
    chosen = {value: key for value, key in chosen.items() if key in keys}
    implicit = {key: key for key in keys if key not in chosen.values()}
    return (*loc, "discriminator"), name, {**chosen, **implicit}


def _key(target: Any) -> str | None:
    """The component a ``$ref`` (or a mapping's bare schema name) points at."""
    if not isinstance(target, str):
        return None
    if target.startswith(REF_PREFIX) and "/" not in target[len(REF_PREFIX) :]:
        return unescape(target[len(REF_PREFIX) :])
    return None if "/" in target or "#" in target else target


def _narrowed(variant: dict[str, Any], name: str, values: list[str]) -> bool:
    """Whether the variant's property ``name`` holds only literal values: as its
    author wrote them, or now, where it was a plain string, the ``values`` (and
    required); False if it is no string. A variant built otherwise (``allOf``) is
    left as written."""
    properties = variant.get("properties")
    prop = properties.get(name) if isinstance(properties, dict) else None
    if not isinstance(prop, dict) or "$ref" in prop:
        return True
    if "enum" in prop or "const" in prop:
        return True  # as its author wrote it
    kinds = prop.get("type", "string")
    if "string" not in (kinds if isinstance(kinds, list) else [kinds]):
        return False
    prop["enum"] = values
    required = variant.get("required")
    if not isinstance(required, list):
        required = variant["required"] = []
    if name not in required:
        required.append(name)
    return True


def _check(
    loc: Loc,
    name: str,
    chosen: dict[str, str],
    components: dict[str, Any],
    refused: set[tuple[str, str]],
    report: Report,
) -> None:
    """Report a union whose variants pydantic cannot tell apart by ``name``."""
    taken: dict[Any, str] = {}  # a value -> the first variant it selects
    for key in dict.fromkeys(chosen.values()):
        if (key, name) in refused:
            report.error(
                loc,
                f"discriminator property {name!r} of {key} is not a string: "
                "its values cannot be the mapping's",
                key=True,
            )
            continue
        for value in _literals(components[key], name):
            other = taken.setdefault(value, key)
            if other != key:
                report.error(
                    loc,
                    f"{name} {value!r} selects both {other} and {key} (another "
                    "union maps it so): the variants cannot be told apart",
                    key=True,
                )


def _literals(variant: dict[str, Any], name: str) -> list[Any]:
    """The values the variant's property takes, where it lists them."""
    properties = variant.get("properties")
    prop = properties.get(name) if isinstance(properties, dict) else None
    if not isinstance(prop, dict):
        return []
    enum = prop.get("enum")
    values = [prop["const"]] if "const" in prop else enum
    values = values if isinstance(values, list) else []
    return [value for value in values if isinstance(value, str | int | float | bool)]
