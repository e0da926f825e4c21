"""Tests of the hand-written endpoints, as generated with their stub bodies.

This file is yours: fastgen created it once and never overwrites it. When you write an
endpoint's body in ``hooks/endpoints/``, replace its 501 test with real assertions.
"""

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_reindex(client: httpx.AsyncClient) -> None:
    response = await client.request("POST", "/admin/reindex")
    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
