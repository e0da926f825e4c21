"""The same row endpoint cached by fastapi-cache2 0.2.2, for bench/cache.py.

Runs in a venv of its own (fastapi-cache2's redis extra pins redis<5). The endpoint
reads the generated service's ``row_plain`` table and is written the way that gives
fastapi-cache2 its best case: no injected session, so the key is the row id alone.
``BENCH_BACKEND`` is ``memory`` (InMemoryBackend) or ``redis`` (RedisBackend at
``BENCH_REDIS_URL``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi_cache import FastAPICache
from fastapi_cache.backends.inmemory import InMemoryBackend
from fastapi_cache.decorator import cache
from sqlalchemy import MetaData, Table, select
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["BENCH_DATABASE_URL"])
tables: dict[str, Table] = {}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with engine.connect() as connection:
        tables["row"] = await connection.run_sync(
            lambda sync: Table("row_plain", MetaData(), autoload_with=sync)
        )
    if os.environ.get("BENCH_BACKEND") == "redis":
        from fastapi_cache.backends.redis import RedisBackend
        from redis import asyncio as aioredis

        backend: Any = RedisBackend(aioredis.from_url(os.environ["BENCH_REDIS_URL"]))
    else:
        backend = InMemoryBackend()
    FastAPICache.init(backend, prefix="fc2")
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/fc2/{row_id}")
@cache(expire=3600)
async def get_row(row_id: int) -> dict[str, Any]:
    table = tables["row"]
    async with engine.connect() as connection:
        query = select(table).where(table.c.id == row_id)
        row = (await connection.execute(query)).mappings().one_or_none()
    if row is None:
        raise HTTPException(404, "not found")
    # The generated service's JSON: decimals as strings, the same field order.
    return {**row, "price": str(row["price"])}
