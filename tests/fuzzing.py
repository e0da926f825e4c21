"""Serve a generated app with uvicorn and fuzz it with schemathesis over HTTP.

Reusable by any test that has an installed generated project: ``serve`` starts
uvicorn on a free port of 127.0.0.1 and yields the base URL; ``fuzz`` runs
``schemathesis run`` against the live ``/openapi.json`` (or, with ``schema``, the
input document, sent to the live app) for a bounded number of examples per operation
(positive and negative data) and returns the CLI's verdict. By default only
tests/fuzz_checks.py's contract is checked in the examples, coverage and fuzzing
phases; ``checks=ALL`` enables every schemathesis check and the stateful phase too,
where ``allowances`` are the only exceptions (each with its reason, written to the
run's schemathesis.toml). The seed is fixed, so a CI failure reproduces locally with
the command the result prints.
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
# Every check schemathesis has (and fastgen_contract), with the stateful phase:
# sequences of operations joined by the links schemathesis infers from the paths
# (a POST's answered id feeds the GET, PUT and DELETE of /{id}).
ALL = "all"
ALL_PHASES = PHASES + ",stateful"


@dataclass(frozen=True)
class Allowance:
    """A status ``check`` must accept from the operations ``method`` ``path`` (a
    regular expression each), and why: what no schema can express."""

    method: str
    path: str
    check: str
    statuses: tuple[str, ...]
    reason: str

    def toml(self) -> str:
        statuses = ", ".join(f'"{status}"' for status in self.statuses)
        return (
            f"# {self.reason}\n[[operations]]\n"
            f"include-method-regex = {json.dumps(self.method)}\n"
            f"include-path-regex = {json.dumps(self.path)}\n"
            f"checks.{self.check}.expected-statuses = [{statuses}]\n"
        )


# What positive_data_acceptance accepts by default (schemathesis 4), and 422.
WITH_422 = ("2xx", "401", "403", "404", "409", "422")


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
    checks: str = "fastgen_contract",
    schema: Path | None = None,
    allowances: Collection[Allowance] = (),
) -> FuzzResult:
    """Fuzz every operation of the app at ``base``; ``stubbed`` as ``operation_label``.

    By default only tests/fuzz_checks.py's contract is checked (zero 5xx but a
    stub's 501, a JSON body on every 4xx), for documents that are not all truthful
    about their own responses (the corpus). ``checks=ALL``: every check, stateful
    phase included. ``schema``: the input document instead of ``/openapi.json``.
    """
    config = workdir / "schemathesis.toml"
    config.write_text("\n".join(allowance.toml() for allowance in allowances))
    location = [str(schema), "--url", base] if schema else [f"{base}/openapi.json"]
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        *location,
        "--checks",
        checks,
        "--phases",
        ALL_PHASES if checks == ALL else PHASES,
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
        # A generated API refuses U+0000 in any string on every database (PostgreSQL
        # stores none; the README says so), which its document does not publish.
        "--generation-allow-x00",
        "false",
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
