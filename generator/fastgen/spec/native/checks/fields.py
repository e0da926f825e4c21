"""Fields: each key fits its field's type; a resource has at most one primary key."""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.checks.defaults import default_problem
from fastgen.spec.native.model import FastgenSpec, FieldSpec, ResourceSpec
from fastgen.spec.problems import Loc, Problem, did_you_mean, dotted


def field_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Keys a field's type does not take or needs, and resources without fields."""
    for rname, resource in spec.resources.items():
        for fname, field in resource.fields.items():
            loc: Loc = ("resources", rname, "fields", fname)
            yield from _enum_problems(pos, loc, field)
            yield from _ref_problems(spec, pos, loc, field)
            yield from _column_problems(pos, loc, field)
        yield from _resource_problems(pos, rname, resource)
    yield from _rename_problems(spec, pos)


def _enum_problems(pos: Positions, loc: Loc, field: FieldSpec) -> Iterator[Problem]:
    if field.type == "enum":
        if not field.values:
            yield pos.problem(
                loc, f"{dotted(loc)}: an enum needs 'values', a non-empty list"
            )
        elif len(set(field.values)) != len(field.values):
            yield pos.problem(
                (*loc, "values"), f"{dotted(loc)}.values: values must be unique"
            )
    elif field.values is not None:
        yield pos.problem(
            (*loc, "values"),
            f"{dotted(loc)}.values: only fields of type enum take 'values'",
            key=True,
        )


def _ref_problems(
    spec: FastgenSpec, pos: Positions, loc: Loc, field: FieldSpec
) -> Iterator[Problem]:
    if field.type == "ref":
        if field.to is None:
            yield pos.problem(
                loc, f"{dotted(loc)}: a ref needs 'to', the resource it points to"
            )
        elif field.to not in spec.resources:
            hint = did_you_mean(field.to, list(spec.resources))
            yield pos.problem(
                (*loc, "to"),
                f"{dotted(loc)}.to: no resource named {field.to!r}; expected "
                f"one of: {', '.join(spec.resources)}{hint}",
            )
    elif field.to is not None:
        yield pos.problem(
            (*loc, "to"),
            f"{dotted(loc)}.to: only fields of type ref take 'to'",
            key=True,
        )


def _column_problems(pos: Positions, loc: Loc, field: FieldSpec) -> Iterator[Problem]:
    if field.max_length is not None and field.type != "string":
        yield pos.problem(
            (*loc, "max_length"),
            f"{dotted(loc)}.max_length: only fields of type string take max_length",
            key=True,
        )
    if field.primary_key and field.type not in ("integer", "string", "uuid"):
        yield pos.problem(
            (*loc, "primary_key"),
            f"{dotted(loc)}.primary_key: a primary key must be integer, "
            f"string or uuid, not {field.type}",
        )
    if field.default is not None:
        message = default_problem(field)
        if message:
            yield pos.problem((*loc, "default"), f"{dotted(loc)}.default: {message}")


def _resource_problems(
    pos: Positions, rname: str, resource: ResourceSpec
) -> Iterator[Problem]:
    primary = [fname for fname, field in resource.fields.items() if field.primary_key]
    if "id" in resource.fields and not primary:
        loc: Loc = ("resources", rname, "fields", "id")
        yield pos.problem(
            loc,
            f"{dotted(loc)}: 'id' is the column of the primary key fastgen "
            "adds to a resource without one; mark this field primary_key: "
            "true, or name it otherwise",
            key=True,
        )
    if len(primary) > 1:
        yield pos.problem(
            ("resources", rname, "fields", primary[1]),
            f"resources.{rname}: only one field may be the primary key "
            f"(found {', '.join(primary)})",
        )
    if not resource.fields:
        yield pos.problem(
            ("resources", rname, "fields"),
            f"resources.{rname}.fields: a resource needs at least one field",
        )


def _rename_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """A previous name (``renamed_from``) is one the spec no longer uses there, and
    one resource's (or one field's of a resource) only."""
    tables = {name: r.renamed_from for name, r in spec.resources.items()}
    yield from _renamed(pos, ("resources",), tables, "resource", "resource")
    for rname, resource in spec.resources.items():
        fields = {name: f.renamed_from for name, f in resource.fields.items()}
        yield from _renamed(
            pos, ("resources", rname, "fields"), fields, "field", f"field of {rname}"
        )


def _renamed(
    pos: Positions, at: Loc, previous: dict[str, str | None], kind: str, still: str
) -> Iterator[Problem]:
    claimed: dict[str, str] = {}
    for name, old in previous.items():
        if old is None:
            continue
        loc: Loc = (*at, name, "renamed_from")
        if old in previous:
            yield pos.problem(
                loc,
                f"{dotted(loc)}: {old!r} is still a {still}; renamed_from names the "
                f"{kind}'s previous name, which no other {kind} may have",
            )
        elif old in claimed:
            yield pos.problem(
                loc,
                f"{dotted(loc)}: {kind} {claimed[old]} is renamed from {old!r} too; "
                f"a previous name belongs to one {kind}",
            )
        claimed.setdefault(old, name)
