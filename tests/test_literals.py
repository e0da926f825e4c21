"""Spec strings become correct, ruff-formatted Python literals — never code."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pyimports import render_imports

from .conftest import ruff

NASTY = [
    'say "hi"',
    "it's",
    "back\\slash",
    '"""',
    "{{ x }}",
    "a\nb",
    "\x00\x7f",
    "é ü 中",
]


def ruff_format(source: str) -> str:
    result = ruff("format", "--isolated", "--stdin-filename", "x.py", "-", stdin=source)
    assert result.returncode == 0, result.stderr
    return result.stdout


@given(st.text())
def test_pystr_round_trips(value: str) -> None:
    assert ast.literal_eval(pystr(value)) == value


def test_nasty_strings_round_trip_and_are_ruff_formatted() -> None:
    source = "".join(f"X{i} = {pystr(v)}\n" for i, v in enumerate(NASTY))
    assert ruff_format(source) == source
    namespace: dict[str, object] = {}
    exec(compile(source, "x.py", "exec"), namespace)  # noqa: S102 - the point of the test
    assert [namespace[f"X{i}"] for i in range(len(NASTY))] == NASTY


@settings(max_examples=50)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_pyliteral_round_trips(value: object) -> None:
    assert ast.literal_eval(pyliteral(value)) == value


def test_imports_are_isort_clean() -> None:
    block = render_imports(
        [
            ("sqlalchemy.orm", "mapped_column"),
            ("sqlalchemy.orm", "Mapped"),
            ("datetime as dt", None),
            ("decimal", "Decimal"),
            ("shop.db", "Base"),
            ("conftest", "make_item"),
            ("sqlalchemy", "ForeignKey"),
            ("shop.hooks", "ping as ping_hook"),
            ("shop.hooks", "PONG"),
        ],
        "shop",
    )
    source = block + "\n"
    result = ruff(
        "check",
        "--isolated",
        "--select",
        "I",
        "--config",
        "lint.isort.known-first-party=['shop', 'conftest']",
        "--stdin-filename",
        "x.py",
        "-",
        stdin=source,
    )
    assert result.returncode == 0, result.stdout
