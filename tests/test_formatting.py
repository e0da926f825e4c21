"""Modules formatted together by one ruff process come out as formatted one by one."""

from __future__ import annotations

from fastgen.render.formatting import format_python, format_python_batch, needs_ruff

LONG_CALL = "result = compute(" + ", ".join(f"argument_{i}" for i in range(12)) + ")\n"
SOURCES = [
    LONG_CALL,
    "x = 1\n",
    "def f(a,b):\n    return {'k': a, 'l': b}\n",
    '"""Docstring."""\n\nLABEL = "é ü 中 and a string long enough to pass the limit of the line"  # c\n',
]


def test_batch_matches_one_process_per_module() -> None:
    assert format_python_batch(SOURCES) == [
        format_python(source, force=True) for source in SOURCES
    ]


def test_only_over_long_lines_need_ruff() -> None:
    assert needs_ruff(LONG_CALL)
    assert not needs_ruff("x = 1\n")
    assert format_python("x = 1\n") == "x = 1\n"
