"""Every x-fastgen annotation error names file:line:column, the pointer and a fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fastgen.spec.openapi import read_openapi
from fastgen.spec.problems import SpecError

BASE = """\
openapi: 3.0.3
info: {title: Pet Store, version: 1.0.0}
x-fastgen: {service: {name: petstore}}
paths:
  /pets:
    get:
      operationId: listPets
      x-fastgen-cache: {ttl: 60}
      responses: {'200': {description: ok}}
    post:
      operationId: createPet
      responses: {'201': {description: ok}}
  /pets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      operationId: getPet
      responses: {'200': {description: ok}}
    delete:
      operationId: deletePet
      responses: {'204': {description: ok}}
components:
  schemas:
    Pet:
      x-fastgen-resource: {path: /pets}
      type: object
      properties: {id: {type: integer}, name: {type: string}}
"""
CACHE = "x-fastgen-cache: {ttl: 60}"
RESOURCE = "x-fastgen-resource: {path: /pets}"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "openapi.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(SpecError) as caught:
        read_openapi(path)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def test_valid_annotations_are_read(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(BASE)
    api = read_openapi(path)
    assert api.settings.service is not None and api.settings.service.name == "petstore"
    assert api.operation("list_pets").cache is not None
    (pet,) = api.resources
    assert pet.operations == (
        ("list", "list_pets"),
        ("get", "get_pet"),
        ("create", "create_pet"),
        ("delete", "delete_pet"),
    )
    assert (pet.name, pet.schema, pet.item_path) == ("pet", "Pet", "/pets/{id}")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "x-fastgen: {service: {name: petstore}}",
            "x-fastgen: {servce: {name: petstore}}",
            "3:13: #/x-fastgen/servce: unknown key 'servce' in x-fastgen; expected one "
            "of: service, database, cache, deploy (did you mean 'service'?)",
            id="root-unknown-key",
        ),
        pytest.param(
            "x-fastgen: {service: {name: petstore}}",
            "x-fastgen: {cache: {backend: tierd}}",
            "3:30: #/x-fastgen/cache/backend: x-fastgen.cache.backend: 'tierd' is not "
            "allowed; expected 'memory', 'redis' or 'tiered' (did you mean 'tiered'?)",
            id="root-literal",
        ),
        pytest.param(
            "x-fastgen: {service: {name: petstore}}",
            "x-fastgen: {deploy: {memory: 1G}}",
            "3:30: #/x-fastgen/deploy/memory: x-fastgen.deploy.memory: '1G' is not a "
            "memory size; expected a whole number of Mi or Gi, e.g. 512Mi or 2Gi",
            id="root-deploy-memory",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cache: {ttl: 60, stratgy: ttl}",
            "8:34: #/paths/~1pets/get/x-fastgen-cache/stratgy: unknown key 'stratgy' in "
            "x-fastgen-cache; expected one of: ttl, strategy, stale_ttl, backend, "
            "scope, vary, warm, invalidated_by (did you mean 'strategy'?)",
            id="cache-unknown-key",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cache: {ttl: -1}",
            "8:30: #/paths/~1pets/get/x-fastgen-cache/ttl: x-fastgen-cache.ttl: Input "
            "should be greater than or equal to 0 (got -1)",
            id="cache-negative-ttl",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cache: {stale_ttl: 5}",
            "8:24: #/paths/~1pets/get/x-fastgen-cache: x-fastgen-cache: stale_ttl is "
            "only meaningful with strategy: stale-while-revalidate",
            id="cache-stale-ttl",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cache: {invalidated_by: [creatPet]}",
            "8:42: #/paths/~1pets/get/x-fastgen-cache/invalidated_by/0: 'creatPet' is "
            "not an operationId (did you mean 'createPet'?)",
            id="invalidated-by-unknown",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cache: {invalidated_by: [getPet]}",
            "8:42: #/paths/~1pets/get/x-fastgen-cache/invalidated_by/0: 'getPet' is a "
            "GET operation; only writes (POST, PUT, PATCH, DELETE) can invalidate",
            id="invalidated-by-read",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cache: {warm: true, scope: private}",
            "8:31: #/paths/~1pets/get/x-fastgen-cache/warm: private entries belong to "
            "a caller and cannot be warmed at startup",
            id="warm-private",
        ),
        pytest.param(
            "      operationId: getPet\n",
            "      operationId: getPet\n      x-fastgen-cache: {warm: true}\n",
            "17:31: #/paths/~1pets~1{id}/get/x-fastgen-cache/warm: only endpoints "
            "without path parameters can be warmed at startup",
            id="warm-path-params",
        ),
        pytest.param(
            "      operationId: createPet\n",
            "      operationId: createPet\n      x-fastgen-cache: {}\n",
            "12:7: #/paths/~1pets/post/x-fastgen-cache: only GET operations can be "
            "cached (this one is POST)",
            id="cache-on-write",
        ),
        pytest.param(
            CACHE,
            "x-fastgen-cach: {ttl: 60}",
            "8:7: #/paths/~1pets/get/x-fastgen-cach: unknown annotation "
            "'x-fastgen-cach'; expected one of: x-fastgen, x-fastgen-cache, "
            "x-fastgen-resource, x-fastgen-renamed-from (did you mean "
            "'x-fastgen-cache'?)",
            id="unknown-annotation",
        ),
        pytest.param(
            "x-fastgen: {service: {name: petstore}}",
            "tags: [{name: pets, x-fastgen: {}}]",
            "3:21: #/tags/0/x-fastgen: x-fastgen belongs on the document root; here it "
            "would be ignored",
            id="root-misplaced",
        ),
        pytest.param(
            "    parameters: [",
            "    x-fastgen-cache: {}\n    parameters: [",
            "14:5: #/paths/~1pets~1{id}/x-fastgen-cache: x-fastgen-cache belongs on an "
            "operation object under paths (e.g. #/paths/~1pets/get); here it would be "
            "ignored",
            id="cache-misplaced",
        ),
        pytest.param(
            "properties: {id: {type: integer}, name: {type: string}}",
            "properties: {id: {type: integer, x-fastgen-resource: {path: /pets}}}",
            "26:40: #/components/schemas/Pet/properties/id/x-fastgen-resource: "
            "x-fastgen-resource belongs on a components/schemas entry; here it would "
            "be ignored",
            id="resource-misplaced",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: /pets, tabel: pets}",
            "24:41: #/components/schemas/Pet/x-fastgen-resource/tabel: unknown key "
            "'tabel' in x-fastgen-resource; expected one of: path, id, table, "
            "operations, renamed_from, list (did you mean 'table'?)",
            id="resource-unknown-key",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {table: pets}",
            "24:27: #/components/schemas/Pet/x-fastgen-resource: missing required key "
            "'path' in x-fastgen-resource",
            id="resource-missing-path",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: '/pets/{id}'}",
            "24:34: #/components/schemas/Pet/x-fastgen-resource/path: "
            "x-fastgen-resource.path: String should match pattern "
            "'^(/[A-Za-z0-9_\\-.~]+)+$' (got '/pets/{id}')",
            id="resource-path-with-parameter",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: /pet}",
            "24:34: #/components/schemas/Pet/x-fastgen-resource/path: no path '/pet' "
            "in paths (did you mean '/pets'?)",
            id="resource-path-missing",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: /pets, id: pet_id}",
            "24:45: #/components/schemas/Pet/x-fastgen-resource/id: the schema has no "
            "property 'pet_id'; expected one of: id, name",
            id="resource-id",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: /pets, operations: [list, update]}",
            "24:60: #/components/schemas/Pet/x-fastgen-resource/operations/1: 'update' "
            "needs PATCH or PUT /pets/{id}; the document has none",
            id="resource-operation-missing",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: /pets, operations: [list, list]}",
            "24:60: #/components/schemas/Pet/x-fastgen-resource/operations/1: 'list' "
            "is listed twice",
            id="resource-operation-twice",
        ),
        pytest.param(
            RESOURCE,
            "x-fastgen-resource: {path: /pets, table: Pets}",
            "24:48: #/components/schemas/Pet/x-fastgen-resource/table: "
            "x-fastgen-resource.table: 'Pets' is not a valid name; expected "
            "lower_snake_case matching [a-z][a-z0-9_]*",
            id="resource-table",
        ),
        pytest.param(
            "      properties: {id: {type: integer}, name: {type: string}}\n",
            "      properties: {id: {type: integer}, name: {type: string}}\n"
            "    Animal:\n      x-fastgen-resource: {path: /pets, table: animals}\n"
            "      type: object\n      properties: {id: {type: integer}}\n",
            "28:27: #/components/schemas/Animal/x-fastgen-resource: path '/pets' is also "
            "used by Pet",
            id="resource-same-path",
        ),
    ],
)
def test_annotation_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in BASE
    assert problems(tmp_path, BASE.replace(old, new, 1)) == [expected]
