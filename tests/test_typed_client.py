"""Which documents a typed client drives, and how tests/typed_client.py compares an
answer with what was sent (the drives themselves are e2e: the bookstore's in
tests/test_fuzz.py, every other's in tests/test_openapi_examples.py)."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from attrs import define, field

from fastgen.spec.inputs import read_input

from .client_scenarios import SCENARIOS
from .conftest import EXAMPLE, REPO
from .test_openapi_examples import DOCUMENTS
from .typed_client import (
    TypedClient,
    as_enum,
    documents,
    omissions,
    reading,
    same,
    undeclared,
)


def test_every_document_with_a_table_has_a_client_scenario() -> None:
    """A new example, or a corpus document given a table, fails here until the
    client scenario it needs is written, instead of being skipped."""
    every = documents()
    assert set((REPO / "examples").glob("*.yaml")) <= set(every)
    assert EXAMPLE in every
    assert sorted(DOCUMENTS) == sorted(set(every) - {EXAMPLE})
    assert sorted(read_input(path)[1].package for path in every) == sorted(SCENARIOS)


def test_same_is_what_was_sent_with_instants_written_either_way() -> None:
    assert same({"a": [1, "x"]}, {"a": [1, "x"]})
    assert same("2026-01-10T08:00:00+00:00", "2026-01-10T08:00:00Z")
    assert not same("2026-01-10T08:00:00+00:00", "2026-01-10T09:00:00Z")
    assert not same({"a": 1}, {"a": 1, "b": None})  # a field the model dropped
    assert not same({"a": "1"}, {"a": 1})  # read as another type
    assert not same({"a": True}, {"a": 1})
    assert not same(["x"], ["x", "y"])


@define
class Inner:
    n: int
    additional_properties: dict[str, Any] = field(init=False, factory=dict)


@define
class Outer:
    items: list[Inner]
    additional_properties: dict[str, Any] = field(init=False, factory=dict)


@define
class FreeForm:
    additional_properties: dict[str, Any] = field(init=False, factory=dict)


def test_undeclared_names_the_fields_no_model_declares() -> None:
    inner = Inner(1)
    inner.additional_properties["surprise"] = 2
    outer = Outer([Inner(0), inner])
    outer.additional_properties["extra"] = 3
    assert undeclared(outer) == ["extra", "surprise"]
    free = FreeForm()
    free.additional_properties["max_length"] = 120
    assert undeclared(free) == []  # a free-form object declares none


class Status(enum.Enum):
    PLACED = "placed"


def test_as_enum_gives_the_client_its_enum_members() -> None:
    hint = list[Status] | None
    assert as_enum(hint, ["placed"]) == [Status.PLACED]
    assert as_enum(Status | None, "placed") is Status.PLACED
    assert as_enum(Status, "lost") == "lost"  # not a member: sent as written
    assert as_enum(int | None, 3) == 3


def test_only_an_ndjson_stream_may_be_left_out_of_the_client() -> None:
    """openapi-python-client warns about what it leaves out; anything but the
    native export's NDJSON answer is a defect of the served document."""
    client = TypedClient.__new__(TypedClient)
    ndjson = {"200": {"content": {"application/x-ndjson": {}}}}
    xml = {"200": {"content": {"application/xml": {}}}}
    client.document = {
        "paths": {"/x": {"get": {"responses": ndjson}, "post": {"responses": xml}}}
    }
    client.check_omissions("Warning(s) encountered\nWARNING parsing GET /x within a.\n")
    with pytest.raises(AssertionError):
        client.check_omissions("WARNING parsing POST /x within a.\n")
    with pytest.raises(AssertionError):
        client.check_omissions("WARNING could not read a schema\n")


def test_declared_is_the_status_then_its_range_then_default() -> None:
    """As the client matches an answer: a stub's 501 is petstore's ``default``."""
    client = TypedClient.__new__(TypedClient)
    exact, ranged, default = ({"description": d} for d in ("501", "5XX", "other"))
    responses = {"501": exact, "5XX": ranged, "default": default}
    client.document = {"paths": {"/x": {"get": {"responses": responses}}}}
    assert client.declared("get", "/x", 501) is exact
    assert client.declared("get", "/x", 503) is ranged
    assert client.declared("get", "/x", 404) is default
    del responses["default"]
    assert client.declared("get", "/x", 404) is None


def test_reading_is_the_first_media_type_the_client_reads() -> None:
    schema = {"$ref": "#/components/schemas/Error"}
    problem = {"application/problem+json": {"schema": schema}}
    assert reading({"content": problem}) == ("json", schema)
    text = {"text/plain": {"schema": {"type": "string"}}}
    assert reading({"content": {**text, **problem}}) == ("text", None)
    assert reading({"content": {"*/*": {"schema": schema}}}) is None  # left out
    assert reading({"description": "no body"}) is None


def test_omissions_name_each_operation_and_why() -> None:
    output = (
        "WARNING parsing POST /partners within partner. Endpoint will not be "
        "generated.\nInvalid property in union\n"
        "WARNING parsing GET /x within a.\nCannot parse response (*/*)\n"
    )
    assert omissions(output) == {
        ("post", "/partners"): "WARNING parsing POST /partners within partner. "
        "Endpoint will not be generated. Invalid property in union",
        ("get", "/x"): "WARNING parsing GET /x within a. Cannot parse response (*/*)",
    }
    with pytest.raises(AssertionError):
        omissions("WARNING could not read a schema\n")
