"""A native spec's hand-written and computed endpoints: their parameters, response
fields and, for an aggregate, the SQL it computes."""

from __future__ import annotations

from dataclasses import dataclass

from fastgen.model.fields import FieldModel
from fastgen.model.policy import PolicyModel


@dataclass(frozen=True)
class ParamModel:
    name: str  # in the path template and the published OpenAPI
    py_type: str
    attr: str = ""  # the argument's name in Python (``class`` -> ``class_``)

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)


@dataclass(frozen=True)
class ResponseFieldModel:
    name: str  # the JSON key
    # The name of its Python type, as FieldModel.py_type; None for an aggregate's
    # field, whose type follows from its function and column (``aggregate``).
    py_type: str | None
    attr: str = ""  # the field's name in Python, where ``name`` would collide
    aggregate: AggregateFieldModel | None = None

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", self.name)


@dataclass(frozen=True)
class AggregateFieldModel:
    """One response field of an aggregate: a SQL function over the matching rows."""

    name: str
    function: str  # count, sum, avg, min or max
    column: FieldModel | None  # None: count the rows


@dataclass(frozen=True)
class ParentModel:
    """A row a ref column in ``where`` names: without it the endpoint answers 404."""

    param: str  # the path parameter's Python name
    resource: str
    class_name: str
    pk: str  # the Python name of its key column


@dataclass(frozen=True)
class AggregateModel:
    """``SELECT <functions> FROM <resource> WHERE <column> = <param> ...``."""

    resource: str
    class_name: str
    where: tuple[tuple[FieldModel, str], ...]  # (column, path parameter)
    fields: tuple[AggregateFieldModel, ...]
    parents: tuple[ParentModel, ...]


@dataclass(frozen=True)
class EndpointModel:
    name: str
    method: str
    path: str
    summary: str
    params: tuple[ParamModel, ...]
    response_class: str | None
    response_fields: tuple[ResponseFieldModel, ...]
    policy: PolicyModel | None
    background: bool  # answers 202 and runs the body later ...
    queued: bool  # ... on the task queue (in the worker) rather than in-process
    aggregate: AggregateModel | None = None  # computed by fastgen: no hook to write

    @property
    def status_code(self) -> int:
        return 202 if self.background else 200
