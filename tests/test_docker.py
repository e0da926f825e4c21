"""What can be checked of the deployment files without a Docker engine: the Dockerfile
(hadolint), the compose file (Debian's docker-compose validates it), the nginx config
(`nginx -t` from Debian's nginx) and the gunicorn config (imported and run)."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import local_nginx_config

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
COMPOSE = shutil.which("docker-compose")


def test_dockerfile_passes_hadolint(bookstore: Path) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(bookstore / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_local_state_out(bookstore: Path) -> None:
    ignored = (bookstore / ".dockerignore").read_text().splitlines()
    for entry in (".git", ".venv", "*.db", ".env"):
        assert entry in ignored


def gunicorn_conf(
    project: Path, monkeypatch: pytest.MonkeyPatch, **env: str
) -> dict[str, Any]:
    """The settings gunicorn reads from the project's gunicorn.conf.py under `env`.

    The file sets defaults in the environment (for the workers it forks); they are
    taken back afterwards, so no later test runs in multiprocess-metrics mode.
    """
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = dict(os.environ)
    try:
        return runpy.run_path(str(project / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(before)


def test_gunicorn_workers_follow_the_cpu_quota(
    bookstore: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conf = gunicorn_conf(bookstore, monkeypatch)
    cpu_limit = conf["cpu_limit"]
    usable = len(os.sched_getaffinity(0))
    cpu_max = tmp_path / "cpu.max"
    assert cpu_limit(cpu_max) == usable  # no cgroup file
    cpu_max.write_text("max 100000\n")
    assert cpu_limit(cpu_max) == usable  # no quota
    cpu_max.write_text("150000 100000\n")  # docker run --cpus 1.5
    assert cpu_limit(cpu_max) == min(usable, 2)
    cpu_max.write_text("20000 100000\n")
    assert cpu_limit(cpu_max) == 1
    assert conf["workers"] == cpu_limit()
    assert conf["worker_class"] == "bookstore.gunicorn_worker.Worker"


def test_gunicorn_workers_and_bind_from_the_environment(
    bookstore: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = gunicorn_conf(
        bookstore, monkeypatch, WEB_CONCURRENCY="5", BIND="127.0.0.1:9000"
    )
    assert (conf["workers"], conf["bind"]) == (5, ["127.0.0.1:9000"])


def test_gunicorn_workers_share_their_metrics(
    bookstore: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each master's own directory, named after its pid (tests/test_gunicorn.py runs
    two), unless PROMETHEUS_MULTIPROC_DIR names one; another master's directory,
    inherited by a USR2 upgrade's new master, is not such a setting."""
    conf = gunicorn_conf(bookstore, monkeypatch)
    own = conf["metrics_root"] / "bookstore-metrics-123"
    assert conf["metrics_dir"](123) == own
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ  # set by on_starting
    mine = tmp_path / "metrics"
    conf = gunicorn_conf(bookstore, monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(mine))
    assert conf["metrics_dir"](123) == mine
    conf = gunicorn_conf(bookstore, monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(own))
    assert conf["metrics_dir"](456) == own.with_name("bookstore-metrics-456")
    assert callable(conf["child_exit"])  # marks a dead worker's gauges as gone
    assert callable(conf["on_exit"])  # removes the master's own directory


