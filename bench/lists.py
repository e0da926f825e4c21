"""Lists (issue 16): a deep page against the first, and a filtered-list hit against a
get hit, as ratios measured in one process.

    .venv/bin/python bench/lists.py [--rows 100000] [--rounds 5] [--requests 2000]

Generates the bookstore example into ~/.cache/fastgen-bench/lists, installs it in a
venv of its own, fills SQLite with ``--rows`` books and then, in one process driving
the app through ASGI (no network, so the ratios are the app's own), interleaves:

- page 1 (``?limit=50``), the page after row ``rows - 50`` by ``?cursor=`` and the
  same page by ``?offset=``, on an app whose in-process tier holds no answer (1 byte:
  every request reaches the database);
- a memory-tier hit of ``GET /books/1`` and of ``GET /books?author_id=3&sort=-title``.

Prints medians over the rounds and the ratios; no test asserts a time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = Path.home() / ".cache" / "fastgen-bench" / "lists"

MEASURE = r"""
import asyncio, json, statistics, sys, time

import httpx

from bookstore.hooks.settings import Settings
from bookstore.main import create_app
from bookstore.models import Author, Book

ROWS, ROUNDS, REQUESTS = (int(a) for a in sys.argv[2:5])


async def fill(app):
    async with app.state.session_factory() as session:
        session.add_all(Author(id=n, name=f"author {n}") for n in range(1, 101))
        await session.flush()
        for start in range(0, ROWS, 10_000):
            session.add_all(
                Book(title=f"title {n:07}", isbn=f"{n:013}", price=n % 100, author_id=n % 100 + 1)
                for n in range(start, min(start + 10_000, ROWS))
            )
            await session.flush()
        await session.commit()


async def per_request(client, url, params, count):
    began = time.perf_counter()
    for _ in range(count):
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
    return (time.perf_counter() - began) / count * 1e6  # microseconds


def settings(**more):
    url = f"sqlite+aiosqlite:///{sys.argv[1]}"
    return Settings(database_url=url, log_level="WARNING", **more)


async def main():
    # Two apps on one database: pages measured with nothing cached (no answer fits
    # an in-process tier of 1 byte), hits with the example's cache.
    uncached, cached = create_app(settings(cache_max_bytes=1)), create_app(settings())
    async with uncached.router.lifespan_context(uncached), cached.router.lifespan_context(cached):
        await fill(uncached)
        pages = httpx.AsyncClient(transport=httpx.ASGITransport(app=uncached), base_url="http://b")
        hits = httpx.AsyncClient(transport=httpx.ASGITransport(app=cached), base_url="http://b")
        async with pages, hits:
            last = ROWS - 50
            # The next_cursor of the page that ends at row ``last``: the deep page.
            near_end = await pages.get("/books", params={"limit": 50, "offset": last - 50})
            deep_cursor = near_end.json()["next_cursor"]
            for _ in range(2):  # both hot (a list query is stored on its second miss)
                await hits.get("/books/1")
                await hits.get("/books", params={"author_id": 3, "sort": "-title"})
            names = ("first", "deep cursor", "deep offset", "get hit", "list hit")
            times = {name: [] for name in names}
            for _ in range(ROUNDS):
                times["first"].append(await per_request(pages, "/books", {"limit": 50}, 20))
                times["deep cursor"].append(
                    await per_request(pages, "/books", {"limit": 50, "cursor": deep_cursor}, 20)
                )
                times["deep offset"].append(
                    await per_request(pages, "/books", {"limit": 50, "offset": last}, 20)
                )
                times["get hit"].append(await per_request(hits, "/books/1", {}, REQUESTS))
                times["list hit"].append(
                    await per_request(hits, "/books", {"author_id": 3, "sort": "-title"}, REQUESTS)
                )
    print(json.dumps({name: statistics.median(values) for name, values in times.items()}))


asyncio.run(main())
"""


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, cwd=cwd
    )
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, args))}\n{done.stdout}{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    project = WORK / "bookstore"
    run("rm", "-rf", project)
    run(
        sys.executable,
        "-m",
        "fastgen",
        "new",
        REPO / "examples" / "bookstore.yaml",
        "-o",
        project,
    )
    python = WORK / "venv" / "bin" / "python"
    if not python.exists():
        run(sys.executable, "-m", "venv", WORK / "venv")
    run(python, "-m", "pip", "install", "-q", "-e", project)
    database = WORK / "lists.db"
    database.unlink(missing_ok=True)
    script = WORK / "measure.py"
    script.write_text(MEASURE)
    args = (options.rows, options.rounds, options.requests)
    medians = json.loads(run(python, script, database, *args, cwd=project))
    for name, value in medians.items():
        print(f"{name:12} {value:9.1f} µs per request")
    print(f"deep cursor / first page: {medians['deep cursor'] / medians['first']:.2f}")
    print(f"deep offset / first page: {medians['deep offset'] / medians['first']:.2f}")
    print(f"list hit / get hit:       {medians['list hit'] / medians['get hit']:.2f}")


if __name__ == "__main__":
    main()
