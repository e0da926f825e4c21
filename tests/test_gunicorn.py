"""The generated gunicorn.conf.py run by a real gunicorn, outside containers.

The bookstore is served from the shared venv by ``gunicorn --config gunicorn.conf.py``
(the Dockerfile's CMD) on a free port and a SQLite file of its own, without Redis;
where a reload is measured, behind the generated nginx.conf (Debian's nginx) under
load from Debian's wrk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import free_port
from .test_cache_integration import eventually
from .test_nginx_resolve import NGINX, nginx_in_front_of

pytestmark = pytest.mark.e2e

# Where gunicorn.conf.py puts a master's metrics directory by default.
METRICS_ROOT = (
    Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
)


class Gunicorn:
    """One gunicorn master with two uvicorn workers, as the image runs it."""

    def __init__(
        self,
        project: Path,
        venv: Path,
        workdir: Path,
        home: Path | None = None,
        port: int | None = None,
        options: str = "",
    ) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.venv = venv
        unset = ("PROMETHEUS_MULTIPROC_DIR", "XDG_RUNTIME_DIR") if home else ()
        env = {k: v for k, v in os.environ.items() if k not in unset}
        if home is not None:  # where gunicorn's control socket goes by default
            env["HOME"] = str(home)
        env |= {
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'app.db'}",
            "REDIS_URL": "",
            "CACHE_WARM_TIMEOUT": "0",
            "SHUTDOWN_DRAIN_SECONDS": "0",
        }
        options = (
            f"--config gunicorn.conf.py --bind 127.0.0.1:{self.port} --workers 2 "
            + options
        )
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

    def workers(self) -> list[int]:
        pid = self.process.pid
        return [
            int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]

    def metrics_dir(self) -> Path:
        return METRICS_ROOT / f"bookstore-metrics-{self.process.pid}"

    def requests_counted(self, route: str) -> float:
        """``http_requests_total`` of ``route`` summed over the workers, as scraped."""
        text = self.http.get("/metrics").text
        pattern = (
            rf'^http_requests_total\{{[^}}]*route="{re.escape(route)}"[^}}]*\}} (\S+)$'
        )
        return sum(float(m) for m in re.findall(pattern, text, re.MULTILINE))

    def control(self, socket: Path, command: str) -> dict[str, object]:
        """What the master listening at ``socket`` answers ``gunicornc`` (JSON)."""
        result = subprocess.run(
            [self.venv / "bin" / "gunicornc", "-s", socket, "-j", "-c", command],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        answer: dict[str, object] = json.loads(result.stdout)
        return answer

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


def test_two_instances_under_one_home_keep_their_control_sockets_apart(
    bookstore: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """gunicorn's control socket (``gunicornc``, gunicorn >= 25.1) defaults to one
    path per user, ~/.gunicorn/gunicorn.ctl: a second master took it over from the
    first, and removed it when it stopped, leaving the first unreachable. Each
    master has its own, named after it, in the same directory."""
    home = tmp_path / "home"
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = Gunicorn(bookstore, shared_venv, tmp_path / "first", home)
    second = None
    sockets = home / ".gunicorn"
    try:
        second = Gunicorn(bookstore, shared_venv, tmp_path / "second", home)
        for master in (first, second):
            socket = sockets / f"bookstore-{master.process.pid}.ctl"
            assert master.control(socket, "show stats")["pid"] == master.process.pid
        second.stop()
        socket = sockets / f"bookstore-{first.process.pid}.ctl"
        assert first.control(socket, "show stats")["pid"] == first.process.pid
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert list(sockets.iterdir()) == []  # each removed its own when it stopped


def test_a_master_whose_home_cannot_be_written_still_has_a_control_socket(
    bookstore: Path, shared_venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a read-only root (the Kubernetes manifests' readOnlyRootFilesystem, /tmp
    an emptyDir) ~/.gunicorn cannot be made: gunicorn logged "Control server error"
    at every start and gunicornc reached nothing. The socket goes to the temporary
    directory instead."""
    blocked = tmp_path / "a-file"
    blocked.touch()  # a file where HOME's directory should be: as root, modes stop nothing
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    (tmp_path / "run").mkdir()
    master = Gunicorn(bookstore, shared_venv, tmp_path / "run", blocked / "home")
    try:
        socket = temporary / f"bookstore-{master.process.pid}.ctl"
        assert master.control(socket, "show stats")["pid"] == master.process.pid
    finally:
        master.stop()
    log = (tmp_path / "run" / "gunicorn.log").read_text()
    assert "Control server error" not in log
    assert not socket.exists()  # removed when the master stopped


