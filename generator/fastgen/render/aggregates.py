"""Aggregate endpoints: the route's ``select``, its argument types, and what its
generated tests expect."""

from __future__ import annotations

from dataclasses import replace

from fastgen.model.endpoints import AggregateFieldModel, EndpointModel, ParamModel
from fastgen.model.naming import python_name
from fastgen.model.service import FieldModel, ServiceModel
from fastgen.render.literals import pystr
from fastgen.render.orm import exact_aggregate
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.routes import param_annotation
from fastgen.render.schemas import COLUMN_ALIASES
from fastgen.render.tests_code import sample_expr


def aggregate_param_type(param: ParamModel) -> str:
    """The annotation of an aggregate's path parameter: its column's API type.

    An integer a column cannot hold is a 422, as in a request body; asking the
    database would be an error.
    """
    column_type = COLUMN_ALIASES.get(param.py_type, param.py_type)
    return param_annotation(replace(param, py_type=column_type))


def aggregate_query(endpoint: EndpointModel) -> str:
    """The ``query = select(...)`` statement of an aggregate route (indented 4)."""
    aggregate = endpoint.aggregate
    assert aggregate is not None
    table = aggregate.class_name
    columns = []
    for field in aggregate.fields:
        column = f"{table}.{field.column.attr}" if field.column else ""
        exact = exact_aggregate(field)  # exact on SQLite too (db.py)
        expression = f"{exact or f'func.{field.function}'}({column})"
        if field.function == "sum":
            expression = f"func.coalesce({expression}, 0)"
        columns.append(expression)
    for parent in aggregate.parents:
        key = f"{parent.class_name}.{parent.pk}"
        columns.append(f"select({key}).where({key} == {parent.param}).exists()")
    conditions = [
        f"{table}.{c.attr} == {python_name(param)}" for c, param in aggregate.where
    ]
    body = "".join(f"        {c},\n" for c in columns)
    # Without a condition naming the table, count() alone would select from no
    # table at all (and count one row).
    where = (
        f".where({', '.join(conditions)})" if conditions else f".select_from({table})"
    )
    return f"    query = select(\n{body}    ){where}"


def aggregate_names(endpoint: EndpointModel) -> list[str]:
    """The names a row of ``aggregate_query`` unpacks into, in column order.

    A parent's existence flag is named after its parameter, not its resource: two
    refs to one resource (a sender and a receiver) need a flag each.
    """
    aggregate = endpoint.aggregate
    assert aggregate is not None
    return [f.attr for f in endpoint.response_fields] + [
        f"{p.param}_found" for p in aggregate.parents
    ]


def aggregate_expected(field: AggregateFieldModel) -> str:
    """What a generated test expects of ``field`` over the created JSON ``rows``.

    The test compares with ``same``: decimals at any scale, datetimes as instants.
    """
    if field.column is None:
        return "len(rows)"
    values = f"present(rows, {pystr(field.column.name)})"
    decimal = field.column.type == "decimal"
    if field.function == "count":
        return f"len({values})"
    if field.function == "sum":
        return f"str(sum(map(Decimal, {values})))" if decimal else f"sum({values})"
    if field.function == "avg":
        return f"decimal_mean({values})" if decimal else f"float_mean({values})"
    key = ", key=Decimal" if decimal else ""
    return f"{field.function}({values}{key}, default=None)"


def aggregate_extras(endpoint: EndpointModel) -> tuple[FieldModel, ...]:
    """Optional columns an aggregate reads or filters on, which the payload omits."""
    aggregate = endpoint.aggregate
    assert aggregate is not None
    columns = [f.column for f in aggregate.fields if f.column is not None]
    columns += [column for column, _ in aggregate.where]
    found: dict[str, FieldModel] = {}
    for column in columns:
        if not column.required and not column.ref_table and not column.primary_key:
            found.setdefault(column.name, column)
    return tuple(found.values())


def aggregate_url(endpoint: EndpointModel, missing: str | None = None) -> str:
    """An f-string of the endpoint's URL in a generated test.

    Each parameter is the test's ``where`` value of its column; ``missing`` (a
    parameter naming a parent row) is a key no row has.
    """
    aggregate = endpoint.aggregate
    assert aggregate is not None
    path = endpoint.path
    for column, param in aggregate.where:
        if param == missing:
            path = path.replace(f"{{{param}}}", missing_ref(column))
        else:
            path = path.replace(f"{{{param}}}", f"{{where[{column.name!r}]}}")
    return ("f" if "{" in path else "") + pystr(path)


def missing_ref(column: FieldModel) -> str:
    """A key the resource a ref column names has no row for (as written in a URL)."""
    return {"int": "999999", "uuid.UUID": "00000000-0000-4000-8000-999999999999"}.get(
        column.py_type, "no-such-key"
    )


def aggregate_means(service: ServiceModel) -> set[str]:
    """The mean helpers (``decimal_mean``, ``float_mean``) the aggregate tests call."""
    return {
        name
        for endpoint in service.aggregate_endpoints
        for field in endpoint.aggregate.fields  # type: ignore[union-attr]
        for name in ("decimal_mean", "float_mean")
        if name in aggregate_expected(field)
    }


def aggregate_test_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/test_aggregates.py``."""
    imports: list[Import] = [
        ("typing", "Any"),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "FastAPI"),
        ("conftest", "same"),
    ]
    for endpoint in service.aggregate_endpoints:
        aggregate = endpoint.aggregate
        assert aggregate is not None
        resource = next(r for r in service.resources if r.name == aggregate.resource)
        imports.append(("conftest", f"{resource.name}_payload"))
        imports += [("conftest", f"make_{p.resource}") for p in aggregate.parents]
        imports += [
            ("conftest", f"make_{f.ref_table}") for f in resource.refs if f.required
        ]
        if aggregate.where and len(aggregate.parents) == len(aggregate.where):
            imports.append(("conftest", f"make_{resource.name}"))  # rows not counted
        if any("dt." in sample_expr(f) for f in aggregate_extras(endpoint)):
            imports.append(("datetime as dt", None))
        if any("short_text(" in sample_expr(f) for f in aggregate_extras(endpoint)):
            imports.append(("conftest", "short_text"))
        for field in aggregate.fields:
            expected = aggregate_expected(field)
            if "Decimal" in expected or "decimal_mean" in expected:
                imports.append(("decimal", "Decimal"))
            if "decimal_mean" in expected:
                imports.append(("decimal", "ROUND_HALF_UP"))
            if "float_mean" in expected:
                imports.append(("statistics", "fmean"))
    return render_imports(imports, service.package)
