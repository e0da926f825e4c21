"""The Python names of a native spec's resources, decided once, collision-free."""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from fastgen.model.naming import (
    CLASS_BODY_NAMES,
    GENERATED_CLASS_NAMES,
    MODULE_NAMES,
    TEST_LOCALS,
    class_name,
    free_name,
    python_name,
)
from fastgen.spec.native.model import FastgenSpec, ResourceSpec


@dataclass(frozen=True)
class ResourceNames:
    """The Python names of one resource: its classes, modules and columns."""

    class_name: str
    module: str
    attrs: dict[str, str]  # field (wire) name -> identifier
    enum_aliases: dict[str, str]  # enum field name -> its Literal alias


def resource_names(spec: FastgenSpec) -> dict[str, ResourceNames]:
    """Every resource's Python names, collision-free and deterministic.

    A name keeps its spec spelling unless it would collide: with a keyword, with
    what a generated module or class body uses itself, or with a sibling's name.
    Then ``fastgen.model.naming`` aliases it (``class`` -> ``class_``) and the wire name
    (table, column, JSON key) stays exactly as written.
    """
    classes = set(GENERATED_CLASS_NAMES)
    classes |= {f"{class_name(e)}Response" for e in spec.endpoints}
    modules = set(MODULE_NAMES) | set(spec.resources)
    bases: dict[str, tuple[str, str]] = {}
    for rname in spec.resources:
        base = class_name(rname)
        while not classes.isdisjoint(_model_classes(base)):
            base += "Resource"
        classes.update(_model_classes(base))
        module = rname
        if keyword.iskeyword(rname) or rname in MODULE_NAMES:
            module = python_name(rname, modules)
            modules.add(module)
        bases[rname] = (base, module)
    names = {}
    for rname, resource in spec.resources.items():
        base, module = bases[rname]
        aliases = {}
        for fname, fspec in resource.fields.items():
            if fspec.type == "enum":
                alias = free_name(base + class_name(fname), classes, "Value")
                classes.add(alias)
                aliases[fname] = alias
        names[rname] = ResourceNames(base, module, field_attrs(resource), aliases)
    return names


def _model_classes(base: str) -> tuple[str, ...]:
    return tuple(base + suffix for suffix in ("", "Create", "Update", "Read", "Hooks"))


def field_attrs(resource: ResourceSpec) -> dict[str, str]:
    """Field name -> identifier: the name itself, or an alias where it would collide.

    Names that need no alias are placed first, so an alias never takes a name a
    sibling field already has (``class`` -> ``class__`` beside a ``class_``).
    """
    taken = set(resource.fields)
    attrs = {}
    for fname, fspec in resource.fields.items():
        reserved = CLASS_BODY_NAMES | (TEST_LOCALS if fspec.type == "ref" else set())
        attr = python_name(fname, reserved)
        if attr != fname:
            attr = python_name(fname, reserved | taken)
            taken.add(attr)
        attrs[fname] = attr
    return attrs
