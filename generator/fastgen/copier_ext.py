"""The Jinja extension copier loads (``_jinja_extensions`` in copier.yml).

It exposes the compiled service model to templates, so templates only read names and
policies that were computed (and tested) in Python. Copier renders the old and the new
side of an update from their own ``spec`` answers, and both go through this same code.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, Template
from jinja2.ext import Extension
from jinja2_ansible_filters.core_filters import to_nice_yaml

from fastgen import __version__
from fastgen.model.files import project_file_text, project_spec, spec_file_name
from fastgen.model.service import ServiceModel
from fastgen.render import api_code, pycode
from fastgen.render.formatting import format_python, needs_ruff
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.migrations import initial_migration, pending_change, schema_json
from fastgen.spec.inputs import compile_answer


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
        environment.filters["format_python"] = format_rendered
        environment.globals["fastgen_version"] = __version__
        environment.globals["spec_differs_from_file"] = spec_differs_from_file
        environment.globals["schema_changed"] = schema_changed
        environment.globals["spec_file_name"] = spec_file_name
        environment.globals["spec_file_text"] = spec_file_text
        environment.globals["schema_json"] = schema_json
        for helper in (
            pycode.orm_column,
            pycode.orm_imports,
            pycode.schema_field,
            pycode.schema_imports,
            pycode.column_aliases,
            pycode.enum_alias,
            pycode.tuple_assign,
            pycode.endpoint_imports,
            pycode.router_imports,
            pycode.endpoint_router_imports,
            pycode.hook_imports,
            pycode.aggregate_param_type,
            pycode.param_annotation,
            pycode.aggregate_query,
            pycode.aggregate_names,
            pycode.aggregate_expected,
            pycode.aggregate_extras,
            pycode.aggregate_test_imports,
            pycode.aggregate_url,
            pycode.aggregate_means,
            pycode.missing_ref,
            pycode.job_param_value,
            pycode.worker_imports,
            pycode.sample_expr,
            pycode.missing_key,
            pycode.missing_url,
            pycode.conftest_imports,
            pycode.pk_of,
            pycode.test_imports,
            pycode.database_test_imports,
            pycode.health_test_imports,
            pycode.routers_imports,
            pycode.api_router_imports,
            pycode.api_hook_imports,
            pycode.api_security_imports,
            pycode.api_call_args,
            pycode.api_outgoing_imports,
            pycode.invalidations_literal,
            pycode.models_init_imports,
            pycode.tables_in_creation_order,
            pycode.sample_url,
            initial_migration,
            pycode.ref_class,
            pycode.wrap,
            *api_code.HELPERS,
        ):
            environment.globals[helper.__name__] = helper
        environment.from_string = _compiled_once(environment)  # type: ignore[method-assign]

    def preprocess(
        self, source: str, name: str | None, filename: str | None = None
    ) -> str:
        """Wrap every Python template so its output is ruff-formatted."""
        # Conditional files are named like "{% if ... %}endpoints.py{% endif %}.jinja".
        if name and name.endswith((".py.jinja", ".py{% endif %}.jinja")):
            return "{% filter format_python %}" + source + "{% endfilter %}"
        return source


def format_rendered(source: str) -> str:
    """A rendered Python module, ruff-formatted now or, in a batch, by the worker later."""
    if deferred_formatting is not None and needs_ruff(source):
        deferred_formatting.append(source)
        return source
    return format_python(source)


# Set by fastgen's copier worker (render.FastgenWorker) while it renders: modules that
# need ruff are collected here and formatted with one ruff process after the render.
deferred_formatting: list[str] | None = None


def _compiled_once(environment: Environment) -> Callable[..., Template]:
    """``environment.from_string`` that compiles each source string once.

    copier renders every part of every path (``src``, ``models.py``, ...) and every
    setting through ``from_string``, hundreds of compiles of a few dozen strings per
    render. A template is reusable: globals are looked up when it renders. The
    extensions' ``preprocess`` hooks still run on every call, since copier's yield
    tag resets its state there.
    """
    compile_string = environment.from_string
    compiled: dict[str, Template] = {}

    def from_string(
        source: Any, globals: Any = None, template_class: Any = None
    ) -> Template:
        if (
            globals is not None
            or template_class is not None
            or not isinstance(source, str)
        ):
            return compile_string(source, globals, template_class)
        template = compiled.get(source)
        if template is None:
            template = compiled[source] = compile_string(source)
        else:
            environment.preprocess(source)
        return template

    return from_string


def service_of(spec: Any) -> ServiceModel:
    """The service model of a ``spec`` answer (validated again: answers can be edited)."""
    # Every template asks for it: reuse the last result while copier passes the same
    # answer object, and key the compile cache on content otherwise.
    last = _last_compiled.get("spec")
    if last is not None and last[0] is spec:
        return last[1]
    key = content_key(spec)
    model = _compiled.get(key)
    if model is None:
        # The answer went through YAML once; a round trip through JSON is plain data.
        model = compile_answer(json.loads(key), ".copier-answers.yml")
        remember(spec, model)
    _last_compiled["spec"] = (spec, model)
    return model


def remember(spec: Any, model: ServiceModel) -> None:
    """Use ``model`` for this answer instead of compiling it again.

    ``fastgen new`` has just compiled the input to validate it; for an OpenAPI
    document that compile runs datamodel-code-generator, the largest single cost
    of generating a project (bench/README.md).
    """
    _compiled[content_key(spec)] = model
    while len(_compiled) > _KEEP_COMPILED:
        _compiled.popitem(last=False)


def content_key(spec: Any) -> str:
    # Key order is kept: it is the order of resources, fields and paths.
    return json.dumps(spec, default=str)


_KEEP_COMPILED = 8
_compiled: OrderedDict[str, ServiceModel] = OrderedDict()
_last_compiled: dict[str, tuple[Any, ServiceModel]] = {}


def spec_file_text(spec: Any) -> str:
    """The project's spec file: the ``spec`` answer as YAML, or the user's own file.

    ``fastgen new`` copies the user's file over the rendered one when its content is
    the answer (``own_spec_file``); rendering it as that text spares dumping a large
    OpenAPI document through PyYAML's pure-Python emitter for nothing.
    """
    if own_spec_file is not None and own_spec_file[0] == content_key(spec):
        return project_file_text(spec, own_spec_file[1])
    return project_file_text(spec, to_nice_yaml(spec, sort_keys=False))


# (content key of the answer, text of the file it was read from), set by
# render.new_project while it renders.
own_spec_file: tuple[str, str] | None = None


def spec_differs_from_file(spec: Any, project: Any) -> bool:
    """True when the project's input file says something else than the ``spec`` answer."""
    path = project_spec(Path(str(project)))
    if path is None:
        return False
    on_disk = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.dumps(on_disk, default=str) != json.dumps(spec, default=str)


def schema_changed(spec: Any, project: Any) -> bool:
    """True when the project's migrations do not yet build the spec's schema."""
    return pending_change(Path(str(project)), service_of(spec))
