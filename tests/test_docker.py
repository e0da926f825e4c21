"""The generated Dockerfile passes hadolint (no Docker engine runs here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


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


def test_compose_runs_the_worker_of_a_queued_endpoint(tmp_path: Path) -> None:
    from fastgen.render import new_project

    from .conftest import REPO

    project = new_project(REPO / "tests" / "specs" / "queue.yaml", tmp_path / "q")
    services = yaml.safe_load((project / "docker-compose.yml").read_text())["services"]
    worker = services["worker"]
    # The command tests/test_queue_integration.py starts as the worker process.
    assert worker["command"] == ["python", "-m", "queuetest.worker"]
    assert worker["environment"]["QUEUE_REDIS_URL"] == "redis://redis:6379/0"
    assert worker["depends_on"]["app"] == {"condition": "service_healthy"}
    assert "9191/metrics" in worker["healthcheck"]["test"][-1]


def test_compose_has_no_worker_without_a_queued_endpoint(bookstore: Path) -> None:
    services = yaml.safe_load((bookstore / "docker-compose.yml").read_text())
    assert "worker" not in services["services"]
