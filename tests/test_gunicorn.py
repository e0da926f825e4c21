"""The generated gunicorn.conf.py run by a real gunicorn, outside containers.

The bookstore is served from the shared venv by ``gunicorn --config gunicorn.conf.py``
(the Dockerfile's CMD) on a free port and a SQLite file of its own, without Redis.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

from .conftest import free_port
from .test_cache_integration import eventually

pytestmark = pytest.mark.e2e

# Where gunicorn.conf.py puts a master's metrics directory by default.
METRICS_ROOT = (
    Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
)


class Gunicorn:
    """One gunicorn master with two uvicorn workers, as the image runs it."""

    def __init__(self, project: Path, venv: Path, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        env |= {
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'app.db'}",
            "REDIS_URL": "",
            "CACHE_WARM_TIMEOUT": "0",
            "SHUTDOWN_DRAIN_SECONDS": "0",
        }
        options = f"--config gunicorn.conf.py --bind 127.0.0.1:{self.port} --workers 2"
        self.log = (workdir / "gunicorn.log").open("w")
        self.process = subprocess.Popen(
            [venv / "bin" / "gunicorn", *options.split(), "bookstore.main:app"],
            cwd=project,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.http = httpx.Client(base_url=self.base, timeout=10)
        eventually(self.ready, "gunicorn to answer")

    def ready(self) -> bool:
        assert self.process.poll() is None, "gunicorn exited"
        try:
            return self.http.get("/readyz").status_code == 200
        except httpx.TransportError:
            return False

    def metrics_dir(self) -> Path:
        return METRICS_ROOT / f"bookstore-metrics-{self.process.pid}"

    def requests_counted(self, route: str) -> float:
        """``http_requests_total`` of ``route`` summed over the workers, as scraped."""
        text = self.http.get("/metrics").text
        pattern = (
            rf'^http_requests_total\{{[^}}]*route="{re.escape(route)}"[^}}]*\}} (\S+)$'
        )
        return sum(float(m) for m in re.findall(pattern, text, re.MULTILINE))

    def stop(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.log.close()


def test_two_instances_on_one_host_keep_their_metrics_apart(
    bookstore: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """Both default to the same /dev/shm: each master writes its workers' metrics to a
    directory of its own, so the second's start deletes none of the first's files and
    neither counts the other's requests; each removes its directory when it stops."""
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = Gunicorn(bookstore, shared_venv, tmp_path / "first")
    second = None
    try:
        for _ in range(3):
            assert first.http.get("/authors").status_code == 200
        # The workers copy their counts to the files every second.
        eventually(lambda: first.requests_counted("/authors") == 3, "3 counted")
        second = Gunicorn(bookstore, shared_venv, tmp_path / "second")
        for _ in range(2):
            assert first.http.get("/authors").status_code == 200
        eventually(lambda: first.requests_counted("/authors") == 5, "5 counted")
        assert second.requests_counted("/authors") == 0
        assert first.metrics_dir().is_dir() and second.metrics_dir().is_dir()
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert not first.metrics_dir().exists()
    assert second is not None and not second.metrics_dir().exists()
