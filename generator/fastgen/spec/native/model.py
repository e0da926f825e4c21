"""The native spec language (``fastgen: 1``) as pydantic models.

This is the single source of truth for what a spec may say: validation, the published
JSON Schema (``schemas/fastgen.schema.json``) and the docs all come from these classes.
"""

from __future__ import annotations

import difflib
import keyword
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_name(value: str) -> str:
    if not IDENTIFIER_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid name; expected lower_snake_case matching "
            "[a-z][a-z0-9_]*"
        )
    return value


def _check_identifier(value: str) -> str:
    # Soft keywords (match, case, type) are valid identifiers; hard ones are not.
    if keyword.iskeyword(_check_name(value)):
        raise ValueError(
            f"{value!r} is a Python keyword, and this name becomes a Python "
            "function or package name; choose another name"
        )
    return value


# A name the generated code uses as it is (a package, an endpoint's function).
Identifier = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(_check_identifier),
]
# A resource or field name: a table, column or JSON key kept exactly as written; where
# it collides with Python or the generated code, the code gets an alias
# (fastgen.model.naming), so keywords and names like ``metadata`` are allowed.
Name = Annotated[str, StringConstraints(max_length=40), AfterValidator(_check_name)]
UrlPath = Annotated[
    str,
    StringConstraints(
        pattern=r"^/([A-Za-z0-9_\-.~]+|\{[a-z][a-z0-9_]*\})(/([A-Za-z0-9_\-.~]+|\{[a-z][a-z0-9_]*\}))*$"
    ),
]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]*$")]

ScalarType = Literal[
    "string",
    "text",
    "integer",
    "float",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "json",
]
FieldType = Literal[ScalarType, "enum", "ref"]
CrudOperation = Literal["list", "get", "create", "update", "delete"]
# export: GET <path>/export streams every row as NDJSON (never cached).
Operation = Literal[CrudOperation, "export"]
ReadOperation = Literal["list", "get"]
Backend = Literal["memory", "redis", "tiered"]
Strategy = Literal["ttl", "stale-while-revalidate", "none"]
Scope = Literal["public", "private"]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


def _check_background(value: object) -> object:
    # A Literal alone would take 1 and 0 for true and false (they compare equal).
    if value is True or value is False or value == "queue":
        return value
    close = difflib.get_close_matches(str(value).lower(), ["queue"], n=1)
    hint = " (did you mean 'queue'?)" if close else ""
    raise ValueError(f"{value!r} is not allowed; expected true, false or 'queue'{hint}")


# true: in-process after the response (FastAPI BackgroundTasks), for light work;
# "queue": on the Redis task queue, run by the worker process, with retries and status.
Background = Annotated[
    Literal[False, True, "queue"], BeforeValidator(_check_background)
]
Seconds = Annotated[int, Field(ge=0, le=31_536_000)]


