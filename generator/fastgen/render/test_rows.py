"""The generated ``tests/conftest.py``: its imports, and the rows its ``make_<table>``
of an OpenAPI table stores (their payloads, and first the rows they refer to)."""

from __future__ import annotations

from fastgen.model.listing import ExpandModel
from fastgen.model.service import FieldModel, ResourceModel, ServiceModel
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.pyimports import Import, render_imports
from fastgen.render.sample_keys import short_unique
from fastgen.render.tests_code import sample_expr


def conftest_imports(service: ServiceModel) -> str:
    """Imports of the generated ``tests/conftest.py``."""
    pkg = service.package
    imports: list[Import] = [
        ("datetime as dt", None),
        ("os", None),
        ("collections.abc", "AsyncIterator"),
        ("decimal", "Decimal"),
        ("decimal", "InvalidOperation"),
        ("pathlib", "Path"),
        ("typing", "Any"),
        ("httpx", None),
        ("pytest", None),
        ("fastapi", "FastAPI"),
        ("pydantic", "BaseModel"),
        ("redis.asyncio", "Redis"),
        (f"{pkg}.crud", "column_values"),  # rows stored as the routes store them
        (f"{pkg}.db", "Base"),
        (f"{pkg}.main", "create_app"),
        (f"{pkg}.hooks.settings", "Settings"),
    ]
    if service.queued_endpoints:
        imports += [
            ("shutil", None),
            ("collections.abc", "Awaitable"),
            ("collections.abc", "Callable"),
            ("collections.abc", "Iterator"),
            (f"{pkg}.worker", "create_worker"),
            ("test_cache_redis", "RedisServer"),
        ]
    if service.uncached_paths:
        imports += [("asyncio", None), ("tracemalloc", None)]
    for resource in service.crud_resources:
        schemas = f"{pkg}.schemas.{resource.module}"
        imports += [
            (f"{pkg}.models", resource.class_name),
            (schemas, f"{resource.class_name}Create"),
            (schemas, f"{resource.class_name}Read"),
        ]
    if service.listed_resources and service.api is not None:
        imports.append((pkg, "api_models"))
    imports += [(f"{pkg}.models", r.class_name) for r in api_made_tables(service)]
    if api_made_tables(service):  # rows read as the routes read them
        imports.append((f"{pkg}.crud", "present"))
    if refers_back(service):  # first_row
        imports.append(("sqlalchemy", "select"))
    return render_imports(imports, pkg)


def api_made_tables(service: ServiceModel) -> tuple[ResourceModel, ...]:
    """The OpenAPI tables the generated list tests insert rows of (``make_<table>``):
    the listed ones, and the tables they embed with ``?expand=``."""
    if service.api is None:
        return ()
    wanted = {r.name for r in service.listed_resources}
    wanted |= {e.resource for r in service.listed_resources for e in r.expansions}
    return tuple(r for r in service.resources if r.name in wanted)


def api_row_payload(resource: ResourceModel, service: ServiceModel) -> str:
    """A dict expression of a valid row of an OpenAPI table for the list tests:
    the create operation's sample body, and where it has none a sample of the
    row's schema (JSON columns need their schema's shape), with every scalar column made
    from ``n`` so rows differ (the key too, unless the database numbers it), and
    each expanded ref holding the key of a row made first (``<column>_row``)."""
    table = next(t for t in service.api_tables if t.resource == resource.name)
    sample = table.create.sample if table.create and table.create.sample else None
    base = sample[2] if sample and isinstance(sample[2], dict) else {}
    base = {**(table.row_sample or {}), **base}
    refs = {e.field.name: e.resource for e in resource.expansions}
    entries = []
    # Only an integer key is numbered by the database; a row model that requires it
    # still gets one, which make_<table> leaves out of the INSERT (numbered_key).
    if resource.pk.py_type != "int" or table.key_required:
        entries.append(f"{pystr(resource.pk.name)}: {sample_expr(resource.pk)}")
    for f in resource.fields:
        if f.name in refs:
            key = pk_of(refs[f.name], service)
            entries.append(f"{pystr(f.name)}: {f.attr}_row[{pystr(key)}]")
        elif f.type != "json":
            entries.append(f"{pystr(f.name)}: {sample_expr(f)}")
        elif f.name in base:
            entries.append(f"{pystr(f.name)}: {pyliteral(base[f.name])}")
    return "{" + ", ".join(entries) + "}"


