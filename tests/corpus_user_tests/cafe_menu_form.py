"""A user's test of the Redocly cafe's POST /menu: a multipart form that is a menu item,
a beverage or a dessert told apart by ``category`` (a discriminated oneOf).

The document marks ``id``, ``object``, ``createdAt`` and ``updatedAt`` readOnly (and
required), ``photo`` writeOnly: a request leaves out the first ones, a response the
photo."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
TOKEN = {"authorization": "Bearer test-token"}
BEVERAGE = {"name": "Cappuccino", "price": "4500", "category": "beverage"}


async def test_each_variant_reaches_the_handler(client: httpx.AsyncClient) -> None:
    # No readOnly field is sent, though the document lists them as required.
    beverage = {**BEVERAGE, "volume": "250", "containsCaffeine": "true"}
    dessert = {"name": "Brownie", "price": "3500", "category": "dessert"}
    for form in (beverage, {**dessert, "calories": "420"}):
        response = await client.post("/menu", data=form, headers=TOKEN)
        assert response.status_code == 501, response.text  # the stub, after validation


async def test_the_discriminator_picks_the_model(client: httpx.AsyncClient) -> None:
    # A beverage without its volume is invalid even though a dessert needs none.
    response = await client.post("/menu", data=BEVERAGE, headers=TOKEN)
    assert response.status_code == 422
    assert any("volume" in error["loc"] for error in response.json()["detail"])


async def test_an_unknown_category_is_rejected(client: httpx.AsyncClient) -> None:
    form = {**BEVERAGE, "category": "soup", "volume": "250"}
    response = await client.post("/menu", data=form, headers=TOKEN)
    assert response.status_code == 422


async def test_the_write_only_photo_never_reaches_a_response(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def handle(session: object, *, body: Any) -> dict[str, Any]:
        """A handler that answers with everything it was sent, photo included."""
        now = datetime(2026, 2, 18, 10, 20, 38, tzinfo=UTC)
        assert body.photo == b"PNG"  # the request model has it
        return {
            **body.model_dump(),
            "id": "prd_01h1s5z6vf2mm1mz3hevnn9va7",
            "object": "menuItem",
            "createdAt": now,
            "updatedAt": now,
        }

    monkeypatch.setattr("redocly_cafe.hooks.operations.create_menu_item.handle", handle)
    form = {**BEVERAGE, "volume": "250", "containsCaffeine": "true", "photo": "PNG"}
    response = await client.post("/menu", data=form, headers=TOKEN)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["id"] == "prd_01h1s5z6vf2mm1mz3hevnn9va7"
    assert item["name"] == "Cappuccino"
    assert "photo" not in item


async def test_a_photo_uploaded_as_a_file_reaches_the_handler(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``curl -F photo=@cup.png`` sends it: a file part, read as its bytes."""
    received: list[Any] = []

    async def handle(session: object, *, body: Any) -> None:
        received.append(body)
        raise NotImplementedError

    monkeypatch.setattr("redocly_cafe.hooks.operations.create_menu_item.handle", handle)
    form = {**BEVERAGE, "volume": "250", "containsCaffeine": "true"}
    files = {"photo": ("cup.png", b"\x89PNG", "image/png")}
    response = await client.post("/menu", data=form, files=files, headers=TOKEN)
    assert response.status_code == 501, response.text
    (beverage,) = received
    assert type(beverage).__name__ == "BeverageRequest"
    assert beverage.photo == b"\x89PNG"
    assert beverage.volume == 250
