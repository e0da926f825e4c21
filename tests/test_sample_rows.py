"""The rows a native project's generated tests store: unique values that cannot
differ in every row (a unique boolean holds two) skip the tests needing more rows,
saying why; a row referring twice to one table refers to one row of it."""

from __future__ import annotations

from pathlib import Path

from fastgen.api import new_project
from fastgen.render.sample_keys import distinct_values, unique_limit
from fastgen.spec.inputs import read_input

SPEC = """\
fastgen: 1
service: {name: flags}
resources:
  badge:
    path: /badges
    fields:
      label: {type: string, max_length: 3, unique: true}
    operations: [list, get, create]
  flag:
    path: /flags
    fields:
      code: {type: string, max_length: 2, unique: true}
      kind: {type: enum, values: [a, b, c], unique: true}
      home: {type: ref, to: badge}
      away: {type: ref, to: badge}
    operations: [list, get, create, export]
"""


def test_unique_columns_of_few_values_bound_the_test_rows(tmp_path: Path) -> None:
    """``f"code-{n}"[-2:]`` repeats from n = 100, a three-value enum from n = 4:
    the export test stored 10,000 flags and failed on a UNIQUE before. A unique
    string too short for that takes ``n`` in base 36: three characters hold the
    export's 10,000 rows."""
    path = tmp_path / "fastgen.yaml"
    path.write_text(SPEC)
    _, model = read_input(path)
    flag = model.resource("flag")
    [code] = [f for f in flag.fields if f.name == "code"]
    assert distinct_values(code) == 36**2
    assert unique_limit(flag) == ("the unique kind", 3)
    assert unique_limit(model.resource("badge")) is None  # 36**3 labels
    unbounded = SPEC.replace("values: [a, b, c], unique: true", "values: [a, b, c]")
    path.write_text(unbounded.replace("max_length: 2, unique", "max_length: 4, unique"))
    assert unique_limit(read_input(path)[1].resource("flag")) is None


def test_a_row_referring_twice_to_one_table_refers_to_one_row(
    tmp_path: Path,
) -> None:
    """Two badges made from the same ``n`` repeated its unique label: every test
    storing a flag failed."""
    path = tmp_path / "fastgen.yaml"
    path.write_text(SPEC)
    project = new_project(path, tmp_path / "flags")
    conftest = (project / "tests" / "conftest.py").read_text()
    assert "    home_row = await make_badge(app, n)\n" in conftest
    assert "    away_row = home_row  # a second badge of row n" in conftest
    assert conftest.count("await make_badge(") == 1
    assert '"label": short_text(n, 3),' in conftest
    assert '"code": short_text(n, 2),' in conftest
    assert "def short_text(n: int, width: int) -> str:" in conftest
    skip = "the unique kind of flag takes 3 values: the test needs more rows"
    assert "    if n > 3:  # row n would repeat a unique value" in conftest
    assert conftest.count(skip) == 1
    tests = (project / "tests" / "test_flag.py").read_text()
    assert "home=(home_row := await make_badge(app, 1))" in tests
    assert "away=home_row[" in tests
    assert "    if 10 * rows > 3:\n" in tests
