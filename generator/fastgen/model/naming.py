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
        "lists",
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
        *("Callable", "Column", "CommaList", "ConfigDict", "DBAPIError", "Date"),
        *("DateTime", "Decimal", "DecimalColumn", "Double", "Drain", "Expansion"),
        "FastAPI",
        *("Field", "Float", "ForeignKey", "HTTPException", "IntColumn", "Integer"),
        *("InvalidOperation", "ItemT", "Iterator", "JSON", "JobAccepted"),
        *("JobContext", "JobQueueDep", "JsonValue", "Limit", "ListQuery", "Listing"),
        *("Literal", "Mapped", "MetaData", "Numeric", "Offset", "Page"),
        *("Path", "Query", "RedisServer", "Request", "ResourceHooks", "Response"),
        "Select",
        "Self",
        *("SessionDep", "Settings", "StreamingResponse", "String", "Table", "Text"),
        *("UTCDateTime", "UTCTimestamp", "Uuid"),
        # Imported beside the model classes by listing.py and the tests' conftest.
        *("ColumnElement", "DeclarativeBase", "FunctionElement", "Mapping", "Redis"),
        *("InstrumentedAttribute", "RequestValidationError", "SQLCompiler"),
        *("Sequence", "TypeAdapter", "TypeVar", "ValidationError"),
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
        *("reread", "router", "row", "rows", "select", "session", "uuid", "value"),
        *("answer", "answer_etag", "response"),  # an uncached GET sending its ETag
    }
)


# Module-level names of an OpenAPI service's router modules (their imports): a
# route function named like one would shadow it for the routes after it.
API_ROUTER_NAMES = frozenset(
    {
        *("api_models", "column_values", "commit_or_409", "dt", "errors"),
        *("get_or_404", "ndjson_export", "only_query_parameters", "present"),
        *("register_convertors", "reread", "router", "select", "status"),
        *("strict_json", "uuid", "answer_etag"),
    }
)
# ... and the endings of the names it imports per operation, table and scheme
# (``<op>_hook``, ``<table>_hooks``, ``<op>_callbacks``), and the security checks'
# beginning (``require_<scheme>``).
API_ROUTER_ENDINGS = ("_hook", "_hooks", "_callbacks")


def route_function_name(name: str) -> str:
    """``name``, or ``name_`` where a router module already uses the name."""
    taken = name in API_ROUTER_NAMES or name.endswith(API_ROUTER_ENDINGS)
    return f"{name}_" if taken or name.startswith("require_") else name


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
    """PascalCase of the alphanumeric runs of ``name``: ``book_review`` -> ``BookReview``,
    ``pet-owner`` -> ``PetOwner``, ``petOwner`` -> ``PetOwner`` (only first letters
    change).

    The one rule for both inputs. A native name is a checked identifier, so this is
    its class name; an OpenAPI schema name is any text, and ``api_class_name`` in
    ``fastgen.spec.openapi.models`` makes the result a class name ``api_models.py``
    can define (not empty, no leading digit, no keyword or name it imports).
    """
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^0-9A-Za-z]+", name) if p)
