"""The round-trip comparison itself: it sees the differences that matter and none of
the ones generation legitimately introduces."""

from __future__ import annotations

import copy
from typing import Any

from .openapi_roundtrip import compare

SOURCE: dict[str, Any] = {
    "openapi": "3.0.3",
    "paths": {
        "/pets/{pet-id}": {
            "get": {
                "parameters": [
                    {"name": "pet-id", "in": "path", "required": True},
                    {"name": "fields", "in": "query"},
                ],
                "responses": {
                    "200": {
                        "description": "a pet",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"}
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "integer"},
                    "tag": {"type": "string", "nullable": True},
                    "kind": {"type": "string", "enum": ["cat"]},
                },
            }
        }
    },
}


def served() -> dict[str, Any]:
    """What FastAPI would write for SOURCE: a 422, anyOf-null, const, a class name."""
    app = copy.deepcopy(SOURCE)
    op = app["paths"]["/pets/{pet-id}"]["get"]
    op["responses"]["422"] = {"description": "Validation Error"}
    pet = app["components"]["schemas"].pop("Pet")
    pet["properties"]["tag"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    pet["properties"]["kind"] = {"const": "cat", "type": "string"}
    app["components"]["schemas"]["PetModel"] = pet
    response = op["responses"]["200"]["content"]["application/json"]
    response["schema"] = {"$ref": "#/components/schemas/PetModel"}
    return app


def test_legitimate_differences_are_normalised() -> None:
    assert compare(SOURCE, served()) == []


def test_real_differences_are_reported() -> None:
    app = served()
    op = app["paths"]["/pets/{pet-id}"]["get"]
    op["parameters"][1]["required"] = True
    op["responses"]["201"] = op["responses"].pop("200")
    app["components"]["schemas"]["PetModel"]["properties"]["id"]["type"] = "string"
    problems = compare(SOURCE, app)
    assert len(problems) == 2
    assert problems[0].startswith("GET /pets/{pet-id}: parameters: expected")
    assert "status codes: expected ['200'], served ['201']" in problems[1]
    op["responses"]["200"] = op["responses"].pop("201")
    del op["parameters"][1]["required"]
    (problem,) = compare(SOURCE, app)
    assert "response 200 at .properties.id.type: expected 'integer'" in problem
    del app["paths"]["/pets/{pet-id}"]
    assert compare(SOURCE, app) == ["GET /pets/{pet-id}: missing from the app"]


def test_a_renamed_path_parameter_is_a_difference() -> None:
    """The document's names are the API: {pet-id} served as {pet_id} is another one."""
    app = served()
    op = app["paths"].pop("/pets/{pet-id}")["get"]
    op["parameters"][0]["name"] = "pet_id"
    app["paths"]["/pets/{pet_id}"] = {"get": op}
    assert compare(SOURCE, app) == ["GET /pets/{pet-id}: missing from the app"]


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


MARKED: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/accounts": {
            "post": {
                "requestBody": _json({"$ref": "#/components/schemas/Account"}),
                "responses": {
                    "201": {
                        "description": "stored",
                        **_json({"$ref": "#/components/schemas/Account"}),
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Account": {
                "type": "object",
                "required": ["id", "name", "password"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string"},
                    "password": {"type": "string", "writeOnly": True},
                    "owner": {"allOf": [{"$ref": "#/components/schemas/Owner"}]},
                },
            },
            "Owner": {
                "type": "object",
                "required": ["key"],
                "properties": {"key": {"type": "string", "readOnly": True}},
            },
        }
    },
}


def served_split() -> dict[str, Any]:
    """What FastAPI writes for MARKED with request and response models."""
    request = {
        "type": "object",
        "required": ["name", "password"],
        "properties": {
            "name": {"type": "string"},
            "password": {"type": "string"},
            "owner": {"$ref": "#/components/schemas/OwnerRequest"},
        },
    }
    response = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "owner": {"$ref": "#/components/schemas/OwnerResponse"},
        },
    }
    op = {
        "requestBody": _json({"$ref": "#/components/schemas/AccountRequest"}),
        "responses": {
            "201": {
                "description": "stored",
                **_json({"$ref": "#/components/schemas/AccountResponse"}),
            },
            "422": {"description": "Validation Error"},
        },
    }
    owner = {"type": "object", "required": ["key"], "properties": {"key": {}}}
    owner["properties"]["key"] = {"type": "string"}
    return {
        "paths": {"/accounts": {"post": op}},
        "components": {
            "schemas": {
                "AccountRequest": request,
                "AccountResponse": response,
                "OwnerRequest": {"type": "object", "properties": {}},
                "OwnerResponse": owner,
            }
        },
    }


def test_read_only_and_write_only_properties_are_left_out_where_openapi_says() -> None:
    assert compare(MARKED, served_split()) == []


def test_a_request_that_still_needs_a_read_only_property_is_reported() -> None:
    app = served_split()
    schemas = app["components"]["schemas"]
    schemas["AccountRequest"]["required"].append("id")
    schemas["AccountRequest"]["properties"]["id"] = {"type": "integer"}
    (problem,) = compare(MARKED, app)
    assert problem.startswith("POST /accounts: request body at .properties.id:")
    app = served_split()
    app["components"]["schemas"]["AccountResponse"]["properties"]["password"] = {
        "type": "string"
    }
    (problem,) = compare(MARKED, app)
    assert problem.startswith("POST /accounts: response 201 at .properties.password:")
    app = served_split()  # an unmarked property is still compared
    app["components"]["schemas"]["AccountRequest"]["required"].remove("password")
    (problem,) = compare(MARKED, app)
    assert "request body at .required: expected ['name', 'password']" in problem


def test_a_webhook_body_is_compared_as_the_service_sends_it() -> None:
    """The service owns what it sends: its body keeps the readOnly properties and
    leaves out the writeOnly ones, as a response does."""
    hook = {
        "post": {
            "requestBody": _json({"$ref": "#/components/schemas/Account"}),
            "responses": {"200": {"description": "received"}},
        }
    }
    source = {**MARKED, "webhooks": {"accountCreated": hook}}
    app = served_split()
    sent = copy.deepcopy(hook)
    sent["post"]["requestBody"] = _json(
        {"$ref": "#/components/schemas/AccountResponse"}
    )
    app["webhooks"] = {"accountCreated": sent}
    assert compare(source, app) == []
    sent["post"]["requestBody"] = _json({"$ref": "#/components/schemas/AccountRequest"})
    (problem,) = compare(source, app)
    assert problem.startswith("webhook POST accountCreated: request body at ")
