"""The generated task queue with real processes: uvicorn, arq workers, redis-server.

tests/specs/queue.yaml is generated and installed in the shared venv. Its job body
(written below) records every try and can be held mid-job while a marker file exists,
so a worker is killed or stopped while a job really runs. Waits have a generous limit
only so a broken build fails instead of hanging; nothing here asserts a duration.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fastgen.api import new_project

from .conftest import REPO, link_shared_venv
from .test_cache_integration import Redis, eventually, free_port
from .test_cache_integration import pytestmark as redis_marks

pytestmark = redis_marks
SPEC = REPO / "tests" / "specs" / "queue.yaml"
JOB_TIMEOUT = 5  # seconds; a crashed worker's job runs again 10 s after that

COUNT_ITEMS = '''\
"""POST /jobs-of/{label}/count: count the items; "fail-*" labels always fail."""

import asyncio
import os
from pathlib import Path

from pydantic import JsonValue
from sqlalchemy import func, select

from queuetest.jobs import JobContext
from queuetest.models import Item


async def handle(job: JobContext, label: str) -> JsonValue:
    root = Path(os.environ["QUEUE_IT_DIR"])
    with (root / f"tries-{label}").open("a") as tries:
        tries.write(f"{os.getpid()} {job.attempt}\\n")
    hold = root / f"hold-{label}"
    if hold.exists():
        (root / f"entered-{label}-{job.attempt}").touch()
        while hold.exists():
            await asyncio.sleep(0.01)
    if label.startswith("fail"):
        raise RuntimeError(f"boom on try {job.attempt}")
    async with job.sessions() as session:
        items = await session.scalar(select(func.count(Item.id)))
    return {"label": label, "attempt": job.attempt, "items": items}
'''

SETTLE = '''\
"""POST /settle/{item_id}/{day}: echo the typed parameters back."""

import datetime as dt

from pydantic import JsonValue

from queuetest.jobs import JobContext


async def handle(job: JobContext, item_id: int, day: dt.date) -> JsonValue:
    assert isinstance(day, dt.date)
    return {"item_id": item_id, "weekday": day.isoweekday(), "day": day.isoformat()}
'''

# What a user writes in tests/test_custom_endpoints.py (theirs) once the bodies exist.
CUSTOM_TESTS = """\
from collections.abc import Awaitable, Callable

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_count_items(
    queue_client: httpx.AsyncClient, run_queued_jobs: Callable[[], Awaitable[None]]
) -> None:
    response = await queue_client.post("/jobs-of/sample/count")
    await run_queued_jobs()
    job = (await queue_client.get(response.json()["status_url"])).json()
    assert job["status"] == "complete"
    assert job["result"] == {"label": "sample", "attempt": 1, "items": 0}


async def test_touch(client: httpx.AsyncClient) -> None:
    assert (await client.post("/touch")).status_code == 202
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, shared_venv: Path) -> Path:
    project = new_project(SPEC, tmp_path_factory.mktemp("queue-it") / "queuetest")
    hooks = project / "src" / "queuetest" / "hooks" / "endpoints"
    (hooks / "count_items.py").write_text(COUNT_ITEMS)
    (hooks / "settle.py").write_text(SETTLE)
    (project / "tests" / "test_custom_endpoints.py").write_text(CUSTOM_TESTS)
    link_shared_venv(shared_venv, project)
    return project


