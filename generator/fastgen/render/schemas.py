"""The pydantic schemas of a generated project: the field lines and imports of
``schemas/<resource>.py`` and ``schemas/endpoints.py``."""

from __future__ import annotations

from fastgen.model.endpoints import AggregateFieldModel, ResponseFieldModel
from fastgen.model.service import FieldModel, ResourceModel, ServiceModel
from fastgen.render.columns import python_default
from fastgen.render.literals import pystr
from fastgen.render.pyimports import LINE_LENGTH, Import, render_imports
from fastgen.render.pysource import type_imports, wrap

# Column types whose range is narrower than the Python type: the API type says so
# (schemas/common.py), so an out-of-range value is a 422, not a database error.
COLUMN_ALIASES = {"int": "IntColumn", "Decimal": "DecimalColumn"}


def _schema_type(field: FieldModel, mode: str) -> str:
    if field.max_length and field.type == "string":
        return f"Annotated[str, Field(max_length={field.max_length})]"
    if field.type == "datetime":
        return "UTCDateTime"
    if mode == "read":  # what the column holds already fits it
        return field.py_type
    return COLUMN_ALIASES.get(field.py_type, field.py_type)


def _sent_fields(resource: ResourceModel) -> tuple[FieldModel, ...]:
    """The fields a client sends; a key the database does not number is one."""
    natural_key = () if resource.pk.generated else (resource.pk,)
    return natural_key + resource.fields


def _aliases(resource: ResourceModel) -> set[str]:
    return {
        COLUMN_ALIASES[field.py_type]
        for field in _sent_fields(resource)
        if field.py_type in COLUMN_ALIASES
    }


def _omittable(field: FieldModel) -> bool:
    """A field PATCH may leave out but not set to null (a JSON column stores a
    null sent as JSON ``null``)."""
    return not field.nullable and field.type != "json"


def omittable_used(service: ServiceModel) -> bool:
    """Whether an Update schema has a field that may be left out but not null."""
    return any(_omittable(f) for r in service.resources for f in r.fields)


def common_imports(service: ServiceModel) -> str:
    """Imports of ``schemas/common.py``: the shared pieces the resources use."""
    aliases = column_aliases(service)
    omittable = omittable_used(service)
    imports: list[Import] = [
        ("typing", "Generic"),
        ("typing", "TypeVar"),
        ("pydantic", "BaseModel"),
        ("pydantic", "Field"),  # Page.total's description
    ]
    if aliases or service.uses_datetime or omittable or service.listed_resources:
        imports.append(("typing", "Annotated"))
    if "DecimalColumn" in aliases:
        imports += [
            ("re", None),
            ("decimal", "Decimal"),
            ("pydantic", "BeforeValidator"),
            ("pydantic", "WithJsonSchema"),
        ]
    if decimal_bodies(service):
        imports.append(("typing", "Self"))  # JsonNumber
    if service.uses_datetime:
        imports += [("datetime as dt", None), ("pydantic", "AfterValidator")]
    if "IsoDate" in aliases:
        imports += [("re", None), ("datetime as dt", None)]
        imports += [("pydantic", "BeforeValidator")]
    if omittable:
        imports += [
            ("pydantic", "AfterValidator"),
            ("pydantic", "GetJsonSchemaHandler"),
            ("pydantic.json_schema", "JsonSchemaValue"),
            ("pydantic_core", "CoreSchema"),
        ]
    if service.listed_resources:
        imports += [
            ("typing", "Any"),
            ("typing", "Self"),
            ("pydantic", "BeforeValidator"),
            ("pydantic", "ConfigDict"),
            ("pydantic", "ValidationError"),
            ("pydantic", "model_validator"),
            ("pydantic_core", "InitErrorDetails"),
            ("pydantic_core", "PydanticCustomError"),
        ]
    return render_imports(imports, service.package)


def reads_decimals(resource: ResourceModel) -> bool:
    """Whether a native resource's create or update body carries a decimal: its
    router reads JSON numbers by their digits (``crud.ExactNumbersRoute``)."""
    writes = {"create", "update"} & set(resource.operations)
    return bool(writes) and any(f.type == "decimal" for f in resource.fields)


def decimal_bodies(service: ServiceModel) -> bool:
    """Whether a native router reads a decimal from a JSON body."""
    return any(reads_decimals(r) for r in service.crud_resources)


def query_credentials(service: ServiceModel) -> tuple[str, ...]:
    """The query parameters the document's security schemes read (``?api_key=``),
    where a list would otherwise refuse them as unknown: a credential is the
    route's security's to read, never a filter (``CREDENTIALS_IN_QUERY``)."""
    lists = service.listed_resources or any(
        op.crud == "list" and not op.paged for op in service.api_operations
    )
    found = {
        s.key_name or s.parameter for s in service.api_schemes if s.location == "query"
    }
    return tuple(sorted(found)) if lists else ()