class SpecModel(BaseModel):
    """Base: unknown keys are errors, values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ServiceSpec(SpecModel):
    """Identity of the generated service."""

    name: Identifier = Field(description="Python package name of the service.")
    title: str | None = Field(None, description="Human title; defaults to the name.")
    version: Annotated[
        str,
        StringConstraints(
            pattern=r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?$"
        ),
    ] = Field("0.1.0", description="PEP 440 version of the generated service.")
    description: str = Field("", description="Shown in the OpenAPI document.")


class DatabaseSpec(SpecModel):
    """Database connection; ``DATABASE_URL`` overrides ``url`` at run time."""

    url: str | None = Field(
        None,
        description="SQLAlchemy async URL; default sqlite+aiosqlite:///./<name>.db.",
    )
    read_url: str | None = Field(
        None,
        description="SQLAlchemy async URL of a read replica (DATABASE_READ_URL sets or "
        "overrides it at run time): GET requests and cache fills read there while it "
        "answers and lags less than DATABASE_READ_MAX_LAG seconds, else the primary.",
    )
    pool_size: int = Field(5, ge=1, le=1000)
    max_overflow: int = Field(10, ge=0, le=1000)
    pool_timeout: float = Field(30.0, gt=0, le=3600)
    pool_recycle: int = Field(1800, ge=-1)
    statement_timeout: float = Field(
        30.0,
        gt=0,
        le=86_400,
        description="Seconds one SQL statement may run before the database cancels it "
        "(the request then answers 504); on SQLite, how long a statement waits for a lock.",
    )


class CacheDefaults(SpecModel):
    """Service-wide cache settings; each endpoint may override backend and ttl."""

    backend: Backend = "memory"
    redis_url: str | None = Field(
        None,
        description="The cache's Redis; REDIS_URL sets or overrides it at run time. "
        "Without one, tiered policies run in-process only and redis policies are "
        "not cached.",
    )
    max_entries: int = Field(
        10_000, ge=1, description="LRU bound of the in-process tier."
    )
    max_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, description="Byte bound of the in-process tier."
    )
    ttl: Seconds = Field(60, description="Default ttl in seconds.")


class CachePolicySpec(SpecModel):
    """How one read endpoint is cached."""

    ttl: Seconds | None = Field(
        None, description="Seconds fresh; service default if unset."
    )
    strategy: Strategy = "ttl"
    stale_ttl: Seconds | None = Field(
        None, description="Seconds a stale entry may be served while refreshing."
    )
    backend: Backend | None = Field(None, description="Overrides the service default.")
    scope: Scope = Field(
        "public", description="private entries are keyed by the caller's principal."
    )
    vary: list[HeaderName] = Field(
        default_factory=list, description="Request headers that are part of the key."
    )
    warm: bool = Field(False, description="Fill this entry when the service starts.")
    invalidated_by: list[str] = Field(
        default_factory=list,
        description="Writes ('resource.operation') or endpoint names that invalidate it.",
    )

    @model_validator(mode="after")
    def _stale_ttl_needs_swr(self) -> CachePolicySpec:
        if self.stale_ttl is not None and self.strategy != "stale-while-revalidate":
            raise ValueError(
                "stale_ttl is only meaningful with strategy: stale-while-revalidate"
            )
        return self


class FieldSpec(SpecModel):
    """One column of a resource."""

    type: FieldType
    required: bool = True
    default: Any = None
    max_length: int | None = Field(None, ge=1, le=1_000_000)
    index: bool = False
    unique: bool = False
    primary_key: bool = False
    values: list[str] | None = Field(None, description="The allowed values of an enum.")
    to: str | None = Field(None, description="The resource a ref points to.")
    renamed_from: Name | None = Field(
        None,
        description="The field's previous name: the next migration renames the "
        "column in place, keeping its values (harmless once applied).",
    )


ResourcePath = Annotated[str, StringConstraints(pattern=r"^(/[A-Za-z0-9_\-.~]+)+$")]
Match = Literal["prefix", "contains"]


class ListSpec(SpecModel):
    """What a client may ask of the resource's list (``GET <path>``)."""

    filter: list[Name] | None = Field(
        None,
        description="Fields a list can be filtered by: equality (?author_id=3), `in` "
        "(?author_id__in=1,2), ranges on numbers, dates and datetimes (__gt, __gte, "
        "__lt, __lte) and __isnull on optional fields. Each gets an index. Default: "
        "the key and the indexed, unique and ref fields.",
    )
    sort: list[Name] | None = Field(
        None,
        description="Fields a list can be sorted by (?sort=-price,title; the key "
        "always breaks ties). Not optional fields. Each gets an index. Default: the "
        "filterable fields that are not optional.",
    )
    match: dict[Name, Match] = Field(
        default_factory=dict,
        description="String fields a list also matches by prefix (?title__startswith=) "
        "or substring (?title__contains=, which no index serves).",
    )


