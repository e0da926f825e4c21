"""The Jinja extension copier loads (``_jinja_extensions`` in copier.yml).

It exposes the service model to templates, so templates only read names and
policies that were computed (and tested) in Python. Copier renders the old and the new
side of an update from their own ``spec`` answers, and both go through this same code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, Template, pass_environment
from jinja2.ext import Extension

from fastgen import __version__
from fastgen.model.convertors import key_convertor, uses_int_key
from fastgen.model.files import project_file_text, project_spec, spec_file_name
from fastgen.model.service import ServiceModel
from fastgen.render import (
    aggregates,
    api_code,
    api_contract,
    bytecode,
    error_code,
    listing,
    module_imports,
    openapi_routes,
    orm,
    pysource,
    routers,
    routes,
    sample_keys,
    schemas,
    security,
    test_rows,
    tests_code,
)
from fastgen.render.formatting import format_python, needs_ruff
from fastgen.render.literals import pyliteral, pystr
from fastgen.render.migrations import initial_migration, pending_change, schema_json
from fastgen.render.session import answer_key
from fastgen.spec import yaml12
from fastgen.spec.compiled import Compiled
from fastgen.spec.inputs import compile_answer

# The functions templates call by name: each writes one kind of generated code line
# from the model (render/), where it is tested. Only the live template calls them:
# an earlier release's template renders through that release's own extension
# (fastgen.releases), as its projects were made.
TEMPLATE_HELPERS: tuple[Callable[..., Any], ...] = (
    orm.db_column_types,
    orm.decimal_aggregates,
    orm.orm_column,
    orm.orm_imports,
    orm.models_init_imports,
    orm.tables_in_creation_order,
    orm.ref_class,
    schemas.schema_field,
    schemas.schema_imports,
    schemas.column_aliases,
    schemas.query_credentials,
    schemas.decimal_bodies,
    schemas.omittable_used,
    schemas.common_imports,
    schemas.enum_alias,
    schemas.endpoint_imports,
    schemas.response_type,
    routers.routers,
    routes.endpoint_router_imports,
    routes.endpoint_responses,
    routes.hook_imports,
    routes.param_annotation,
    routes.job_param_value,
    routes.worker_imports,
    routes.routers_imports,
    routes.conditional_resources,
    routes.json_bodies,
    routes.invalidations_literal,
    aggregates.aggregate_param_type,
    aggregates.aggregate_query,
    aggregates.aggregate_names,
    aggregates.aggregate_expected,
    aggregates.aggregate_extras,
    aggregates.aggregate_test_imports,
    aggregates.aggregate_url,
    aggregates.aggregate_means,
    aggregates.missing_ref,
    tests_code.sample_expr,
    tests_code.missing_key,
    tests_code.missing_url,
    test_rows.conftest_imports,
    test_rows.pk_of,
    test_rows.api_made_tables,
    test_rows.inserts_numbered_keys,
    test_rows.numbered_key,
    sample_keys.key_values,
    sample_keys.unique_limit,
    test_rows.expanded_rows,
    test_rows.cycle_mates,
    test_rows.refers_back,
    test_rows.ref_rows,
    test_rows.uses_short_text,
    test_rows.api_row_payload,
    tests_code.test_imports,
    tests_code.database_test_imports,
    tests_code.health_test_imports,
    tests_code.schema_version_test_imports,
    tests_code.sample_url,
    tests_code.query_past_every_row,
    tests_code.list_test_filter,
    tests_code.list_test_given,
    tests_code.hand_written_policies,
    uses_int_key,
    key_convertor,
    tests_code.list_test_sort,
    tests_code.list_test_lookup,
    tests_code.list_test_fresh_expansion,
    tests_code.if_match_test_field,
    tests_code.list_test_auth,
    tests_code.list_tests_user,
    tests_code.list_test_bad_value,
    tests_code.list_test_quoted,
    tests_code.lists_test_imports,
    tests_code.body_limit_test_imports,
    tests_code.documented_errors,
    openapi_routes.api_hook_imports,
    openapi_routes.paged_tables,
    openapi_routes.typed_list_filters,
    openapi_routes.api_security_imports,
    openapi_routes.api_outgoing_imports,
    openapi_routes.sent_media_types,
    openapi_routes.sent_media_literal,
    openapi_routes.sent_types,
    pysource.all_sorted,
    pysource.tuple_assign,
    pysource.wrap,
    initial_migration,
    api_contract.response_shapes,
    *api_code.HELPERS,
    *error_code.HELPERS,
    *listing.HELPERS,
    *module_imports.HELPERS,
    *security.HELPERS,
)


class _ExactDumper(yaml.Dumper):
    """``to_nice_yaml``'s dumper, but a string holding U+0085 (NEL) is written
    double-quoted, where it is escaped: PyYAML reads a raw NEL in any other style
    back as a line break, so the stored answer would be another spec."""


def _represent_str(dumper: yaml.Dumper, data: str) -> yaml.ScalarNode:
    style = '"' if "\x85" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_ExactDumper.add_representer(str, _represent_str)


def nice_yaml(data: Any, sort_keys: bool = False) -> str:
    """``data`` as copier's ``to_nice_yaml`` writes it (block style, indent 4,
    Unicode as is), read back by PyYAML as the same data."""
    return yaml.dump(
        data,
        Dumper=_ExactDumper,
        indent=4,
        allow_unicode=True,
        default_flow_style=False,
        sort_keys=sort_keys,
    )


class FastgenExtension(Extension):
    # Rendered Python goes through ``format_python`` (see ``preprocess``).
    """Adds ``service(spec)`` and the literal filters ``pystr``, ``pyliteral``, ``jsonstr``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["service"] = service_of
        environment.filters["pystr"] = pystr
        environment.filters["pyliteral"] = pyliteral
        environment.filters["jsonstr"] = json.dumps
        environment.filters["pytuple"] = pysource.pytuple
        environment.filters["format_python"] = format_rendered
        environment.filters["nice_yaml"] = nice_yaml
        environment.globals["fastgen_version"] = __version__
        environment.globals["spec_differs_from_file"] = spec_differs_from_file
        environment.globals["schema_changed"] = schema_changed
        environment.globals["spec_file_name"] = spec_file_name
        environment.globals["spec_file_text"] = spec_file_text
        environment.globals["schema_json"] = schema_json
        for helper in TEMPLATE_HELPERS:
            environment.globals[helper.__name__] = helper
        environment.globals["api_models_module"] = api_models_module
        environment.from_string = _compiled_once(environment)  # type: ignore[method-assign]
        # Per render: fastgen's worker sets the session and the deferred list
        # (render.worker); without them (plain copier) models are compiled here.
        environment.extend(
            fastgen_session=None,
            fastgen_deferred=None,
            fastgen_compiled={},
            fastgen_last=None,
        )

    def preprocess(
        self, source: str, name: str | None, filename: str | None = None
    ) -> str:
        """Wrap every Python template so its output is ruff-formatted."""
        # Conditional files are named like "{% if ... %}endpoints.py{% endif %}.jinja".
        if name and name.endswith((".py.jinja", ".py{% endif %}.jinja")):
            return "{% filter format_python %}" + source + "{% endfilter %}"
        return source


