"""Aggregate endpoints: their table, where clause and computed fields."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from fastgen.model.naming import python_name
from fastgen.spec.loader import Positions
from fastgen.spec.native.checks.endpoints import PATH_PARAM_RE
from fastgen.spec.native.model import (
    AggregateSpec,
    EndpointSpec,
    FastgenSpec,
    ResourceSpec,
)
from fastgen.spec.problems import Loc, Problem, did_you_mean, dotted

# Column types a path parameter can be compared with (exactly, and spelled in a URL).
WHERE_TYPES = ("ref", "integer", "string", "uuid", "date", "enum")
_ORDERED = ("integer", "float", "decimal", "string", "date", "datetime", "enum")
# Column types each aggregate function but count (any column) takes.
AGGREGATE_TYPES = {
    "sum": ("integer", "float", "decimal"),
    "avg": ("integer", "float", "decimal"),
    "min": _ORDERED,
    "max": _ORDERED,
}


def aggregate_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Every problem of every aggregate endpoint."""
    for ename, endpoint in spec.endpoints.items():
        if endpoint.aggregate is not None:
            site = _Site(spec, pos, ename, endpoint, endpoint.aggregate)
            yield from site.problems()


@dataclass
class _Site:
    """One aggregate endpoint, with what its checks share."""

    spec: FastgenSpec
    pos: Positions
    ename: str
    endpoint: EndpointSpec
    aggregate: AggregateSpec
    loc: Loc = field(init=False)
    path_params: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.loc = ("endpoints", self.ename, "aggregate")
        self.path_params = PATH_PARAM_RE.findall(self.endpoint.path)

    def problems(self) -> Iterator[Problem]:
        yield from self._endpoint_problems()
        resource = self.spec.resources.get(self.aggregate.from_)
        if resource is None:
            yield self._no_resource()
            return
        columns = _columns(self.spec, self.aggregate.from_)
        yield from self._where_problems(columns)
        yield from self._field_problems(resource, columns)

    def _endpoint_problems(self) -> Iterator[Problem]:
        """The endpoint's own keys an aggregate decides instead."""
        where, endpoint = f"endpoints.{self.ename}", self.endpoint
        if endpoint.method != "GET":
            yield self.pos.problem(
                self.loc,
                f"{where}.aggregate: only a GET can be an aggregate "
                f"(this one is {endpoint.method})",
                key=True,
            )
        if endpoint.response is not None:
            yield self.pos.problem(
                (*self.loc[:-1], "response"),
                f"{where}.response: an aggregate's response is its fields; "
                "remove response",
                key=True,
            )
        for pname in endpoint.params:
            if pname in self.aggregate.where.values():
                yield self.pos.problem(
                    (*self.loc[:-1], "params", pname),
                    f"{where}.params.{pname}: the type of an aggregate's parameter "
                    "is the type of its column in aggregate.where; remove it",
                    key=True,
                )
        for pname in self.path_params:
            if pname not in self.aggregate.where.values():
                yield self.pos.problem(
                    (*self.loc[:-1], "path"),
                    f"{where}.path: the parameter {pname!r} is not used; "
                    f"expected it in aggregate.where, e.g. {{column: {pname}}}",
                )

    def _no_resource(self) -> Problem:
        name, resources = self.aggregate.from_, self.spec.resources
        hint = did_you_mean(name, list(resources))
        return self.pos.problem(
            (*self.loc, "from"),
            f"endpoints.{self.ename}.aggregate.from: no resource named {name!r}; "
            f"expected one of: {', '.join(resources)}{hint}",
        )

    def _where_problems(self, columns: dict[str, str]) -> Iterator[Problem]:
        """Each where entry compares a comparable column with a path parameter."""
        rname = self.aggregate.from_
        for column, pname in self.aggregate.where.items():
            wloc: Loc = (*self.loc, "where", column)
            kind = columns.get(column)
            if kind is None:
                yield _no_column(self.pos, wloc, column, rname, columns)
            elif kind not in WHERE_TYPES:
                yield self.pos.problem(
                    wloc,
                    f"{dotted(wloc)}: {rname}.{column} is a {kind} "
                    "column; a path parameter can equal a column of type "
                    f"{', '.join(WHERE_TYPES)}",
                    key=True,
                )
            if pname not in self.path_params:
                yield self.pos.problem(
                    wloc,
                    f"{dotted(wloc)}: {pname!r} is not a parameter of path "
                    f"{self.endpoint.path!r}",
                )
        if len(set(self.aggregate.where.values())) != len(self.aggregate.where):
            yield self.pos.problem(
                (*self.loc, "where"),
                f"endpoints.{self.ename}.aggregate.where: a parameter may stand for "
                "one column only",
            )

    def _field_problems(
        self, resource: ResourceSpec, columns: dict[str, str]
    ) -> Iterator[Problem]:
        """Each computed field has a free name and a column its function takes."""
        parents = [
            f"{python_name(self.aggregate.where[column])}_found"
            for column, f in resource.fields.items()
            if column in self.aggregate.where and f.type == "ref"
        ]
        taken = {"query", *self.path_params, *parents}
        rname = self.aggregate.from_
        for fname, value in self.aggregate.fields.items():
            floc: Loc = (*self.loc, "fields", fname)
            if fname in taken:
                yield self.pos.problem(
                    floc,
                    f"{dotted(floc)}: the name is used by the generated route; "
                    "choose another",
                    key=True,
                )
            if isinstance(value, str):  # 'count': the matching rows
                continue
            function, column = value.function, value.column
            kind = columns.get(column)
            if kind is None:
                yield _no_column(self.pos, (*floc, function), column, rname, columns)
            elif function != "count" and kind not in AGGREGATE_TYPES[function]:
                yield self.pos.problem(
                    (*floc, function),
                    f"{dotted(floc)}.{function}: {rname}.{column} is a "
                    f"{kind} column; {function} takes a column of type "
                    f"{', '.join(AGGREGATE_TYPES[function])}",
                )


def _columns(spec: FastgenSpec, rname: str) -> dict[str, str]:
    """Column name -> type of a resource, its primary key included."""
    resource = spec.resources[rname]
    columns = {name: f.type for name, f in resource.fields.items()}
    if not any(f.primary_key for f in resource.fields.values()):
        columns = {"id": "integer", **columns}
    return columns


def _no_column(
    pos: Positions, loc: Loc, column: str, rname: str, columns: dict[str, str]
) -> Problem:
    """``rname`` has no ``column``; a ``where`` entry is located at its key."""
    hint = did_you_mean(column, list(columns))
    return pos.problem(
        loc,
        f"{dotted(loc)}: resource {rname!r} has no column {column!r}; expected "
        f"one of: {', '.join(columns)}{hint}",
        key=loc[-2] == "where",
    )
