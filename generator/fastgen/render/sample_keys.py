"""The rows of a table the generated tests store: how many before a key repeats.

A test row is made from ``n`` (``tests_code.sample_expr``), and a column whose
values are few (an enum, a boolean, a pattern such as ``^[a-c]$``) takes them in
turn, ``n % count``: rows ``n = 1 .. count`` differ, the next repeats the first.
A string too short for its name and ``n`` keeps the last digits of ``n``, a unique
one whose last digits would repeat within the rows a test stores ``n`` in base 36.
"""

from __future__ import annotations

from fastgen.model.service import FieldModel, ResourceModel, ServiceModel

# The most rows a generated test stores: the export's memory test, 20 * BATCH_SIZE.
MOST_ROWS = 10_000


def cut_string(field: FieldModel) -> bool:
    """Whether ``field``'s test values are ``f"{name}-{n}"`` cut to its length."""
    limit = field.max_length or 255
    return field.type == "string" and not field.samples and limit < len(field.name) + 12


def short_unique(field: FieldModel) -> bool:
    """Whether ``field`` is a unique string so short that the last digits of ``n``
    repeat within ``MOST_ROWS``: its test rows take ``n`` in base 36 instead
    (``short_text`` in the generated conftest)."""
    unique = field.unique or field.primary_key
    return unique and cut_string(field) and 10 ** (field.max_length or 255) < MOST_ROWS


def distinct_values(field: FieldModel) -> int | None:
    """How many values the test rows give ``field``; None: one per ``n``."""
    if field.samples:
        return len(field.samples)
    if short_unique(field):
        return 36 ** (field.max_length or 255)
    if cut_string(field):  # f"{name}-{n}"[-limit:]: n = 1 .. 10**limit differ
        return 10 ** (field.max_length or 255)
    return {"boolean": 2, "enum": len(field.enum_values)}.get(field.type)


def key_values(resource: ResourceModel, service: ServiceModel) -> int | None:
    """How many rows ``make_<table>`` of an OpenAPI table can store, ``n = 1`` up,
    before its key repeats one (a unique violation); None where it never does. An
    integer key is the database's to number, or ``n`` itself."""
    if service.api is None or resource.pk.py_type == "int":
        return None
    return distinct_values(resource.pk)


def unique_limit(resource: ResourceModel) -> tuple[str, int] | None:
    """(what, how many): the key or unique column of ``resource`` whose test
    values repeat first, and how many rows ``n = 1`` up differ before; None where
    none repeats within ``MOST_ROWS``. A test needing more rows skips, saying so:
    a unique boolean holds two rows, which is the spec's to decide, not a problem."""
    found = []
    if resource.pk.py_type != "int" and (keys := distinct_values(resource.pk)):
        found.append((keys, "the key"))  # an integer key: numbered, or n itself
    for field in resource.fields:
        unique = field.unique and not field.ref_table and not field.primary_key
        if unique and (count := distinct_values(field)):
            found.append((count, f"the unique {field.name}"))
    count, what = min(found, default=(MOST_ROWS, ""))
    return (what, count) if count < MOST_ROWS else None
