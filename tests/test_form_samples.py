"""The form requests the generated stub tests send: as a browser or ``curl -F``
sends them (compile/form_samples.py)."""

from __future__ import annotations

from pathlib import Path

from fastgen.spec.inputs import read_input

DOCUMENT = """\
openapi: 3.0.3
info: {title: Forms, version: 1.0.0}
paths:
  /upload:
    post:
      operationId: upload
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, meta, note, count]
              properties:
                file: {type: string, format: binary}
                meta: {type: object, properties: {a: {type: integer}}}
                note: {type: string}
                count: {type: integer}
                flag: {type: boolean}
      responses: {'204': {description: stored}}
  /tags:
    post:
      operationId: tag
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [tags]
              properties:
                tags: {type: array, items: {type: string}}
      responses: {'204': {description: tagged}}
"""


def test_files_are_parts_objects_json_and_a_free_string_empty(tmp_path: Path) -> None:
    path = tmp_path / "forms.yaml"
    path.write_text(DOCUMENT)
    _, model = read_input(path)
    assert model.api is not None
    samples = {op.name: op.form_sample for op in model.api.operations}
    assert samples["upload"] == (
        "/upload",
        {},
        {"meta": "{}", "note": "", "count": "1"},
        {"file": "hello"},
        "count",  # a number sent empty: a 422
    )
    assert samples["tag"] is None  # a required array a form cannot send empty
