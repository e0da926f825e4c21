"""``x-fastgen-resource`` ``list``: an OpenAPI table's list takes the native list's
query, compiled by the native list compile into the same model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fastgen.render.api_changes import api_changes
from fastgen.render.api_contract import client_document
from fastgen.render.listing import list_query_class, listing_constant, lists_imports
from fastgen.render.routers import routers
from fastgen.render.test_rows import api_row_payload, expanded_rows
from fastgen.render.tests_code import list_test_auth
from fastgen.spec.inputs import read_input, read_input_file
from fastgen.spec.openapi.compile.tables import VALUE_TYPES
from fastgen.spec.problems import SpecError

from .conftest import REPO

LISTED = REPO / "tests" / "specs" / "openapi" / "resource-list.yaml"
BILLING = REPO / "examples" / "billing.yaml"


def test_a_list_compiles_to_the_native_list_model() -> None:
    _, model = read_input(LISTED)
    owner, pet = model.resources
    assert model.listed_resources == (pet,)
    assert pet.api_list and not owner.api_list
    ops = {item.field.name: item.ops for item in pet.filters}
    assert ops == {
        "name": ("eq", "in", "startswith"),
        "age": ("eq", "in", "gt", "gte", "lt", "lte"),
        "owner_id": ("eq", "in", "gt", "gte", "lt", "lte", "isnull"),
        "bornOn": ("eq", "in", "gt", "gte", "lt", "lte"),  # as the schema names it
    }
    assert [f.name for f in pet.sorts] == ["age", "name", "bornOn"]
    ((expand),) = pet.expansions
    assert (expand.name, expand.field.name, expand.resource) == (
        "owner",
        "owner_id",
        "owner",
    )
    # Every column a list filters or sorts by is indexed, as for a native resource.
    assert all(f.index for f in pet.fields)
    listing = next(op for op in model.api_operations if op.resource == "pet")
    assert listing.paged and not listing.filters and not listing.refined


def test_the_list_is_rendered_as_a_native_page() -> None:
    _, model = read_input(LISTED)
    pet = model.resource("pet")
    query = list_query_class(pet)
    assert "class PetQuery(ListQuery):" in query
    assert "    name__startswith: str | None = None" in query
    constant = listing_constant(pet, model)
    assert '"owner": Expansion(Pet.owner_id, Owner.id, api_models.Owner)' in constant
    (route,) = [r for v in routers(model) for r in v.routes if r.kind == "page"]
    assert route.returns == "Page[PetItem]"
    assert route.params[1] == "query: Annotated[PetQuery, Query()]"
    assert "response_model_exclude_unset=True" in route.decorators[0]
    assert "only_query_parameters" not in route.decorators[0]


def test_writes_of_an_expanded_table_clear_the_list() -> None:
    """Creates too: partner_id is no foreign key, so a document may name a partner
    before it is created (or an id reused after a delete), and a cached page that
    embedded nothing for it would stay stale."""
    _, model = read_input(BILLING)
    for write in ("create_partner", "update_partner", "delete_partner"):
        assert ("list_document", False) in model.invalidations[write], write


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        read_input(path)
    return [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems]


DOCUMENT = """\
openapi: 3.0.3
info: {title: Fixture, version: 1.0.0}
paths:
  /owners:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Owner'}}}
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}
components:
  schemas:
    Owner:
      x-fastgen-resource: {path: /owners}
      type: object
      properties: {id: {type: string, format: uuid}}
    Pet:
      x-fastgen-resource: {path: /pets, list: {expand: {owner_id: Owner}}}
      type: object
      properties:
        id: {type: integer}
        owner_id: {type: integer}
        PROPERTY: {type: string}
