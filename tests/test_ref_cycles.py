"""Native resources referring to each other (a team's lead is a member, a member's
team a team): the first revision created ``team`` with a foreign key to ``member``
before ``member`` existed, which PostgreSQL and MariaDB refuse ('relation "member"
does not exist'); SQLite, which checks no reference at CREATE TABLE, let it pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


SHELF = "  shelf:\n    path: /shelves\n    fields:\n      label: {type: string}\n"
GAINS_SHELF = BOOK + "      shelf_id: {type: ref, to: shelf, required: false}\n"
PAIR = (
    "  award:\n    path: /awards\n    fields:\n"
    "      jury_id: {type: ref, to: jury, required: false}\n"
    "      winner_id: {type: ref, to: book}\n"
    "  jury:\n    path: /juries\n    fields:\n"
    "      award_id: {type: ref, to: award, required: false}\n"
)
# Each foreign key a revision makes, by the table it refers to: inline in its
# table's CREATE (closing a cycle: use_alter, made after), or added after.
REFERENCES = re.compile(
    r'op\.create_table\(\s*"(?P<made>\w+)"'
    r'|sa\.ForeignKey\(\s*"(?P<inline>\w+)\.\w+"(?![^)]*use_alter)'
    r'|add_foreign_key\(\s*"\w+",\s*"\w+",\s*"\w+",\s*"(?P<added>\w+)\.'
    r'|op\.create_foreign_key\(\s*"\w+",\s*"\w+",\s*"(?P<closing>\w+)"'
)


def assert_made_before_referred(lines: list[str], existing: set[str]) -> None:
    made = set(existing)
    for match in REFERENCES.finditer("\n".join(lines)):
        if match["made"]:
            made.add(match["made"])
        else:
            target = match["inline"] or match["added"] or match["closing"]
            assert target in made, (target, "\n".join(lines))


@pytest.mark.parametrize(
    "before, after",
    [
        (BOOK, SHELF + GAINS_SHELF),  # a ref to a new table declared first
        (BOOK, GAINS_SHELF + SHELF),  # ... and declared after
        (BOOK, CYCLE),  # a new table and an existing one refer to each other
        (BOOK, BOOK + PAIR),  # two new tables refer to each other and to book
        (BOOK, PAIR + BOOK),
    ],
    ids=["new-first", "new-after", "cycle", "pair-after", "pair-first"],
)
def test_every_key_of_a_later_revision_follows_its_tables_create(
    tmp_path: Path, before: str, after: str
) -> None:
    """Both ways: the upgrade, and the downgrade of a revision dropping them."""
    old, new = schema(tmp_path, before), schema(tmp_path, after)
    assert_made_before_referred(upgrade_lines(old, new), set(old))
    assert_made_before_referred(
        upgrade_lines(new, old, direction="downgrade"), set(new)
    )
    assert_made_before_referred(
        upgrade_lines(old, new, direction="downgrade"), set(old)
    )
