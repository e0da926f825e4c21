"""Which changes of a migration lose data, found before anything is written.

``fastgen update`` and ``fastgen migrate`` compare the schema the existing revisions
build (``migrations/schema.json``) with the new service model. A change that drops
stored values is refused unless the user acknowledges it (``--allow-data-loss``); a
new NOT NULL column without a ``default`` is refused always, since no value exists to
fill the rows that are already there. Pure: the caller passes where each table and
column is written in the spec, so this module needs no reader of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fastgen.errors import FastgenError
from fastgen.model.service import ServiceModel
from fastgen.render.json_widening import recorded_narrowings
from fastgen.render.migrations import SCHEMA_FILE, load_schema, schema_of
from fastgen.render.renames import apply_renames, renames_of
from fastgen.render.table_schema import (
    Column,
    TableSchema,
    lossless_cast,
    string_length,
    tightened,
)

# (table, column) -> "FILE:LINE" of what made it; (table, None): the table's.
Locations = Mapping[tuple[str, str | None], str]

ALLOW_HINT = (
    "Apply it anyway with `fastgen update --allow-data-loss` (or `fastgen "
    "migrate --allow-data-loss`); the revision's docstring "
    "lists what it drops."
)


@dataclass(frozen=True)
class Loss:
    """One change of the schema that loses stored data or cannot keep every row."""

    where: str  # FILE:LINE of the spec that caused it (or the file alone)
    message: str
    # False: --allow-data-loss cannot apply it (no value to fill existing rows with)
    allowed_with_flag: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DataLossError(FastgenError):
    """The change is refused: it would lose data (or has no value for old rows)."""

    def __init__(self, losses: list[Loss], *, allow_data_loss: bool) -> None:
        self.losses = losses
        heading = (
            "the spec change would lose data or cannot fill existing rows; "
            "nothing was written:"
        )
        lines = [heading, *(f"  {loss}" for loss in losses)]
        if not allow_data_loss and all(loss.allowed_with_flag for loss in losses):
            lines.append(ALLOW_HINT)
        super().__init__("\n".join(lines))


def _where(locations: Locations, table: str, column: str | None, default: str) -> str:
    return (
        locations.get((table, column))
        or locations.get((table, None))
        or locations.get(("", None))
        or default
    )


def type_loss(table: str, before: Column, after: Column) -> str | None:
    """What changing the column's type loses, or None when the cast is lossless."""
    name = f"{table}.{after.name}"
    old, new = before.sa_type, after.sa_type
    if lossless_cast(old, new):
        return None
    if old.startswith("String(") and new.startswith("String("):
        return (
            f"narrows column {name} from {string_length(old)} to {string_length(new)} "
            "characters: "
            f"the upgrade stops while a row holds a longer value; shorten those first"
        )
    if old.startswith("DateTime(") and new == "Date()":
        return (
            f"makes column {name} a date: the upgrade stops while a row holds a "
            "time of day other than midnight (UTC), which no database keeps; set "
            "those rows to their day's midnight first (the revision does not)"
        )
    return (
        f"changes column {name} from {old} to {new}, which has no lossless cast: "
        "a value that does not convert stops the upgrade (change those rows first); "
        "one that does may be rounded to the new type (a number's digits)"
    )


@dataclass(frozen=True)
class RenameHint:
    """How the spec names a previous name and where each table and column is written,
    for the probable-rename hint. ``key``: a field's (``renamed_from``, or the OpenAPI
    property's ``x-fastgen-renamed-from``); a table's is ``renamed_from`` in both."""

    key: str
    locations: Locations

    def hint(self, old: str, new: str, table: str, column: str | None) -> str:
        openapi = self.key != "renamed_from"
        if column is None:
            kind = "table" if openapi else "resource"
            target = f"the x-fastgen-resource of table {new}" if openapi else None
            key = "renamed_from"
        else:
            kind = "property" if openapi else "field"
            target, key = None, self.key
        at = self.locations.get((table, column))
        where = f" ({at})" if at else ""
        return (
            f"; if {kind} {new} is {old} renamed, add `{key}: {old}` to "
            f"{target or f'{kind} {new}'}{where} and the values are kept"
        )


NATIVE_HINT = RenameHint("renamed_from", {})


def _probable_rename(
    old: Column, old_table: TableSchema, new: TableSchema
) -> str | None:
    """The column of ``new`` that ``old`` was probably renamed to: one added with the
    same type, when exactly one was."""
    added = [
        c
        for c in new.columns
        if old_table.column(c.name) is None
        and (c.type, c.sa_type, c.foreign_key)
        == (old.type, old.sa_type, old.foreign_key)
    ]
    return added[0].name if len(added) == 1 else None


def _table_losses(
    old: TableSchema,
    new: TableSchema,
    defaults: Mapping[str, bool],
    renames: RenameHint = NATIVE_HINT,
) -> list[tuple[str | None, str, bool]]:
    """(column, message, allowed with the flag) for each loss of one kept table."""
    found: list[tuple[str | None, str, bool]] = []
    table = new.name
    if message := _key_change(old, new, renames.key != "renamed_from"):
        found.append((None, message, False))
    for column in old.columns:
        if new.column(column.name) is None:
            drop = f"drops column {table}.{column.name} and its values in every row"
            if target := _probable_rename(column, old, new):
                drop += renames.hint(column.name, target, table, target)
            found.append((None, f"removes field {column.name}: {drop}", True))
    for column in new.columns:
        before = old.column(column.name)
        needs_value = not column.nullable and not defaults.get(column.name, False)
        if before is None and needs_value:
            if renames.key != "renamed_from":  # an OpenAPI property
                message = (
                    f"adds required field {column.name} to existing table {table}: "
                    "its rows have no value for it (a required property's `default` "
                    "fills none); leave it out of the schema's `required`, and an "
                    "optional property's `default` is what those rows answer"
                )
            else:
                message = (
                    f"adds required field {column.name} to existing table {table} "
                    "without a default: its rows have no value for it; add "
                    "`default:` (used to fill existing rows) or `required: false`"
                )
            found.append((column.name, message, False))
        if before is not None:
            found += [
                (column.name, message, True)
                for message in _changed_column_losses(table, before, column)
            ]
    return found


