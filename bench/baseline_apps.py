"""Baselines served beside the generated app by bench/cache.py (same row bytes).

``raw``: a raw ASGI app answering every request with the constant row, the ceiling
for any Python server on this uvicorn. ``raw_headers``: the same, with the headers a
cached answer of the generated app carries (``BENCH_HEADERS_FILE``, a JSON list of
[name, value] pairs taken from a real hit), so the comparison with a hit is of the
work behind the bytes, not of how many header lines uvicorn writes. ``bare``: a
FastAPI endpoint returning the same constant bytes, the floor a cached FastAPI
endpoint is compared with. ``BENCH_BODY_FILE`` names the file holding the row.

``handwritten``: what a user would write by hand to read one row with FastAPI and
SQLAlchemy's async session (the tutorials' way: a session dependency, ``session.get``,
a pydantic model from attributes), reading the generated app's ``row_plain`` table
at ``BENCH_DATABASE_URL``. The uncached generated ``get`` is compared with it.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Numeric
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

_BODY_FILE = os.environ.get("BENCH_BODY_FILE")
BODY = Path(_BODY_FILE).read_bytes() if _BODY_FILE else b"{}"
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", b"%d" % len(BODY)),
]
_HEADERS_FILE = os.environ.get("BENCH_HEADERS_FILE")
_HIT_HEADERS = [
    (name.encode("latin-1"), value.encode("latin-1"))
    for name, value in (
        json.loads(Path(_HEADERS_FILE).read_text()) if _HEADERS_FILE else []
    )
]


async def _lifespan(receive: Any, send: Any) -> None:
    message = await receive()
    while message["type"] != "lifespan.shutdown":
        await send({"type": message["type"] + ".complete"})
        message = await receive()
    await send({"type": "lifespan.shutdown.complete"})


async def raw(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":  # lifespan: nothing to set up
        await _lifespan(receive, send)
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


async def raw_headers(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        await _lifespan(receive, send)
        return
    start = {"type": "http.response.start", "status": 200, "headers": _HIT_HEADERS}
    await send(start)
    await send({"type": "http.response.body", "body": BODY})


bare = FastAPI()


@bare.get("/const/{row_id}")
async def constant(row_id: int) -> Response:
    return Response(BODY, media_type="application/json")


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "row_plain"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author: Mapped[str]
    body: Mapped[str]
    pages: Mapped[int]
    price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    published: Mapped[bool]


class RowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    author: str
    body: str
    pages: int
    price: Decimal
    published: bool


_engine = create_async_engine(
    os.environ.get("BENCH_DATABASE_URL", "sqlite+aiosqlite://")
)
_sessions = async_sessionmaker(_engine, expire_on_commit=False)


async def _session() -> AsyncIterator[AsyncSession]:
    async with _sessions() as session:
        yield session


handwritten = FastAPI()


@handwritten.get("/plain/{row_id}")
async def get_row(
    row_id: int, session: Annotated[AsyncSession, Depends(_session)]
) -> RowRead:
    row = await session.get(_Row, row_id)
    if row is None:
        raise HTTPException(404, "not found")
    return RowRead.model_validate(row)
