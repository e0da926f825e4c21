"""What fastgen hands to one copier run, so nothing is compiled twice.

copier renders from the ``spec`` answer, and every template asks ``service(spec)`` for
its model. The fastgen command that starts a render has already compiled every answer
copier will render from (``new``: the input; ``update``: the input and the answer the
project was last rendered from), so it passes the models down in a ``RenderSession``
that the copier worker owns (``render.worker``), each with the module of pydantic
models an OpenAPI answer's compile wrote (Python source, so not part of the model;
render formats it into ``api_models.py``). The Jinja extension looks them up there;
only plain ``copier copy`` / ``copier update``, with no session, compiles inside the
extension (``copier_ext.service_of``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastgen.model.service import ServiceModel


def answer_key(answer: Any) -> str:
    """The content of a ``spec`` answer as one string (key order kept: it is the order
    of resources, fields and paths), equal for equal answers however they were read."""
    return json.dumps(answer, default=str)


@dataclass
class RenderSession:
    """The models of the answers a render uses, and the user's own spec file."""

    models: dict[str, ServiceModel] = field(default_factory=dict)
    # answer key -> the OpenAPI models module compiled with that answer's model
    models_sources: dict[str, str] = field(default_factory=dict)
    # (answer key, text): a spec file whose content is that answer, which the
    # project keeps as the user wrote it (comments and all) rather than re-dumped.
    own_file: tuple[str, str] | None = None

    def add(
        self, answer: Any, model: ServiceModel, models_source: str | None = None
    ) -> None:
        key = answer_key(answer)
        self.models[key] = model
        if models_source is not None:
            self.models_sources[key] = models_source

    def model_for(self, answer: Any) -> ServiceModel | None:
        return self.models.get(answer_key(answer))

    def models_source_for(self, answer: Any) -> str | None:
        return self.models_sources.get(answer_key(answer))

    def own_text(self, answer: Any) -> str | None:
        if self.own_file is not None and self.own_file[0] == answer_key(answer):
            return self.own_file[1]
        return None
