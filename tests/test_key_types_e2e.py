"""Every key type a native resource can declare, and refs to each, pass the
generated project's own tests of those resources. Found by fuzzing:

- a key declared as ``id`` of type uuid or string was left out of the create body,
  as if the database numbered it: every create failed (a 409, NOT NULL);
- a ref naming no row of a resource keyed by a UUID answered a 500, its error's
  ``input`` (the UUID) being no JSON FastAPI could write;
- beside ``/export``, a write to ``<path>/export`` of a UUID-keyed resource was a
  422 for the id "export", where the export path answers 405 (schemathesis ST204).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fastgen.api import new_project

from .conftest import install_project

pytestmark = pytest.mark.e2e

SPEC = """\
fastgen: 1
service: {name: keytypes}
resources:
  device:
    path: /devices
    fields:
      id: {type: uuid, primary_key: true}
      name: {type: string, max_length: 20}
    operations: [list, get, create, update, delete, export]
  shelf:
    path: /shelves
    fields:
      id: {type: string, max_length: 20, primary_key: true}
      device_id: {type: ref, to: device}
  part:
    path: /parts
    fields:
      serial: {type: uuid, primary_key: true}
    operations: [get, create, delete, export]
  counter:
    path: /counters
    fields:
      id: {type: integer, primary_key: true}
      shelf_id: {type: ref, to: shelf}
      part_id: {type: ref, to: part}
"""
RESOURCES = ("device", "shelf", "part", "counter")


def test_every_key_type_and_its_refs_pass_their_tests(
    shared_venv: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "fastgen.yaml"
    spec.write_text(SPEC)
    project = new_project(spec, tmp_path / "project")
    install_project(shared_venv, project)
    result = subprocess.run(
        [shared_venv / "bin" / "python", "-m", "pytest", "-v", "-p", "no:cacheprovider"]
        + [f"tests/test_{name}.py" for name in RESOURCES],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    # The tests that found them ran: creates, and a missing row of each target.
    for name in RESOURCES:
        assert f"test_create_{name} PASSED" in result.stdout
    for ref in ("device_id", "shelf_id", "part_id"):
        assert f"_with_missing_{ref}_is_422 PASSED" in result.stdout
    for name in ("device", "part"):
        assert f"test_export_{name}_is_no_key PASSED" in result.stdout
