"""The generated bench app with its Redis reads batched the previous way (bench/redis_hit.py).

Until 2026-11-24 the reads of one event-loop turn went to Redis as a pipeline of one
MGET per request; now they are one MGET for the whole batch. This puts the pipeline
back, so one wrk run compares both.
"""

from __future__ import annotations

from typing import Any

from cachebench.cache import redis_store
from cachebench.main import app


async def _pipelined(
    self: Any, client: Any, batch: list[tuple[list[str], Any]]
) -> None:
    try:
        pipeline = client.pipeline(transaction=False)
        for names, _ in batch:
            pipeline.mget(names)
        results = await pipeline.execute()
    except Exception as exc:  # noqa: BLE001 - as the generated code: fail every read
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
        return
    for (_, future), result in zip(batch, results, strict=True):
        if not future.done():
            future.set_result(result)


redis_store._ReadBatcher._run = _pipelined

__all__ = ["app"]
