"""operationIds and parameter names become readable, unique Python identifiers."""

from __future__ import annotations

import pytest

from fastgen.model.naming import (
    class_name,
    default_service_name,
    python_identifier,
    unique_names,
)
from fastgen.spec.openapi.models import api_class_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("find pet by id", "find_pet_by_id"),
        ("post-/files/v3/files", "post_files_v3_files"),
        ("get-/files/v3/folders/{folderId}", "get_files_v3_folders_folder_id"),
        ("Create/UpdateGiftCardProviderbyID", "create_update_gift_card_providerby_id"),
        ("listMenuItems", "list_menu_items"),
        ("getHTTPResponse", "get_http_response"),
        ("getV2Items", "get_v2_items"),
        ("json-like", "json_like"),
        ("ÁKK díj", "akk_dij"),
        ("class", "class_"),
        ("match", "match_"),
        ("2fa", "op_2fa"),
        ("!!!", "op"),
        ("already_snake", "already_snake"),
    ],
)
def test_python_identifier(text: str, expected: str) -> None:
    assert python_identifier(text, prefix="op") == expected


def test_collisions_get_numeric_suffixes_after_clean_names() -> None:
    originals = ["find-pet", "find_pet", None, "findPet"]
    bases = ["find_pet", "find_pet", "find_pet", "find_pet"]
    # 'find_pet' was written as is, so it keeps the name; the others follow in order.
    assert unique_names(originals, bases) == [
        "find_pet_2",
        "find_pet",
        "find_pet_3",
        "find_pet_4",
    ]


def test_suffix_skips_names_already_taken() -> None:
    assert unique_names(["a", "a-b", "a_2"], ["a", "a", "a_2"]) == ["a", "a_3", "a_2"]


def test_default_service_name() -> None:
    assert default_service_name("Redocly Cafe") == "redocly_cafe"
    assert default_service_name("3D Printing API") == "service_3d_printing_api"


@pytest.mark.parametrize(
    ("text", "native", "api"),
    [
        ("book_review", "BookReview", "BookReview"),  # a native name: the same class
        ("pet-owner", "PetOwner", "PetOwner"),
        ("petOwner", "PetOwner", "PetOwner"),  # only first letters change
        ("2fa", "2fa", "Model2fa"),  # api_models.py must be able to define it
        ("field", "Field", "FieldModel"),  # pydantic's Field, which it imports
        ("class", "Class", "Class"),
        ("!!!", "", "Model"),
    ],
)
def test_one_class_name_rule_and_the_api_models_guard(
    text: str, native: str, api: str
) -> None:
    assert class_name(text) == native
    assert api_class_name(text) == api