def test_a_start_removes_the_metrics_directory_of_a_killed_master(
    bookstore: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """A gunicorn killed before on_exit ran (SIGKILL to its processes, the OOM
    killer) leaves its master's directory in /dev/shm; the next start removes it, so
    a restart loop does not fill memory. A running master's stays (this test's pid
    stands for one)."""
    (tmp_path / "killed").mkdir()
    (tmp_path / "next").mkdir()
    killed = Gunicorn(bookstore, shared_venv, tmp_path / "killed")
    for process in [killed.process.pid, *killed.workers()]:
        os.kill(process, signal.SIGKILL)
    killed.stop()
    running = METRICS_ROOT / f"bookstore-metrics-{os.getpid()}"
    running.mkdir()
    try:
        assert killed.metrics_dir().is_dir()
        Gunicorn(bookstore, shared_venv, tmp_path / "next").stop()
        assert not killed.metrics_dir().exists()
        assert running.is_dir()
    finally:
        running.rmdir()


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (an exited orphan may wait, a zombie, for init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_the_workers_of_a_killed_master_finish_their_requests_and_exit(
    bookstore: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """uvicorn-worker never checks its parent: after the master's SIGKILL (the OOM
    killer, ``kill -9``) its workers lived on for ever, holding the port (a new
    master could not bind it) and their database pools. The generated worker
    notices within a second, answers the request it is reading, closes its pool
    and exits, within ``graceful_timeout`` and a few seconds: a request that does
    not finish by then is cancelled, as the master's SIGKILL would have."""
    (tmp_path / "killed").mkdir()
    (tmp_path / "next").mkdir()
    graceful = 5
    killed = Gunicorn(
        bookstore,
        shared_venv,
        tmp_path / "killed",
        options=f"--graceful-timeout {graceful}",
    )
    workers = killed.workers()
    assert len(workers) == 2
    body = json.dumps({"name": "Orphaned"}).encode()
    in_flight = post_begun(killed.port, body)
    stalled = post_begun(killed.port, body)  # a client that never sends the rest
    load = Load(killed.base)
    try:
        time.sleep(0.5)  # a worker is reading it
        killed.process.kill()
        killed.process.wait()
        killed_at = time.monotonic()
        time.sleep(1.5)  # the workers have noticed and stopped accepting
        in_flight.sendall(body[5:])
        answer = in_flight.makefile("rb").read()
        assert answer.startswith(b"HTTP/1.1 201 "), answer
        while any(map(alive, workers)):
            assert time.monotonic() - killed_at < graceful + 3, (
                "workers outlive the master"
            )
            time.sleep(0.05)
        assert load.stop() > 10  # the load ran
        assert load.errors == []
        log = (tmp_path / "killed" / "gunicorn.log").read_text()
        assert log.count(f"gunicorn master {killed.process.pid} is gone") == 2, log
        assert log.count("Application shutdown complete") == 2, log
        assert "Cancel 1 running task(s)" in log, log  # the stalled one
        # The port is free: a new master binds it and serves.
        after = Gunicorn(bookstore, shared_venv, tmp_path / "next", port=killed.port)
        assert after.http.get("/authors").status_code == 200
        after.stop()
    finally:
        load.stop()
        in_flight.close()
        stalled.close()
        killed.stop()
        for pid in filter(alive, workers):  # an orphan the test failed on
            os.kill(pid, signal.SIGKILL)


def post_begun(port: int, body: bytes) -> socket.socket:
    """A connection whose ``POST /authors`` has been sent but for the body's end."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.sendall(
        b"POST /authors HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\n"
        + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        + body[:5]
    )
    return connection


class Load:
    """Light load: one client reading ``/authors`` in a loop, a new connection each
    time, until stopped. Connections refused or reset once the workers stop listening
    are expected; an answer other than 200 is not."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.answered = 0
        self.running = True
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self) -> None:
        while self.running:
            try:
                status = httpx.get(f"{self.base}/authors", timeout=10).status_code
            except httpx.TransportError:
                time.sleep(0.01)
                continue
            if status == 200:
                self.answered += 1
            else:
                self.errors.append(str(status))

    def stop(self) -> int:
        """The number of requests answered (200)."""
        self.running = False
        self.thread.join()
        return self.answered


@pytest.fixture
def nginx_in_front(
    bookstore: Path, shared_venv: Path, tmp_path: Path
) -> Iterator[tuple[Gunicorn, str, Path]]:
    """gunicorn behind the generated nginx.conf: gunicorn, nginx's base URL and the
    file its access log goes to."""
    if NGINX is None or shutil.which("wrk") is None:
        pytest.skip("needs Debian's nginx and wrk")
    app = Gunicorn(bookstore, shared_venv, tmp_path)
    try:
        upstream = f"127.0.0.1:{app.port}"
        with nginx_in_front_of(bookstore, upstream, tmp_path, ready) as (base, access):
            yield app, base, access
    finally:
        app.stop()


def ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz").status_code == 200
    except httpx.TransportError:
        return False


def test_a_reload_under_load_drops_no_request(
    nginx_in_front: tuple[Gunicorn, str, Path],
) -> None:
    """Each SIGHUP replaces both workers. uvicorn alone closes, unread, the
    connections a stopping worker accepted last: measured here, 5-7 of 10 reloads
    cost nginx a 502 (it has no other replica to retry on). The generated worker
    (gunicorn_worker.py) answers them: none."""
    app, base, access = nginx_in_front
    created = httpx.post(f"{base}/authors", json={"name": "Reload"})
    assert created.status_code == 201
    path = f"/authors/{created.json()['id']}"
    reloads, gap = 8, 1.5
    wrk = subprocess.Popen(
        ["wrk", "-t1", "-c8", f"-d{reloads * gap + 2:g}s", "--timeout", "10s"]
        + [base + path],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(1)
    for _ in range(reloads):
        app.process.send_signal(signal.SIGHUP)
        time.sleep(gap)
    output, _ = wrk.communicate(timeout=60)
    assert wrk.returncode == 0, output
    lines = [json.loads(x) for x in access.read_text().splitlines() if x[:1] == "{"]
    statuses = [line["status"] for line in lines if line["path"] == path]
    assert statuses.count(200) > 1000, output  # the load ran throughout
    # (499: wrk closing its connections when its time is up, in flight or not.)
    assert set(statuses) <= {200, 499}, [s for s in statuses if s != 200]
