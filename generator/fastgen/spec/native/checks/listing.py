"""A resource's ``list:``: every name is a field it can filter, sort or match by."""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.limits import MAX_INDEXED_CHARS
from fastgen.spec.native.listing import (
    STRING_TYPES,
    UNCOMPARABLE_TYPES,
    filter_clashes,
    filter_names,
)
from fastgen.spec.native.model import FastgenSpec, FieldSpec, ResourceSpec
from fastgen.spec.problems import Loc, Problem, did_you_mean, dotted


def listing_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    for rname, resource in spec.resources.items():
        loc: Loc = ("resources", rname, "list")
        fields = _columns(resource)
        for key in ("filter", "sort"):
            names = getattr(resource.listing, key) or []
            for i, name in enumerate(names):
                at = (*loc, key, i)
                if name in names[:i]:
                    yield pos.problem(at, f"{dotted(at)}: {name!r} is listed twice")
                elif name not in fields:
                    yield _no_field(pos, at, name, rname, fields)
                else:
                    yield from _field_problems(pos, at, key, name, fields[name])
        for name in resource.listing.match:
            at = (*loc, "match", name)
            if name not in fields:
                yield _no_field(pos, at, name, rname, fields, key=True)
            elif fields[name].type not in STRING_TYPES:
                yield pos.problem(
                    at,
                    f"{dotted(at)}: {name!r} is a {fields[name].type}; prefix and "
                    "contains match string and text fields only",
                    key=True,
                )
        yield from _clashes(pos, loc, resource)


def _clashes(pos: Positions, loc: Loc, resource: ResourceSpec) -> Iterator[Problem]:
    """A filter one of whose query parameters is already another's (``?count=``,
    ``?price__gte=`` beside ``price``): the list could not tell them apart."""
    named = resource.listing.filter or []
    clashes = filter_clashes(resource, filter_names(resource))
    for name, why in clashes.items():
        if name in named:
            at: Loc = (*loc, "filter", named.index(name))
            yield pos.problem(at, f"{dotted(at)}: {name!r} cannot be a filter: {why}")
        else:
            at = (*loc, "match", name)
            message = f"{dotted(at)}: {name!r} cannot be a filter: {why}"
            yield pos.problem(at, message, key=True)


def listing_warnings(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """A filter or sort key no index can serve (text; a string longer than an index
    key holds on MariaDB): the list works, reading every row of the table."""
    for rname, resource in spec.resources.items():
        fields = _columns(resource)
        for key in ("filter", "sort"):
            for i, name in enumerate(getattr(resource.listing, key) or []):
                field = fields.get(name)
                if field is None or field.type not in STRING_TYPES:
                    continue
                if field.type == "string" and (
                    field.max_length is None or field.max_length <= MAX_INDEXED_CHARS
                ):
                    continue
                at: Loc = ("resources", rname, "list", key, i)
                kind = "text" if field.type == "text" else "long string"
                yield pos.problem(
                    at,
                    f"{dotted(at)}: no index serves {name!r} (a {kind} field; an index "
                    f"key holds at most {MAX_INDEXED_CHARS} characters on MariaDB): "
                    "its filtered or sorted pages read every row; for an indexed "
                    f"one, a string with max_length <= {MAX_INDEXED_CHARS}",
                )


def _columns(resource: ResourceSpec) -> dict[str, FieldSpec]:
    """The resource's fields, with the implicit ``id`` key when it has no other."""
    fields = dict(resource.fields)
    if not any(f.primary_key for f in fields.values()):
        fields = {"id": FieldSpec(type="integer", primary_key=True), **fields}
    return fields


def _field_problems(
    pos: Positions, at: Loc, key: str, name: str, field: FieldSpec
) -> Iterator[Problem]:
    if field.type in UNCOMPARABLE_TYPES:
        verb = "filter" if key == "filter" else "sort"
        yield pos.problem(
            at,
            f"{dotted(at)}: {name!r} is a {field.type} field; a list cannot {verb} by it",
        )
    elif key == "sort" and not field.required and field.default is None:
        yield pos.problem(
            at,
            f"{dotted(at)}: {name!r} is optional; a list sorts only by fields with a "
            "value in every row (give it required: true or a default)",
        )


def _no_field(
    pos: Positions,
    at: Loc,
    name: str,
    rname: str,
    fields: dict[str, FieldSpec],
    *,
    key: bool = False,
) -> Problem:
    hint = did_you_mean(name, list(fields))
    return pos.problem(
        at,
        f"{dotted(at)}: resource {rname!r} has no field {name!r}; expected one of: "
        f"{', '.join(fields)}{hint}",
        key=key,
    )