"""


def test_an_expand_whose_column_cannot_hold_the_key(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, DOCUMENT.replace("PROPERTY", "name"))
    assert problem == (
        "openapi.yaml:25:57: #/components/schemas/Pet/x-fastgen-resource/list/expand/"
        "owner_id: 'owner_id' is stored as integer, but the key 'id' of Owner is "
        "uuid: it cannot hold one"
    )


def test_a_list_on_a_table_with_aliased_properties(tmp_path: Path) -> None:
    text = DOCUMENT.replace("PROPERTY", "class").replace("format: uuid", "x: 1")
    text = text.replace("{type: string, x: 1}", "{type: integer}")
    (problem,) = _errors(tmp_path, text)
    assert problem == (
        "openapi.yaml:25:41: #/components/schemas/Pet/x-fastgen-resource/list: a list "
        "with filters and sort is not supported yet on a table whose properties are "
        "Python aliases (class)"
    )


def test_opting_in_is_a_breaking_change_of_the_list(tmp_path: Path) -> None:
    """The list then answers a page, not the document's array: ``fastgen update``
    and ``fastgen check --base`` say so (and list the parameters it now takes)."""
    text = LISTED.read_text()
    start = text.index("        list:")
    end = text.index("      type: object", start)
    plain = tmp_path / "openapi.yaml"
    plain.write_text(text[:start] + text[end:])
    old_answer, old_model = read_input(plain)
    new_answer, new_model = read_input(LISTED)
    changes = api_changes(
        client_document(old_answer, old_model), client_document(new_answer, new_model)
    )
    said = [str(c) for c in changes]
    assert "breaking: GET /pets: response body type array -> object" in said
    assert "compatible: GET /pets: query parameter `cursor` added (optional)" in said
    assert (
        "compatible: GET /pets: query parameter `name__startswith` added (optional)"
        in said
    )
    assert [str(c) for c in changes if c.breaking] == [
        "breaking: GET /pets: response body type array -> object"
    ]
    # Unchanged, the served list compares equal to itself.
    assert (
        api_changes(
            client_document(new_answer, new_model),
            client_document(new_answer, new_model),
        )
        == []
    )


def test_the_list_tests_send_the_lists_credentials(tmp_path: Path) -> None:
    """A secured list's generated tests authenticate as its other tests do; one no
    header can satisfy is skipped, saying why, rather than failing on a 401."""
    text = LISTED.read_text().replace(
        "  /pets:\n    get:\n",
        "  /pets:\n    get:\n      security: [{SCHEME: []}]\n",
    )
    schemes = {
        "bearer": "{type: http, scheme: bearer}",
        "key": "{type: apiKey, in: query, name: key}",
    }
    said = {}
    for name, scheme in schemes.items():
        secured = text.replace("SCHEME", name).replace(
            "components:\n", f"components:\n  securitySchemes:\n    {name}: {scheme}\n"
        )
        path = tmp_path / f"{name}.yaml"
        path.write_text(secured)
        _, model = read_input(path)
        said[name] = list_test_auth(model.resource("pet"), model)
    assert said["bearer"] == (', headers={"authorization": "Bearer test-token"}', "")
    assert said["key"] == (
        "",
        '@pytest.mark.skip(reason="no header satisfies the security of GET /pets")\n',
    )


def test_a_filter_whose_parameter_is_taken(tmp_path: Path) -> None:
    """A property named ``count`` (a parameter of every list) or ``owner_id__in``
    (a filter of owner_id) cannot be a filter of its own name."""
    text = DOCUMENT.replace("PROPERTY", "count").replace("format: uuid", "x: 1")
    text = text.replace("{type: string, x: 1}", "{type: integer}")
    text = text.replace("list: {expand: {owner_id: Owner}}", "list: {filter: [count]}")
    (problem,) = _errors(tmp_path, text)
    assert problem == (
        "openapi.yaml:25:57: #/components/schemas/Pet/x-fastgen-resource/list/filter/"
        "0: 'count' cannot be a filter: ?count is a parameter of every list"
    )


def test_a_sort_by_a_required_but_nullable_property(tmp_path: Path) -> None:
    """The property is in required: what keeps it from a sort is its null."""
    text = DOCUMENT.replace("PROPERTY: {type: string}", "name: {type: string}")
    text = text.replace(
        "type: object\n      properties:\n        id: {type: integer}",
        "type: object\n      required: [name]\n      properties:\n"
        "        id: {type: integer}",
    )
    text = text.replace("name: {type: string}", "name: {type: string, nullable: true}")
    text = text.replace("list: {expand: {owner_id: Owner}}", "list: {sort: [name]}")
    (problem,) = _errors(tmp_path, text)
    assert problem.endswith(
        "#/components/schemas/Pet/x-fastgen-resource/list/sort/0: 'name' may be "
        "null; a list sorts only by properties with a value in every row (drop its "
        "nullable, or 'null' from its type)"
    )


def test_expansion_names_are_fields_no_other_name_takes(tmp_path: Path) -> None:
    """An expansion is a field of the list's item model and a value of ``?expand=``:
    never a keyword, a pydantic model's own name, a property or another expansion."""
    text = DOCUMENT.replace("format: uuid", "x: 1").replace(
        "{type: string, x: 1}", "{type: integer}"
    )
    expand = "{class_id: Owner, owner_id: Owner, a_id: Owner, model_dump_id: Owner}"
    text = text.replace("{owner_id: Owner}", expand)
    text = text.replace(
        "        PROPERTY: {type: string}\n",
        "        owner: {type: string}\n        class_id: {type: integer}\n"
        "        a_id: {type: integer}\n        a: {type: string}\n"
        "        model_dump_id: {type: integer}\n",
    )
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    _, model = read_input(path)
    names = [e.name for e in model.resource("pet").expansions]
    assert names == [
        "class_id_row",  # not "class"
        "owner_id_row",  # "owner" is a property
        "a_id_row",
        "expanded_model_dump_id_row",  # not "model_dump", nor model_dump_...
    ]


