"""A user's test of opc-baseline's form bodies and object query parameter: a file
arrives as its bytes and an object part as its JSON (POST /tests/upload), an empty
form value is the empty string, not a value left out (POST /tests/post_form_data),
and an integer enum inside an object query parameter is read from the text a query
string carries (POST /defaults)."""

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio
HOOKS = "my_test_api.hooks.operations"
# POST /defaults' required query parameters; ``a_property`` is a property of the
# object parameter ``model_prop``: oneOf a string enum and an integer enum (-1, 1, 2).
DEFAULTS = (
    "/defaults?string_prop=a&string+with+num=b&date_prop=2000-01-01&float_prop=0"
    "&float_with_int=0&int_prop=0&boolean_prop=true&list_prop=FIRST_VALUE"
    "&union_prop=0&enum_prop=FIRST_VALUE"
)


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the handlers of the form operations are given."""
    bodies: list[Any] = []

    async def handle(session: object, *, body: Any) -> None:
        bodies.append(body)

    for operation in ("upload_file_tests_upload_post", "post_form_data"):
        monkeypatch.setattr(f"{HOOKS}.{operation}.handle", handle)
    return bodies


async def test_an_upload_hands_the_file_and_the_json_parts_over(
    client: httpx.AsyncClient, received: list[Any]
) -> None:
    response = await client.post(
        "/tests/upload",
        data={
            "some_required_number": "1.5",
            "some_object": '{"num": 1, "text": "a"}',
            "some_nullable_object": '{"bar": "b"}',
            "some_string": "",
        },
        files={"some_file": ("hello.bin", b"\x00hello", "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    (body,) = received
    assert body.some_file == b"\x00hello"
    assert (body.some_object.num, body.some_object.text) == (1, "a")
    assert body.some_string == ""


async def test_an_object_part_that_is_no_json_is_a_422(
    client: httpx.AsyncClient, received: list[Any]
) -> None:
    response = await client.post(
        "/tests/upload",
        data={
            "some_required_number": "1.5",
            "some_object": "{",
            "some_nullable_object": "{}",
        },
        files={"some_file": ("hello.bin", b"hello")},
    )
    assert response.status_code == 422, response.text
    assert "some_object" in response.text
    assert received == []


@pytest.mark.parametrize("sent", ["", "x"])
async def test_an_empty_form_value_is_a_value(
    client: httpx.AsyncClient, received: list[Any], sent: str
) -> None:
    response = await client.post(
        "/tests/post_form_data", data={"an_required_field": sent}
    )
    assert response.status_code == 200, response.text
    assert [body.an_required_field for body in received] == [sent]


@pytest.mark.parametrize(("sent", "status"), [
    ("FIRST_VALUE", 501), ("2", 501), ("-1", 501), ("3", 422), ("two", 422),
])  # fmt: skip
async def test_an_integer_enum_in_an_object_query_is_read_from_text(
    client: httpx.AsyncClient, sent: str, status: int
) -> None:
    response = await client.post(f"{DEFAULTS}&a_property={sent}")
    assert response.status_code == status, response.text
