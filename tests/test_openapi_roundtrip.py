"""The round-trip comparison itself: it sees the differences that matter and none of
the ones generation legitimately introduces."""

from __future__ import annotations

import copy
from typing import Any

import pytest

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


def test_a_reference_the_served_document_cannot_resolve_is_reported() -> None:
    """A schema published as written (a body that is not JSON) kept its ``$ref`` to
    a component FastAPI did not publish: museum's image/png, HubSpot's ``*/*``."""
    app = served()
    responses = app["paths"]["/pets/{pet-id}"]["get"]["responses"]
    image = {"schema": {"$ref": "#/components/schemas/PetImage"}}
    responses["200"]["content"]["image/png"] = image
    where = "#/paths/~1pets~1{pet-id}/get/responses/200/content/image~1png/schema"
    assert compare(SOURCE, app)[-1:] == [
        f"{where}: $ref #/components/schemas/PetImage names nothing in the document"
    ]
    app["components"]["schemas"]["PetImage"] = {"type": "string", "format": "binary"}
    assert "PetImage" not in " ".join(compare(SOURCE, app))


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


STRICT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Pets",
        "version": "1.0.0",
        "description": "A shop.",
        "contact": {"name": "Team", "url": "http://example.com"},
    },
    "paths": {
        "/pets": {
            "get": {
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "format": "int32"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "pets",
                        **_json(
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Pet"},
                            }
                        ),
                    }
                },
            },
            "post": {
                "requestBody": _json({"$ref": "#/components/schemas/Pet"}),
                "responses": {
                    "201": {
                        "description": "stored",
                        **_json({"$ref": "#/components/schemas/Pet"}),
                    }
                },
            },
        }
    },
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string", "maxLength": 40, "pattern": "^[a-z]+$"},
                    "tag": {"type": "string"},
                    "born": {"type": "string", "format": "date"},
                    "kind": {"type": "string", "enum": ["cat", "dog"]},
                    "weight": {"type": "number", "format": "double", "minimum": 0},
                    "owner": {"type": "string", "nullable": True},
                    "photo": {"type": "string", "format": "binary"},
                    "status": {  # int32's maximum implied by the exclusive one
                        "type": "integer",
                        "format": "int32",
                        "minimum": 100,
                        "maximum": 600,
                        "exclusiveMaximum": True,
                    },
                },
            }
        }
    },
}


