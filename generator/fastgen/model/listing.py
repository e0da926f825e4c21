"""What a native resource's list takes besides its page: filters and expansions."""

from __future__ import annotations

from dataclasses import dataclass

from fastgen.model.fields import FieldModel


@dataclass(frozen=True)
class ListFilterModel:
    """A field a list can be filtered by, and the operators it takes there."""

    field: FieldModel
    # eq (?f=), in, gt, gte, lt, lte, isnull, startswith, contains (?f__<op>=)
    ops: tuple[str, ...]


@dataclass(frozen=True)
class ExpandModel:
    """A ref field whose row a list embeds on request (``?expand=<name>``)."""

    name: str  # the value of ``expand`` and the item's key for the row
    field: FieldModel  # the ref column
    resource: str  # the resource it refers to