def _key(table: TableSchema) -> str | None:
    return next((c.name for c in table.columns if c.primary_key), None)


def _key_change(old: TableSchema, new: TableSchema, openapi: bool) -> str | None:
    """Why a table's primary key cannot move to another column: no revision moves
    it (its rows' identity, their references and the paths depend on it), so the
    models and schema.json must not either. Refused even with the flag."""
    was, now = _key(old), _key(new)
    if was is None or now is None or was == now:
        return None
    keep = (
        f"keep `id: {was}` in its x-fastgen-resource"
        if openapi
        else f"keep {was} its key (`primary_key`; make {now} `unique` to look rows "
        "up by it)"
    )
    return (
        f"changes the primary key of table {new.name} from {was} to {now}: no "
        f"revision moves a table's key; {keep}, or key a new table by {now} and "
        "copy the rows into it in a revision of your own"
    )


def _changed_column_losses(table: str, before: Column, column: Column) -> list[str]:
    """What changing a kept column loses or makes the upgrade wait for; each one
    allowed with the flag."""
    name = f"{table}.{column.name}"
    found = []
    if before.nullable and not column.nullable:
        # The revision does not fill NULLs: acknowledged, the upgrade fails
        # (and changes nothing) until the user has filled them.
        found.append(
            f"makes column {name} NOT NULL: the upgrade fails while any row "
            f"holds NULL there; fill those rows first (the revision does not), "
            f"or keep it optional without a default"
        )
    if before.answers_null and not column.answers_null and column.fill:
        found.append(
            f"makes property {column.name} of {table} non-nullable with the "
            f"default {column.fill}: the rows holding null there are given it "
            "(the revision stores it); keep the property nullable to keep their "
            "nulls"
        )
    removed = sorted(set(before.values or ()) - set(column.values or ()))
    if removed and column.values is not None:
        found.append(
            f"removes {', '.join(map(repr, removed))} from the values of {name}: "
            "the upgrade stops while a row holds one; change those rows first "
            "(the revision does not)"
        )
    if limits := tightened(before, column):
        found.append(
            f"tightens {name} to {limits}: the upgrade stops while a row holds a "
            "value outside them (its answers would fail); change those rows first "
            "(the revision does not)"
        )
    if reasons := recorded_narrowings(before.json_schema, column.json_schema):
        found.append(
            f"changes the schema of JSON column {name} ({'; '.join(reasons)}): "
            "a row holding a value the new one rejects makes every answer "
            "including it fail; change those rows first (the revision does not "
            "check them)"
        )
    if loss := type_loss(table, before, column):
        found.append(loss)
    return found


def _same_columns(old: TableSchema, new: TableSchema) -> bool:
    def shape(table: TableSchema) -> list[tuple[str, str, str]]:
        return [(c.name, c.type, c.sa_type) for c in table.columns]

    return shape(old) == shape(new)


def destructive_changes(
    old: Mapping[str, TableSchema],
    service: ServiceModel,
    new: Mapping[str, TableSchema],
    locations: Locations,
    spec_file: str,
    rename_key: str = "renamed_from",
) -> list[Loss]:
    """Every change from schema ``old`` to ``new`` (the schema of ``service``) that
    loses data, located in the spec by ``locations`` (``spec_file`` where unknown).
    A table or column renamed with ``renamed_from`` is no loss; one dropped where
    another of the same shape is added gets the hint to say ``rename_key``."""
    old = apply_renames(dict(old), renames_of(service, dict(old)))
    hint = RenameHint(rename_key, locations)
    defaults = {
        r.table: {f.name: f.has_default for f in r.fields} for r in service.resources
    }
    losses: list[Loss] = []
    for name, table in old.items():
        if name not in new:
            message = f"removes table {name}: drops it with every row"
            created = [
                t for n, t in new.items() if n not in old and _same_columns(table, t)
            ]
            if len(created) == 1:
                message += hint.hint(name, created[0].name, created[0].name, None)
            losses.append(Loss(_where(locations, name, None, spec_file), message))
            continue
        for column, message, allowed in _table_losses(
            table, new[name], defaults.get(name, {}), hint
        ):
            where = _where(locations, name, column, spec_file)
            losses.append(Loss(where, message, allowed))
    return losses


def refuse_data_loss(
    project: Path,
    service: ServiceModel,
    locations: Locations,
    spec_file: str,
    *,
    allow_data_loss: bool = False,
    rename_key: str = "renamed_from",
) -> list[Loss]:
    """The losses the revision for ``service`` accepts (with ``allow_data_loss``);
    raises ``DataLossError`` for any it may not, before anything is written."""
    state = project / SCHEMA_FILE
    if not state.is_file():
        return []
    losses = destructive_changes(
        load_schema(state),
        service,
        schema_of(service),
        locations,
        spec_file,
        rename_key,
    )
    refused = [
        loss for loss in losses if not (allow_data_loss and loss.allowed_with_flag)
    ]
    if refused:
        raise DataLossError(refused, allow_data_loss=allow_data_loss)
    return losses