def served_strict() -> dict[str, Any]:
    """What the generated app serves for STRICT: every listed difference at once."""
    app = copy.deepcopy(STRICT)
    app["openapi"] = "3.1.0"
    app["info"]["contact"]["url"] = "http://example.com/"  # pydantic's AnyUrl
    get = app["paths"]["/pets"]["get"]
    get["parameters"][0]["schema"] = {  # int32 as its range; optional: or null
        "anyOf": [
            {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
            {"type": "null"},
        ]
    }
    get["responses"]["422"] = {"description": "Validation Error"}
    app["paths"]["/pets"]["post"]["responses"]["422"] = {"description": "Invalid"}
    pet = app["components"]["schemas"]["Pet"]["properties"]
    pet["id"] = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
    pet["weight"] = {"type": "number", "minimum": 0}  # no format for a float
    pet["owner"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    pet["status"] = {"type": "integer", "minimum": 100, "exclusiveMaximum": 600}
    pet["photo"] = {"type": "string", "contentMediaType": "application/octet-stream"}
    return app


def test_the_listed_differences_are_the_only_ones_allowed() -> None:
    """docs/openapi.md lists what the served document changes: none of it counts."""
    assert compare(STRICT, served_strict()) == []


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            lambda app, pet: pet["tag"].update(type=["string", "null"]),
            "at .properties.tag.nullable: expected False, served True",
        ),
        (
            lambda app, pet: app["info"].update(version="0.1.0"),
            "info.version: expected '1.0.0', served '0.1.0'",
        ),
        (
            lambda app, pet: app["info"].pop("description"),
            "info.description: expected 'A shop.', served None",
        ),
        (
            lambda app, pet: pet["born"].update(format="date-time"),
            "at .properties.born.format: expected 'date', served 'date-time'",
        ),
        (
            lambda app, pet: pet["name"].pop("maxLength"),
            "at .properties.name.maxLength: expected 40, served None",
        ),
        (
            lambda app, pet: pet["name"].update(pattern="^.+$"),
            "at .properties.name.pattern: expected '^[a-z]+$', served '^.+$'",
        ),
        (
            lambda app, pet: pet["kind"].update(enum=["cat"]),
            "at .properties.kind.enum: expected [\"'cat'\", \"'dog'\"]",
        ),
        (
            lambda app, pet: app["components"]["schemas"]["Pet"].update(
                required=["name", "tag"]
            ),
            "at .required: expected ['name'], served ['name', 'tag']",
        ),
        (
            lambda app, pet: pet["id"].update(minimum=-(2**63)),
            "at .properties.id.bounds",
        ),
        (
            lambda app, pet: pet["status"].update(exclusiveMaximum=700),
            "at .properties.status.exclusiveMaximum: expected 600, served 700",
        ),
        (
            lambda app, pet: pet["weight"].update(minimum=-1),
            "at .properties.weight.minimum: expected 0, served -1",
        ),
        (
            lambda app, pet: app["paths"]["/pets"]["post"]["requestBody"].update(
                content={"text/plain": {"schema": {"type": "string"}}}
            ),
            "request media types: expected ['application/json'], served ['text/plain']",
        ),
    ],
)
def test_a_served_document_that_drifts_is_reported(change: Any, reported: str) -> None:
    """Types, nullability, required, enums, formats, constraints, media types, info:
    what the issue found served (a nullable tag, version 0.1.0) and the rest."""
    app = served_strict()
    change(app, app["components"]["schemas"]["Pet"]["properties"])
    problems = compare(STRICT, app)
    assert problems, reported
    assert any(reported in problem for problem in problems), problems


def test_an_optional_parameter_may_be_null_a_path_parameter_may_not() -> None:
    source = copy.deepcopy(SOURCE)
    source["paths"]["/pets/{pet-id}"]["get"]["parameters"][0]["schema"] = {
        "type": "integer"
    }
    app = served()
    app["paths"]["/pets/{pet-id}"]["get"]["parameters"][0]["schema"] = {
        "anyOf": [{"type": "integer"}, {"type": "null"}]
    }
    (problem,) = compare(source, app)
    assert "parameter path pet-id at .nullable: expected False, served True" in problem


def test_each_media_type_of_a_body_in_several_is_compared() -> None:
    """Issue 15: a body declared in several media types is served in each, each
    with its schema (a form's model, text and bytes as written)."""
    content = {
        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
        "application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/Pet"}
        },
        "text/plain": {"schema": {"type": "string", "maxLength": 9}},
    }
    source = copy.deepcopy(STRICT)
    source["paths"]["/pets"]["post"]["requestBody"] = {"content": content}
    app = served_strict()
    post = app["paths"]["/pets"]["post"]
    post["requestBody"] = {"content": copy.deepcopy(content)}
    text = post["requestBody"]["content"]["text/plain"]["schema"]
    text["anyOf"] = [{"type": "string", "maxLength": 9}, {"type": "null"}]
    del text["type"], text["maxLength"]  # optional: it may be null (DIFFERENCES[2])
    assert compare(source, app) == []
    form = post["requestBody"]["content"]["application/x-www-form-urlencoded"]
    form["schema"] = {"type": "object", "properties": {"name": {"type": "string"}}}
    text["anyOf"][0]["maxLength"] = 10
    assert compare(source, app) == [
        (
            "POST /pets: request body application/x-www-form-urlencoded at "
            ".properties.born: expected {'type': 'string', 'nullable': False, "
            "'format': 'date'}, served None"
        ),
        "POST /pets: request body text/plain at .maxLength: expected 9, served 10",
    ]