@pass_environment
def format_rendered(environment: Environment, source: str) -> str:
    """A rendered Python module, ruff-formatted now or, in a batch, by the worker later.

    fastgen's copier worker (``render.worker``) sets ``fastgen_deferred`` while it
    renders: modules that need ruff are collected there and formatted with one ruff
    process after the render.
    """
    deferred = environment.fastgen_deferred  # type: ignore[attr-defined]
    if deferred is not None and needs_ruff(source):
        deferred.append(source)
        return source
    return format_python(source)


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
            cached = bytecode.from_string(environment, source)
            template = compiled[source] = cached or compile_string(source)
        else:
            environment.preprocess(source)
        return template

    return from_string


@pass_environment
def service_of(environment: Environment, spec: Any) -> ServiceModel:
    """The service model of a ``spec`` answer.

    The fastgen command that started the render compiled it already and handed it down
    in its session (``render.session``); plain ``copier copy/update`` has no session, so
    the answer is compiled here, once per environment (answers can be edited, so it is
    validated again).
    """
    # Every template asks: the same answer object gets the same model without
    # serialising the answer again.
    last = environment.fastgen_last  # type: ignore[attr-defined]
    if last is not None and last[0] is spec:
        return last[1]
    session = environment.fastgen_session  # type: ignore[attr-defined]
    model = session.model_for(spec) if session is not None else None
    if model is None:
        model = _compiled_here(environment, spec).model
    environment.fastgen_last = (spec, model)  # type: ignore[attr-defined]
    return model


@pass_environment
def api_models_module(environment: Environment, spec: Any) -> str:
    """``api_models.py`` of an OpenAPI ``spec`` answer: the pydantic models module its
    compile wrote beside the service model, from the session like ``service_of``."""
    session = environment.fastgen_session  # type: ignore[attr-defined]
    source = session.models_source_for(spec) if session is not None else None
    if source is None:
        source = _compiled_here(environment, spec).models_source
    assert source is not None, "api_models.py is rendered for OpenAPI answers only"
    return api_code.api_models_module(source)


def _compiled_here(environment: Environment, spec: Any) -> Compiled:
    """A ``spec`` answer compiled in the extension (no session), once per environment."""
    compiled = environment.fastgen_compiled  # type: ignore[attr-defined]
    key = answer_key(spec)
    found = compiled.get(key)
    if found is None:
        # The answer went through YAML once; a round trip through JSON is plain data.
        found = compiled[key] = compile_answer(json.loads(key), ".copier-answers.yml")
    return found


@pass_environment
def spec_file_text(environment: Environment, spec: Any) -> str:
    """The project's spec file: the ``spec`` answer as YAML, or the user's own file.

    ``fastgen new`` copies the user's file over the rendered one when its content is
    the answer (the session's ``own_file``); rendering it as that text spares dumping a
    large OpenAPI document through PyYAML's pure-Python emitter for nothing.
    """
    session = environment.fastgen_session  # type: ignore[attr-defined]
    own = session.own_text(spec) if session is not None else None
    if own is not None:
        return project_file_text(spec, own)
    return project_file_text(spec, nice_yaml(spec))


def spec_differs_from_file(spec: Any, project: Any) -> bool:
    """True when the project's input file says something else than the ``spec`` answer."""
    path = project_spec(Path(str(project)))
    if path is None:
        return False
    on_disk = yaml12.safe_load(path.read_text(encoding="utf-8"))  # as fastgen reads it
    return json.dumps(on_disk, default=str) != json.dumps(spec, default=str)


@pass_environment
def schema_changed(environment: Environment, spec: Any, project: Any) -> bool:
    """True when the project's migrations do not yet build the spec's schema."""
    return pending_change(Path(str(project)), service_of(environment, spec))
