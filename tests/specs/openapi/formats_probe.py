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


async def test_a_filter_compares_a_value_as_its_column_stores_it(
    client: AsyncClient,
) -> None:
    """Read by the property's type and compared in its JSON form: the text sent
    need not be the text stored (pydantic's URL adds the path's /, an IPv6 address
    is written in lower case, a duration and a time in one form)."""
    row = {"link": "https://example.com", "ip6": "2001:db8::2", "level": 2}
    row |= {"span": "PT90M", "at": "09:05"}
    created = await client.post("/links", json=row)
    assert created.status_code == 201, created.text
    key = created.json()["id"]
    assert created.json()["link"] == "https://example.com/"
    for name, value in [
        ("link", "https://example.com"),
        ("link", "HTTPS://EXAMPLE.COM/"),
        ("link__in", "https://example.net,https://example.com"),
        ("ip6", "2001:DB8:0::2"),
        ("ip6__in", "2001:db8::99,2001:DB8::2"),
        ("span", "PT1H30M"),
        ("at", "09:05:00"),
        ("level", "2"),
        ("level__in", "1,2"),
    ]:
        listed = await client.get("/links", params={name: value})
        assert listed.status_code == 200, (name, listed.text)
        assert [item["id"] for item in listed.json()["items"]] == [key], name
    for name, value in [
        ("link", "not a url"),
        ("ip6", "2001:db8::zz"),
        ("span", "an hour"),
        ("at", "25:00"),
        ("level", "3"),
        ("level__in", "1,4"),
    ]:
        refused = await client.get("/links", params={name: value})
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["detail"][0]["loc"][:2] == ["query", name], name


async def test_a_document_filter_compares_a_value_as_its_column_stores_it(
    client: AsyncClient,
) -> None:
    """A list without x-fastgen's ``list``: its document's parameters named like a
    column filter by it, each value read by the column's type."""
    created = await client.post(
        "/marks", json={"url": "https://example.com", "addr": "2001:db8::3"}
    )
    assert created.status_code == 201, created.text
    key = created.json()["id"]
    for params in [
        {"url": "https://example.com"},
        {"addr": ["2001:DB8::3", "2001:db8::9"]},
        {"url": "HTTPS://example.com/", "addr": "2001:db8:0::3"},
    ]:
        listed = await client.get("/marks", params=params)
        assert listed.status_code == 200, (params, listed.text)
        assert [item["id"] for item in listed.json()] == [key], params
    for params, loc in [
        ({"url": "not a url"}, ["query", "url"]),
        ({"addr": ["2001:db8::3", "zz"]}, ["query", "addr", 1]),
    ]:
        refused = await client.get("/marks", params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["detail"][0]["loc"] == loc, params
