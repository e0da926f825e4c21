"""Copied into the project of formats.yaml by tests/test_openapi_formats.py: each
string format pydantic reads into an object (a URL, an IP address, a time, a
duration, base64, a secret) is written, read back, updated and filtered by."""

from typing import Any

import pytest
from fastapi import FastAPI
from formats.models import Link
from httpx import AsyncClient

pytestmark = pytest.mark.anyio

ROW: dict[str, Any] = {
    "link": "https://example.com/a?b=1",
    "ref": "../other#x",
    "ip4": "192.0.2.1",
    "ip6": "2001:db8::1",
    "host": "example.org",
    "mail": "someone@example.com",
    "at": "12:30:00",
    "span": "PT1H",
    "blob": "aGk=",
    "bare": "12345678-1234-5678-1234-567812345678",
    "links": ["https://example.com/x", "http://example.net/"],
    "secret": "hunter2",
}


async def test_every_format_is_stored_as_the_api_answers_it(
    app: FastAPI, client: AsyncClient
) -> None:
    created = await client.post("/links", json=ROW)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body == ROW | {"id": body["id"], "secret": "**********"}
    key = body["id"]
    got = await client.get(f"/links/{key}")
    assert got.status_code == 200, got.text
    assert got.json() == body
    async with app.state.session_factory() as session:
        row = await session.get(Link, key)
        assert row is not None
        # the JSON form in text and JSON columns; a secret itself, not its mask
        assert (row.link, row.ip6, row.span) == (ROW["link"], ROW["ip6"], "PT1H")
        assert (row.links, row.secret) == (ROW["links"], "hunter2")
    changed = {"link": "https://example.com/b", "ip4": "198.51.100.7", "span": "P1D"}
    updated = await client.patch(f"/links/{key}", json=changed)
    assert updated.status_code == 200, updated.text
    assert updated.json() == body | changed
    assert (await client.get(f"/links/{key}")).json() == body | changed
    for name, value in [*changed.items(), ("ip6", ROW["ip6"]), ("at", ROW["at"])]:
        listed = await client.get("/links", params={name: value})
        assert listed.status_code == 200, listed.text
        assert [item["id"] for item in listed.json()["items"]] == [key], name
