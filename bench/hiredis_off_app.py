"""The generated bench app with redis-py's pure-Python parser (bench/redis_hit.py).

redis-py picks hiredis, its C reply parser, whenever it imports; a ``None`` in
``sys.modules`` makes that import fail, as if the package were not installed.
"""

from __future__ import annotations

import sys

sys.modules["hiredis"] = None  # type: ignore[assignment]

from cachebench.main import app

__all__ = ["app"]
