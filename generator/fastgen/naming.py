"""Python identifiers for names a spec writes: one place decides every alias.

A wire name (a column, a JSON property, a path parameter) is the user's and is kept
exactly; the generated code refers to it through a Python identifier. Where the two
differ, the generated code says so (``mapped_column("metadata", ...)``,
``Field(alias="metadata")``).

OpenAPI names are made readable: ``find pet by id`` -> ``find_pet_by_id``,
``post-/files/v3/files`` -> ``post_files_v3_files``, ``listMenuItems`` ->
``list_menu_items``. Collisions get ``_2``, ``_3``... in document order, after names
that needed no change have been placed. A native name is already an identifier and is
kept unless Python or the generated code needs it: ``class`` -> ``class_``,
``metadata`` -> ``metadata_``.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastgen.spec.model import FastgenSpec, ResourceSpec

# Lower-case names in the body of a generated ORM or pydantic class, or bound there by
# the base class: a field of the same name would shadow them (a field named ``str``
# would turn every later ``str`` annotation of the class into its default value).
CLASS_BODY_NAMES = frozenset(
    {
        # the instance argument of __init__ and of methods (SQLAlchemy's __init__
        # takes it by position: a column named self would be given twice)
        "cls",
        "self",
        # sqlalchemy.orm.DeclarativeBase
        "metadata",
        "registry",
        "mapped_column",
        # pydantic.BaseModel (``dir(BaseModel)``) and what a schema class uses
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "model_validator",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        # types annotations name
        "bool",
        "dt",
        "float",
        "int",
        "str",
        "uuid",
    }
)
# Module names beside a resource's own modules (routers/, schemas/, tests/test_*.py)
# or bound in the module that imports them all (routers/__init__.py).
MODULE_NAMES = frozenset(
    {
        "api_router",
        "cache_layer",
        "cache_metrics",
        "cache_redis",
        "common",
        "custom_endpoints",
        "database",
        "endpoints",
        "health",
        "jobs",
        "migrations",
        "observability",
        "openapi_operations",
        "operation_stubs",
        "outbound",
        "tracing",
    }
)

# Class names the generated modules import or define beside a resource's classes
# (its ORM model ``X``, ``XCreate``, ``XUpdate``, ``XRead`` and its enum aliases).
GENERATED_CLASS_NAMES = frozenset(
    {
        *("APIRouter", "Accepted", "Annotated", "Any", "AsyncIterator", "AsyncSession"),
        *("Awaitable", "BackgroundTasks", "Base", "BaseModel", "Boolean", "CacheDep"),
        *("Callable", "Column", "ConfigDict", "DBAPIError", "Date", "DateTime"),
        *("Decimal", "DecimalColumn", "Drain", "FastAPI", "Field", "Float"),
        *("ForeignKey", "HTTPException", "IntColumn", "Integer", "InvalidOperation"),
        *("Iterator", "JSON", "JobAccepted", "JobContext", "JobQueueDep", "JsonValue"),
        *("Limit", "Literal", "Mapped", "MetaData", "Numeric", "Offset", "Page"),
        *("Path", "RedisServer", "Request", "ResourceHooks", "Response", "Select"),
        "Self",
        *("SessionDep", "Settings", "StreamingResponse", "String", "Table", "Text"),
        *("UTCDateTime", "UTCTimestamp", "Uuid"),
    }
)
# What a ref field's identifier must not be: it is also a keyword argument of the
# tests' payload helpers beside ``n`` and a local of the generated export test.
TEST_LOCALS = frozenset(
    {
        *("add", "app", "client", "large_lines", "large_peak", "n", "numbers"),
        *("payload", "payloads", "rows", "small_lines", "small_peak"),
    }
)
# Module-level names of a resource's router: its item route's key argument (and the
# locals of the routes beside it) must not shadow them.
ROUTER_NAMES = frozenset(
    {
        *("cache", "commit_or_409", "dt", "ensure_references", "get_or_404", "hooks"),
        *("limit", "name", "ndjson_export", "offset", "payload", "query", "request"),
        *("router", "row", "rows", "select", "session", "uuid", "value"),
    }
)


def is_keyword(name: str) -> bool:
    """A hard keyword (``class``), or a soft one (``match``, ``type``, ``_``)."""
    return keyword.iskeyword(name) or keyword.issoftkeyword(name)


def python_name(wire: str, reserved: Collection[str] = frozenset()) -> str:
    """The identifier of a native (already lower_snake_case) wire name.

    It is the name itself unless that is a hard keyword or in ``reserved``; then a
    trailing ``_`` is added until it is free (``class`` -> ``class_``). Soft keywords
    (``match``, ``type``) are valid identifiers and stay as written.
    """
    name = wire
    while keyword.iskeyword(name) or name in reserved:
        name += "_"
    return name


def free_name(base: str, taken: Collection[str], suffix: str) -> str:
    """``base``, or ``base`` + ``suffix`` (repeated) until it is not in ``taken``."""
    name = base
    while name in taken:
        name += suffix
    return name


def python_identifier(text: str, *, prefix: str) -> str:
    """A lower_snake_case identifier for ``text``; ``prefix`` leads when it would not."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    )
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", ascii_text)
    words = re.sub(r"([a-z])([A-Z])", r"\1_\2", words)
    words = re.sub(r"([0-9])([A-Z][a-z])", r"\1_\2", words)
    name = re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").lower()
    if not name or name[0].isdigit():
        name = f"{prefix}_{name}".rstrip("_")
    if is_keyword(name):
        name += "_"
    return name


def unique_names(originals: Sequence[str | None], bases: Sequence[str]) -> list[str]:
    """Make ``bases`` unique, deterministically.

    A base equal to its original (the document already used a clean identifier) keeps
    its name; the others take the base, or the first free ``base_N`` (N from 2), in
    order.
    """
    names: list[str | None] = [None] * len(bases)
    taken: set[str] = set()
    for i, (original, base) in enumerate(zip(originals, bases, strict=True)):
        if original == base and base not in taken:
            names[i] = base
            taken.add(base)
    for i, base in enumerate(bases):
        if names[i] is None:
            name, n = base, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            names[i] = name
            taken.add(name)
    return [name for name in names if name is not None]


def default_service_name(title: str) -> str:
    """A service (package) name from ``info.title``: ``Redocly Cafe`` -> ``redocly_cafe``."""
    return python_identifier(title, prefix="service")[:40].rstrip("_") or "service"


def class_name(name: str) -> str:
    """``book_review`` -> ``BookReview``."""
    return "".join(part.capitalize() for part in name.split("_") if part)


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
    Then ``fastgen.naming`` aliases it (``class`` -> ``class_``) and the wire name
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
