"""Schemathesis checks for generated services, loaded by ``schemathesis run``.

tests/fuzzing.py names this module in ``SCHEMATHESIS_HOOKS``; it is not a test module.
The rules are the generated service's contract for any request, valid or not:

- no 5xx, except 501 from an operation whose body is still a stub (listed in
  ``FASTGEN_FUZZ_STUBBED`` as JSON, ``["GET /pets/{}", ...]``: path parameters are
  matched by position, since a generated app may rename them);
- a stub never answers 2xx (its body does not exist yet);
- every 4xx and 501 carries a JSON body, as FastAPI's own errors do, unless the
  document declares another media type for that error (``text/plain``): the app
  answers the body it declares.

A request body of a media type schemathesis has no serializer for (a generated app
reads those as raw bytes, e.g. ``openapi/python/client``) is sent as its bytes.
"""

from __future__ import annotations

import json
import os
import re

import schemathesis

STUBBED = frozenset(json.loads(os.environ.get("FASTGEN_FUZZ_STUBBED", "[]")))


def operation_label(method: str, path: str) -> str:
    """``GET /pets/{}`` for ``get /pets/{petId}``: how stubs are named."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"


def _opaque_body(_ctx: object, value: object) -> bytes:
    """A body the app takes as bytes: bytes as they are, text as UTF-8, else JSON."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


@schemathesis.hook
def after_load_schema(_context, schema) -> None:
    """Send bodies of media types schemathesis cannot serialize as opaque bytes."""
    from schemathesis.transport.requests import REQUESTS_TRANSPORT

    media_types = {
        media
        for item in (schema.raw_schema.get("paths") or {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
        for media in ((operation.get("requestBody") or {}).get("content") or {})
    }
    for media in sorted(media_types):
        if REQUESTS_TRANSPORT.get_first_matching_media_type(media) is None:
            schemathesis.serializer(media)(_opaque_body)


@schemathesis.check
def fastgen_contract(ctx, response, case) -> None:
    """Server errors, stubs and error bodies, as the module docstring says."""
    status = response.status_code
    label = operation_label(case.method, case.operation.path)
    stub = label in STUBBED
    if status >= 500 and not (stub and status == 501):
        raise AssertionError(f"{label} answered {status}")
    if stub and status < 300:
        raise AssertionError(f"{label} is a stub but answered {status}")
    if 400 <= status < 500 or status == 501:
        media = (response.headers.get("content-type") or [""])[0]
        if media.split(";")[0] in _declared_media_types(case, status):
            return
        if "json" not in media.split(";")[0]:
            raise AssertionError(f"{label} answered {status} with {media!r}, not JSON")
        try:
            json.loads(response.content)
        except ValueError as exc:
            raise AssertionError(
                f"{label} answered {status}: body is not JSON"
            ) from exc


def _declared_media_types(case, status: int) -> set[str]:
    """The non-JSON media types the document declares for ``status`` of the case's
    operation (the exact status, its range, or ``default``)."""
    responses = case.operation.definition.raw.get("responses") or {}
    code = str(status)
    response = (
        responses.get(code) or responses.get(f"{code[0]}XX") or responses.get("default")
    )
    if not isinstance(response, dict):
        return set()
    return {
        media.split(";")[0]
        for media in response.get("content") or {}
        if "json" not in media
    }
