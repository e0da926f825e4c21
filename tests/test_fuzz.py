"""Fuzz the running bookstore example with schemathesis (every check, zero failures),
and drive it through a client generated from its /openapi.json.

The generated project is served by uvicorn from the shared venv on SQLite, with no
Redis reachable (the tiered cache must cope), and schemathesis drives every
operation of its live /openapi.json with valid and invalid data, and in sequences
(the stateful phase), with every check it has (tests/fuzzing.py): statuses, content
types, headers and bodies as the document says, negative data refused, valid data
taken, 405 and Allow, no 5xx. Every operation is implemented (the stats endpoint is
an aggregate fastgen computes), so not even a stub's 501 is allowed. The only
exceptions are ALLOWANCES, for what no schema can express.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from .client_scenarios import bookstore as drive_bookstore
from .fuzzing import ALL, WITH_422, Allowance, fuzz, serve
from .typed_client import TypedClient

pytestmark = pytest.mark.e2e

ALLOWANCES = (
    Allowance(
        "^(POST|PUT|PATCH)$",
        r"^/books(/\{book_id\})?$",
        "positive_data_acceptance",
        WITH_422,
        "author_id must name an existing author: a foreign key no schema can express",
    ),
    Allowance(
        "^GET$",
        "^/(authors|books)$",
        "positive_data_acceptance",
        WITH_422,
        "cursor must be a next_cursor the list answered (no schema lists them)",
    ),
)


@pytest.fixture
def bookstore_server(bookstore: Path, shared_venv: Path, tmp_path: Path) -> object:
    with serve(
        shared_venv / "bin" / "python",
        "bookstore.main:app",
        cwd=bookstore,
        log=tmp_path / "uvicorn.log",
        env={
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
    ) as base:
        yield base


def test_bookstore_survives_fuzzing(bookstore_server: str, tmp_path: Path) -> None:
    result = fuzz(
        bookstore_server,
        workdir=tmp_path,
        max_examples=25,
        checks=ALL,
        allowances=ALLOWANCES,
    )
    assert result.ok, result.output


def test_typed_client_parses_every_answer(
    bookstore_server: str, tmp_path: Path
) -> None:
    """A client generated from the served document by openapi-python-client reads
    every answer of the scenario, errors included (tests/client_scenarios.py)."""
    drive_bookstore(TypedClient(bookstore_server, tmp_path, "bookstore"))


def test_values_no_column_holds_are_client_errors(bookstore_server: str) -> None:
    """Found by the fuzzer: integers past a column's range were 500s (OverflowError)."""
    huge = 2**70
    with httpx.Client(base_url=bookstore_server, timeout=10) as http:
        assert http.get(f"/authors/{huge}").status_code == 404
        assert http.get(f"/authors/{huge}/stats").status_code == 422
        assert http.delete(f"/books/{huge}").status_code == 404
        assert http.get("/authors", params={"offset": huge}).status_code == 422
        author = http.post("/authors", json={"name": "A"}).json()
        book = {"title": "T", "isbn": "1", "price": "1.5", "author_id": author["id"]}
        for field, value in [
            ("author_id", huge),
            ("author_id", 2**31),
            ("price", "1" * 15),  # numeric(18, 4) holds 14 digits before the point
            ("price", "1.23456"),
        ]:
            response = http.post("/books", json={**book, field: value})
            assert response.status_code == 422, (field, value, response.text)
            assert response.json()["detail"][0]["loc"] == ["body", field]
        assert http.post("/books", json=book).status_code == 201
