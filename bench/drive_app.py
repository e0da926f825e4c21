"""Calls an ASGI app in-process with GETs of bench/cache.py's hot keys, no server:
what ``bench/instructions.py --in-process`` runs under callgrind.

    python bench/drive_app.py MODULE:APP PATH REQUESTS

Starts the app's lifespan, sends every hot key four times (filled, then hit), then
``REQUESTS`` more, and shuts the app down. Each request is a new scope with one
``Host`` header, as wrk sends; ``send`` keeps the last start message, checked to be
a 200 (and ``X-Cache: HIT`` when the app says ``X-Cache`` at all). Only the Python
standard library and the app's own packages are imported: this runs in the bench's
venv, with ``PYTHONPATH`` naming the app.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

HOT_KEYS = 100  # as bench/cache.py's hot.lua


def scope(target: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "GET",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1:8000")],
    }


async def drive(app: Any, prefix: str, requests: int) -> None:
    lifespan_in: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await lifespan_in.put({"type": "lifespan.startup"})
    lifespan = asyncio.ensure_future(
        app(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            lifespan_in.get,
            lifespan_out.put,
        )
    )
    started = await lifespan_out.get()
    if started["type"] != "lifespan.startup.complete":
        sys.exit(f"the app did not start: {started}")
    last: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            last["start"] = message

    for i in range(4 * HOT_KEYS + requests):
        await app(scope(f"{prefix}{i % HOT_KEYS + 1}"), receive, send)
    headers = dict(last["start"]["headers"])
    if last["start"]["status"] != 200 or headers.get(b"x-cache", b"HIT") != b"HIT":
        sys.exit(f"the last request was not a 200 hit: {last['start']}")
    await lifespan_in.put({"type": "lifespan.shutdown"})
    await lifespan


def main() -> None:
    spec, prefix, requests = sys.argv[1:]
    module, _, name = spec.partition(":")
    app = getattr(importlib.import_module(module), name)
    asyncio.run(drive(app, prefix, int(requests)))


if __name__ == "__main__":
    main()
