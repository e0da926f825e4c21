"""Aggregate endpoints: what the spec compiles to (types, the query, invalidations),
and the invalidations of the example's lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.model.endpoints import EndpointModel
from fastgen.render import aggregates, routes
from fastgen.render.schemas import response_type
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import load_spec

from .conftest import EXAMPLE, REPO, hand_written_stats_example

NASTY = REPO / "tests" / "specs" / "nasty.yaml"


def endpoint(spec: Path, name: str) -> EndpointModel:
    return next(e for e in compile_service(load_spec(spec)).endpoints if e.name == name)


def test_bookstore_stats_is_computed_not_hand_written() -> None:
    service = compile_service(load_spec(EXAMPLE))
    stats = endpoint(EXAMPLE, "author_stats")
    assert [e.name for e in service.hook_endpoints] == ["reindex"]
    assert [e.name for e in service.aggregate_endpoints] == ["author_stats"]
    assert [(p.name, aggregates.aggregate_param_type(p)) for p in stats.params] == [
        ("author_id", "IntColumn")
    ]
    assert [(f.name, response_type(f)) for f in stats.response_fields] == [
        ("book_count", "int"),
        ("average_price", "Decimal | None"),
    ]
    assert aggregates.aggregate_query(stats) == (
        "    query = select(\n"
        "        func.count(),\n"
        "        DecimalAvg(Book.price),\n"
        "        select(Author.id).where(Author.id == author_id).exists(),\n"
        "    ).where(Book.author_id == author_id)"
    )
    assert aggregates.aggregate_names(stats) == [
        "book_count",
        "average_price",
        "author_id_found",
    ]


def writes_invalidating(policy: str) -> list[str]:
    """The example's writes that invalidate every entry of ``policy``."""
    service = compile_service(load_spec(EXAMPLE))
    return sorted(
        write
        for write, targets in service.invalidations.items()
        if (policy, False) in targets
    )


def test_writes_to_the_source_and_parent_deletes_invalidate() -> None:
    assert writes_invalidating("author_stats") == [
        "author.delete",  # the answer becomes a 404
        "book.create",
        "book.delete",
        "book.update",
    ]


def test_a_list_that_embeds_a_resource_is_invalidated_by_its_changes() -> None:
    # GET /books?expand=author embeds authors: renaming or deleting one changes pages.
    assert writes_invalidating("book.list") == [
        "author.delete",
        "author.update",
        "book.create",
        "book.delete",
        "book.update",
    ]


@pytest.mark.parametrize(
    ("field", "py_type"),
    [
        ("count_all", "int"),
        ("total", "Decimal"),  # 0 without rows
        ("mean", "Decimal | None"),
        ("smallest", "Decimal | None"),
        ("first_happened", "dt.datetime | None"),
        ("with_extra", "int"),
    ],
)
def test_types_follow_the_columns(field: str, py_type: str) -> None:
    summary = endpoint(NASTY, "summary_of_the_rows_of_one_kind")
    types = {f.name: response_type(f) for f in summary.response_fields}
    assert types[field] == py_type


def test_avg_of_an_integer_is_a_float_and_min_of_an_enum_a_string(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "fastgen: 1\nservice: {name: shop}\nresources:\n  item:\n    path: /items\n"
        "    fields:\n      qty: {type: integer}\n"
        "      size: {type: enum, values: [s, m]}\n"
        "endpoints:\n  sizes:\n    method: GET\n    path: /sizes/{size}\n"
        "    aggregate:\n      from: item\n      where: {size: size}\n"
        "      fields: {mean: {avg: qty}, total: {sum: qty}, low: {min: size}}\n"
    )
    sizes = endpoint(spec, "sizes")
    assert {f.name: response_type(f) for f in sizes.response_fields} == {
        "mean": "float | None",
        "total": "int",
        "low": "str | None",
    }
    assert [(p.name, p.py_type) for p in sizes.params] == [("size", "ItemSize")]
    assert aggregates.aggregate_query(sizes).endswith(").where(Item.size == size)")
    assert "func.coalesce(func.sum(Item.qty), 0)" in aggregates.aggregate_query(sizes)


def test_count_without_a_condition_selects_from_the_table(tmp_path: Path) -> None:
    """``SELECT count(*)`` with no FROM counts one row, whatever the table holds."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "fastgen: 1\nservice: {name: shop}\nresources:\n  item:\n    path: /items\n"
        "    fields:\n      qty: {type: integer}\n"
        "endpoints:\n  totals:\n    method: GET\n    path: /totals\n"
        "    aggregate: {from: item, fields: {everything: count}}\n"
    )
    totals = endpoint(spec, "totals")
    assert aggregates.aggregate_query(totals) == (
        "    query = select(\n        func.count(),\n    ).select_from(Item)"
    )
    assert aggregates.aggregate_names(totals) == ["everything"]


def test_endpoints_publish_the_errors_they_answer(tmp_path: Path) -> None:
    """A client generated from /openapi.json parses every answer only if its status
    is listed: an aggregate's 404 (no parent row), an unwritten hook's 501, a GET's
    412 (If-Match), the database's 503/504, a queued job's Redis 503."""
    stats = endpoint(EXAMPLE, "author_stats")
    assert routes.endpoint_errors(stats) == (404, 412, 503, 504)
    assert routes.endpoint_responses(stats) == (
        ", responses=errors(304, 404, 412, 503, 504)"  # cached: If-None-Match's 304
    )
    assert routes.endpoint_errors(endpoint(EXAMPLE, "reindex")) == ()
    assert routes.endpoint_responses(endpoint(EXAMPLE, "reindex")) == ""
    hand_written = endpoint(hand_written_stats_example(tmp_path), "author_stats")
    assert routes.endpoint_errors(hand_written) == (412, 501, 503, 504)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "fastgen: 1\nservice: {name: shop}\nresources:\n  item:\n    path: /items\n"
        "    fields:\n      qty: {type: integer}\n"
        "endpoints:\n  totals:\n    method: GET\n    path: /totals\n"
        "    aggregate: {from: item, fields: {everything: count}}\n"
        "  recount:\n    method: POST\n    path: /recount\n    response: {n: integer}\n"
    )
    assert routes.endpoint_errors(endpoint(spec, "totals")) == (412, 503, 504)
    assert routes.endpoint_errors(endpoint(spec, "recount")) == (501, 503, 504)
