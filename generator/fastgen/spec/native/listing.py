"""What a resource's list takes: its filters, sort fields and expansions.

Both the compile (which builds them into the model) and the checks (which locate a
name that cannot be filtered or sorted) read the spec's ``list:`` key through here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from fastgen.model.service import ExpandModel, FieldModel, ListFilterModel
from fastgen.spec.native.limits import MAX_INDEXED_CHARS
from fastgen.spec.native.model import ResourceSpec

# Types a range (__gt, __gte, __lt, __lte) compares meaningfully.
ORDERED_TYPES = frozenset({"integer", "float", "decimal", "date", "datetime"})
# Types a list can neither filter nor sort by: a JSON document has no order or
# portable equality.
UNCOMPARABLE_TYPES = frozenset({"json"})
MATCH_OPS = {"prefix": "startswith", "contains": "contains"}
STRING_TYPES = frozenset({"string", "text"})


def default_filters(spec: ResourceSpec, refs: Collection[str] = ()) -> list[str]:
    """The key and the indexed, unique and ref fields (``refs``: the fields an
    OpenAPI table's list expands), in spec order."""
    names = [n for n, f in spec.fields.items() if f.primary_key] or ["id"]
    names += [
        n
        for n, f in spec.fields.items()
        if not f.primary_key
        and (f.index or f.unique or f.type == "ref" or n in refs)
        and f.type not in UNCOMPARABLE_TYPES
    ]
    return names


def filter_names(spec: ResourceSpec, refs: Collection[str] = ()) -> list[str]:
    listing = spec.listing
    if listing.filter is None:
        names = default_filters(spec, refs)
    else:
        names = list(listing.filter)
    return names + [n for n in listing.match if n not in names]


def sort_names(
    spec: ResourceSpec, fields: dict[str, FieldModel], refs: Collection[str] = ()
) -> list[str]:
    """The sortable fields: declared, or the filterable ones that hold a value in
    every row (a keyset page cannot step over NULLs portably)."""
    if spec.listing.sort is not None:
        return list(spec.listing.sort)
    names = filter_names(spec, refs)
    return [n for n in names if n in fields and not fields[n].nullable]


def _ops(field: FieldModel, match: str | None) -> tuple[str, ...]:
    ops = ["eq"]
    if field.type != "boolean":
        ops.append("in")
    if field.type in ORDERED_TYPES:
        ops += ["gt", "gte", "lt", "lte"]
    if field.nullable:
        ops.append("isnull")
    if match is not None:
        ops.append(MATCH_OPS[match])
    return tuple(ops)


@dataclasses.dataclass(frozen=True)
class Listing:
    """The resource's fields, those a list filters or sorts by indexed, and what
    its list takes."""

    fields: tuple[FieldModel, ...]
    filters: tuple[ListFilterModel, ...]
    sorts: tuple[FieldModel, ...]
    expansions: tuple[ExpandModel, ...]


def listing(
    spec: ResourceSpec,
    pk: FieldModel,
    fields: tuple[FieldModel, ...],
    refs: Mapping[str, str] | None = None,
) -> Listing:
    """What the resource's list takes, with the fields it queries indexed.

    ``refs`` (field -> the resource whose key it holds) are the rows it can embed:
    the ref fields unless given (an OpenAPI table's ``expand``, which has no
    foreign key).
    """
    if refs is None:
        refs = {f.name: f.ref_table for f in fields if f.ref_table}
    by_name = {f.name: f for f in (pk, *fields)}
    filtered = [n for n in filter_names(spec, refs) if n in by_name]
    sorted_ = [n for n in sort_names(spec, by_name, refs) if n in by_name]
    queried = set(filtered) | set(sorted_)
    fields = tuple(
        dataclasses.replace(f, index=True)
        if f.name in queried and not (f.index or f.unique) and indexable(f)
        else f
        for f in fields
    )
    by_name = {f.name: f for f in (pk, *fields)}
    filters = tuple(
        ListFilterModel(by_name[n], _ops(by_name[n], spec.listing.match.get(n)))
        for n in filtered
    )
    names = set(by_name)
    expansions = tuple(
        ExpandModel(_expand_name(name, names), by_name[name], target)
        for name, target in refs.items()
    )
    sorts = tuple(by_name[n] for n in sorted_)
    return Listing(fields, filters, sorts, expansions)


def indexable(field: FieldModel) -> bool:
    """Whether a list's filter or sort on ``field`` gets an index: not on text
    (MariaDB indexes no TEXT column whole) nor on strings longer than the 768
    characters an index key holds there."""
    if field.type == "text":
        return False
    return field.type != "string" or (field.max_length or 0) <= MAX_INDEXED_CHARS


def _expand_name(ref: str, names: set[str]) -> str:
    """``author`` for ``author_id``; ``<ref>_row`` when that name is a field."""
    if ref.endswith("_id") and ref[: -len("_id")] not in names:
        return ref[: -len("_id")]
    return f"{ref}_row"
