"""Serve a generated app with uvicorn and fuzz it with schemathesis over HTTP.

Reusable by any test that has an installed generated project: ``serve`` starts
uvicorn on a free port of 127.0.0.1 and yields the base URL; ``fuzz`` runs
``schemathesis run`` against the live ``/openapi.json`` for a bounded number of
examples per operation (examples, coverage and fuzzing phases, positive and negative
data) with the checks in tests/fuzz_checks.py, and returns the CLI's verdict.
The seed is fixed, so a CI failure reproduces locally with the same command.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

TESTS = Path(__file__).resolve().parent
SEED = 20261124
PHASES = "examples,coverage,fuzzing"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    python: Path,
    app: str,
    *,
    cwd: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/readyz",
) -> Iterator[str]:
    """uvicorn serving ``app`` (``package.main:app``) from ``python``'s environment.

    Yields the base URL once ``ready_path`` answers 200; stops the server with
    SIGTERM on exit and fails if it logged a traceback (an unhandled error).
    """
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(python), "-m", "uvicorn", app, "--host", "127.0.0.1"]
            + ["--port", str(port), "--no-access-log"],
            cwd=cwd,
            # No load balancer to tell: stop at once, not after the 5 s drain.
            env={**os.environ, "SHUTDOWN_DRAIN_SECONDS": "0", **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + ready_path, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "uvicorn did not become ready"
                time.sleep(0.1)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    server_log = log.read_text()
    assert "Traceback" not in server_log, server_log[-6000:]


@dataclass(frozen=True)
class FuzzResult:
    """What ``schemathesis run`` said: its exit code and its report."""

    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def fuzz(
    base: str,
    *,
    workdir: Path,
    max_examples: int = 20,
    stubbed: Collection[str] = (),
    headers: Mapping[str, str] | None = None,
    extra_args: Collection[str] = (),
) -> FuzzResult:
    """Fuzz every operation of the app at ``base``; ``stubbed`` as ``operation_label``.

    Only tests/fuzz_checks.py's contract is checked (zero 5xx but a stub's 501,
    a JSON body on every 4xx); schemathesis's schema-conformance checks are not,
    since the corpus documents are not all truthful about their own responses.
    """
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "fastgen_contract",
        "--phases",
        PHASES,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
        "--generation-database",
        "none",
        *[f"--header={name}: {value}" for name, value in (headers or {}).items()],
        *extra_args,
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "fuzz_checks",
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        "FASTGEN_FUZZ_STUBBED": json.dumps(sorted(stubbed)),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    result = subprocess.run(
        command,
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return FuzzResult(result.returncode, result.stdout + result.stderr)