def test_properties_differing_only_by_case_are_refused(tmp_path: Path) -> None:
    """``name`` and ``Name`` are one column where names compare without case: the
    table could not be created on SQLite (the default) or MariaDB."""
    text = DOCUMENT.replace("PROPERTY", "OWNER_ID")
    (problem,) = _errors(tmp_path, text)
    assert problem == (
        "openapi.yaml:25:7: #/components/schemas/Pet: properties "
        "'owner_id' and 'OWNER_ID' would be one column: SQLite, MariaDB and MySQL "
        "compare column names without case"
    )


def test_rows_of_a_table_with_a_text_key_carry_the_key(tmp_path: Path) -> None:
    """The list tests insert rows through ``make_<table>``: an integer key is the
    database's to number, any other must be in the row (the tests failed on a
    required key left out)."""
    text = DOCUMENT.replace("PROPERTY: {type: string}", "code: {type: string}")
    text = text.replace(
        "{path: /pets, list: {expand: {owner_id: Owner}}}",
        "{path: /pets, id: code, list: {filter: [code]}}",
    )
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    _, model = read_input(path)
    payload = api_row_payload(model.resource("pet"), model)
    assert payload.startswith('{"code": f"code-{n}')
    owner_payload = api_row_payload(model.resource("owner"), model)
    assert '"id"' in owner_payload  # a uuid key: not numbered either


def test_a_table_named_like_a_list_class_gets_another_class(tmp_path: Path) -> None:
    """A table ``listing`` made a class ``Listing``, shadowing the one listing.py
    defines (an import error); the class, and every route's row class, differ."""
    text = DOCUMENT.replace("PROPERTY", "name").replace("format: uuid", "x: 1")
    text = text.replace("{type: string, x: 1}", "{type: integer}")
    text = text.replace("{path: /pets, list:", "{path: /pets, table: listing, list:")
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    _, model = read_input(path)
    assert model.resource("listing").class_name == "ListingTable"
    (listed,) = [op for op in model.api_operations if op.resource == "listing"]
    assert listed.row_class == "ListingTable"


FILTERED = """\
openapi: 3.0.3
info: {title: Fixture, version: 1.0.0}
paths:
  /things:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}
components:
  schemas:
    Thing:
      x-fastgen-resource:
        path: /things
        list: {filter: [link, ip6, at, span, mail, level, ratio, plain]}
      type: object
      properties:
        id: {type: integer}
        link: {type: string, format: uri}
        ip6: {type: string, format: ipv6}
        at: {type: string, format: time}
        span: {type: string, format: duration}
        mail: {type: string, format: email, maxLength: 60}
        level: {type: integer, enum: [1, 2, 5]}
        ratio: {type: number, enum: [0.5, 1.5]}
        plain: {type: string}
"""


