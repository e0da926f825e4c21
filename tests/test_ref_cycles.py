"""Native resources referring to each other (a team's lead is a member, a member's
team a team): the first revision created ``team`` with a foreign key to ``member``
before ``member`` existed, which PostgreSQL and MariaDB refuse ('relation "member"
does not exist'); SQLite, which checks no reference at CREATE TABLE, let it pass."""

from __future__ import annotations

from pathlib import Path

from fastgen.render.migrations import initial_migration, schema_of, upgrade_lines
from fastgen.render.table_schema import TableSchema
from fastgen.spec.inputs import read_input

SPEC = """\
fastgen: 1
service: {name: teams}
resources:
  member:
    path: /members
    fields:
      team_id: {type: ref, to: team}
      mentor_id: {type: ref, to: member, required: false}
  team:
    path: /teams
    fields:
      lead_id: {type: ref, to: member, required: false}
"""


def test_a_cycle_of_refs_adds_its_closing_key_after_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "fastgen.yaml"
    path.write_text(SPEC)
    source = initial_migration(read_input(path)[1])
    upgrade, downgrade = source.split("def downgrade() -> None:")
    # team comes first (member refers to it); its key to member waits for member.
    assert upgrade.index('"team",') < upgrade.index('"member",')
    closing = 'sa.ForeignKey("member.id", name="fk_lead_id_member", use_alter=True)'
    assert closing.replace(" ", "") in "".join(upgrade.split())
    assert upgrade.count("use_alter=True") == 1  # not a member's key to itself
    added = upgrade.index("op.create_foreign_key(")
    assert added > upgrade.rindex("op.create_table(")
    assert "SQLite made it with its table" in upgrade
    for words in ('"fk_lead_id_member"', '"team"', '"member"', '["lead_id"]', '["id"]'):
        assert words in upgrade[added:]
    # Dropped before member, whose table goes first.
    dropped = downgrade.index("op.drop_constraint(")
    assert dropped < downgrade.index('op.drop_table("member")')
    assert '"fk_lead_id_member", "team", type_="foreignkey"' in downgrade


# A later revision: ``book`` exists, ``shelf`` is new and declared before it, and
# each refers to the other, so the new schema's table order has book first.
BOOK = "  book:\n    path: /books\n    fields:\n      title: {type: string}\n"
CYCLE = (
    "  shelf:\n    path: /shelves\n    fields:\n"
    "      top_id: {type: ref, to: book, required: false}\n"
    + BOOK
    + "      shelf_id: {type: ref, to: shelf, required: false}\n"
)


def schema(tmp_path: Path, resources: str) -> dict[str, TableSchema]:
    path = tmp_path / "fastgen.yaml"
    path.write_text(SPEC.split("resources:\n")[0] + "resources:\n" + resources)
    return schema_of(read_input(path)[1])


def test_a_new_table_is_made_before_an_existing_tables_key_to_it(
    tmp_path: Path,
) -> None:
    """PostgreSQL and MariaDB refused book's key to shelf before shelf existed
    (tests/test_later_refs.py runs it on them)."""
    old, new = schema(tmp_path, BOOK), schema(tmp_path, CYCLE)
    assert list(new) == ["book", "shelf"]
    upgrade = "\n".join(upgrade_lines(old, new))
    created = upgrade.index('op.create_table(\n        "shelf",')
    assert created < upgrade.index('add_foreign_key("book", "fk_shelf_id_shelf"')
    assert "use_alter" not in upgrade  # book exists: shelf's key to it is made now
    downgrade = "\n".join(upgrade_lines(new, old, direction="downgrade"))
    dropped = downgrade.index('batch.drop_constraint("fk_shelf_id_shelf"')
    assert dropped < downgrade.index('op.drop_table("shelf")')
    # A revision dropping shelf as book loses its ref: its downgrade makes shelf
    # before book's key to it too.
    restored = "\n".join(upgrade_lines(old, new, direction="downgrade"))
    created = restored.index('op.create_table(\n        "shelf",')
    assert created < restored.index('add_foreign_key("book", "fk_shelf_id_shelf"')
