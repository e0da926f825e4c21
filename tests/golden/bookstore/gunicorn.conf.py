"""gunicorn settings of the production entrypoint (the Dockerfile's CMD).

gunicorn rather than ``uvicorn --workers``: its arbiter replaces a worker that dies or
whose event loop stops answering for ``timeout`` seconds, gives in-flight requests
``graceful_timeout`` seconds on SIGTERM, and reads this file. Each worker is a uvicorn
event loop (the maintained ``uvicorn-worker`` package; ``gunicorn_worker.py`` makes its
shutdown answer the connections it accepted last, so a reload drops none, and makes
it stop when its master is gone).

``WEB_CONCURRENCY`` sets the number of workers, ``BIND`` the address; any other option
can be overridden without editing this file: ``GUNICORN_CMD_ARGS="--timeout 60"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

    from bookstore.hooks.settings import Settings


def cpu_limit(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """CPUs this process may use, including a container's CPU quota (``docker run
    --cpus``, a Kubernetes limit), which ``os.cpu_count()`` does not see."""
    if hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    else:  # macOS
        usable = os.cpu_count() or 1
    try:
        quota, period = cpu_max.read_text().split()
        return max(1, min(usable, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):  # no cgroup v2, or "max": no quota
        return usable


bind = [os.environ.get("BIND", "0.0.0.0:8000")]
# One per CPU: a worker is an event loop, so more would only compete for the same cores.
workers = int(os.environ.get("WEB_CONCURRENCY") or cpu_limit())
worker_class = "bookstore.gunicorn_worker.Worker"
# A worker whose event loop is blocked this long is killed and replaced.
timeout = 30
# After SIGTERM, requests in flight get this long; keep the orchestrator's stop timeout
# (compose's stop_grace_period) above it.
graceful_timeout = 30
# Idle connections stay open longer than a proxy in front keeps its own (60 s is the
# usual default), so the proxy closes them first and never reuses one the app is
# closing. The compose nginx opens a connection per request (it re-resolves `app`).
keepalive = 75
# Heartbeat files in memory: on a disk-backed /tmp (Docker's overlay) they can stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The workers answer /metrics in turn: each writes its metrics to files in a directory
# and the one that answers a scrape sums them all (prometheus-client's multiprocess
# mode); on_starting sets PROMETHEUS_MULTIPROC_DIR (see metrics_dir).
metrics_root = Path(worker_tmp_dir or tempfile.gettempdir())
errorlog = "-"
# gunicorn's own lines (workers booted, timed out, killed; the warning below) as JSON
# objects with the app's keys, so all of stderr parses as JSON lines. The root logger
# is left to the app, which configures it in each worker.
logconfig_dict = {
    "root": {},
    "loggers": {"gunicorn.error": {"handlers": ["gunicorn"], "propagate": False}},
    "handlers": {
        "gunicorn": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level"},
            "timestamp": "time",
        }
    },
}
# No access log here: nginx logs every request at the edge, and the app its own.
accesslog = None


def metrics_dir(master_pid: int) -> Path:
    """The workers' metrics directory: ``PROMETHEUS_MULTIPROC_DIR`` when set, else
    one of this master's own, named after its pid: two gunicorns of this service on
    one host would otherwise sum each other's metrics, and each start would delete
    the files of the one running. A master's directory inherited by another (a USR2
    upgrade's new master) is not a setting: the new one gets its own too."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured and not _masters_own(Path(configured)):
        return Path(configured)
    return metrics_root / f"bookstore-metrics-{master_pid}"


def _masters_own(directory: Path) -> bool:
    return directory.parent == metrics_root and bool(
        re.fullmatch(r"bookstore-metrics-\d+", directory.name)
    )


