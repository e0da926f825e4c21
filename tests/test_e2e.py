"""Generate the bookstore, install it, run its own tests, serve it and use it over HTTP.

This is the path a user takes; nothing here is mocked. The project gets its own venv,
so its dependencies are exactly what its pyproject.toml declares.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastgen.render import new_project

from .conftest import EXAMPLE

pytestmark = pytest.mark.e2e

AUTHOR_STATS = '''\
"""Body of GET /authors/{author_id}/stats, written by the user."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bookstore.models import Book
from bookstore.schemas.endpoints import AuthorStatsResponse


async def handle(session: AsyncSession, author_id: int) -> AuthorStatsResponse:
    """Count the author's books and average their price."""
    query = select(func.count(Book.id), func.avg(Book.price)).where(
        Book.author_id == author_id
    )
    count, average = (await session.execute(query)).one()
    return AuthorStatsResponse(book_count=count, average_price=average or 0)
'''

AUTHOR_STATS_TEST = '''\
"""The user's tests of the hand-written endpoints."""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_author_stats(client: httpx.AsyncClient) -> None:
    author = (await client.post("/authors", json={"name": "Ann"})).json()
    book = {"title": "T", "isbn": "1", "price": "10", "author_id": author["id"]}
    assert (await client.post("/books", json=book)).status_code == 201
    stats = (await client.get(f"/authors/{author['id']}/stats")).json()
    assert stats["book_count"] == 1


async def test_reindex(client: httpx.AsyncClient) -> None:
    response = await client.post("/admin/reindex")
    assert response.status_code == 202
'''


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bookstore with the user's hook written, installed in its own venv."""
    project = new_project(EXAMPLE, tmp_path_factory.mktemp("e2e") / "bookstore")
    hooks = project / "src" / "bookstore" / "hooks" / "endpoints"
    (hooks / "author_stats.py").write_text(AUTHOR_STATS)
    (project / "tests" / "test_custom_endpoints.py").write_text(AUTHOR_STATS_TEST)
    run(sys.executable, "-m", "venv", ".venv", cwd=project)
    run(".venv/bin/python", "-m", "pip", "install", "-q", "-e", ".[dev]", cwd=project)
    return project


def test_generated_tests_pass(installed: Path) -> None:
    output = run(
        ".venv/bin/python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        cwd=installed,
    )
    assert " passed" in output and "failed" not in output


def test_generated_code_is_ruff_clean_after_user_edits(installed: Path) -> None:
    run(".venv/bin/ruff", "check", "--exclude", ".venv", ".", cwd=installed)
    run(".venv/bin/ruff", "format", "--check", "--exclude", ".venv", ".", cwd=installed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(installed: Path, tmp_path: Path) -> Iterator[str]:
    """uvicorn serving the project on SQLite, with no Redis reachable."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    log = (tmp_path / "uvicorn.log").open("w")
    process = subprocess.Popen(
        [
            ".venv/bin/uvicorn",
            "bookstore.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=installed,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (tmp_path / "uvicorn.log").read_text()
            assert time.monotonic() < deadline, "uvicorn did not become ready"
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
    assert "Traceback" not in (tmp_path / "uvicorn.log").read_text()


def test_cached_bookstore_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=5) as http:
        author = http.post("/authors", json={"name": "Ursula"})
        assert author.status_code == 201
        author_id = author.json()["id"]

        first = http.get("/authors")
        assert (first.status_code, first.headers["x-cache"]) == (200, "MISS")
        second = http.get("/authors")
        assert second.headers["x-cache"] == "HIT"
        assert second.json() == first.json()
        assert (
            http.get(
                "/authors", headers={"if-none-match": second.headers["etag"]}
            ).status_code
            == 304
        )

        stats_url = f"/authors/{author_id}/stats"
        assert http.get(stats_url).headers["x-cache"] == "MISS"
        cached_stats = http.get(stats_url)
        assert cached_stats.headers["x-cache"] == "HIT"
        assert cached_stats.json()["book_count"] == 0

        book = {
            "title": "Earthsea",
            "isbn": "9780547773742",
            "price": "12.50",
            "author_id": author_id,
        }
        assert http.post("/books", json=book).status_code == 201

        # A book write leaves the author list cached but invalidates author_stats.
        assert http.get("/authors").headers["x-cache"] == "HIT"
        fresh_stats = http.get(stats_url)
        assert fresh_stats.headers["x-cache"] == "MISS"
        assert fresh_stats.json()["book_count"] == 1

        # The book `get` is tiered: with Redis unreachable it serves from memory.
        books = http.get("/books").json()["items"]
        book_url = f"/books/{books[0]['id']}"
        assert http.get(book_url).headers["x-cache"] == "MISS"
        assert http.get(book_url).headers["x-cache"] == "HIT"

        # The export streams over real HTTP (chunked), past the cached /books/{id}.
        with http.stream("GET", "/books/export") as export:
            assert export.headers["content-type"] == "application/x-ndjson"
            assert export.headers["transfer-encoding"] == "chunked"
            assert "x-cache" not in export.headers
            lines = [json.loads(line) for line in export.iter_lines()]
        assert lines == [http.get(book_url).json()]

        author_url = f"/authors/{author_id}"
        assert http.get(author_url).json()["name"] == "Ursula"
        assert http.get(author_url).headers["x-cache"] == "HIT"
        assert (
            http.patch(author_url, json={"name": "Ursula K. Le Guin"}).status_code
            == 200
        )
        updated = http.get(author_url)
        assert updated.headers["x-cache"] == "MISS"
        assert updated.json()["name"] == "Ursula K. Le Guin"
        assert http.get("/authors").headers["x-cache"] != "HIT"

        assert http.get("/authors/999999").status_code == 404
        dangling = dict(book, isbn="1", author_id=999999)
        assert http.post("/books", json=dangling).status_code == 422
        assert http.delete(author_url).status_code == 409  # a book still refers to it
        assert http.post("/admin/reindex").status_code == 202


def test_dockerfile_cmd_starts_the_service(installed: Path, tmp_path: Path) -> None:
    """The image's exact CMD, run from the project's venv instead of /opt/venv."""
    dockerfile = (installed / "Dockerfile").read_text()
    cmd_line = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    command = json.loads(cmd_line.removeprefix("CMD "))
    port = free_port()
    command = [".venv/bin/" + command[0], *command[1:]]
    command[command.index("--port") + 1] = str(port)
    command[command.index("--host") + 1] = "127.0.0.1"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cmd.db'}"}
    process = subprocess.Popen(
        command,
        cwd=installed,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if response.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the CMD exited"
            assert time.monotonic() < deadline, "the CMD did not become ready"
            time.sleep(0.2)
        assert response.json()["checks"]["database"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
