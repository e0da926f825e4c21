"""How long an invalidation in one cache layer takes to reach another's memory tier.

Run by bench/cache.py with the generated service's venv (it imports its cache
package): ``python invalidation_latency.py PACKAGE REDIS_URL [COUNT]``. Two layers
share one Redis namespace, as two workers do; the time is from the writer calling
``invalidate`` to the other layer having bumped the tag (the write's commit to the
moment the other worker's memory copy is dead), over the real pub/sub path.
"""

from __future__ import annotations

import asyncio
import importlib
import statistics
import sys
import time
import uuid


async def main(package: str, redis_url: str, count: int) -> None:
    cache = importlib.import_module(f"{package}.cache")
    policy = cache.CachePolicy(
        name="row.get",
        path="/rows/{row_id}",
        ttl=60,
        strategy="ttl",
        stale_ttl=0,
        backend="tiered",
        scope="public",
        id_param="row_id",
    )
    namespace = f"latency-{uuid.uuid4().hex}"
    layers = [
        cache.CacheLayer(
            [policy],
            {"row.update": (("row.get", True),)},
            max_entries=1000,
            max_bytes=1 << 20,
            redis_url=redis_url,
            namespace=namespace,
        )
        for _ in range(2)
    ]
    writer, reader = layers
    for layer in layers:
        await layer.startup()
    await asyncio.wait_for(reader.bus.connected.wait(), 5)
    samples = []
    for n in range(count):
        before = reader.bus.received
        started = time.perf_counter()
        await writer.invalidate("row.update", n)
        while reader.bus.received == before:
            await asyncio.sleep(0)
        samples.append((time.perf_counter() - started) * 1000)
    for layer in layers:
        await layer.close()
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(
        f"{count} invalidations: median {statistics.median(samples):.2f} ms, "
        f"p99 {p99:.2f} ms, max {samples[-1]:.2f} ms"
    )


if __name__ == "__main__":
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    asyncio.run(main(sys.argv[1], sys.argv[2], count))