def test_a_start_removes_the_files_of_masters_gone(
    bookstore: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A master killed before it could remove its metrics directory and control
    socket leaves them (a restart loop would fill /dev/shm): the next start removes
    them, and keeps a running master's and what is not a master's. A number no pid
    can be, which any user of /dev/shm may name a directory, stops no start."""
    remove = gunicorn_conf(bookstore, monkeypatch)["_remove_dead_masters_files"]
    metrics, runtime = tmp_path / "shm", tmp_path / "runtime"
    remove.__globals__["metrics_root"] = metrics  # not this host's /dev/shm
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    exited = subprocess.Popen(["true"])
    exited.wait()
    names = [exited.pid, os.getpid(), 2**70, "x", "1-old"]
    for name in names:
        (metrics / f"bookstore-metrics-{name}").mkdir(parents=True)
        (runtime / f"bookstore-{name}.ctl").touch()
    (metrics / "other-metrics-1").mkdir()
    remove()
    kept = [os.getpid(), "x", "1-old"]
    assert {path.name for path in metrics.iterdir()} == {
        *(f"bookstore-metrics-{name}" for name in kept),
        "other-metrics-1",
    }
    assert {path.name for path in runtime.iterdir()} == {
        f"bookstore-{name}.ctl" for name in kept
    }


def test_control_sockets_go_where_they_can_be_made(
    bookstore: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """$XDG_RUNTIME_DIR, else ~/.gunicorn, else the temporary directory: under a
    read-only root (the Kubernetes manifests' readOnlyRootFilesystem) ~/.gunicorn
    cannot be made, and gunicorn logged an error at every start. None when nothing
    can be written (on_starting then turns the control socket off)."""
    place = gunicorn_conf(bookstore, monkeypatch)["control_socket_dir"]
    runtime, home, temporary = tmp_path / "run", tmp_path / "home", tmp_path / "tmp"
    runtime.mkdir()
    temporary.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    assert place() == runtime
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert place() == home / ".gunicorn" and (home / ".gunicorn").is_dir()
    blocked = tmp_path / "a-file"
    blocked.touch()  # a file where a directory should be: as root, modes stop nothing
    monkeypatch.setenv("HOME", str(blocked / "home"))
    assert place() == temporary
    monkeypatch.setattr(tempfile, "tempdir", str(blocked / "tmp"))
    assert place() is None


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return int(match[1])


def test_timeouts_agree_across_files(
    bookstore: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compose waits longer than gunicorn's graceful shutdown before it kills a
    replica."""
    conf = gunicorn_conf(bookstore, monkeypatch)
    compose = yaml.safe_load((bookstore / "docker-compose.yml").read_text())
    grace = seconds(compose["services"]["app"]["stop_grace_period"])
    assert grace > conf["graceful_timeout"]


@pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian package nginx)"
)
def test_nginx_config_passes_nginx_t(bookstore: Path, tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(local_nginx_config(bookstore, "127.0.0.1:8000"))
    result = subprocess.run(
        [str(NGINX), "-t", "-q", "-e", "/dev/stderr", "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (Debian package)"
)
def test_compose_file_validates_and_wires_the_services(bookstore: Path) -> None:
    result = subprocess.run(
        [str(COMPOSE), "--file", "docker-compose.yml", "config"],
        cwd=bookstore,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]

    def waits_for(name: str) -> dict[str, str]:
        return {dep: c["condition"] for dep, c in services[name]["depends_on"].items()}

    assert waits_for("nginx") == {"app": "service_healthy"}
    assert waits_for("app") == {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    assert waits_for("migrate") == {"postgres": "service_healthy"}
    for name in ("app", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"]

    app = services["app"]
    assert app["deploy"]["replicas"] >= 2
    assert "command" not in app, "the app runs the image's CMD (tested in test_e2e)"
    assert "ports" not in app, "the app is reached through nginx only"
    assert app["environment"]["DATABASE_URL"].startswith(
        "postgresql+asyncpg://app:app@postgres:5432/"
    )
    assert app["environment"]["REDIS_URL"].startswith("redis://redis:6379/")
    migrate_env = services["migrate"]["environment"]
    assert migrate_env["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]

    nginx = services["nginx"]
    assert [p["target"] for p in nginx["ports"]] == [80]
    mount = f"{bookstore.resolve()}/nginx/nginx.conf:/etc/nginx/nginx.conf:ro"
    assert nginx["volumes"] == [mount]


def test_compose_runs_the_worker_of_a_queued_endpoint(tmp_path: Path) -> None:
    from fastgen.api import new_project

    from .conftest import REPO

    project = new_project(REPO / "tests" / "specs" / "queue.yaml", tmp_path / "q")
    compose = (project / "docker-compose.yml").read_text()
    if COMPOSE is not None:  # the real validator, where installed (always in CI)
        result = subprocess.run(
            [COMPOSE, "--file", "docker-compose.yml", "config"],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        compose = result.stdout
    services = yaml.safe_load(compose)["services"]
    worker = services["worker"]
    # The command tests/test_queue_integration.py starts as the worker process.
    assert worker["command"] == ["python", "-m", "queuetest.worker"]
    assert worker["environment"]["QUEUE_REDIS_URL"] == "redis://redis:6379/0"
    # The app enqueues the jobs the worker runs: both on the same queue (without it
    # the app would enqueue to its default, localhost, and answer 503).
    app_env = services["app"]["environment"]
    assert app_env["QUEUE_REDIS_URL"] == worker["environment"]["QUEUE_REDIS_URL"]
    assert worker["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "redis": {"condition": "service_healthy"},
    }
    assert (
        worker["environment"]["DATABASE_URL"]
        == (services["app"]["environment"]["DATABASE_URL"])
    )
    assert "9191/metrics" in worker["healthcheck"]["test"][-1]


def test_compose_has_no_worker_without_a_queued_endpoint(bookstore: Path) -> None:
    services = yaml.safe_load((bookstore / "docker-compose.yml").read_text())
    assert "worker" not in services["services"]


# The master's start, run as gunicorn would call it (the project's settings need the
# generated project's dependencies: the shared venv has them).
_ON_STARTING = """
import os
import runpy

class Log:
    def warning(self, message, *args):
        print(message % args)

from gunicorn.config import Config

class Server:
    log = Log()
    cfg = Config()  # after -w or GUNICORN_CMD_ARGS (TEST_WORKERS here)
    cfg.set("workers", int(os.environ["TEST_WORKERS"]))
    pid = os.getpid()

runpy.run_path("gunicorn.conf.py")["on_starting"](Server())
"""


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("workers", "redis_url", "warned"),
    [("2", "", True), ("2", "redis://127.0.0.1:1/0", False), ("1", "", False)],
)
def test_gunicorn_says_when_workers_cannot_share_invalidations(
    bookstore: Path,
    shared_venv: Path,
    tmp_path: Path,
    workers: str,
    redis_url: str,
    warned: bool,
) -> None:
    """Memory entries are each worker's own and only Redis carries a write's
    invalidation to the others: several workers without it serve stale answers."""
    env = {
        **os.environ,
        "PYTHONPATH": str(bookstore / "src"),
        "WEB_CONCURRENCY": "1",  # the file's count: -w overrides it
        "TEST_WORKERS": workers,
        "REDIS_URL": redis_url,
        "CREATE_SCHEMA": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    result = subprocess.run(
        [str(shared_venv / "bin" / "python"), "-c", _ON_STARTING],
        cwd=bookstore,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = "2 workers and no REDIS_URL: a write clears the cached answers of its"
    assert (expected in result.stdout) is warned, result.stdout
