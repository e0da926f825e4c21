"""``renamed_from``: a renamed field or resource keeps its data (issue 14).

Unit tests over two compiled specs (the revision's statements, what the key means
once applied, the probable-rename hint with its exact text, the spec errors), and the
OpenAPI key through ``update_project``. The populated databases are in
tests/test_migration_sequence.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastgen.api import new_project, update_project
from fastgen.render.dataloss import DataLossError, RenameHint, destructive_changes
from fastgen.render.migrations import (
    change_words,
    revision_filename,
    schema_of,
    upgrade_lines,
)
from fastgen.render.renamed_hooks import HooksNotMovedError
from fastgen.render.renames import renames_of
from fastgen.spec.native.validate import load_spec
from fastgen.spec.openapi.annotations import RENAMED_KEY
from fastgen.spec.problems import SpecError

from .conftest import REPO, git
from .test_dataloss import BASE, model

TITLE = "title: {type: string, max_length: 200, index: true}"
HEADLINE = "headline: {type: string, max_length: 200, index: true, renamed_from: title}"
AUTHOR = "  author:\n    path: /authors\n"
WRITER = "  writer:\n    path: /authors\n    renamed_from: author\n"


def revision(old_text: str, new_text: str) -> str:
    old, new = schema_of(model(old_text)), model(new_text)
    return "\n".join(upgrade_lines(old, schema_of(new), renames_of(new, old)))


def test_a_renamed_field_is_renamed_in_place_with_its_index() -> None:
    assert revision(BASE, BASE.replace(TITLE, HEADLINE)) == (
        '    with op.batch_alter_table("book") as batch:\n'
        "        batch.alter_column(\n"
        '            "title",\n'
        '            new_column_name="headline",\n'
        "            existing_type=sa.String(200),\n"
        "            existing_nullable=False,\n"
        "        )\n"
        '    rename_constraint("book", "ix_book_title", "ix_book_headline", "index", '
        '"headline")'
    )


def test_a_renamed_resource_renames_its_table_key_index_and_foreign_keys() -> None:
    new = BASE.replace(AUTHOR, WRITER).replace("to: author", "to: writer")
    assert revision(BASE, new) == (
        '    op.rename_table("author", "writer")\n'
        '    rename_constraint("writer", "pk_author", "pk_writer", "primary")\n'
        '    rename_constraint("writer", "ix_author_name", "ix_writer_name", "index", '
        '"name")\n'
        "    rename_constraint(\n"
        '        "book",\n'
        '        "fk_author_id_author",\n'
        '        "fk_author_id_writer",\n'
        '        "foreignkey",\n'
        '        "author_id",\n'
        '        "writer.id",\n'
        "    )"
    )
    old = schema_of(model(BASE))
    assert change_words(old, schema_of(model(new)), renames_of(model(new), old)) == [
        "rename_author_to_writer"
    ]
    assert destructive_changes(old, model(new), schema_of(model(new)), {}, "f") == []


def test_a_resource_and_its_field_renamed_at_once() -> None:
    new = (
        BASE.replace(AUTHOR, WRITER)
        .replace("to: author", "to: writer")
        .replace(
            "name: {type: string, max_length: 120, index: true}",
            "full_name: {type: string, max_length: 120, index: true, "
            "renamed_from: name}",
        )
    )
    text = revision(BASE, new)
    assert text.startswith(
        '    op.rename_table("author", "writer")\n'
        '    with op.batch_alter_table("writer") as batch:\n'
        "        batch.alter_column(\n"
        '            "name",\n'
        '            new_column_name="full_name",\n'
    )
    assert (
        "    rename_constraint(\n"
        '        "writer", "ix_author_name", "ix_writer_full_name", "index", '
        '"full_name"\n'
        "    )"
    ) in text
    assert "op.create_index" not in text and "drop" not in text


def test_a_renamed_key_column_keeps_its_numbering_and_references() -> None:
    old = BASE.replace(
        "      name: {type: string, max_length: 120, index: true}\n",
        "      code: {type: integer, primary_key: true}\n"
        "      name: {type: string, max_length: 120, index: true}\n",
    )
    new = old.replace(
        "code: {type: integer, primary_key: true}",
        "ref: {type: integer, primary_key: true, renamed_from: code}",
    )
    assert revision(old, new) == (
        '    with op.batch_alter_table("author") as batch:\n'
        "        batch.alter_column(\n"
        '            "code",\n'
        '            new_column_name="ref",\n'
        "            existing_type=sa.Integer(),\n"
        "            existing_nullable=False,\n"
        "            existing_autoincrement=True,\n"
        "        )"
    )


def test_once_applied_the_key_changes_nothing_left_in_or_removed() -> None:
    renamed = BASE.replace(TITLE, HEADLINE)
    without_key = renamed.replace(", renamed_from: title", "")
    assert revision(renamed, renamed) == ""
    assert revision(renamed, without_key) == ""
    assert revision(without_key, renamed) == ""


def test_revision_file_names_say_what_changes(tmp_path: Path) -> None:
    (tmp_path / "0001_initial.py").write_text("")
    words = ["rename_product_name_to_title"]
    assert revision_filename(tmp_path, words) == "0002_rename_product_name_to_title.py"
    assert (
        revision_filename(tmp_path, ["add_a_b", "drop_a_c", "drop_d"])
        == "0002_add_a_b_and_drop_a_c_and_more.py"
    )


def test_a_removed_and_an_added_field_of_one_type_is_a_probable_rename() -> None:
    new = model(BASE.replace(TITLE, "headline: {type: string, max_length: 200}"))
    where = {("book", None): "fastgen.yaml:27", ("book", "headline"): "fastgen.yaml:30"}
    found = destructive_changes(
        schema_of(model(BASE)), new, schema_of(new), where, "fastgen.yaml"
    )
    assert [str(loss) for loss in found] == [
        (
            "fastgen.yaml:27: removes field title: drops column book.title and its "
            "values in every row; if field headline is title renamed, add "
            "`renamed_from: title` to field headline (fastgen.yaml:30) and the values "
            "are kept"
        ),
        (
            "fastgen.yaml:30: adds required field headline to existing table book "
            "without a default: its rows have no value for it; add `default:` (used to "
            "fill existing rows) or `required: false`"
        ),
    ]


def test_a_removed_and_an_added_resource_of_one_shape_is_a_probable_rename() -> None:
    new = model(
        BASE.replace(AUTHOR, "  writer:\n    path: /authors\n").replace(
            "to: author", "to: writer"
        )
    )
    where = {("writer", None): "fastgen.yaml:18"}
    found = destructive_changes(
        schema_of(model(BASE)), new, schema_of(new), where, "fastgen.yaml"
    )
    assert [str(loss) for loss in found] == [
        (
            "fastgen.yaml: removes table author: drops it with every row; if resource "
            "writer is author renamed, add `renamed_from: author` to resource writer "
            "(fastgen.yaml:18) and the values are kept"
        )
    ]


def test_the_openapi_hint_names_the_keys_of_openapi() -> None:
    hint = RenameHint(RENAMED_KEY, {("pets", "label"): "o.yaml:9"})
    assert hint.hint("tag", "label", "pets", "label") == (
        "; if property label is tag renamed, add `x-fastgen-renamed-from: tag` to "
        "property label (o.yaml:9) and the values are kept"
    )
    assert hint.hint("animals", "pets", "pets", None) == (
        "; if table pets is animals renamed, add `renamed_from: animals` to the "
        "x-fastgen-resource of table pets and the values are kept"
    )


SPEC = """\
fastgen: 1
service:
  name: shop
