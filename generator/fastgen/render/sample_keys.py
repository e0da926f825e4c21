"""The rows of a table the generated tests store: how many before a key repeats.

A test row is made from ``n`` (``tests_code.sample_expr``), and a column whose
values are few (an enum, a boolean, a pattern such as ``^[a-c]$``) takes them in
turn, ``n % count``: rows ``n = 1 .. count`` differ, the next repeats the first.
"""

from __future__ import annotations

from fastgen.model.service import FieldModel, ResourceModel, ServiceModel


def distinct_values(field: FieldModel) -> int | None:
    """How many values the test rows give ``field``; None: one per ``n``."""
    if field.samples:
        return len(field.samples)
    return {"boolean": 2, "enum": len(field.enum_values)}.get(field.type)


def key_values(resource: ResourceModel, service: ServiceModel) -> int | None:
    """How many rows ``make_<table>`` of an OpenAPI table can store, ``n = 1`` up,
    before its key repeats one (a unique violation); None where it never does. An
    integer key is the database's to number, or ``n`` itself."""
    if service.api is None or resource.pk.py_type == "int":
        return None
    return distinct_values(resource.pk)
