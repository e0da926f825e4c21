"""The generated bench app with the request observer taken off (bench/observer.py).

``wrap_front`` put the observer around the cache; this serves the cache alone, which
is what answered hits before the observer existed.
"""

from __future__ import annotations

from cachebench.main import app
from cachebench.observability import RequestObserver

assert isinstance(app._front, RequestObserver)
app._front = app._front.app
