"""One place maps wire names to Python identifiers: deterministic, collision-free."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.api import new_project
from fastgen.model.naming import CLASS_BODY_NAMES, python_name
from fastgen.render.literals import pystr
from fastgen.render.pysource import all_sorted, tuple_assign
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import load_spec

from .conftest import REPO, ruff

NAMES = REPO / "tests" / "specs" / "names.yaml"


@pytest.mark.parametrize(
    ("wire", "reserved", "expected"),
    [
        ("title", CLASS_BODY_NAMES, "title"),
        ("metadata", CLASS_BODY_NAMES, "metadata_"),
        ("class", (), "class_"),
        ("from", (), "from_"),
        ("match", (), "match"),  # soft keywords are identifiers
        ("type", (), "type"),
        ("self", CLASS_BODY_NAMES, "self_"),
        ("str", CLASS_BODY_NAMES, "str_"),
        ("json", CLASS_BODY_NAMES, "json_"),
        ("class", {"class_"}, "class__"),
    ],
)
def test_python_name(wire: str, reserved: set[str], expected: str) -> None:
    assert python_name(wire, reserved) == expected


def test_names_spec_keeps_every_wire_name() -> None:
    service = compile_service(load_spec(NAMES))
    by_name = {r.name: r for r in service.resources}
    klass = by_name["class"]
    assert (klass.module, klass.class_name, klass.table) == ("class_", "Class", "class")
    attrs = {f.name: f.attr for f in (klass.pk, *klass.fields)}
    assert attrs == {
        "id": "id",
        "metadata": "metadata_",
        "self": "self_",
        "request": "request",
        "match": "match",
        "str": "str_",
        "from": "from_",
        "json": "json_",
        "parent": "parent",
        "owner": "owner",
        "code": "code",
    }
    glob = by_name["global"]  # a keyword: its module and its fields are aliased
    assert (glob.module, glob.class_name) == ("global_", "Global")
    assert {f.name: f.attr for f in glob.fields} == {"is": "is_", "yield": "yield_"}
    settings = by_name["settings"]
    # Settings is the generated settings class the tests import beside the models.
    assert settings.class_name == "SettingsResource"
    assert (settings.pk.name, settings.pk.attr, settings.id_param) == (
        "import",
        "import_",
        "import_",
    )
    # Ref fields are also arguments beside n and app in the generated tests.
    assert {f.name: f.attr for f in settings.fields}["app"] == "app_"
    assert by_name["endpoints"].module == "endpoints_"  # routers/endpoints.py exists
    assert service.pydantic_minimum == "2.11"  # serialize_by_alias
    assert service.fastapi_minimum == "0.128"  # validates the returned model as is


def test_sibling_aliases_never_take_a_written_name() -> None:
    spec = load_spec(NAMES).model_copy(deep=True)
    fields = dict(spec.resources["class"].fields)
    fields["metadata_"] = fields["request"]
    resource = spec.resources["class"].model_copy(update={"fields": fields})
    changed = spec.model_copy(
        update={"resources": {**spec.resources, "class": resource}}
    )
    klass = compile_service(changed).resources[0]
    attrs = {f.name: f.attr for f in klass.fields}
    assert (attrs["metadata"], attrs["metadata_"]) == ("metadata__", "metadata_")


def test_aliased_columns_keep_their_wire_names(tmp_path: Path) -> None:
    project = new_project(NAMES, tmp_path / "names")
    package = project / "src" / "names"
    model = (package / "models" / "class_.py").read_text()
    assert 'metadata_: Mapped[Any | None] = mapped_column("metadata", JSON())' in model
    assert (
        'from_: Mapped[bool | None] = mapped_column("from", Boolean(), index=True)'
        in model
    )
    schemas = (package / "schemas" / "class_.py").read_text()
    assert 'metadata_: JsonValue | None = Field(None, alias="metadata")' in schemas
    assert 'from_: bool | None = Field(serialization_alias="from")' in schemas
    assert "ConfigDict(from_attributes=True, serialize_by_alias=True)" in schemas
    assert (
        "from names.routers import class_, endpoints, endpoints_, global_, settings"
        in (package / "routers" / "__init__.py").read_text()
    )
    pyproject = (project / "pyproject.toml").read_text()
    assert '"pydantic>=2.11"' in pyproject
    assert '"fastapi>=0.128"' in pyproject


def test_endpoint_parameters_and_response_keys_keep_their_names(
    tmp_path: Path,
) -> None:
    project = new_project(NAMES, tmp_path / "names")
    package = project / "src" / "names"
    router = (package / "routers" / "endpoints.py").read_text()
    # The path keeps its names (the decorator also lists the errors it answers).
    assert '"/lookup/{class}/{match}", status_code=200, responses=' in router
    assert 'class_: Annotated[str, Path(alias="class")],' in router
    assert "    match: str,\n" in router  # a soft keyword is an identifier
    schemas = (package / "schemas" / "endpoints.py").read_text()
    assert 'json_: int = Field(serialization_alias="json")' in schemas
    assert "    type: str\n" in schemas


def test_resources_named_like_the_list_modules_get_other_python_names(
    tmp_path: Path,
) -> None:
    """``lists`` would be schemas/lists.py (every list's query models); ``listing``,
    ``list_query``, ``expansion`` and ``item_t`` the classes listing.py and
    schemas/lists.py define or import (an audit: import errors, F811)."""
    spec = tmp_path / "fastgen.yaml"
    spec.write_text(
        "fastgen: 1\nservice: {name: rn}\nresources:\n"
        + "".join(
            f"  {name}: {{path: /{name.replace('_', '-')}, fields: "
            "{label: {type: string, max_length: 9, index: true}}}\n"
            for name in ("lists", "listing", "list_query", "expansion", "item_t")
        )
    )
    service = compile_service(load_spec(spec))
    names = {r.name: (r.module, r.class_name) for r in service.resources}
    assert names == {
        "lists": ("lists_", "Lists"),
        "listing": ("listing", "ListingResource"),
        "list_query": ("list_query", "ListQueryResource"),
        "expansion": ("expansion", "ExpansionResource"),
        "item_t": ("item_t", "ItemTResource"),
    }


def test_all_is_in_the_order_ruff_keeps() -> None:
    """models/__init__.py's ``__all__``: ruff's RUF022 order, not Jinja's sort
    (which ignores case: ``Listing`` before ``ListQuery``)."""
    names = ["Base", "ListingResource", "ListQueryResource", "Item10", "Item2", "ABC"]
    names += ["N", "Class"]  # a single capital is no constant (random specs found it)
    source = tuple_assign("__all__", [pystr(n) for n in all_sorted(names)]) + "\n"
    check = ruff(
        "check", "--select", "RUF022", "--stdin-filename", "m.py", "-", stdin=source
    )
    assert check.returncode == 0, check.stdout
    assert all_sorted(names) != sorted(names, key=str.lower)