class ResourceSpec(SpecModel):
    """A database table with CRUD routes."""

    path: ResourcePath = Field(
        description="Collection path, e.g. /books (no parameters)."
    )
    fields: dict[Name, FieldSpec]
    operations: list[Operation] = Field(
        default_factory=lambda: ["list", "get", "create", "update", "delete"],
        description="export (GET <path>/export, every row as NDJSON) is opt-in.",
    )
    cache: dict[ReadOperation, CachePolicySpec] = Field(default_factory=dict)
    extra_fields: Literal["forbid", "ignore"] = Field(
        "forbid",
        description="A request body's unknown field: a 422 naming it (forbid), or "
        "dropped (ignore).",
    )
    listing: ListSpec = Field(
        default_factory=ListSpec,
        alias="list",
        description="Filters, sort orders and string matches of the list.",
    )
    renamed_from: Name | None = Field(
        None,
        description="The resource's previous name: the next migration renames its "
        "table in place, keeping every row (harmless once applied).",
    )


AggregateFunction = Literal["count", "sum", "avg", "min", "max"]


class AggregateColumn(SpecModel):
    """One function of one column, e.g. ``{avg: price}``: exactly one key."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"minProperties": 1, "maxProperties": 1},
    )

    count: Name | None = Field(None, description="Rows where it is not null.")
    sum: Name | None = Field(None, description="0 when no row matches.")
    avg: Name | None = Field(None, description="null when no row matches.")
    min: Name | None = Field(None, description="null when no row matches.")
    max: Name | None = Field(None, description="null when no row matches.")

    @model_validator(mode="after")
    def _exactly_one(self) -> AggregateColumn:
        if len(self.model_fields_set) != 1:
            raise ValueError(
                "expected exactly one of count, sum, avg, min, max naming a column, "
                "e.g. {avg: price}"
            )
        return self

    @property
    def function(self) -> AggregateFunction:
        return next(iter(self.model_fields_set))  # type: ignore[return-value]

    @property
    def column(self) -> str:
        return str(getattr(self, self.function))


def _aggregate_kind(value: object) -> str:
    return (
        "aggregate-column"
        if isinstance(value, dict | AggregateColumn)
        else "aggregate-rows"
    )


def _check_count(value: object) -> object:
    if value == "count":
        return value
    hint = " (did you mean 'count'?)" if str(value).lower().startswith("c") else ""
    raise ValueError(
        f"{value!r} is not allowed; expected 'count' (the matching rows) or one "
        f"function of a column, e.g. {{avg: price}}{hint}"
    )


# 'count' (the matching rows) or one function of a column; the tags (dropped from
# error locations) make a mistake report one expectation, not one per member.
Aggregate = Annotated[
    Annotated[Literal["count"], BeforeValidator(_check_count), Tag("aggregate-rows")]
    | Annotated[AggregateColumn, Tag("aggregate-column")],
    Discriminator(_aggregate_kind),
]


class AggregateSpec(SpecModel):
    """A GET computed by fastgen: aggregates over the rows of one resource."""

    from_: Name = Field(
        alias="from", description="The resource whose rows are aggregated."
    )
    where: dict[Name, Name] = Field(
        default_factory=dict,
        description="column of `from` -> the path parameter it must equal; every "
        "path parameter is one. A ref column's parameter answers 404 when no row "
        "of the referenced resource has that key.",
    )
    fields: Annotated[dict[Name, Aggregate], Field(min_length=1)] = Field(
        description="Response field -> 'count' (matching rows) or {count|sum|avg|"
        "min|max: column}."
    )


class EndpointSpec(SpecModel):
    """A route of its own: a hand-written body in a user-owned file, or an aggregate."""

    method: Method
    path: UrlPath
    summary: str = ""
    params: dict[Name, ScalarType] = Field(
        default_factory=dict,
        description="Types of path parameters; '<resource>_id' defaults to that id type.",
    )
    response: dict[Name, ScalarType] | None = Field(
        None, description="Fields of the JSON response object."
    )
    aggregate: AggregateSpec | None = Field(
        None,
        description="Compute the response from the rows of a resource (GET only); "
        "no body to write. Writes to that resource invalidate its cache.",
    )
    cache: CachePolicySpec | None = None
    background: Background = Field(
        False,
        description=(
            "Answer 202 and run the handler later: true in the same process after "
            "the response; 'queue' on the Redis task queue, in the worker process, "
            "with retries and a job status endpoint."
        ),
    )


MEMORY_RE = re.compile(r"^([1-9][0-9]{0,5})(Mi|Gi)$")


def _check_memory(value: object) -> object:
    found = MEMORY_RE.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            f"{value!r} is not a memory size; expected a whole number of Mi or Gi, "
            "e.g. 512Mi or 2Gi"
        )
    if int(found[1]) * (1024 if found[2] == "Gi" else 1) < 128:
        raise ValueError(
            f"{value!r} is too little for the app's workers; expected at least 128Mi"
        )
    return value


def _check_cpu(value: object) -> object:
    if isinstance(value, str) and value.endswith("m") and value[:-1].isdigit():
        raise ValueError(
            f"{value!r} is not allowed; expected a number of CPUs "
            f"(e.g. {int(value[:-1]) / 1000:g} for {value})"
        )
    return value


# A Kubernetes memory quantity in binary units, which docker-compose states exactly
# (its m and g are MiB and GiB).
Memory = Annotated[
    str,
    Field(pattern=MEMORY_RE.pattern),
    BeforeValidator(_check_memory),
]
Cpu = Annotated[float, BeforeValidator(_check_cpu)]


class AutoscalingSpec(SpecModel):
    """The Kubernetes HorizontalPodAutoscaler of the app."""

    min_replicas: int | None = Field(
        None, ge=1, le=1000, description="Fewest replicas; default: deploy.replicas."
    )
    max_replicas: int = Field(10, ge=1, le=1000, description="Most replicas.")
    target_cpu_percent: int = Field(
        70,
        ge=10,
        le=100,
        description="Average CPU use, in percent of the CPU limit, the autoscaler "
        "keeps the replicas at.",
    )


class DeploySpec(SpecModel):
    """How the service runs in production: docker-compose and Kubernetes."""

    replicas: int = Field(
        2,
        ge=1,
        le=1000,
        description="App replicas docker-compose runs; Kubernetes' autoscaler keeps "
        "at least this many unless autoscaling.min_replicas says otherwise.",
    )
    cpu: Cpu = Field(
        1.0,
        ge=0.1,
        le=64,
        multiple_of=0.001,
        description="CPUs one replica may use (its limit and request); gunicorn runs "
        "one worker per whole CPU, rounded up.",
    )
    memory: Memory = Field(
        "512Mi",
        description="Memory one replica may use (limit and request): 512Mi, 2Gi.",
    )
    worker_replicas: int = Field(
        1,
        ge=1,
        le=1000,
        description="Task-queue workers Kubernetes runs (background: queue endpoints).",
    )
    autoscaling: AutoscalingSpec = Field(default_factory=AutoscalingSpec)

    @model_validator(mode="after")
    def _bounds_in_order(self) -> DeploySpec:
        low = self.autoscaling.min_replicas or self.replicas
        if low > self.autoscaling.max_replicas:
            raise ValueError(
                f"autoscaling.max_replicas ({self.autoscaling.max_replicas}) is below "
                f"the fewest replicas ({low}, from "
                f"{'autoscaling.min_replicas' if self.autoscaling.min_replicas else 'replicas'})"
            )
        return self


class FastgenSpec(SpecModel):
    """A fastgen service spec, version 1."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="fastgen spec",
        json_schema_extra={"$id": "https://fastgen.dev/schemas/fastgen.schema.json"},
    )

    fastgen: Literal[1] = Field(description="Spec language version.")
    service: ServiceSpec
    database: DatabaseSpec = Field(default_factory=DatabaseSpec)
    cache: CacheDefaults = Field(default_factory=CacheDefaults)
    resources: dict[Name, ResourceSpec] = Field(default_factory=dict)
    endpoints: dict[Identifier, EndpointSpec] = Field(default_factory=dict)
    deploy: DeploySpec = Field(default_factory=DeploySpec)
