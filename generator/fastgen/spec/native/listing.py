"""What a resource's list takes: its filters, sort fields and expansions.

Both the compile (which builds them into the model) and the checks (which locate a
name that cannot be filtered or sorted) read the spec's ``list:`` key through here.
"""

from __future__ import annotations

import dataclasses
import keyword
from collections.abc import Collection, Mapping

from pydantic import BaseModel

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


# The parameters every list takes besides its filters (schemas/common.py ListQuery,
# and the sort and expand of a list that has them).
LIST_PARAMETERS = frozenset({"limit", "offset", "cursor", "count", "sort", "expand"})


def default_filters(spec: ResourceSpec, refs: Collection[str] = ()) -> list[str]:
    """The key and the indexed, unique and ref fields (``refs``: the fields an
    OpenAPI table's list expands), in spec order; not a field one of whose query
    parameters another already is (``?count=``, ``?price__gte=`` beside ``price``):
    such a field is filtered only where ``filter`` names it, which is refused."""
    names = [n for n, f in spec.fields.items() if f.primary_key] or ["id"]
    names += [
        n
        for n, f in spec.fields.items()
        if not f.primary_key
        and (f.index or f.unique or f.type == "ref" or n in refs)
        and f.type not in UNCOMPARABLE_TYPES
    ]
    clashing = filter_clashes(spec, names)
    return [n for n in names if n not in clashing]


def filter_clashes(spec: ResourceSpec, names: list[str]) -> dict[str, str]:
    """Filter field -> why one of its query parameters cannot be its own: a
    parameter of every list (``limit``...), or one of an earlier filter
    (``price__gte`` is ``price``'s range)."""
    owners = dict.fromkeys(LIST_PARAMETERS, "a parameter of every list")
    clashes: dict[str, str] = {}
    for name in dict.fromkeys(names):  # a name listed twice is reported as such
        field = spec.fields.get(name)
        if field is None:
            continue  # the implicit id, or a name the checks report
        nullable = not field.required and field.default is None
        match = spec.listing.match.get(name)
        for op in _ops_of(field.type, nullable=nullable, match=match):
            param = name if op == "eq" else f"{name}__{op}"
            if param in owners:
                clashes.setdefault(name, f"?{param} is {owners[param]}")
            else:
                owners[param] = f"a filter of {name!r}"
    return clashes


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
    return _ops_of(field.type, nullable=field.nullable, match=match)


def _ops_of(ftype: str, *, nullable: bool, match: str | None) -> tuple[str, ...]:
    ops = ["eq"]
    if ftype != "boolean":
        ops.append("in")
    if ftype in ORDERED_TYPES:
        ops += ["gt", "gte", "lt", "lte"]
    if nullable:
        ops.append("isnull")
    if match is not None:
        ops.append(MATCH_OPS.get(match, match))
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
    taken = set(by_name)
    expansions = []
    for name, target in refs.items():
        expansion = _expand_name(name, taken)
        taken.add(expansion)
        expansions.append(ExpandModel(expansion, by_name[name], target))
    sorts = tuple(by_name[n] for n in sorted_)
    return Listing(fields, filters, sorts, tuple(expansions))


def indexable(field: FieldModel) -> bool:
    """Whether a list's filter or sort on ``field`` gets an index: not on text
    (MariaDB indexes no TEXT column whole) nor on strings longer than the 768
    characters an index key holds there."""
    if field.type == "text":
        return False
    return field.type != "string" or (field.max_length or 0) <= MAX_INDEXED_CHARS


def _expand_name(ref: str, taken: set[str]) -> str:
    """``author`` for ``author_id``; else ``<ref>_row`` (``_row_2``...): never a
    name ``taken`` (a field, another expansion), a keyword or a pydantic model's
    own (``model_config``): the name is also a field of the list's item model."""
    base = ref[: -len("_id")] if ref.endswith("_id") else ""
    if base and base not in taken and _free(base):
        return base
    stem = ref if _free(f"{ref}_row") else f"expanded_{ref}"  # model_dump_id
    name, n = f"{stem}_row", 2
    while name in taken:
        name, n = f"{stem}_row_{n}", n + 1
    return name


def _free(name: str) -> bool:
    """Usable as a field of a pydantic model: no keyword, no name of BaseModel's
    (``model_config``), none of its protected namespaces (``model_dump_x``)."""
    return (
        not keyword.iskeyword(name)
        and not hasattr(BaseModel, name)
        and not name.startswith(("model_validate", "model_dump"))
    )