def numbered_key(resource: ResourceModel, service: ServiceModel) -> str | None:
    """The attribute of an OpenAPI table's key that its rows' payload carries only
    because the row model requires it: the database numbers it (``_insert`` leaves
    it out), or None."""
    table = next(t for t in service.api_tables if t.resource == resource.name)
    numbered = resource.pk.py_type == "int" and table.key_required
    return resource.pk.attr if numbered else None


def inserts_numbered_keys(service: ServiceModel) -> bool:
    """Whether some ``make_<table>`` leaves a key to the database (``_insert``'s
    ``numbered``)."""
    return any(numbered_key(r, service) for r in api_made_tables(service))


def pk_of(resource_name: str, service: ServiceModel) -> str:
    """The primary-key column name of a resource."""
    return next(r.pk.name for r in service.resources if r.name == resource_name)


def expanded_rows(
    resource: ResourceModel, service: ServiceModel
) -> tuple[tuple[str, str], ...]:
    """The rows ``make_<table>`` of an OpenAPI table stores first, one per table
    its expansions name, as (variable, expression): a second expansion of the same
    table takes the first's row, since a second row made from the same ``n`` would
    repeat its key. A table that refers back to one whose row is being made (itself,
    or one of a cycle, by ``making``) takes a row stored first (``_stored_row``)."""
    made: dict[str, str] = {}
    rows = []
    mates = cycle_mates(resource, service)
    for expansion in resource.expansions:
        name = f"{expansion.field.attr}_row"
        target = expansion.resource
        first = made.setdefault(target, name)
        if first != name:
            again = f"{first}  # a second {target} of row n would repeat its key"
            rows.append((name, again))
        elif target == resource.name:
            rows.append((name, _stored_row(resource, expansion, service)))
        elif target in mates:
            stored = _stored_row(resource, expansion, service)
            make = f"await make_{target}(app, n, making)"
            rows.append((name, f"({stored}) if {pystr(target)} in making else {make}"))
        else:
            rows.append((name, f"await make_{target}(app, n)"))
    return tuple(rows)


def _stored_row(
    resource: ResourceModel, expansion: ExpandModel, service: ServiceModel
) -> str:
    """The row a reference back into a cycle takes: the one of its table the test
    stored first, so an expand test still embeds one; before there is one, the row
    itself where its key is known before the INSERT, else the column's sample: a
    key no other row has yet (``n``: the first row's own, of a fresh table)."""
    target = service.resource(expansion.resource)
    orm, row_model = target.class_name, f"api_models.{target.row_model}"
    if target.name == resource.name and target.pk.py_type != "int":
        fallback = sample_expr(target.pk)  # the row's own key
    else:  # not null: a row's JSON leaves out a null, which the list tests read
        fallback = sample_expr(expansion.field)
    otherwise = f"{{{pystr(target.pk.name)}: {fallback}}}"
    return f"await first_row(app, {orm}, {row_model}) or {otherwise}"


def cycle_mates(resource: ResourceModel, service: ServiceModel) -> frozenset[str]:
    """The other tables whose rows ``make_<table>`` of ``resource`` may be called
    from while its own row is being made: those its expansions lead to that lead
    back to it (a cycle); their rows are made with ``making``."""
    tables = {r.name: r for r in api_made_tables(service)}

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            table = tables.get(todo.pop())
            for expansion in table.expansions if table else ():
                if expansion.resource not in seen:
                    seen.add(expansion.resource)
                    todo.append(expansion.resource)
        return seen

    mates = {t for t in reach(resource.name) if resource.name in reach(t)}
    return frozenset(mates - {resource.name})


def refers_back(service: ServiceModel) -> bool:
    """Whether some ``make_<table>`` takes a row stored first (``first_row``)."""
    return any(
        e.resource == r.name or e.resource in cycle_mates(r, service)
        for r in api_made_tables(service)
        for e in r.expansions
    )


def ref_rows(resource: ResourceModel) -> tuple[tuple[FieldModel, str | None], ...]:
    """Each required ref of a native resource, and the earlier ref whose row it
    takes (None: its own, made first): two rows of one table made from the same
    ``n`` would repeat its unique values, so a row refers to one row of each."""
    first: dict[str, str] = {}
    rows = []
    for field in resource.refs:
        if field.required and field.ref_table:
            taken = first.setdefault(field.ref_table, field.attr)
            rows.append((field, None if taken == field.attr else taken))
    return tuple(rows)


def uses_short_text(service: ServiceModel) -> bool:
    """Whether a test row takes ``short_text`` (a unique string too short for the
    last digits of ``n``)."""
    tables = (*service.crud_resources, *api_made_tables(service))
    return any(short_unique(f) for r in tables for f in (r.pk, *r.fields))