def test_the_generated_suite_passes(project: Path, tmp_path: Path) -> None:
    """Its fixtures run the queued jobs in a burst worker on a real redis-server."""
    env = {**os.environ, "QUEUE_IT_DIR": str(tmp_path)}
    env.pop("TEST_REDIS_URL", None)
    result = subprocess.run(
        [".venv/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The job of POST /jobs-of/sample/count really ran, once, in the burst worker.
    assert len((tmp_path / "tries-sample").read_text().splitlines()) == 1


class Process:
    """A uvicorn or worker process of the generated project, its output in a file."""

    def __init__(
        self, name: str, args: list[str], project: Path, env: dict[str, str]
    ) -> None:
        self.log = Path(env["QUEUE_IT_DIR"]).parent / f"{name}-{free_port()}.log"
        self._output = self.log.open("w")
        self.process = subprocess.Popen(
            args, cwd=project, env=env, stdout=self._output, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        assert self.process.poll() is None, self.log.read_text()
        return True

    def wait(self) -> int:
        code = self.process.wait(timeout=60)
        self._output.close()
        return code


class Worker(Process):
    def __init__(self, project: Path, env: dict[str, str], **settings: str) -> None:
        self.metrics_port = free_port()
        env = {**env, "QUEUE_METRICS_PORT": str(self.metrics_port), **settings}
        python = str(project / ".venv" / "bin" / "python")
        super().__init__("worker", [python, "-m", "queuetest.worker"], project, env)
        eventually(lambda: self.alive() and self._metrics_text(), "the worker")

    def _metrics_text(self) -> str:
        try:
            url = f"http://127.0.0.1:{self.metrics_port}/metrics"
            return httpx.get(url, timeout=1).text
        except httpx.TransportError:
            return ""

    def metric(self, name: str, **labels: str) -> float:
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in self._metrics_text().splitlines():
            head, _, value = line.rpartition(" ")
            if head == (f"{name}{{{wanted}}}" if labels else name):
                return float(value)
        return 0.0

    def kill(self) -> None:
        self.process.kill()
        self.wait()


class Queue:
    """The app over HTTP, plus the control files of the job bodies."""

    def __init__(self, project: Path, env: dict[str, str], control: Path) -> None:
        self.project = project
        self.env = env
        self.control = control
        port = free_port()
        uvicorn = str(project / ".venv" / "bin" / "uvicorn")
        args = [uvicorn, "queuetest.main:app", "--port", str(port)]
        self.app = Process("app", args, project, env)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

        def ready() -> bool:
            self.app.alive()
            try:
                return self.http.get("/readyz").status_code == 200
            except httpx.TransportError:
                return False

        eventually(ready, "the app")

    def worker(self, **settings: str) -> Worker:
        return Worker(self.project, self.env, **settings)

    def enqueue(self, path: str) -> str:
        response = self.http.post(path)
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["status"] == "queued"
        assert response.headers["location"] == body["status_url"]
        assert body["status_url"] == f"/jobs/{body['job_id']}"
        return str(body["job_id"])

    def state(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def finished(self, job_id: str) -> dict[str, Any]:
        return eventually(
            lambda: (s := self.state(job_id))["status"] in ("complete", "failed") and s,
            f"job {job_id} to finish",
        )

    def hold(self, label: str) -> None:
        (self.control / f"hold-{label}").touch()

    def release(self, label: str) -> None:
        (self.control / f"hold-{label}").unlink()

    def entered(self, label: str, attempt: int) -> bool:
        return (self.control / f"entered-{label}-{attempt}").exists()

    def tries(self, label: str) -> list[str]:
        path = self.control / f"tries-{label}"
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture(scope="module")
def queue(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Queue]:
    work = tmp_path_factory.mktemp("queue")
    control = work / "control"
    control.mkdir()
    redis = Redis(work)
    redis.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'shared.db'}",
        "REDIS_URL": redis.url,
        "QUEUE_REDIS_URL": redis.url,
        "QUEUE_IT_DIR": str(control),
        "QUEUE_JOB_TIMEOUT": str(JOB_TIMEOUT),
        "QUEUE_RETRY_BACKOFF": "0.1",
        "QUEUE_MAX_TRIES": "3",
        "QUEUE_DEPTH_INTERVAL": "0.1",
    }
    queue = Queue(project, env, control)
    try:
        yield queue
    finally:
        queue.http.close()
        queue.app.process.send_signal(signal.SIGTERM)
        queue.app.wait()
        redis.kill()


def test_a_job_runs_in_the_worker_and_reports_its_result(queue: Queue) -> None:
    queue.http.post("/items", json={"name": "one"}).raise_for_status()
    worker = queue.worker()
    try:
        job_id = queue.enqueue("/jobs-of/plain/count")
        dated = queue.enqueue("/settle/7/2024-02-29")
        state = queue.finished(job_id)
        assert state == {
            "job_id": job_id,
            "status": "complete",
            "attempts": 1,
            "result": {"label": "plain", "attempt": 1, "items": 1},
            "error": None,
        }
        assert queue.finished(dated)["result"] == {
            "item_id": 7,
            "weekday": 4,
            "day": "2024-02-29",
        }
        assert worker.metric("jobs_total", function="count_items", outcome="complete")
        assert worker.metric("job_duration_seconds_count", function="settle") == 1
        eventually(lambda: worker.metric("job_queue_depth") == 0, "depth 0")
    finally:
        worker.process.send_signal(signal.SIGTERM)
        assert worker.wait() == 0
    unknown = queue.http.get(f"/jobs/{'0' * 32}")
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404,
        "no such job, or its result has expired",
    )
    assert queue.http.get("/jobs/not-a-job-id").status_code == 422


def test_a_failing_job_is_retried_with_backoff_then_fails(queue: Queue) -> None:
    worker = queue.worker()
    try:
        job_id = queue.enqueue("/jobs-of/fail-always/count")
        state = queue.finished(job_id)
        assert state["status"] == "failed"
        assert state["attempts"] == 3
        assert state["error"] == "RuntimeError: boom on try 3"
        assert [t.split()[1] for t in queue.tries("fail-always")] == ["1", "2", "3"]
        labels = {"function": "count_items"}
        assert worker.metric("jobs_total", outcome="retried", **labels) == 2
        assert worker.metric("jobs_total", outcome="failed", **labels) == 1
    finally:
        worker.process.send_signal(signal.SIGTERM)
        assert worker.wait() == 0


def test_a_try_past_the_job_timeout_fails_the_job(queue: Queue) -> None:
    queue.hold("slow")
    worker = queue.worker()
    try:
        job_id = queue.enqueue("/jobs-of/slow/count")
        state = queue.finished(job_id)  # held longer than JOB_TIMEOUT
        assert (state["status"], state["attempts"]) == ("failed", 1)
        assert state["error"].startswith("TimeoutError")
        labels = {"function": "count_items", "outcome": "interrupted"}
        assert worker.metric("jobs_total", **labels) == 1
    finally:
        queue.release("slow")
        worker.process.send_signal(signal.SIGTERM)
        assert worker.wait() == 0


def test_a_job_whose_worker_is_killed_runs_again_in_another(queue: Queue) -> None:
    queue.hold("crash")
    doomed = queue.worker()
    job_id = queue.enqueue("/jobs-of/crash/count")
    eventually(lambda: queue.entered("crash", 1), "the job to start")
    assert queue.state(job_id)["status"] == "in_progress"
    doomed.kill()  # SIGKILL: no cleanup, the job's in-progress lock stays behind
    queue.release("crash")
    rescuer = queue.worker()
    try:
        # The job comes back once the dead worker's lock expires (timeout + 10 s).
        state = queue.finished(job_id)
        assert state["status"] == "complete"
        assert state["result"]["attempt"] == 2
        pids = [t.split()[0] for t in queue.tries("crash")]
        assert pids == [str(doomed.process.pid), str(rescuer.process.pid)]
    finally:
        rescuer.process.send_signal(signal.SIGTERM)
        assert rescuer.wait() == 0


def test_sigterm_lets_the_running_job_finish_and_loses_no_queued_job(
    queue: Queue,
) -> None:
    queue.hold("graceful")
    worker = queue.worker()
    running = queue.enqueue("/jobs-of/graceful/count")
    eventually(lambda: queue.entered("graceful", 1), "the job to start")
    worker.process.send_signal(signal.SIGTERM)
    eventually(lambda: "shutdown on SIGTERM" in worker.log.read_text(), "SIGTERM")
    waiting = queue.enqueue("/jobs-of/after-sigterm/count")  # not taken any more
    assert worker.alive()  # still running the held job
    queue.release("graceful")
    assert worker.wait() == 0
    assert queue.state(running)["status"] == "complete"
    assert queue.state(running)["attempts"] == 1
    assert queue.state(waiting)["status"] == "queued"
    successor = queue.worker()
    try:
        assert queue.finished(waiting)["status"] == "complete"
    finally:
        successor.process.send_signal(signal.SIGTERM)
        assert successor.wait() == 0


def test_a_job_still_running_at_the_end_of_the_shutdown_wait_goes_back(
    queue: Queue,
) -> None:
    queue.hold("requeued")
    impatient = queue.worker(QUEUE_SHUTDOWN_WAIT="0")
    job_id = queue.enqueue("/jobs-of/requeued/count")
    eventually(lambda: queue.entered("requeued", 1), "the job to start")
    impatient.process.send_signal(signal.SIGTERM)
    assert impatient.wait() == 0
    assert queue.state(job_id)["status"] == "queued"  # cancelled, back in the queue
    queue.release("requeued")
    successor = queue.worker()
    try:
        state = queue.finished(job_id)
        assert (state["status"], state["result"]["attempt"]) == ("complete", 2)
    finally:
        successor.process.send_signal(signal.SIGTERM)
        assert successor.wait() == 0


def test_without_redis_a_queued_endpoint_answers_503(
    project: Path, tmp_path: Path
) -> None:
    control = tmp_path / "control"
    control.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        "QUEUE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nobody listens
        "QUEUE_IT_DIR": str(control),
    }
    app = Queue(project, env, control)
    try:
        response = app.http.post("/jobs-of/lost/count")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "the job queue is unavailable" in response.json()["detail"]
        assert app.http.get(f"/jobs/{'0' * 32}").status_code == 503
    finally:
        app.http.close()
        app.app.process.send_signal(signal.SIGTERM)
        app.app.wait()