def column_aliases(service: ServiceModel) -> tuple[str, ...]:
    """The aliases of ``COLUMN_ALIASES`` some request schema or list filter uses,
    and ``IsoDate`` where an OpenAPI table's list filters a date, sorted."""
    used = set().union(*(_aliases(r) for r in service.resources))
    used |= {
        COLUMN_ALIASES[f.field.py_type]
        for r in service.listed_resources
        for f in r.filters
        if f.field.py_type in COLUMN_ALIASES
    }
    used |= {
        "IsoDate"
        for r in service.listed_resources
        for f in r.filters
        if r.row_model and f.field.type == "date"
    }
    return tuple(sorted(used))


def schema_field(field: FieldModel, mode: str) -> str:
    """One field line of the Create / Update / Read schema (indented 4).

    An aliased field is read from its wire name in a request body and written under
    it in a response; the stored row is read by its attribute (``from_attributes``).
    """
    annotation = _schema_type(field, mode)
    head = f"    {field.attr}: {annotation}"
    default: str | None = None
    if mode == "update":  # None: left out (the stored value stays)
        if _omittable(field):
            head = f"    {field.attr}: Omittable[{annotation}]"
        else:
            head += " | None"
        default = "None"
    elif mode == "read":
        if field.nullable:
            head += " | None"
    elif field.has_default:
        default = python_default(field)
    elif not field.required:
        head, default = head + " | None", "None"
    if not field.aliased:
        if default is None:
            return head
        if default == "None":
            return f"{head} = None"
        return _assign(f"{head} = ", default)
    alias = "serialization_alias" if mode == "read" else "alias"
    args = [] if default is None else [default]
    field_args = [*args, f"{alias}={pystr(field.name)}"]
    return wrap(f"{head.strip()} = Field", field_args, indent=4)


def _assign(head: str, value: str) -> str:
    line = head + value
    if len(line) <= LINE_LENGTH:
        return line
    indent = len(head) - len(head.lstrip())
    inner = " " * (indent + 4) + value
    if len(inner) <= LINE_LENGTH and "\n" not in value:
        return f"{head}(\n{inner}\n{' ' * indent})"
    return line


def enum_alias(field: FieldModel) -> str:
    """``BookGenre = Literal["a", "b"]`` for an enum field."""
    return wrap(
        f"{field.enum_alias} = Literal",
        [pystr(v) for v in field.enum_values],
        brackets="[]",
    )


def schema_imports(resource: ResourceModel, package: str) -> str:
    imports: list[Import] = [("pydantic", "BaseModel"), ("pydantic", "ConfigDict")]
    fields = (resource.pk, *resource.fields)
    if any(f.max_length and f.type == "string" for f in fields):
        imports += [("typing", "Annotated"), ("pydantic", "Field")]
    if resource.aliased:
        imports.append(("pydantic", "Field"))
    if resource.enums:
        imports.append(("typing", "Literal"))
    if any(_omittable(f) for f in resource.fields):
        imports.append((f"{package}.schemas.common", "Omittable"))
    imports += [(f"{package}.schemas.common", alias) for alias in _aliases(resource)]
    for field in fields:
        if field.type == "datetime":
            imports.append((f"{package}.schemas.common", "UTCDateTime"))
        else:
            imports += type_imports(field.py_type)
        if field.type == "decimal" and field.has_default:
            imports.append(("decimal", "Decimal"))
    return render_imports(imports, package)


def aggregate_type(field: AggregateFieldModel) -> str:
    """The response type of an aggregate's ``function`` over its ``column``.

    count is an int and sum a number of the column's type, 0 without rows; avg is a
    Decimal over a decimal column (at the column's scale) and a float otherwise;
    min and max have the column's type. avg, min and max are null without rows.
    """
    column = field.column
    if field.function == "count" or column is None:
        return "int"
    if field.function == "sum":
        return column.py_type
    if field.function == "avg":
        return ("Decimal" if column.type == "decimal" else "float") + " | None"
    return ("str" if column.enum_alias else column.py_type) + " | None"


def response_type(field: ResponseFieldModel) -> str:
    """The annotation of a field of ``schemas/endpoints.py``."""
    if field.aggregate is not None:
        return aggregate_type(field.aggregate)
    assert field.py_type is not None
    return field.py_type


def endpoint_imports(service: ServiceModel) -> str:
    """Imports of ``schemas/endpoints.py``."""
    imports: list[Import] = [("pydantic", "BaseModel")]
    for endpoint in service.endpoints:
        for field in endpoint.response_fields:
            imports += type_imports(response_type(field).removesuffix(" | None"))
            if field.attr != field.name:
                imports.append(("pydantic", "Field"))
    return render_imports(imports, service.package)
