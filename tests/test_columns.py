"""A column's SQL type and Python default are written by render from the model's data."""

from __future__ import annotations

from pathlib import Path

from fastgen.model.service import FieldModel
from fastgen.render.columns import python_default, sa_type
from fastgen.render.migrations import schema_of
from fastgen.spec.native.compile import compile_service
from fastgen.spec.native.validate import load_spec

SPEC = """\
fastgen: 1
service: {name: shop}
resources:
  tag:
    path: /tags
    fields:
      code: {type: string, max_length: 12, primary_key: true}
  item:
    path: /items
    fields:
      name: {type: string}
      memo: {type: text, required: false}
      price: {type: decimal, default: "1.50"}
      weight: {type: float, default: 2}
      sold: {type: boolean, default: false}
      stock: {type: integer, default: 0}
      note: {type: string, default: "say \\"hi\\"\\n"}
      size: {type: enum, values: [s, medium]}
      tag: {type: ref, to: tag}
"""


def fields(tmp_path: Path) -> dict[str, FieldModel]:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    service = compile_service(load_spec(path))
    item = next(r for r in service.resources if r.name == "item")
    return {f.name: f for f in item.fields}


def test_defaults_are_written_as_python_from_the_spec_value(tmp_path: Path) -> None:
    found = fields(tmp_path)
    assert found["price"].default_value == "1.50"
    assert python_default(found["price"]) == 'Decimal("1.50")'
    assert python_default(found["weight"]) == "2.0"
    assert python_default(found["sold"]) == "False"
    assert python_default(found["stock"]) == "0"
    assert python_default(found["note"]) == "'say \"hi\"\\n'"
    assert python_default(found["name"]) is None


def test_a_false_or_zero_default_is_still_a_default(tmp_path: Path) -> None:
    found = fields(tmp_path)
    for name in ("sold", "stock"):
        assert found[name].has_default
        assert not found[name].nullable
    assert not found["memo"].has_default
    assert found["memo"].nullable


def test_sql_types_follow_type_and_length(tmp_path: Path) -> None:
    found = fields(tmp_path)
    assert sa_type(found["name"]) == "String(255)"
    assert sa_type(found["price"]) == "Numeric(18, 4)"
    assert sa_type(found["size"]) == "String(6)"  # the longest value
    path = tmp_path / "spec.yaml"
    tables = schema_of(compile_service(load_spec(path)))
    # A ref column has its key's type.
    assert tables["item"].column("tag").sa_type == "String(12)"  # type: ignore[union-attr]
