"""What one of SQLite, PostgreSQL, MariaDB and MySQL would refuse or mangle."""

from __future__ import annotations

from collections.abc import Iterator

from fastgen.spec.loader import Positions
from fastgen.spec.native.limits import MAX_INDEXED_CHARS
from fastgen.spec.native.model import FastgenSpec, FieldSpec
from fastgen.spec.problems import Loc, Problem, dotted

# PostgreSQL truncates longer identifiers (MySQL refuses them past 64).
MAX_IDENTIFIER = 63


def portability_problems(spec: FastgenSpec, pos: Positions) -> Iterator[Problem]:
    """Constraint names too long, and indexed strings too long to index."""
    for rname, resource in spec.resources.items():
        for fname, field in resource.fields.items():
            loc: Loc = ("resources", rname, "fields", fname)
            for name in _constraint_names(rname, fname, field):
                if len(name) > MAX_IDENTIFIER:
                    yield pos.problem(
                        loc,
                        f"{dotted(loc)}: the constraint name {name!r} is "
                        f"{len(name)} characters; PostgreSQL keeps {MAX_IDENTIFIER} "
                        "(MySQL 64): shorten the resource or field name",
                        key=True,
                    )
            indexed = field.index or field.unique or field.primary_key
            long = (field.max_length or 0) > MAX_INDEXED_CHARS
            if field.type == "string" and indexed and long:
                yield pos.problem(
                    (*loc, "max_length"),
                    f"{dotted(loc)}.max_length: an indexed string may hold at most "
                    f"{MAX_INDEXED_CHARS} characters (MariaDB and MySQL index 3072 "
                    "bytes, 4 per utf8mb4 character)",
                )


def _constraint_names(rname: str, fname: str, field: FieldSpec) -> list[str]:
    """The names the generated migration gives the field's index and constraints."""
    names = []
    if field.index and not field.unique:
        names.append(f"ix_{rname}_{fname}")
    if field.unique and not field.primary_key:
        names.append(f"uq_{rname}_{fname}")
    if field.type == "ref" and field.to:
        names.append(f"fk_{fname}_{field.to}")
    return names
