"""The generated bench app with Python's default collection threshold (bench/gc_trend.py).

The generated lifespan raises the youngest generation's threshold from 700 to
``GC_YOUNG_THRESHOLD`` when it starts; it reads that name then, so setting it back here,
before the server starts the app, gives the app as it was before that change.
"""

from __future__ import annotations

import gc

from cachebench import main

main.GC_YOUNG_THRESHOLD = gc.get_threshold()[0]  # 700 unless the interpreter changed it
app = main.app

__all__ = ["app"]