def control_socket_dir() -> Path | None:
    """Where this service's masters put their control sockets (``gunicornc -s
    PATH``, gunicorn >= 25.1): gunicorn's default directory, $XDG_RUNTIME_DIR or
    ~/.gunicorn, else the temporary directory (a read-only root, as the Kubernetes
    manifests run it, cannot hold ~/.gunicorn: gunicorn logged an error at every
    start); None when none of them can be written."""
    candidates = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        candidates.append(Path(runtime))
    with contextlib.suppress(RuntimeError):  # no home directory at all
        candidates.append(Path.home() / ".gunicorn")
    candidates.append(Path(tempfile.gettempdir()))
    for directory in candidates:
        with contextlib.suppress(OSError):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.access(directory, os.W_OK | os.X_OK):
                return directory
    return None


def control_socket_of(master_pid: int, directory: Path) -> Path:
    """A master's own control socket: gunicorn's default is one path per user, so a
    second gunicorn took it over (and removed it when it stopped), and
    ``gunicornc`` reached the wrong service, or none."""
    return directory / f"bookstore-{master_pid}.ctl"


def on_starting(server: Arbiter) -> None:
    """Start with no metric files of an earlier run (a reused pid would add to its
    counts) and a control socket of this master's own, and create missing tables
    once, here, before the workers start: workers creating them at the same moment
    race, and one that fails to boot stops gunicorn. The app is imported only now,
    so reading this file needs only the standard library; and the workers, forked
    later, find PROMETHEUS_MULTIPROC_DIR set when they first import
    prometheus_client, which reads it once."""
    _remove_dead_masters_files()
    setting = server.cfg.settings.get("control_socket")  # none before gunicorn 25.1
    if setting is not None and setting.value == setting.default:  # not configured
        sockets = control_socket_dir()
        if sockets is None:
            server.log.warning(
                "no writable directory for gunicorn's control socket "
                "($XDG_RUNTIME_DIR, ~/.gunicorn, %s): gunicornc cannot reach this "
                "master",
                tempfile.gettempdir(),
            )
            server.cfg.set("control_socket_disable", True)
        else:
            server.cfg.set(
                "control_socket", str(control_socket_of(server.pid, sockets))
            )
    directory = metrics_dir(server.pid)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    from bookstore.hooks.settings import Settings

    settings = Settings()
    # The count gunicorn runs: this file's, or -w / GUNICORN_CMD_ARGS over it.
    if server.cfg.workers > 1 and not settings.redis_url:
        # Each worker keeps its own memory entries; only Redis tells the others.
        server.log.warning(
            "%d workers and no REDIS_URL: a write clears the cached answers of its "
            "own worker only; the others may serve theirs until their ttl (set "
            "REDIS_URL, or WEB_CONCURRENCY=1)",
            server.cfg.workers,
        )
    if settings.create_schema:
        asyncio.run(_create_tables(settings))


async def _create_tables(settings: Settings) -> None:
    """Create them as the app would (a database made from nothing is stamped at the
    head revision)."""
    from bookstore.db import create_engine
    from bookstore.models import Base
    from bookstore.schema_version import create_schema, load_migrations

    migrations = load_migrations(settings.alembic_config)
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(create_schema, Base.metadata, migrations)
    finally:
        await engine.dispose()


def _remove_dead_masters_files() -> None:
    """The metrics directories and control sockets of masters no longer running
    (killed before they could remove them), so a restart loop does not fill the
    memory of /dev/shm."""
    for directory in metrics_root.glob("bookstore-metrics-*"):
        pid = directory.name.rpartition("-")[2]
        if _masters_own(directory) and not _running(int(pid)):
            shutil.rmtree(directory, ignore_errors=True)
    sockets = control_socket_dir()
    for path in sockets.glob("bookstore-*.ctl") if sockets else ():
        pid = path.name.removeprefix("bookstore-").removesuffix(".ctl")
        if pid.isdecimal() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal sent: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OverflowError:  # no pid is that large: a name anyone may give in /dev/shm
        return False
    except PermissionError:  # another user's process
        pass
    return True


def on_exit(server: Arbiter) -> None:
    """This master's own metrics directory goes with it (not one configured)."""
    own = metrics_root / f"bookstore-metrics-{server.pid}"
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") == str(own):
        shutil.rmtree(own, ignore_errors=True)


def child_exit(server: Arbiter, worker: Worker) -> None:
    """A worker is gone: its live gauges (pool, memory tier) leave the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
