"""A flood of one-off list queries never pushes a hot entry out of the cache.

The generated bookstore's own cache layer and policies (``cache_config``: the book
list keyed by its canonical query) run in front of a stand-in for its routes, driven
as ASGI without a network: 100,000 distinct list queries, one hot ``get`` between
every 500 of them. The hot entry must be a HIT every time, and the in-process tier
must not fill up with the one-off queries.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

FLOOD = """
import asyncio, json, sys

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from bookstore.cache import CacheLayer, CacheMiddleware
from bookstore.cache_config import INVALIDATIONS, POLICIES

QUERIES = int(sys.argv[1])


async def books(request):
    return JSONResponse({"items": [], "limit": 50, "offset": 0, "next_offset": None})


async def book(request):
    return JSONResponse({"id": int(request.path_params["book_id"])})


async def nobody(request):
    return None


async def main():
    layer = CacheLayer(POLICIES, INVALIDATIONS, max_entries=100, max_bytes=1 << 24, redis_url=None)
    app = Starlette(routes=[Route("/books", books), Route("/books/{book_id}", book)])
    app.add_middleware(CacheMiddleware, layer=layer, principal=nobody)
    await layer.startup()
    labels = {}

    async def get(path, query=b""):
        scope = {
            "type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
            "query_string": query, "headers": [], "scheme": "http", "http_version": "1.1",
            "server": ("test", 80), "client": ("test", 1), "root_path": "",
        }
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)
        headers = dict(sent[0]["headers"])
        return sent[0]["status"], headers.get(b"x-cache", b"").decode()

    await get("/books/1")  # stored
    for n in range(QUERIES):
        status, label = await get("/books", f"title=t{n}&sort=-title".encode())
        assert status == 200, status
        labels[label] = labels.get(label, 0) + 1
        if n % 500 == 0:
            status, label = await get("/books/1")
            labels["hot " + label] = labels.get("hot " + label, 0) + 1
    print(json.dumps({"labels": labels, "entries": len(layer.memory)}))
    await layer.close()


asyncio.run(main())
"""


def test_a_flood_of_one_off_list_queries_keeps_the_hot_get_a_hit(
    bookstore: Path, shared_venv: Path, tmp_path: Path
) -> None:
    script = tmp_path / "flood.py"
    script.write_text(FLOOD)
    done = subprocess.run(
        [shared_venv / "bin" / "python", script, "100000"],
        check=False,
        capture_output=True,
        text=True,
        cwd=bookstore,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    labels = result["labels"]
    assert labels["MISS"] == 100_000  # each one-off query answered, none stored
    # The hot get, between every 500 queries (five times the tier's 100 entries,
    # which an LRU fed every query would have turned over): a hit every time.
    assert labels["hot HIT"] == 200
    assert "hot MISS" not in labels
    assert result["entries"] == 1  # only the hot entry is in the tier
