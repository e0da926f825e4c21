"""The path convertor of a native resource's integer key beside ``/export``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastgen.model.service import ResourceModel

# Starlette's ``int`` convertor calls int() while it matches a route, which raises
# past Python's 4300-digit limit (a 500), and takes no sign, so a row with a negative
# natural key was created and listed but never found. Every key of an integer column
# has at most 19 digits and a sign: a longer id matches no route, a 404.
INT_KEY_CONVERTOR = ("int_key", "-?[0-9]{1,19}")


def uses_int_key(pk_type: str, operations: tuple[str, ...]) -> bool:
    """Whether a resource's ``/{id}`` routes take the key through the convertor:
    an integer key beside ``/export``, so ``PUT /books/export`` is the export
    path's 405, not a 422 for the id "export"."""
    return pk_type == "int" and "export" in operations


def with_int_key(
    found: tuple[tuple[str, str], ...], resources: Iterable[ResourceModel]
) -> tuple[tuple[str, str], ...]:
    """The convertors ``found`` (the OpenAPI patterns'), and the integer key's
    where a resource's routes use it."""
    if any(uses_int_key(r.pk.py_type, r.operations) for r in resources):
        return (*found, INT_KEY_CONVERTOR)
    return found
