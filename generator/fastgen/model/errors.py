"""Error bodies an OpenAPI document declares, as plain data (see ``ServiceModel``).

FastAPI answers errors as ``{"detail": ...}``; a document may declare other bodies
per status, ``4XX``/``5XX`` range or ``default``. The front-end decides which
property of such a body each part of an error fills (the rules are in
docs/openapi.md, "Error bodies"); render writes them into the user's
``hooks/errors/`` modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorFieldModel:
    """One property of an error body and what fills it (docs/openapi.md, "Error
    bodies"): ``status`` (the status code), ``status_text`` (it as text),
    ``message``, ``title`` (the status's reason phrase), ``detail`` (FastAPI's
    detail as is), ``path`` (the request's), ``about_blank`` (a problem's
    ``type``), ``object`` (its ``fields``), ``errors`` (a 422's problems, each an
    object of ``fields``), ``messages`` (their messages), or ``placeholder``
    (``value``: no rule fills it). A problem's own fields are ``loc``, ``where``
    (the location as ``body.name``), ``message`` and ``type``."""

    key: str  # the JSON property
    source: str
    fields: tuple[ErrorFieldModel, ...] = ()
    value: Any = None  # a placeholder's value


@dataclass(frozen=True)
class ErrorShapeModel:
    """An error body the document declares, and how an error answer fills it."""

    name: str  # its module in hooks/errors/
    title: str  # the schema's name, or where it is written inline
    pointer: str  # the schema's JSON pointer in the document
    # object (``fields``), message (a string: the message), status (an integer:
    # the status) or detail (no rule applies: FastAPI's ``{"detail": ...}``)
    kind: str
    fields: tuple[ErrorFieldModel, ...] = ()
    model: str | None = None  # the class of api_models a body validates as
    unfilled: tuple[str, ...] = ()  # required properties holding a placeholder


@dataclass(frozen=True)
class ErrorResponseModel:
    """Which body an error status of a route answers, in which media type."""

    status: str  # "404", "4XX" or "default"
    shape: str  # the ErrorShapeModel's name
    content_type: str