def test_a_format_filter_reads_its_values_as_the_api_does(tmp_path: Path) -> None:
    """``?link=https://example.com`` is the row stored as ``https://example.com/``
    (pydantic's URL), ``?ip6=2001:DB8::1`` the one of ``2001:db8::1``: each value is
    read by the property's type (a 422 when it is none) and compared as the column
    stores it. No range: URLs, addresses, durations and times with offsets do not
    order as their text does."""
    path = tmp_path / "openapi.yaml"
    path.write_text(FILTERED)
    _, model = read_input(path)
    thing = model.resource("thing")
    ops = {item.field.name: item.ops for item in thing.filters}
    for name in ("link", "ip6", "at", "span", "mail", "plain"):
        assert ops[name] == ("eq", "in", "isnull"), name
    query = list_query_class(thing)
    assert "    link: AnyUrl | None = None" in query
    assert "    link__in: CommaList[AnyUrl] | None = Field(" in query
    assert "    ip6: ipaddress.IPv6Address | None = None" in query
    assert "    at: dt.time | None = None" in query
    assert "    span: dt.timedelta | None = None" in query
    assert "    mail: EmailStr | None = None" in query
    assert "    plain: str | None = None" in query
    imports = lists_imports(model)
    (pydantic,) = [line for line in imports.splitlines() if "from pydantic" in line]
    assert {"AnyUrl", "EmailStr"} <= set(pydantic.split(" import ")[1].split(", "))
    assert "import ipaddress" in imports and "import datetime as dt" in imports


def test_an_integer_enum_filter_takes_the_enums_values(tmp_path: Path) -> None:
    """As a string enum's: ``?level=3`` is a 422, not an empty page. A query's
    values are text, which a Literal of ints does not match: converted first."""
    path = tmp_path / "openapi.yaml"
    path.write_text(FILTERED)
    _, model = read_input(path)
    query = list_query_class(model.resource("thing"))
    level = "Annotated[Literal[1, 2, 5], BeforeValidator(int)]"
    assert f"    level: {level} | None = None" in query
    assert f"    level__in: CommaList[{level}] | None = None" in query
    assert "    level__gt: IntColumn | None = None" in query  # a bound: any value
    # The API models take any number for a number enum (no Literal of floats).
    assert "    ratio: float | None = None" in query
    imports = lists_imports(model)
    assert "from pydantic import AnyUrl, BeforeValidator, EmailStr, Field" in imports
    assert "from typing import Annotated, Literal" in imports


