"""The generated bench app with the request observer rearranged (bench/observer.py).

``app`` serves the cache alone, which is what answered hits before the observer
existed; ``observer_first`` keeps the whole observer in front of every hit, as
before hits were answered ahead of it (what ``LOG_CACHE_HITS=true`` still does,
less the log line).
"""

from __future__ import annotations

from cachebench.main import app, create_app
from cachebench.observability import RequestObserver

assert isinstance(app._front, RequestObserver)
app._front = app._front.app
app._hits = None  # no hit answered in front with the observer's id and metrics

observer_first = create_app()
assert isinstance(observer_first._front, RequestObserver)
observer_first._hits = None
