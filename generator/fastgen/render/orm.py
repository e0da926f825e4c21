"""The ORM side of a generated project: the columns and imports of
``models/<resource>.py``, ``models/__init__.py``, and the order tables are created in."""

from __future__ import annotations

from fastgen.model.endpoints import AggregateFieldModel
from fastgen.model.service import (
    FieldModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.columns import python_default, sa_type
from fastgen.render.literals import pystr
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.pysource import type_imports, wrap


def _orm_py_type(field: FieldModel) -> str:
    if field.enum_alias:
        return "str"
    if field.py_type == "JsonValue":
        return "Any"
    return field.py_type


# Columns typed by a class of the generated db.py (each stands for its sa_type).
DB_COLUMN_TYPES = {"datetime": "UTCTimestamp", "decimal": "ExactDecimal"}


def db_column_types(service: ServiceModel) -> tuple[str, ...]:
    """The column types of the generated ``db.py`` the models use; migrations write
    each as the SQLAlchemy type it stands for (``ExactDecimal``: ``Numeric(18, 4)``)."""
    kinds = {f.type for r in service.resources for f in (r.pk, *r.fields)}
    return tuple(name for kind, name in DB_COLUMN_TYPES.items() if kind in kinds)


def exact_aggregate(field: AggregateFieldModel) -> str | None:
    """The exact decimal aggregate of the generated ``db.py`` that computes
    ``field``: ``DecimalSum`` or ``DecimalAvg`` over a decimal column (SQLite's own
    SUM overflows past 922 trillion ten-thousandths, its AVG is a float)."""
    if field.column is None or field.column.type != "decimal":
        return None
    return {"sum": "DecimalSum", "avg": "DecimalAvg"}.get(field.function)


def decimal_aggregates(service: ServiceModel) -> tuple[str, ...]:
    """The exact decimal aggregates (``exact_aggregate``) the service's aggregate
    endpoints use, which ``db.py`` defines."""
    used = {
        exact_aggregate(field)
        for endpoint in service.aggregate_endpoints
        for field in endpoint.aggregate.fields  # type: ignore[union-attr]
    }
    return tuple(name for name in ("DecimalAvg", "DecimalSum") if name in used)


def _orm_sa_type(field: FieldModel) -> str:
    """The column type in the model; migrations keep ``sa_type``, its DDL."""
    if field.type in DB_COLUMN_TYPES:
        return DB_COLUMN_TYPES[field.type] + "()"
    return sa_type(field)


def orm_column(field: FieldModel) -> str:
    """The ``name: Mapped[...] = mapped_column(...)`` line of one field (indented 4)."""
    py_type = _orm_py_type(field)
    if field.nullable:
        py_type += " | None"
    args: list[str] = []
    if field.ref_table:
        args.append(f"ForeignKey({pystr(f'{field.ref_table}.{field.ref_column}')})")
    elif not (field.primary_key and field.type == "integer"):
        args.append(_orm_sa_type(field))
    if field.primary_key:
        args.append("primary_key=True")
    if field.index and not field.unique:
        args.append("index=True")
    if field.unique and not field.primary_key:
        args.append("unique=True")
    default = python_default(field)
    if default is not None:
        args.append(f"default={default}")
    if field.aliased:  # the column keeps its name; the attribute is an alias
        args.insert(0, pystr(field.name))
    return wrap(f"{field.attr}: Mapped[{py_type}] = mapped_column", args, indent=4)


def orm_imports(resource: ResourceModel, package: str) -> str:
    imports: list[Import] = [
        ("sqlalchemy.orm", "Mapped"),
        ("sqlalchemy.orm", "mapped_column"),
        (f"{package}.db", "Base"),
    ]
    for field in (resource.pk, *resource.fields):
        if field.ref_table:
            imports.append(("sqlalchemy", "ForeignKey"))
        elif field.type in DB_COLUMN_TYPES:
            imports.append((f"{package}.db", DB_COLUMN_TYPES[field.type]))
        elif not (field.primary_key and field.type == "integer"):
            imports.append(("sqlalchemy", sa_type(field).split("(")[0]))
        py_type = _orm_py_type(field)
        imports += [("typing", "Any")] if py_type == "Any" else type_imports(py_type)
        if field.type == "decimal" and field.has_default:
            imports.append(("decimal", "Decimal"))
    return render_imports(imports, package)


def ref_class(field: FieldModel, service: ServiceModel) -> str:
    """The ORM class a ref field points to."""
    return next(r.class_name for r in service.resources if r.name == field.ref_table)


def models_init_imports(service: ServiceModel) -> str:
    """Imports of ``models/__init__.py``: ``Base`` and every model class."""
    pkg = service.package
    imports: list[Import] = [(f"{pkg}.db", "Base")]
    imports += [(f"{pkg}.models.{r.module}", r.class_name) for r in service.resources]
    return render_imports(imports, pkg)


def tables_in_creation_order(service: ServiceModel) -> list[ResourceModel]:
    """Resources ordered so every table comes after the tables it refers to."""
    by_name = {r.name: r for r in service.resources}
    ordered: list[ResourceModel] = []
    visiting: set[str] = set()

    def visit(resource: ResourceModel) -> None:
        if resource in ordered or resource.name in visiting:
            return
        visiting.add(resource.name)
        for field in resource.refs:
            if field.ref_table and field.ref_table != resource.name:
                visit(by_name[field.ref_table])
        ordered.append(resource)

    for resource in service.resources:
        visit(resource)
    return ordered
