"""The path convertor of a native resource's integer or UUID key beside ``/export``."""

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
# "export" is no UUID: every other segment goes on to the key, whose model refuses
# what is no UUID (a 422 saying why) and takes each spelling of one.
UUID_KEY_CONVERTOR = ("uuid_key", "(?!export$)[^/]+")
KEY_CONVERTORS = {"int": INT_KEY_CONVERTOR, "uuid.UUID": UUID_KEY_CONVERTOR}


def key_convertor(pk_type: str, operations: tuple[str, ...]) -> tuple[str, str] | None:
    """The convertor a resource's ``/{id}`` routes take the key through: an integer
    or UUID key beside ``/export``, so ``PUT /books/export`` is the export path's
    405, not a 422 for the id "export". None: the plain path parameter (a string
    key may be "export")."""
    return KEY_CONVERTORS.get(pk_type) if "export" in operations else None


def uses_int_key(pk_type: str, operations: tuple[str, ...]) -> bool:
    """Whether the ``/{id}`` routes take an integer key through its convertor."""
    return key_convertor(pk_type, operations) == INT_KEY_CONVERTOR


def with_int_key(
    found: tuple[tuple[str, str], ...], resources: Iterable[ResourceModel]
) -> tuple[tuple[str, str], ...]:
    """The convertors ``found`` (the OpenAPI patterns'), and the keys' where a
    resource's routes use them."""
    used = {key_convertor(r.pk.py_type, r.operations) for r in resources}
    return (*found, *(c for c in KEY_CONVERTORS.values() if c in used))
