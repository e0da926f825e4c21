"""A table whose columns limit their values (a pattern, lengths, an enum, bounds,
multipleOf, formats the API models check): the generated project's own tests store
rows its models accept, so they pass (fastgen 0.3 stored ``"code-1"`` in a column
of ``pattern: ^[A-Z]+$`` and nine list tests failed). Patterns in ECMA's dialect
(``\\p{L}``, a named group), which Python's re cannot read, too; and a table whose
key takes three values only: the tests that need more rows skip, saying why; a
table that refers to it twice stores one row of it per row of its own. Tables that
expand themselves (a tier's parent, a person's boss) or each other (a person's
department, its head): ``make_<table>`` called itself without end (a RecursionError
in every list test of theirs), and each expand test finds a row embedded."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import assert_generated_tests_pass, install_project

DOCUMENT = """\
openapi: 3.0.3
info: {title: Limits, version: 1.0.0}
x-fastgen:
  service: {name: limits}
paths:
  /codes:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Code'}}}
  /matches:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Match'}}}
  /tiers:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Tier'}}}
  /people:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Person'}}}
  /departments:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Department'}}}
components:
  schemas:
    Person:
      x-fastgen-resource:
        path: /people
        list: {expand: {boss_id: Person, department_id: Department}}
      type: object
      required: [department_id]
      properties:
        id: {type: integer}
        boss_id: {type: integer, nullable: true}
        department_id: {type: integer}
    Department:
      x-fastgen-resource:
        path: /departments
        list: {expand: {head_id: Person}}
      type: object
      required: [head_id]
      properties:
        id: {type: integer}
        head_id: {type: integer}
    Code:
      x-fastgen-resource:
        path: /codes
        list:
          filter: [code, size, label, kind, email, ref, word, tag]
          sort: [code, size, label, ref, word]
      type: object
      required: [ref, code, size, label, kind, email, host, ratio, day, step, word, tag, initial, stamp]
      properties:
        id: {type: integer}
        ref: {type: string, pattern: '^[a-z]{2}-[0-9]{3}$', maxLength: 6}
        code: {type: string, pattern: '^[A-Z]+$', maxLength: 12}
        size: {type: integer, minimum: 1, maximum: 10}
        label: {type: string, minLength: 3, maxLength: 5}
        kind: {type: string, enum: [small, large], pattern: '^s'}
        email: {type: string, format: email, maxLength: 60}
        host: {type: string, format: hostname}
        ratio: {type: number, exclusiveMinimum: 0.5, maximum: 2, multipleOf: 0.25}
        day: {type: string, format: date}
        step: {type: integer, maximum: -3, multipleOf: 3}
        word: {type: string, pattern: '^\\p{L}+$', maxLength: 20}
        tag: {type: string, pattern: '^[\\p{L}\\p{N}_-]+$', maxLength: 20}
        initial: {type: string, pattern: '\\p{Lu}'}
        stamp: {type: string, pattern: '^(?<year>\\d{4})-\\u00e9$'}
    Tier:
      x-fastgen-resource:
        path: /tiers
        id: name
        list: {filter: [name], sort: [name], expand: {parent: Tier}}
      type: object
      required: [name, parent]
      properties:
        name: {type: string, pattern: '^[a-c]$'}
        parent: {type: string, pattern: '^[a-c]$'}
    Match:
      x-fastgen-resource:
        path: /matches
        list: {expand: {home: Tier, away: Tier}}
      type: object
      required: [home, away]
      properties:
        id: {type: integer}
        home: {type: string, pattern: '^[a-c]$'}
        away: {type: string, pattern: '^[a-c]$'}
"""


@pytest.mark.e2e
def test_a_table_of_limited_columns_passes_its_own_tests(
    tmp_path: Path, shared_venv: Path
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(DOCUMENT)
    project = new_project(spec, tmp_path / "limits")
    conftest = (project / "tests" / "conftest.py").read_text()
    assert '"size": (1, 2, 3, 4, 5, 6, 7, 8)[n % 8]' in conftest
    assert '"step": (-24, -21, -18, -15, -12, -9, -6, -3)[n % 8]' in conftest
    assert '"name": ("a", "b", "c")[n % 3]' in conftest
    install_project(shared_venv, project)
    output = assert_generated_tests_pass(
        shared_venv / "bin" / "python", project, None, "-rs", verbose=True
    )
    # A list test of five tiers skips (naming the key's values); of three, runs.
    assert "the key of tier takes 3 values" in output
    assert "test_list_tier_counts_on_request PASSED" in output
    embedding = [
        "tier_embeds_parent_row",
        "person_embeds_boss",
        "department_embeds_head",
    ]
    for test in embedding:
        assert f"test_list_{test}_in_one_query PASSED" in output
