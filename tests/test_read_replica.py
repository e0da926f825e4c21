"""`database.read_url`: reads from a real streaming replica, and from the primary when
the replica lags or is down.

Debian's PostgreSQL runs a primary and a standby made from it with
``pg_basebackup -R`` (streaming replication), both on 127.0.0.1. A generated project
with `database.read_url` is served by uvicorn on them. Pausing the standby's WAL
replay (``pg_wal_replay_pause()``) makes a row written on the primary invisible there,
which tells which database served a read, and makes the replica lag on demand.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from fastgen.api import new_project

from .conftest import install_project
from .test_e2e import free_port, wait_ready
from .test_load_faults import Postgres
from .test_postgres import postgres_bin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(postgres_bin() is None, reason="needs Debian's postgresql"),
]

MAX_LAG = 1.0  # DATABASE_READ_MAX_LAG of the served project, seconds

SPEC = {
    "fastgen": 1,
    "service": {"name": "replicated"},
    "database": {
        "url": "postgresql+asyncpg://postgres@127.0.0.1:1/replicated",
        "read_url": "postgresql+asyncpg://postgres@127.0.0.1:2/replicated",
    },
    "resources": {
        "note": {
            "path": "/notes",
            "fields": {"body": {"type": "string", "max_length": 200}},
            "operations": ["list", "get", "create", "update"],
        }
    },
    "endpoints": {
        "slow_count": {
            "method": "GET",
            "path": "/slow-count",
            "response": {"count": "integer"},
        }
    },
}

# A read that is still running on the replica when the test breaks its connection.
SLOW_COUNT = '''\
"""Body of GET /slow-count: counts the notes after a second on the database."""

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from replicated.models import Note
from replicated.schemas.endpoints import SlowCountResponse


async def handle(session: AsyncSession) -> SlowCountResponse:
    await session.execute(text("SELECT pg_sleep(1)"))
    return SlowCountResponse(count=await session.scalar(select(func.count(Note.id))))
'''


def eventually(check: Callable[[], Any], what: str, seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)
    return result


class Servers:
    """The primary, its standby and the app serving both."""

    def __init__(
        self, primary: Postgres, standby: Postgres, base: str, log: Path
    ) -> None:
        self.primary = primary
        self.log = log
        self.standby = standby
        self.http = httpx.Client(base_url=base, timeout=30)
        self.statuses: list[int] = []

    def get(self, path: str) -> httpx.Response:
        response = self.http.get(path)
        self.statuses.append(response.status_code)
        return response

    def replica_state(self) -> str:
        return str(self.get("/readyz").json()["checks"]["database.replica"])

    def pause_replay(self) -> None:
        self.standby.sql("SELECT pg_wal_replay_pause()", "postgres")
        state = "SELECT pg_get_wal_replay_pause_state()"
        eventually(
            lambda: self.standby.sql(state, "postgres") == [["paused"]],
            "replay to pause",
        )

    def resume_replay(self) -> None:
        self.standby.sql("SELECT pg_wal_replay_resume()", "postgres")

    def write(self, body: str) -> int:
        response = self.http.post("/notes", json={"body": body})
        assert response.status_code == 201, response.text
        assert response.json()["body"] == body  # read back from the primary
        return int(response.json()["id"])


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, shared_venv: Path
) -> Iterator[Servers]:
    work = tmp_path_factory.mktemp("replica")
    (work / "spec.yaml").write_text(yaml.safe_dump(SPEC, sort_keys=False))
    project = new_project(work / "spec.yaml", work / "replicated")
    hooks = project / "src" / "replicated" / "hooks" / "endpoints"
    (hooks / "slow_count.py").write_text(SLOW_COUNT)
    install_project(shared_venv, project)
    primary = Postgres()
    primary.start()
    standby: Postgres | None = None
    process: subprocess.Popen[bytes] | None = None
    log = work / "uvicorn.log"
    try:
        primary.sql("CREATE DATABASE replicated", "postgres")
        standby = Postgres(standby_of=primary)
        standby.start()
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": primary.url_of("replicated"),
            "DATABASE_READ_URL": standby.url_of("replicated"),
            "DATABASE_READ_MAX_LAG": str(MAX_LAG),
            "SHUTDOWN_DRAIN_SECONDS": "0",
        }
        with log.open("w") as out:
            process = subprocess.Popen(
                [shared_venv / "bin" / "uvicorn", "replicated.main:app"]
                + ["--host", "127.0.0.1", "--port", str(port)],
                cwd=project,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/readyz", process, log)
        servers = Servers(primary, standby, base, log)
        eventually(lambda: servers.replica_state() == "ok", "the replica in use")
        yield servers
        servers.http.close()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if standby is not None:
            standby.destroy()
        primary.destroy()
    text = log.read_text()
    assert "Traceback" not in text, text[-5000:]


def test_reads_go_to_the_replica_and_writes_to_the_primary(servers: Servers) -> None:
    servers.pause_replay()
    try:
        note = servers.write("written while the replica waits")
        # Not replayed yet: the replica answered the read (within the lag bound).
        assert servers.get(f"/notes/{note}").status_code == 404
        # A write reads its row on the primary, as does the refresh after it.
        patched = servers.http.patch(f"/notes/{note}", json={"body": "patched"})
        assert (patched.status_code, patched.json()["body"]) == (200, "patched")
    finally:
        servers.resume_replay()
    read = eventually(
        lambda: (r := servers.get(f"/notes/{note}")).status_code == 200 and r,
        "the replica to replay the write",
    )
    assert read.json()["body"] == "patched"


def test_a_lagging_replica_is_left_until_it_catches_up(servers: Servers) -> None:
    servers.pause_replay()
    try:
        note = servers.write("behind")
        assert servers.get(f"/notes/{note}").status_code == 404
        # Past the bound every read goes to the primary, and readiness says why.
        eventually(
            lambda: servers.replica_state().startswith("unused, lag"),
            "the lag to be noticed",
            seconds=10 * MAX_LAG,
        )
        assert servers.get(f"/notes/{note}").status_code == 200
        listed = servers.get("/notes?limit=100").json()
        assert note in [n["id"] for n in listed["items"]]
    finally:
        servers.resume_replay()
    eventually(lambda: servers.replica_state() == "ok", "the replica back in use")
    assert set(servers.statuses) <= {200, 404}


def test_a_read_the_replica_drops_is_answered_from_the_primary(
    servers: Servers,
) -> None:
    sleeping = "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'"
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(servers.get, "/slow-count")
        pid = eventually(lambda: servers.standby.sql(sleeping, "postgres"), "the read")
        servers.standby.sql(f"SELECT pg_terminate_backend({pid[0][0]})", "postgres")
        response = answer.result(timeout=30)
    assert response.status_code == 200, response.text
    count = servers.primary.sql("SELECT count(*) FROM note", "replicated")
    assert response.json() == {"count": int(count[0][0])}
    # Answered again on the primary; the replica is left until its next check.
    assert "failed under a read" in servers.log.read_text()
    eventually(lambda: servers.replica_state() == "ok", "the replica back in use")


def test_reads_never_fail_while_the_replica_is_down(servers: Servers) -> None:
    note = servers.write("survives")
    eventually(lambda: servers.get(f"/notes/{note}").status_code == 200, "replication")
    statuses: list[int] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=str(servers.http.base_url), timeout=30) as http:
            while not stop.is_set():
                statuses.append(http.get(f"/notes/{note}").status_code)
                statuses.append(http.get("/notes?limit=5").status_code)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.5)
        servers.standby.stop("immediate")  # crashed, not shut down politely
        time.sleep(3 * MAX_LAG)
        assert servers.replica_state().startswith("unused")
        servers.standby.start()
        eventually(lambda: servers.replica_state() == "ok", "the replica back in use")
        time.sleep(0.5)
    finally:
        stop.set()
        reader.join()
    assert len(statuses) > 20
    assert set(statuses) == {200}, sorted(set(statuses))
