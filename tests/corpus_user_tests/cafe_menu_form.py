"""A user's test of the Redocly cafe's POST /menu: a multipart form that is a menu item,
a beverage or a dessert told apart by ``category`` (a discriminated oneOf)."""

import httpx
import pytest

pytestmark = pytest.mark.anyio
TOKEN = {"authorization": "Bearer test-token"}
# The document marks these readOnly but required; the generated request models still
# require them (readOnly is not yet read as "response only").
READ_ONLY = {
    "id": "prd_01h1s5z6vf2mm1mz3hevnn9va7",
    "object": "menuItem",
    "createdAt": "2026-02-18T10:20:38Z",
    "updatedAt": "2026-02-18T10:20:38Z",
}
BEVERAGE = {**READ_ONLY, "name": "Cappuccino", "price": "4500", "category": "beverage"}


async def test_each_variant_reaches_the_handler(client: httpx.AsyncClient) -> None:
    beverage = {**BEVERAGE, "volume": "250", "containsCaffeine": "true"}
    dessert = {**READ_ONLY, "name": "Brownie", "price": "3500", "category": "dessert"}
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
