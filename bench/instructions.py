"""CPU instructions per request of builds of the generated app, counted by callgrind.

    .venv/bin/python bench/instructions.py [--requests 2000] [--path /memory/]
        [--keep DIR] [--in-process] VARIANT ...

VARIANT is ``NAME=SRC`` or ``raw``, as for bench/abcpu.py (whose work directory,
database, row and headers this reuses: run bench/cache.py once first). Each variant is
a uvicorn of bench/cache.py's venv run under ``valgrind --tool=callgrind`` (Debian
package ``valgrind``), answering one keep-alive client through a real socket: the
hot keys once to warm up, then the counters are zeroed, ``--requests`` more are
sent, and the instructions the server ran for them are dumped.

Why: CPU time per request moves by a few percent between runs on a shared host and
req/s by far more, so a change worth 2% of a hit drowns in noise; an instruction
count is the same in every run (user space only: the kernel's share of a request,
the same for every variant, is not in it). It is not time: an instruction that
misses a cache costs more than one that hits, so the final word stays with
bench/cache.py, by CPU per request. Prints each variant's instructions per request
and the difference from the first variant.

``--in-process``: no server; bench/drive_app.py calls the app in a loop (one
``Host`` header per request, as wrk sends), run twice under callgrind, with
``--requests`` and twice as many: the difference, per request, is what the app's
own path costs, without uvicorn's, and repeats within ~300 (hash seed fixed). Used
to weigh single statements of the hit path (bench/README.md, "Sixth pass").
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from abcpu import WORK, variant, variants_parser, work_ready
from cache import free_port

HOT_KEYS = 100


def count(name: str, source: str, path: str, requests: int, out: Path) -> int:
    """Instructions the server of variant ``name`` ran for ``requests`` requests."""
    python = WORK / "venv-fastgen" / "bin" / "python"
    port = free_port()
    # Nothing listens at the Redis URL: a tiered path would measure Redis' absence.
    served = variant(source, f"redis://127.0.0.1:{free_port()}/0")
    path = served.prefix or path
    dump = out / f"{name}.callgrind"
    argv = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={dump}",
        str(python.parent / "uvicorn"),
        served.app,
        *("--host", "127.0.0.1", "--port", str(port), "--no-access-log"),
        *("--log-level", "warning", "--loop", "uvloop", "--http", "httptools"),
    ]
    log = (out / f"{name}.log").open("w")
    server = subprocess.Popen(
        argv,
        env={**os.environ, **served.env},
        cwd=served.cwd,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_listening(port, server)
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def send(n: int) -> str | None:
            answer = None
            for i in range(n):
                client.request("GET", f"{path}{i % HOT_KEYS + 1}")
                answer = client.getresponse()
                answer.read()
                if answer.status != 200:
                    sys.exit(
                        f"{name}: {path}{i % HOT_KEYS + 1} answered {answer.status}"
                    )
            return None if answer is None else answer.getheader("x-cache")

        send(4 * HOT_KEYS)  # every key filled, then hit
        control = ["callgrind_control"]
        subprocess.run(
            [*control, "--zero", str(server.pid)], check=True, capture_output=True
        )
        label = send(requests)
        subprocess.run(
            [*control, "--dump", str(server.pid)], check=True, capture_output=True
        )
        if source != "raw" and label != "HIT":
            sys.exit(f"{name}: the measured requests were not hits (X-Cache: {label})")
    finally:
        server.terminate()
        server.wait()
        log.close()
    # The dump written on request is the first numbered one (the last: at exit).
    measured = min(out.glob(f"{name}.callgrind.*"), key=lambda p: p.stat().st_mtime)
    return totals_of(measured)


def count_in_process(
    name: str, source: str, path: str, requests: int, out: Path
) -> float:
    """Instructions per request of variant ``name`` called in-process."""
    python = WORK / "venv-fastgen" / "bin" / "python"
    served = variant(source, f"redis://127.0.0.1:{free_port()}/0")
    path = served.prefix or path
    totals = []
    for n in (requests, 2 * requests):
        dump = out / f"{name}.in-process.{n}.callgrind"
        argv = [
            *("valgrind", "--tool=callgrind", f"--callgrind-out-file={dump}"),
            *(str(python), str(Path(__file__).with_name("drive_app.py"))),
            *(served.app, path, str(n)),
        ]
        env = {**os.environ, **served.env, "PYTHONHASHSEED": "0"}
        done = subprocess.run(
            argv, check=False, env=env, cwd=served.cwd, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(f"{name}: the in-process driver failed\n{done.stderr[-2000:]}")
        totals.append(totals_of(dump))
    return (totals[1] - totals[0]) / requests


def totals_of(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    sys.exit(f"no totals in {dump}")


def wait_listening(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300  # an app's imports under valgrind: ~30 s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server under valgrind exited ({server.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("the server under valgrind never listened")


def main() -> None:
    parser = variants_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the dumps here (NAME.callgrind.1: the measured requests), "
        "for callgrind_annotate to say which functions the difference is in",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="call each app in a loop instead of serving it (bench/drive_app.py)",
    )
    args = parser.parse_args()
    work_ready()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.keep or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        counts = {}
        for variant in args.variants:
            name, _, source = variant.partition("=")
            if args.in_process:
                counts[name] = count_in_process(
                    name, source or name, args.path, args.requests, out
                )
            else:
                total = count(name, source or name, args.path, args.requests, out)
                counts[name] = total / args.requests
    first = next(iter(counts))
    for name, per_request in counts.items():
        print(
            f"{name:12} {per_request:9,.0f} instructions/request, "
            f"{per_request - counts[first]:+8,.0f} over {first}"
        )


if __name__ == "__main__":
    main()
