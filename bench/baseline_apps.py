"""Baselines served beside the generated app by bench/cache.py (same row bytes).

``raw``: a raw ASGI app answering every request with the constant row, the ceiling
for any Python server on this uvicorn. ``bare``: a FastAPI endpoint returning the
same constant bytes, the floor a cached FastAPI endpoint is compared with.
``BENCH_BODY_FILE`` names the file holding the row.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", b"%d" % len(BODY)),
]


async def raw(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":  # lifespan: nothing to set up
        message = await receive()
        while message["type"] != "lifespan.shutdown":
            await send({"type": message["type"] + ".complete"})
            message = await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


bare = FastAPI()


@bare.get("/const/{row_id}")
async def constant(row_id: int) -> Response:
    return Response(BODY, media_type="application/json")