resources:
  item:
    path: /items
    fields:
      name: {type: string}
      title: {type: string, renamed_from: name}
  box:
    path: /boxes
    renamed_from: item
    fields:
      size: {type: integer}
      width: {type: integer, renamed_from: depth}
      height: {type: integer, renamed_from: depth}
  crate:
    path: /crates
    renamed_from: bin
    fields:
      size: {type: integer}
  tub:
    path: /tubs
    renamed_from: bin
    fields:
      size: {type: integer}
"""


def test_renamed_from_must_name_a_name_no_longer_used(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert [str(p).removeprefix(f"{path}:") for p in caught.value.problems] == [
        (
            "9:43: resources.item.fields.title.renamed_from: 'name' is still a field "
            "of item; renamed_from names the field's previous name, which no other "
            "field may have"
        ),
        (
            "12:19: resources.box.renamed_from: 'item' is still a resource; "
            "renamed_from names the resource's previous name, which no other "
            "resource may have"
        ),
        (
            "16:45: resources.box.fields.height.renamed_from: field width is renamed "
            "from 'depth' too; a previous name belongs to one field"
        ),
        (
            "24:19: resources.tub.renamed_from: resource crate is renamed from 'bin' "
            "too; a previous name belongs to one resource"
        ),
    ]


PET_TAG = "        tag:\n          type: string    \n"
PET_LABEL = (
    "        label:\n          type: string\n          x-fastgen-renamed-from: tag\n"
)


def test_openapi_property_renamed_keeps_its_column(tmp_path: Path) -> None:
    project = new_project(REPO / "examples" / "petstore.yaml", tmp_path / "petstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text().replace(PET_TAG, PET_LABEL.replace("x-", "#x-")))
    git(project, "commit", "-qam", "tag renamed, without the key")
    with pytest.raises(DataLossError) as refused:
        update_project(project)
    assert [str(loss) for loss in refused.value.losses] == [
        (
            f"{spec}:136: removes field tag: drops column pets.tag and its values in "
            "every row; if property label is tag renamed, add `x-fastgen-renamed-from: "
            f"tag` to property label ({spec}:158) and the values are kept"
        )
    ]
    spec.write_text(spec.read_text().replace("#x-", "x-"))
    git(project, "commit", "-qam", "with the key")
    result = update_project(project)
    assert result.migration == "migrations/versions/0002_rename_pets_tag_to_label.py"
    text = (project / result.migration).read_text()
    assert 'batch.alter_column(\n            "tag",\n' in text
    assert 'new_column_name="label"' in text


def test_openapi_key_is_placed_on_a_property(tmp_path: Path) -> None:
    from fastgen.spec.inputs import read_input_file

    source = (REPO / "examples" / "petstore.yaml").read_text()
    misplaced = source.replace(
        "        table: pets\n",
        "        table: pets\n      x-fastgen-renamed-from: x\n",
    )
    path = tmp_path / "openapi.yaml"
    path.write_text(textwrap.dedent(misplaced))
    with pytest.raises(SpecError) as caught:
        read_input_file(path)
    assert any(
        "x-fastgen-renamed-from belongs on a property of a components/schemas entry"
        in str(p)
        for p in caught.value.problems
    )


def test_openapi_table_renamed_keeps_its_rows(tmp_path: Path) -> None:
    project = new_project(REPO / "examples" / "petstore.yaml", tmp_path / "petstore")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    spec = project / "openapi.yaml"
    text = spec.read_text()
    assert "        table: pets\n" in text
    spec.write_text(
        text.replace(
            "        table: pets\n",
            "        table: animals\n        renamed_from: pets\n",
        )
    )
    git(project, "commit", "-qam", "table renamed")
    result = update_project(project)
    assert result.migration == "migrations/versions/0002_rename_pets_to_animals.py"
    text = (project / result.migration).read_text()
    assert 'op.rename_table("pets", "animals")' in text
    assert 'rename_constraint("animals", "pk_pets", "pk_animals", "primary")' in text


def test_openapi_previous_names_must_be_free(tmp_path: Path) -> None:
    from fastgen.spec.inputs import read_input_file

    source = (REPO / "examples" / "petstore.yaml").read_text()
    edits = {
        "        table: pets\n": "        table: pets\n        renamed_from: pets\n",
        "        tag:\n": "        tag:\n          x-fastgen-renamed-from: name\n",
    }
    expected = [
        (
            "#/components/schemas/Pet: x-fastgen-resource: renamed_from: 'pets' is still "
            "a table"
        ),
        (
            "#/components/schemas/NewPet/properties/tag/x-fastgen-renamed-from: "
            "property 'tag': 'name' is still a property of this schema"
        ),
    ]
    lines = [None, (159, 11)]  # the key itself (an audit found the schema's line)
    for (old, new), message, line in zip(edits.items(), expected, lines, strict=True):
        path = tmp_path / "openapi.yaml"
        path.write_text(source.replace(old, new))
        with pytest.raises(SpecError) as caught:
            read_input_file(path)
        assert [p.message for p in caught.value.problems] == [message]
        if line is not None:
            (problem,) = caught.value.problems
            assert (problem.line, problem.column) == line


def test_a_renamed_resources_edited_hooks_are_moved_before_the_update(
    tmp_path: Path,
) -> None:
    """Renaming a resource gave it a new, empty hooks module and left the user's
    rules in the old one, no longer run (nor importable): a 201 where the hook
    answered 422 (an audit's finding). The update stops, writes nothing and names
    the move; once moved it runs, and the hooks stay the user's."""
    project = new_project(REPO / "examples" / "bookstore.yaml", tmp_path / "shop")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    hooks = project / "src" / "bookstore" / "hooks" / "resources"
    rule = "    # refuses blank names (the team's rule)\n"
    (hooks / "author.py").write_text((hooks / "author.py").read_text() + rule)
    spec = project / "fastgen.yaml"
    assert AUTHOR in spec.read_text()
    spec.write_text(
        spec.read_text().replace(AUTHOR, WRITER).replace("to: author", "to: writer")
    )
    git(project, "commit", "-qam", "author renamed writer, with a hook")
    with pytest.raises(HooksNotMovedError) as refused:
        update_project(project)
    old, new = "src/bookstore/hooks/resources/author.py", "writer.py"
    assert f"  git mv {old} src/bookstore/hooks/resources/{new}" in str(refused.value)
    assert "(then Author -> Writer in it)" in str(refused.value)
    assert git(project, "status", "--porcelain") == ""
    git(project, "mv", old, f"src/bookstore/hooks/resources/{new}")
    moved = (hooks / new).read_text().replace("Author", "Writer")
    (hooks / new).write_text(moved)
    git(project, "commit", "-qam", "hooks moved")
    result = update_project(project)
    assert result.migration is not None
    assert (hooks / new).read_text() == moved
    assert not (hooks / "author.py").exists()


def test_an_unedited_hooks_module_of_a_renamed_resource_stops_nothing(
    tmp_path: Path,
) -> None:
    project = new_project(REPO / "examples" / "bookstore.yaml", tmp_path / "shop")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    spec = project / "fastgen.yaml"
    spec.write_text(
        spec.read_text().replace(AUTHOR, WRITER).replace("to: author", "to: writer")
    )
    git(project, "commit", "-qam", "author renamed writer")
    result = update_project(project)
    hooks = project / "src" / "bookstore" / "hooks" / "resources"
    assert (
        "class WriterHooks(ResourceHooks[Writer]):" in (hooks / "writer.py").read_text()
    )
    assert result.migration is not None
