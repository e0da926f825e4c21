"""The fuzz harness itself: it must catch what it promises to catch.

A small FastAPI app (served from the shared venv) breaks each rule once; the
harness has to report exactly those operations, and accept a stub's 501.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .fuzz_checks import operation_label
from .fuzzing import fuzz, serve

pytestmark = pytest.mark.e2e

APP = """\
from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse, PlainTextResponse

app = FastAPI()


@app.get("/readyz")
async def ready() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/crash/{n}")
async def crash(n: int) -> JSONResponse:
    return JSONResponse({"detail": "boom"}, status_code=500)


@app.get("/plain")
async def plain() -> PlainTextResponse:
    return PlainTextResponse("no", status_code=400)


@app.get("/stub/{n}")
async def stub(n: int) -> JSONResponse:
    return JSONResponse({"detail": "not implemented"}, status_code=501)


@app.get("/fine/{n}")
async def fine(n: int) -> dict[str, int]:
    if n < 0:
        raise HTTPException(404, "no such n")
    return {"n": n}
"""


def test_harness_reports_each_broken_rule(shared_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "toy.py").write_text(APP)
    with serve(
        shared_venv / "bin" / "python", "toy:app", cwd=tmp_path, log=tmp_path / "log"
    ) as base:
        result = fuzz(
            base,
            workdir=tmp_path,
            max_examples=5,
            stubbed=[operation_label("GET", "/stub/{n}")],
        )
    assert not result.ok
    reported = {
        line.strip() for line in result.output.splitlines() if "answered" in line
    }
    assert reported == {
        "GET /crash/{} answered 500",
        "GET /plain answered 400 with 'text/plain; charset=utf-8', not JSON",
    }
