"""The path convertor of an integer key beside ``/export``: every key an integer
column holds, no run of digits Python's int() refuses (fuzzing found a row with a
negative natural key created and listed but answering 404 to its own id)."""

from __future__ import annotations

import re

import pytest

from fastgen.model.convertors import INT_KEY_CONVERTOR

PATTERN = re.compile(INT_KEY_CONVERTOR[1])


@pytest.mark.parametrize(
    "key", ["0", "7", "-3", "-2147483648", "9" * 19, "-" + "9" * 19]
)
def test_every_key_of_an_integer_column_matches(key: str) -> None:
    assert PATTERN.fullmatch(key)


@pytest.mark.parametrize(
    "sent", ["9" * 20, "9" * 5000, "export", "1.5", "--1", "+1", ""]
)
def test_nothing_else_does(sent: str) -> None:
    assert not PATTERN.fullmatch(sent)
