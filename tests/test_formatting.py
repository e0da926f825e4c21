"""Modules formatted together by one ruff process come out as formatted one by one."""

from __future__ import annotations

from pathlib import Path

from fastgen.render.formatting import format_python, format_python_batch, needs_ruff
from fastgen.render.listing import list_query_class
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import load_spec

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


def test_a_list_query_with_many_sort_keys_is_formatted_as_ruff_would(
    tmp_path: Path,
) -> None:
    # The choices of sort= once came out wrapped inside a one-line annotation:
    # every line short, so no ruff pass (format_python), and not ruff's layout.
    fields = ", ".join(
        f"{name}: {{type: {kind}, index: true}}"
        for name, kind in [
            ("title", "string"),
            ("isbn", "string"),
            ("price", "decimal"),
            ("published_on", "date"),
            ("pages", "integer"),
            ("status", "enum, values: [draft, in_review, published, withdrawn]"),
        ]
    )
    spec = tmp_path / "fastgen.yaml"
    spec.write_text(
        "fastgen: 1\nservice: {name: shelf}\n"
        f"resources:\n  volume:\n    path: /volumes\n    fields: {{{fields}}}\n"
    )
    [resource] = compile_service(load_spec(spec)).resources
    source = f"class ListQuery:\n    pass\n\n\n{list_query_class(resource)}\n"
    assert "published_on" in source and "-price" in source
    assert format_python(source) == format_python(source, force=True)