def test_the_filter_types_of_formats_are_the_api_models(tmp_path: Path) -> None:
    """``VALUE_TYPES`` says what datamodel-code-generator writes for each format:
    a filter reading its values otherwise would compare another JSON form."""
    properties = "".join(
        f"        f{i}: {{type: string, format: {fmt}}}\n"
        for i, fmt in enumerate(VALUE_TYPES)
    )
    text = FILTERED.replace("list: {filter: [link", "list: {filter: [f0, link")
    text += properties
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    read = read_input_file(path)
    assert read.models_source is not None
    (thing,) = [
        node
        for node in ast.parse(read.models_source).body
        if isinstance(node, ast.ClassDef) and node.name == "Thing"
    ]
    written = {
        node.target.id: ast.unparse(node.annotation)
        for node in thing.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    columns = {f.name: f for f in read.model.resource("thing").fields}
    for i, fmt in enumerate(VALUE_TYPES):
        value_type = columns[f"f{i}"].value_type
        assert value_type == VALUE_TYPES[fmt]
        assert written[f"f{i}"] == f"{value_type.rsplit('.', 1)[-1]} | MISSING", fmt


def test_a_document_filter_reads_its_value_as_the_column_does(tmp_path: Path) -> None:
    """A table-backed list without ``list`` filters by the document's parameters
    named like a column: a column of a format compares the parameter's value read
    by the column's type, in the form it stores (a 422 naming the parameter when
    it is none); other columns compare the value as the route reads it."""
    text = FILTERED.replace(
        "        list: {filter: [link, ip6, at, span, mail, level, ratio, plain]}\n", ""
    ).replace(
        "    get:\n      responses:",
        "    get:\n      parameters:\n"
        "        - {name: link, in: query, schema: {type: string, format: uri}}\n"
        "        - {name: ip6, in: query, schema: {type: array, items: {type: string}}}\n"
        "        - {name: plain, in: query, schema: {type: string}}\n"
        "      responses:",
    )
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    _, model = read_input(path)
    (view,) = routers(model)
    (route,) = [r for r in view.routes if r.kind == "list"]
    ip6 = 'filter_value(Thing.ip6, list[ipaddress.IPv6Address], ip6, "ip6")'
    assert route.filters == (
        ("link", 'Thing.link == filter_value(Thing.link, AnyUrl, link, "link")'),
        ("plain", "Thing.plain == plain"),
        ("ip6", f"Thing.ip6.in_({ip6})"),
    )
    assert "from pydantic import AnyUrl" in view.imports
    assert "import ipaddress" in view.imports
    assert "from fixture.crud import " in view.imports
    assert "filter_value" in view.imports


def test_a_table_expanding_one_table_twice_stores_one_row_of_it(
    tmp_path: Path,
) -> None:
    """``make_<table>`` stores each table its expansions name once per row: two
    rows of a uuid-keyed owner made from the same ``n`` had the same key."""
    uuid = "{type: string, format: uuid}"
    text = DOCUMENT.replace("PROPERTY: {type: string}", f"vet_id: {uuid}")
    text = text.replace("owner_id: {type: integer}", f"owner_id: {uuid}")
    text = text.replace("{owner_id: Owner}", "{owner_id: Owner, vet_id: Owner}")
    path = tmp_path / "openapi.yaml"
    path.write_text(text)
    _, model = read_input(path)
    assert expanded_rows(model.resource("pet"), model) == (
        ("owner_id_row", "await make_owner(app, n)"),
        ("vet_id_row", "owner_id_row  # a second owner of row n would repeat its key"),
    )


CYCLES = """\
openapi: 3.0.3
info: {title: Org, version: 1.0.0}
paths:
  /people:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Person'}}}
  /depts:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Dept'}}}
  /sites:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Site'}}}
components:
  schemas:
    Person:
      x-fastgen-resource: {path: /people, list: {expand: {boss_id: Person, dept_id: Dept}}}
      type: object
      required: [dept_id]
      properties:
        id: {type: integer}
        boss_id: {type: integer, nullable: true}
        dept_id: {type: integer}
    Dept:
      x-fastgen-resource: {path: /depts, list: {expand: {head_id: Person, site_code: Site}}}
      type: object
      required: [head_id, site_code]
      properties:
        id: {type: integer}
        head_id: {type: integer}
        site_code: {type: string}
    Site:
      x-fastgen-resource: {path: /sites, id: code, list: {expand: {parent_code: Site}}}
      type: object
      required: [code, parent_code]
      properties:
        code: {type: string}
        parent_code: {type: string}
"""


def test_tables_expanding_themselves_or_each_other_store_rows_that_end(
    tmp_path: Path,
) -> None:
    """A row referring back to a table whose row is still being made (``making``)
    takes the row the test stored first: ``make_person`` calling itself for a
    person's boss never ended (RecursionError in every list test of the table).
    Where there is none yet, a row refers to itself if its key is known, else to
    the key of its column's sample (never null: a row's JSON leaves a null out)."""
    path = tmp_path / "openapi.yaml"
    path.write_text(CYCLES)
    _, model = read_input(path)
    first = "await first_row(app, {}, api_models.{})"
    assert expanded_rows(model.resource("person"), model) == (
        ("boss_id_row", first.format("Person", "Person") + ' or {"id": n}'),
        (
            "dept_id_row",
            (
                f'({first.format("Dept", "Dept")} or {{"id": n}}) if "dept" in making'
                " else await make_dept(app, n, making)"
            ),
        ),
    )
    assert expanded_rows(model.resource("dept"), model) == (
        (
            "head_id_row",
            (
                f'({first.format("Person", "Person")} or {{"id": n}})'
                ' if "person" in making else await make_person(app, n, making)'
            ),
        ),
        ("site_code_row", "await make_site(app, n)"),
    )
    own_key = '{"code": f"code-{n}-é🚀"}'
    assert expanded_rows(model.resource("site"), model) == (
        ("parent_code_row", f"{first.format('Site', 'Site')} or {own_key}"),
    )
