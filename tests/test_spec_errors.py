"""Every spec error names file:line:column, the key and what was expected."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastgen.spec.inputs import read_input, read_input_file
from fastgen.spec.native.validate import load_spec
from fastgen.spec.problems import SpecError

BASE = """\
fastgen: 1
service:
  name: shop
resources:
  item:
    path: /items
    fields:
      name: {type: string}
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_valid_base_spec_loads(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(BASE)
    spec = load_spec(path)
    assert spec.resources["item"].operations == [
        "list",
        "get",
        "create",
        "update",
        "delete",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\n  titel: Shop\n",
            "4:3: unknown key 'titel' in service; expected one of: name, title, version, "
            "description (did you mean 'title'?)",
            id="unknown-key",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: class\n",
            "3:9: service.name: 'class' is a Python keyword, and this name becomes a "
            "Python function or package name; choose another name",
            id="keyword-name",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: My-Shop\n",
            "3:9: service.name: 'My-Shop' is not a valid name; expected lower_snake_case "
            "matching [a-z][a-z0-9_]*",
            id="bad-identifier",
        ),
        pytest.param(
            "fastgen: 1\nservice: {}\n",
            "2:10: missing required key 'name' in service",
            id="missing-key",
        ),
        pytest.param(
            "fastgen: 2\nservice:\n  name: shop\n",
            "1:10: fastgen: 2 is not allowed; expected 1",
            id="wrong-version",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: strng}"),
            "8:20: resources.item.fields.name.type: 'strng' is not allowed; expected "
            "'string', 'text', 'integer', 'float', 'decimal', 'boolean', 'date', "
            "'datetime', 'uuid', 'json', 'enum' or 'ref' (did you mean 'string'?)",
            id="bad-field-type",
        ),
        pytest.param(
            BASE + "    cache:\n      get: {ttl: -1}\n",
            "10:18: resources.item.cache.get.ttl: Input should be greater than or equal "
            "to 0 (got -1)",
            id="negative-ttl",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: string, max_length: '10'}"),
            "8:40: resources.item.fields.name.max_length: Input should be a valid "
            "integer (got '10')",
            id="wrong-type",
        ),
        pytest.param(
            BASE + "      owner: {type: ref, to: usr}\n",
            "9:30: resources.item.fields.owner.to: no resource named 'usr'; expected one "
            "of: item",
            id="dangling-ref",
        ),
        pytest.param(
            BASE + "    cache:\n      list: {invalidated_by: [item.creat]}\n",
            "10:31: resources.item.cache.list.invalidated_by: 'item.creat': expected one "
            "of item.create, item.update, item.delete",
            id="bad-invalidated-by-operation",
        ),
        pytest.param(
            BASE + "    cache:\n      list: {invalidated_by: [stats]}\n",
            "10:31: resources.item.cache.list.invalidated_by: 'stats' is neither "
            "'resource.operation' nor an endpoint name",
            id="invalidated-by-nothing",
        ),
        pytest.param(
            BASE + "endpoints:\n  all_items:\n    method: GET\n    path: /items\n",
            "12:11: endpoints.all_items.path: GET /items is already served by "
            "resources.item; paths must be unique",
            id="duplicate-path",
        ),
        pytest.param(
            BASE
            + "    operations: [get, export]\n"
            + "endpoints:\n  dump:\n    method: GET\n    path: /items/export\n",
            "13:11: endpoints.dump.path: GET /items/export is already served by "
            "resources.item; paths must be unique",
            id="export-path-taken",
        ),
        pytest.param(
            BASE + "      code: {type: string, max_length: 1000, unique: true}\n",
            "9:40: resources.item.fields.code.max_length: an indexed string may hold "
            "at most 768 characters (MariaDB and MySQL index 3072 bytes, 4 per utf8mb4 "
            "character)",
            id="indexed-string-too-long",
        ),
        pytest.param(
            BASE
            + f"  {'r' * 30}:\n    path: /rs\n    fields:\n"
            + f"      {'f' * 30}: {{type: string, index: true}}\n",
            f"12:7: resources.{'r' * 30}.fields.{'f' * 30}: the constraint name "
            f"'ix_{'r' * 30}_{'f' * 30}' is 64 characters; PostgreSQL keeps 63 "
            "(MySQL 64): shorten the resource or field name",
            id="constraint-name-too-long",
        ),
        pytest.param(
            BASE
            + "  thing:\n    path: /things\n    fields:\n      id: {type: integer}\n",
            "12:7: resources.thing.fields.id: 'id' is the column of the primary key "
            "fastgen adds to a resource without one; mark this field primary_key: "
            "true, or name it otherwise",
            id="reserved-field",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: enum}"),
            "8:13: resources.item.fields.name: an enum needs 'values', a non-empty list",
            id="enum-without-values",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: integer, default: many}"),
            "8:38: resources.item.fields.name.default: 'many' is not a valid integer "
            "default",
            id="bad-default",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: decimal, default: 1.23456}"),
            "8:38: resources.item.fields.name.default: 1.23456 has 5 digits after the "
            "point; a decimal column keeps 4 (scale 4), so it would be rounded",
            id="decimal-default-over-scale",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: decimal, default: '-1.00005'}"),
            "8:38: resources.item.fields.name.default: '-1.00005' has 5 digits after "
            "the point; a decimal column keeps 4 (scale 4), so it would be rounded",
            id="decimal-string-default-over-scale",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: decimal, default: 100000000000000}"),
            "8:38: resources.item.fields.name.default: 100000000000000 has more than 14 digits "
            "before the point; a decimal column holds at most 14",
            id="decimal-default-too-large",
        ),
        pytest.param(
            BASE.replace(
                "{type: string}", "{type: decimal, default: 12345678901234.1234}"
            ),
            "8:38: resources.item.fields.name.default: 12345678901234.123 (an unquoted "
            "number is read as a float, which keeps 15 significant digits: write the "
            "default quoted, as a string, to keep every digit)",
            id="decimal-default-rounded-by-yaml",
        ),
        pytest.param(
            BASE.replace(
                "{type: string}", "{type: decimal, default: -99999999999999.9999}"
            ),
            "8:38: resources.item.fields.name.default: -100000000000000.0 has more "
            "than 14 digits before the point; a decimal column holds at most 14 (an "
            "unquoted number is read as a float, which keeps 15 significant digits: "
            "write the default quoted, as a string, to keep every digit)",
            id="decimal-default-rounded-up-by-yaml",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: decimal, default: '1.5e3'}"),
            "8:38: resources.item.fields.name.default: '1.5e3' is not a decimal string "
            "as the API reads one: an optional '-', at most 14 digits, and at most 4 "
            "more after a '.'",
            id="decimal-default-not-as-the-api-reads-it",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: decimal, default: .nan}"),
            "8:38: resources.item.fields.name.default: nan is not a finite number",
            id="decimal-default-nan",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: float, default: -.inf}"),
            "8:36: resources.item.fields.name.default: -inf is not a finite number (a "
            "double and JSON hold none)",
            id="float-default-infinite",
        ),
        pytest.param(
            BASE.replace(
                "{type: string}", "{type: string, max_length: 3, default: toolong}"
            ),
            "8:52: resources.item.fields.name.default: 'toolong' is longer than "
            "max_length 3",
            id="string-default-over-max-length",
        ),
        pytest.param(
            BASE.replace(
                "{type: string}", "{type: string, default: " + "x" * 256 + "}"
            ),
            "8:37: resources.item.fields.name.default: the 256-character default is "
            "longer than max_length 255, a string's length when it gives no max_length",
            id="string-default-over-the-default-length",
        ),
        pytest.param(
            BASE.replace("{type: string}", '{type: text, default: "a\\0b"}'),
            "8:35: resources.item.fields.name.default: 'a\\x00b' holds a NUL "
            "character, which PostgreSQL does not store",
            id="text-default-with-nul",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: integer, default: 2147483648}"),
            "8:38: resources.item.fields.name.default: 2147483648 is outside the 32-bit "
            "range of an integer column (-2147483648 to 2147483647)",
            id="integer-default-out-of-range",
        ),
        pytest.param(
            BASE.replace("{type: string}", "{type: enum, values: [a, b], default: c}"),
            "8:51: resources.item.fields.name.default: 'c' is not one of the values: "
            "a, b",
            id="enum-default-not-a-value",
        ),
        pytest.param(
            BASE + "    cache:\n      create: {ttl: 5}\n",
            "10:7: resources.item.cache.create: 'create' is not allowed; expected "
            "'list' or 'get'",
            id="cache-on-write",
        ),
        pytest.param(
            BASE + "endpoints:\n  ping:\n    method: POST\n    path: /ping\n"
            "    cache: {ttl: 5}\n",
            "13:5: endpoints.ping.cache: only GET endpoints can be cached (this one is "
            "POST)",
            id="cache-on-post",
        ),
        pytest.param(
            BASE + "      parent: {type: ref, to: item}\n",
            "9:15: resources.item.fields.parent: required refs form a cycle "
            "(item -> item); make one of them required: false",
            id="required-self-ref",
        ),
        pytest.param(
            BASE + "endpoints:\n  sync:\n    method: POST\n    path: /sync\n"
            "    background: Queu\n",
            "13:17: endpoints.sync.background: 'Queu' is not allowed; expected true, "
            "false or 'queue' (did you mean 'queue'?)",
            id="background-typo",
        ),
        pytest.param(
            BASE + "endpoints:\n  sync:\n    method: POST\n    path: /sync\n"
            "    background: 1\n",
            "13:17: endpoints.sync.background: 1 is not allowed; expected true, false "
            "or 'queue'",
            id="background-number",
        ),
        pytest.param(
            BASE + "endpoints:\n  sync:\n    method: GET\n    path: /sync\n"
            "    background: queue\n",
            "13:5: endpoints.sync.background: a GET endpoint cannot run in the "
            "background; use POST",
            id="background-queue-on-get",
        ),
        pytest.param(
            BASE + "    cache:\n      list: {invalidated_by: [sync]}\n"
            "endpoints:\n  sync:\n    method: POST\n    path: /sync\n"
            "    background: queue\n",
            "10:31: resources.item.cache.list.invalidated_by: 'sync' runs on the task "
            "queue, in the worker process, which cannot clear the cache of the web "
            "processes; use background: true or rely on the policy's ttl",
            id="queued-endpoint-invalidates",
        ),
        pytest.param(
            BASE + "endpoints:\n  sync:\n    method: POST\n    path: /sync\n"
            "    background: queue\n  job:\n    method: GET\n    path: /jobs/{id}\n",
            "16:11: endpoints.job.path: GET /jobs/{id} is already served by the job "
            "status route of the task queue; paths must be unique",
            id="job-status-route-taken",
        ),
        pytest.param(
            BASE + "endpoints:\n  sync:\n    method: POST\n"
            "    path: /sync/{queue}\n    background: queue\n",
            "12:11: endpoints.sync.path: the parameter name 'queue' is used by the "
            "generated code; rename the parameter",
            id="reserved-parameter",
        ),
        pytest.param(
            BASE + "endpoints:\n  router:\n    method: POST\n    path: /r\n",
            "10:3: endpoints.router: the name is used by the generated router; choose "
            "another",
            id="reserved-endpoint-name",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\n  name: again\n",
            "4:3: duplicate key 'name'; each key may appear once",
            id="duplicate-key",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: [shop\n",
            "3:9: invalid YAML: '[' opened here is never closed: no ']' before the "
            "end of the file (noticed at 4:1)",
            id="invalid-yaml",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\ndeploy:\n  memory: 64Mi\n",
            "5:11: deploy.memory: '64Mi' is too little for the app's workers; expected "
            "at least 128Mi",
            id="deploy-memory-too-little",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\ndeploy:\n  memory: 512M\n",
            "5:11: deploy.memory: '512M' is not a memory size; expected a whole number "
            "of Mi or Gi, e.g. 512Mi or 2Gi",
            id="deploy-memory-unit",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\ndeploy:\n  cpu: 500m\n",
            "5:8: deploy.cpu: '500m' is not allowed; expected a number of CPUs "
            "(e.g. 0.5 for 500m)",
            id="deploy-cpu-quantity",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\ndeploy:\n  replicas: 3\n"
            "  autoscaling: {max_replicas: 2}\n",
            "5:3: deploy: autoscaling.max_replicas (2) is below the fewest replicas "
            "(3, from replicas)",
            id="deploy-max-below-replicas",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\ndeploy:\n"
            "  autoscaling: {min_replicas: 4, max_replicas: 3}\n",
            "5:3: deploy: autoscaling.max_replicas (3) is below the fewest replicas "
            "(4, from autoscaling.min_replicas)",
            id="deploy-max-below-min",
        ),
        pytest.param(
            "fastgen: 1\nservice:\n  name: shop\ndeploy:\n"
            "  autoscaling: {target_cpu_percent: 150}\n",
            "5:37: deploy.autoscaling.target_cpu_percent: Input should be less than or "
            "equal to 100 (got 150)",
            id="deploy-target-cpu",
        ),
    ],
)
def test_error_message(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in problems(tmp_path, text)


def test_defaults_at_their_fields_limits_load(tmp_path: Path) -> None:
    """The limits the defaults are held to are the columns' own, not tighter."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        BASE
        + "      a: {type: decimal, default: 12345678.1234}\n"
        + "      b: {type: decimal, default: '-99999999999999.9999'}\n"
        + "      c: {type: decimal, default: 1.2340000}\n"
        + "      d: {type: integer, default: -2147483648}\n"
        + "      e: {type: integer, default: 2147483647}\n"
        + "      f: {type: string, max_length: 3, default: abc}\n"
        + f"      g: {{type: string, default: {'x' * 255}}}\n"
        + "      h: {type: enum, values: [a, b], default: b}\n"
        + "      i: {type: float, default: 1.0e+308}\n"
    )
    fields = load_spec(path).resources["item"].fields
    assert fields["a"].default == 12345678.1234
    assert fields["b"].default == "-99999999999999.9999"
    assert fields["g"].default == "x" * 255


def test_all_shape_errors_are_reported_together(tmp_path: Path) -> None:
    text = BASE.replace("name: shop", "name: Shop\n  titel: x").replace(
        "{type: string}", "{type: strng}"
    )
    found = problems(tmp_path, text)
    assert len(found) == 3
    assert [p.split(":")[0] for p in found] == sorted(
        (p.split(":")[0] for p in found), key=int
    )


def test_openapi_document_is_rejected_with_a_pointer(tmp_path: Path) -> None:
    found = problems(tmp_path, "openapi: 3.0.0\ninfo: {title: x, version: '1'}\n")
    assert found == ["1:10: OpenAPI input is not supported yet"]


AGGREGATE = """\
fastgen: 1
service:
  name: shop
resources:
  maker:
    path: /makers
    fields:
      name: {type: string}
  item:
    path: /items
    fields:
      name: {type: string}
      price: {type: decimal}
      tags: {type: json}
      maker_id: {type: ref, to: maker}
endpoints:
  stats:
    method: GET
    path: /makers/{maker_id}/stats
    aggregate:
      from: item
      where: {maker_id: maker_id}
      fields: {count: count, mean: {avg: price}}
"""


def test_valid_aggregate_loads(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(AGGREGATE)
    aggregate = load_spec(path).endpoints["stats"].aggregate
    assert aggregate is not None and aggregate.from_ == "item"
    assert aggregate.fields["count"] == "count"
    mean = aggregate.fields["mean"]
    assert not isinstance(mean, str) and (mean.function, mean.column) == (
        "avg",
        "price",
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "      from: item",
            "      form: item",
            "21:7: unknown key 'form' in endpoints.stats.aggregate; expected one of: "
            "from, where, fields (did you mean 'from'?)",
            id="unknown-key",
        ),
        pytest.param(
            "from: item",
            "from: iten",
            "21:13: endpoints.stats.aggregate.from: no resource named 'iten'; "
            "expected one of: maker, item (did you mean 'item'?)",
            id="unknown-resource",
        ),
        pytest.param(
            "count: count,",
            "count: cnt,",
            "23:23: endpoints.stats.aggregate.fields.count: 'cnt' is not allowed; "
            "expected 'count' (the matching rows) or one function of a column, e.g. "
            "{avg: price} (did you mean 'count'?)",
            id="not-count",
        ),
        pytest.param(
            "{avg: price}",
            "{avgg: price}",
            "23:37: unknown key 'avgg' in endpoints.stats.aggregate.fields.mean; "
            "expected one of: count, sum, avg, min, max (did you mean 'avg'?)",
            id="unknown-function",
        ),
        pytest.param(
            "{avg: price}",
            "{avg: price, max: price}",
            "23:36: endpoints.stats.aggregate.fields.mean: expected exactly one of "
            "count, sum, avg, min, max naming a column, e.g. {avg: price}",
            id="two-functions",
        ),
        pytest.param(
            "{avg: price}",
            "{avg: prise}",
            "23:42: endpoints.stats.aggregate.fields.mean.avg: resource 'item' has no "
            "column 'prise'; expected one of: id, name, price, tags, maker_id (did "
            "you mean 'price'?)",
            id="unknown-column",
        ),
        pytest.param(
            "{avg: price}",
            "{avg: name}",
            "23:42: endpoints.stats.aggregate.fields.mean.avg: item.name is a string "
            "column; avg takes a column of type integer, float, decimal",
            id="wrong-column-type",
        ),
        pytest.param(
            "where: {maker_id: maker_id}",
            "where: {tags: maker_id}",
            "22:15: endpoints.stats.aggregate.where.tags: item.tags is a json column; "
            "a path parameter can equal a column of type ref, integer, string, uuid, "
            "date, enum",
            id="where-column-type",
        ),
        pytest.param(
            "where: {maker_id: maker_id}",
            "where: {maker_id: maker}",
            "22:25: endpoints.stats.aggregate.where.maker_id: 'maker' is not a "
            "parameter of path '/makers/{maker_id}/stats'",
            id="where-not-a-parameter",
        ),
        pytest.param(
            "where: {maker_id: maker_id}",
            "where: {}",
            "19:11: endpoints.stats.path: the parameter 'maker_id' is not used; "
            "expected it in aggregate.where, e.g. {column: maker_id}",
            id="parameter-unused",
        ),
        pytest.param(
            "method: GET",
            "method: POST",
            "20:5: endpoints.stats.aggregate: only a GET can be an aggregate (this "
            "one is POST)",
            id="not-get",
        ),
        pytest.param(
            "    aggregate:",
            "    response: {n: integer}\n    aggregate:",
            "20:5: endpoints.stats.response: an aggregate's response is its fields; "
            "remove response",
            id="with-response",
        ),
        pytest.param(
            "{count: count,",
            "{maker_id_found: count, query: count,",
            "23:16: endpoints.stats.aggregate.fields.maker_id_found: the name is used by "
            "the generated route; choose another",
            id="name-taken",
        ),
    ],
)
def test_aggregate_error_message(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in AGGREGATE
    assert expected in problems(tmp_path, AGGREGATE.replace(old, new))


LISTED = """\
fastgen: 1
service:
  name: shop
resources:
  item:
    path: /items
    fields:
      name: {type: string}
      price: {type: decimal}
      note: {type: text, required: false}
      extra: {type: json, required: false}
    list:
"""


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            "      filter: [prise]\n",
            "13:16: resources.item.list.filter.0: resource 'item' has no field "
            "'prise'; expected one of: id, name, price, note, extra (did you mean "
            "'price'?)",
            id="list-filter-unknown-field",
        ),
        pytest.param(
            "      filter: [name, name]\n",
            "13:22: resources.item.list.filter.1: 'name' is listed twice",
            id="list-filter-twice",
        ),
        pytest.param(
            "      filter: [extra]\n",
            "13:16: resources.item.list.filter.0: 'extra' is a json field; a list "
            "cannot filter by it",
            id="list-filter-json",
        ),
        pytest.param(
            "      sort: [note]\n",
            "13:14: resources.item.list.sort.0: 'note' is optional; a list sorts only "
            "by fields with a value in every row (give it required: true or a default)",
            id="list-sort-optional",
        ),
        pytest.param(
            "      match: {price: prefix}\n",
            "13:15: resources.item.list.match.price: 'price' is a decimal; prefix and "
            "contains match string and text fields only",
            id="list-match-not-a-string",
        ),
        pytest.param(
            "      match: {name: fuzzy}\n",
            "13:21: resources.item.list.match.name: 'fuzzy' is not allowed; expected "
            "'prefix' or 'contains'",
            id="list-match-unknown-kind",
        ),
    ],
)
def test_list_problems_are_located(tmp_path: Path, lines: str, expected: str) -> None:
    assert problems(tmp_path, LISTED + lines) == [expected]


# BASE's item, with fields whose list parameters would clash.
CLASHING = (
    BASE.removesuffix("      name: {type: string}\n")
    + """\
      count: {type: integer, index: true}
      price: {type: integer, index: true}
      price__gte: {type: integer, index: true}
      tag: {type: string, required: false, index: true}
      tag__isnull: {type: boolean, index: true}
"""
)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            "    list: {filter: [count]}\n",
            "13:21: resources.item.list.filter.0: 'count' cannot be a filter: ?count "
            "is a parameter of every list",
            id="a-parameter-of-every-list",
        ),
        pytest.param(
            "    list: {filter: [price, price__gte]}\n",
            "13:28: resources.item.list.filter.1: 'price__gte' cannot be a filter: "
            "?price__gte is a filter of 'price'",
            id="a-range-of-another",
        ),
        pytest.param(
            "    list: {filter: [tag, tag__isnull]}\n",
            "13:26: resources.item.list.filter.1: 'tag__isnull' cannot be a filter: "
            "?tag__isnull is a filter of 'tag'",
            id="a-null-check-of-another",
        ),
    ],
)
def test_a_filter_whose_parameter_is_taken_is_refused(
    tmp_path: Path, lines: str, expected: str
) -> None:
    """``?count=`` or ``?price__gte=`` would mean two things: the list took one of
    them and silently dropped the other (or failed to build)."""
    assert problems(tmp_path, CLASHING + lines) == [expected]


def test_default_filters_leave_out_a_field_whose_parameter_is_taken(
    tmp_path: Path,
) -> None:
    """Indexed fields are filters by default, but not one whose parameter would be
    taken: ``?count=true`` stays the total, ``?price__gte=`` the range of price."""
    path = tmp_path / "fastgen.yaml"
    path.write_text(CLASHING)
    _, model = read_input(path)
    (item,) = model.resources
    assert [f.field.name for f in item.filters] == ["id", "price", "tag"]


def test_a_filter_or_sort_no_index_serves_is_a_located_warning(tmp_path: Path) -> None:
    """Issue 16: every filter and sort is served by an index fastgen creates, or the
    spec says where it is not (text, or a string longer than an index key)."""
    path = tmp_path / "fastgen.yaml"
    path.write_text(
        "fastgen: 1\nservice: {name: w}\nresources:\n  note:\n    path: /notes\n"
        "    fields:\n      body: {type: text}\n"
        "      title: {type: string, max_length: 2000}\n"
        "      tag: {type: string, max_length: 20}\n"
        "    list: {filter: [body, tag], sort: [title, tag]}\n"
    )
    warnings = read_input_file(path).warnings
    assert [(w.line, w.column, w.message.split(" (")[0]) for w in warnings] == [
        (10, 21, "resources.note.list.filter.0: no index serves 'body'"),
        (10, 40, "resources.note.list.sort.0: no index serves 'title'"),
    ]
    with pytest.raises(SpecError):
        read_input_file(path, strict=True)
