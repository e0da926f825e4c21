"""A user's test of opc-baseline's POST /bodies/multiple, whose body the document
declares in four media types: each is read by its Content-Type into what the
handler gets (JSON and both forms into the one model, octet-stream as bytes), and
a Content-Type the operation does not declare is a 415."""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
PATH = "/bodies/multiple"


@pytest.fixture
def model() -> Any:
    """The model the document's schema became (the project's, imported here: this
    file is also linted where it is not installed)."""
    from my_test_api.api_models import PostBodiesMultipleRequest

    return PostBodiesMultipleRequest


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the handler is given, for each request."""
    bodies: list[Any] = []

    async def handle(session: object, *, body: Any) -> None:
        bodies.append(body)

    monkeypatch.setattr(
        "my_test_api.hooks.operations.post_bodies_multiple.handle", handle
    )
    return bodies


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"a": "x"}},
        {"data": {"a": "x"}},
        {"files": {"a": (None, "x")}},  # multipart/form-data
    ],
    ids=["json", "urlencoded", "multipart"],
)
async def test_each_structured_media_type_is_read_into_the_model(
    client: httpx.AsyncClient,
    received: list[Any],
    model: Any,
    request_kwargs: dict[str, Any],
) -> None:
    response = await client.post(PATH, **request_kwargs)
    assert response.status_code == 200, response.text
    assert received == [model(a="x")]


async def test_octet_stream_is_read_as_bytes(
    client: httpx.AsyncClient, received: list[Any]
) -> None:
    headers = {"content-type": "application/octet-stream"}
    response = await client.post(PATH, content=b"\x00\x01", headers=headers)
    assert response.status_code == 200, response.text
    assert received == [b"\x00\x01"]


async def test_no_body_is_none(client: httpx.AsyncClient, received: list[Any]) -> None:
    response = await client.post(PATH)  # the document does not require one
    assert response.status_code == 200, response.text
    assert received == [None]


async def test_json_is_validated_as_json_schema_reads_it(
    client: httpx.AsyncClient, received: list[Any]
) -> None:
    response = await client.post(PATH, json={"a": 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "a"]
    response = await client.post(
        PATH, content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert received == []


async def test_an_undeclared_media_type_is_a_415(
    client: httpx.AsyncClient, received: list[Any], model: Any
) -> None:
    headers = {"content-type": "text/csv"}
    response = await client.post(PATH, content=b"a,b", headers=headers)
    assert response.status_code == 415
    declared = (
        "application/json, application/octet-stream, "
        "application/x-www-form-urlencoded, multipart/form-data"
    )
    assert response.json()["detail"] == (
        f"Content-Type 'text/csv' is not one this operation reads: {declared}"
    )
    # A Content-Type names a declared one by its type, whatever its parameters.
    headers = {"content-type": "Application/JSON; charset=utf-8"}
    assert (await client.post(PATH, content=b"{}", headers=headers)).status_code == 200
    response = await client.post(PATH, content=b"?")  # no Content-Type at all
    assert response.status_code == 415
    assert response.json()["detail"] == (
        f"a body is not one this operation reads: {declared}"
    )
    assert received == [model()]
