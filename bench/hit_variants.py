"""Two hand-made variants of the generated app, for bench/paired.py (bench/README.md,
"Eleventh pass"): how far a hit is from the raw app, and why.

    .venv/bin/python bench/hit_variants.py SRC OUT
    .venv/bin/python bench/paired.py --variant bigraw=OUT/bigraw --variant proto=OUT/proto

SRC is a generated ``src/`` of bench/cache.py's spec (``cachebench``; bench/paired.py
leaves one in its work directory). Written under OUT:

- ``bigraw``: the generated app's whole process (its imports, lifespan, background
  tasks, collector settings, heap), every HTTP request but ``/readyz`` answered by
  the raw ASGI app with a hit's headers. Against the raw app alone: what the larger
  process costs the same request path.
- ``proto``: hits answered by the HTTP protocol, before uvicorn makes an ASGI task: a
  subclass of uvicorn's (private) ``HttpToolsProtocol`` whose ``_start_asgi_task``
  asks the cache first and writes the hit through uvicorn's own response cycle. Its
  ``.http`` file names the class for ``uvicorn --http`` (bench/paired.py reads it).
  What answering below ASGI would buy.

Neither is generated code: both exist only to be measured.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

BIGRAW_MAIN = '''"""Bench variant "bigraw" (bench/hit_variants.py)."""
import os
import sys

sys.path.insert(0, {bench!r})
os.environ.setdefault("BENCH_BODY_FILE", {body!r})
os.environ.setdefault("BENCH_HEADERS_FILE", {headers!r})

from baseline_apps import raw_headers  # noqa: E402

from .main_real import app as real  # noqa: E402


async def app(scope, receive, send):
    if scope["type"] == "http" and scope["path"] != "/readyz":
        await raw_headers(scope, receive, send)
        return
    await real(scope, receive, send)
'''

PROTOCOL = '''"""Bench variant "proto" (bench/hit_variants.py)."""
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .main import app as _app

_answer = _app.answer_now
_observe = _app.observe_now


class HitProtocol(HttpToolsProtocol):
    def _start_asgi_task(self, cycle, app):
        if not self.flow.write_paused:
            now = _answer(cycle.scope)
            if now is not None:
                response, answer, route, start = now
                for message in (response, answer):
                    step = cycle.send(message)  # completes: writing is not paused
                    try:
                        step.send(None)
                    except StopIteration:
                        pass
                    else:
                        raise RuntimeError("send suspended")
                _observe(route, start)
                return
        super()._start_asgi_task(cycle, app)
'''

ANSWER_TAIL = """
        if response is None:
            return None
        if sent_id is None or not hits.valid_id(sent_id):
            sent_id = next(hits.ids.made)
        response["headers"].append((b"x-request-id", sent_id))
        return response, answer, route, start

    def observe_now(self, route, start):
        hits = self._hits
"""


def bigraw(src: Path, out: Path, work: Path) -> None:
    package = out / "cachebench"
    (package / "main.py").rename(package / "main_real.py")
    (package / "main.py").write_text(
        BIGRAW_MAIN.format(
            bench=str(BENCH),
            body=str(work / "row.json"),
            headers=str(work / "hit_headers.json"),
        )
    )


def proto(src: Path, out: Path) -> None:
    """``CachedFastAPI``'s front path as a plain method, called by the protocol."""
    app_py = out / "cachebench" / "cache" / "app.py"
    text = app_py.read_text()
    call = text.index("    async def __call__(self, scope: Scope, receive")
    lines = text[call : text.index("            if response is not None:", call)]
    lines = lines.splitlines()
    first = next(i for i, line in enumerate(lines) if "start = perf_counter()" in line)
    last = next(
        i for i, line in enumerate(lines) if line.strip() == "if response is None:"
    )
    front = "\n".join(line[4:] for line in lines[first:last])
    # The latency series, as __call__ counts it after its two sends.
    after = text.splitlines()[text[:call].count("\n") :]
    begin = next(
        i for i, line in enumerate(after) if "seconds = perf_counter()" in line
    )
    end = next(i for i in range(begin, len(after)) if after[i].strip() == "return")
    observe = "\n".join(line[8:] for line in after[begin:end])
    method = (
        "    def answer_now(self, scope):\n"
        "        hits = self._hits\n"
        "        if hits is None:\n"
        "            return None\n" + front + ANSWER_TAIL + observe + "\n\n"
    )
    app_py.write_text(text[:call] + method + text[call:])
    (out / "cachebench" / "hit_protocol.py").write_text(PROTOCOL)
    (out / ".http").write_text("cachebench.hit_protocol:HitProtocol\n")


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    work = src.parent.parent  # bench/paired.py's work directory holds cachebench/src
    for name in ("bigraw", "proto"):
        shutil.rmtree(out / name, ignore_errors=True)
        shutil.copytree(src, out / name)
    bigraw(src, out / "bigraw", work)
    proto(src, out / "proto")
    print(f"variants in {out}: bigraw, proto")


if __name__ == "__main__":
    main()
