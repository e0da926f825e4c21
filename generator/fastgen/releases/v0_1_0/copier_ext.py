"""The Jinja extension copier loads (``_jinja_extensions`` in copier.yml).

It exposes the compiled service model to templates, so templates only read names and
policies that were computed (and tested) in Python. Copier renders the old and the new
side of an update from their own ``spec`` answers, and both go through this same code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment
from jinja2.ext import Extension

from fastgen.releases.v0_1_0 import __version__, pycode
from fastgen.releases.v0_1_0.formatting import format_python
from fastgen.releases.v0_1_0.migrations import initial_migration, pending_change, schema_json
from fastgen.releases.v0_1_0.service import (
    ServiceModel,
    compile_service,
    pyliteral,
    pystr,
)
from fastgen.releases.v0_1_0.spec.loader import Positions
from fastgen.releases.v0_1_0.spec.validate import validate_data


class FastgenExtension(Extension):
    # Rendered Python goes through ``format_python`` (see ``preprocess``).
    """Adds ``service(spec)`` and the literal filters ``pystr``, ``pyliteral``, ``jsonstr``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["service"] = service_of
        environment.filters["pystr"] = pystr
        environment.filters["pyliteral"] = pyliteral
        environment.filters["jsonstr"] = json.dumps
        environment.filters["pytuple"] = pycode.pytuple
        environment.filters["format_python"] = format_python
        environment.globals["fastgen_version"] = __version__
        environment.globals["spec_differs_from_file"] = spec_differs_from_file
        environment.globals["schema_changed"] = schema_changed
        environment.globals["schema_json"] = schema_json
        for helper in (
            pycode.orm_column,
            pycode.orm_imports,
            pycode.schema_field,
            pycode.schema_imports,
            pycode.enum_alias,
            pycode.tuple_assign,
            pycode.endpoint_imports,
            pycode.router_imports,
            pycode.endpoint_router_imports,
            pycode.hook_imports,
            pycode.sample_expr,
            pycode.missing_key,
            pycode.conftest_imports,
            pycode.pk_of,
            pycode.test_imports,
            pycode.routers_imports,
            pycode.invalidations_literal,
            pycode.models_init_imports,
            pycode.tables_in_creation_order,
            pycode.sample_url,
            initial_migration,
            pycode.ref_class,
            pycode.wrap,
        ):
            environment.globals[helper.__name__] = helper

    def preprocess(
        self, source: str, name: str | None, filename: str | None = None
    ) -> str:
        """Wrap every Python template so its output is ruff-formatted."""
        # Conditional files are named like "{% if ... %}endpoints.py{% endif %}.jinja".
        if name and name.endswith((".py.jinja", ".py{% endif %}.jinja")):
            return "{% filter format_python %}" + source + "{% endfilter %}"
        return source


def service_of(spec: Any) -> ServiceModel:
    """The service model of a ``spec`` answer (validated again: answers can be edited)."""
    # Every template asks for it: reuse the last result while copier passes the same
    # answer object, and key the compile cache on content otherwise.
    last = _last_compiled.get("spec")
    if last is not None and last[0] is spec:
        return last[1]
    model = _compile(json.dumps(spec, default=str))
    _last_compiled["spec"] = (spec, model)
    return model


_last_compiled: dict[str, tuple[Any, ServiceModel]] = {}


def spec_differs_from_file(spec: Any, project: Any) -> bool:
    """True when the project's fastgen.yaml says something else than the ``spec`` answer."""
    path = Path(str(project)) / "fastgen.yaml"
    if not path.is_file():
        return False
    on_disk = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.dumps(on_disk, default=str) != json.dumps(spec, default=str)


def schema_changed(spec: Any, project: Any) -> bool:
    """True when the project's migrations do not yet build the spec's schema."""
    return pending_change(Path(str(project)), service_of(spec))


@lru_cache(maxsize=8)
def _compile(spec_json: str) -> ServiceModel:
    # The answer went through YAML once; a round trip through JSON gives a hashable key.
    data = json.loads(spec_json)
    return compile_service(validate_data(data, Positions(".copier-answers.yml")))
