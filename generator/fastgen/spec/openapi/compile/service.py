"""The whole service: tables, security, caching and routes compiled in their order."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from fastgen.model.service import (
    ApiModel,
    ApiOperationModel,
    ApiRouterModel,
    ApiSchemeModel,
    PolicyModel,
    ServiceModel,
)
from fastgen.spec.compiled import Compiled
from fastgen.spec.native.compile import deploy_model, runtime_settings
from fastgen.spec.openapi.compile.caching import (
    Invalidations,
    invalidations,
    operation_policy,
)
from fastgen.spec.openapi.compile.context import Context
from fastgen.spec.openapi.compile.errors import fallback
from fastgen.spec.openapi.compile.operations import operation_model, sent_model
from fastgen.spec.openapi.compile.routers import document_paths, router_models
from fastgen.spec.openapi.compile.security import scheme_model
from fastgen.spec.openapi.compile.table_lists import with_listing
from fastgen.spec.openapi.compile.tables import (
    bound_write_bodies,
    check_column_names,
    check_table_renames,
    resource_model,
    table_models,
)
from fastgen.spec.openapi.description import ApiDescription, Operation
from fastgen.spec.openapi.models import ModelSet
from fastgen.spec.problems import SpecError

DEFAULT_VERSION = "0.1.0"


def service_model(
    api: ApiDescription,
    read_write: bool = False,
    split_ids: frozenset[str] | None = None,
    stored_json: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[Compiled, ModelSet]:
    """The service model of ``api`` with its models module, and the models (which
    schemas they split and whether a guess of those held: see ``compile_api``);
    ``SpecError`` with every problem found."""
    models = ModelSet(
        api.schemas,
        api.openapi_version,
        read_write,
        split_ids,
        guess=split_ids is None,
    )
    ctx = Context(api, models, stored_json=stored_json)
    for resource in api.resources:
        model = resource_model(ctx, resource)
        if model is not None:
            ctx.table_models[resource.name] = model
            bound_write_bodies(ctx, resource, model)
    for resource in api.resources:
        if (model := ctx.table_models.get(resource.name)) is not None:
            ctx.table_models[resource.name] = with_listing(ctx, resource, model)
    check_table_renames(ctx)
    schemes = tuple(scheme_model(s) for s in api.security_schemes)
    names = tuple(s.name for s in schemes)
    ordered = [api.operation(name) for name in api.route_order]
    policies = {
        op.name: policy
        for op in ordered
        if (policy := operation_policy(ctx, op, api.settings.cache, names)) is not None
    }
    clears = invalidations(ctx, policies)
    operations = [
        op_model
        for op in ordered
        if (op_model := operation_model(ctx, op, policies, clears, schemes))
    ]
    routers = router_models(ctx, operations)
    webhooks = [model for op in api.webhooks if (model := sent_model(ctx, op))]
    if ctx.problems:
        raise SpecError(ctx.problems)
    source = ctx.models.generate()
    check_column_names(ctx, source)
    parts = _Parts(schemes, policies, clears, operations, routers, webhooks, ordered)
    return Compiled(_service(ctx, parts), source), ctx.models


@dataclass(frozen=True)
class _Parts:
    """What the compile of the operations produced, for the service model."""

    schemes: tuple[ApiSchemeModel, ...]
    policies: dict[str, PolicyModel]
    clears: Invalidations
    operations: list[ApiOperationModel]
    routers: list[ApiRouterModel]
    webhooks: list[ApiOperationModel]
    ordered: list[Operation]


def _service(ctx: Context, parts: _Parts) -> ServiceModel:
    api = ctx.api
    service = api.settings.service
    package = ctx.package
    title = (service.title if service else None) or api.info.title or package
    description = (
        service.description if service and service.description else ""
    ) or api.info.description
    return ServiceModel(
        package=package,
        title=title,
        version=(
            service.version
            if service and "version" in service.model_fields_set
            else _version(api.info.version)
        ),
        description=description,
        api_version=api.info.version,
        api_info=api.info.extra,
        **runtime_settings(api.settings.database, api.settings.cache, package),
        resources=tuple(ctx.table_models.values()),
        endpoints=(),
        invalidations=parts.clears,
        api=_api_model(ctx, parts),
        deploy=deploy_model(api.settings.deploy),
    )


def _api_model(ctx: Context, parts: _Parts) -> ApiModel:
    return ApiModel(
        routers=tuple(parts.routers),
        schemes=parts.schemes,
        requirements=tuple(ctx.requirements.values()),
        policies=tuple(parts.policies.values()),
        tables=table_models(ctx, parts.operations),
        convertors=tuple((name, regex) for regex, name in ctx.patterns.items()),
        webhooks=tuple(parts.webhooks),
        fastapi_minimum=ctx.fastapi_minimum,
        model_warnings=ctx.models.warnings,
        document_paths=document_paths(parts.ordered),
        callbacks=tuple(ctx.callbacks),
        error_shapes=tuple(ctx.error_shapes.values()),
        error_fallback=fallback([op.errors for op in parts.operations]),
        error_warnings=tuple(ctx.error_warnings),
        written_components=tuple(sorted(ctx.written_components.items())),
    )


def _version(text: str) -> str:
    """``info.version`` when it is a PEP 440 version as written (a package version must
    be; ``2024-01`` would silently become ``2024.post1``), else 0.1.0."""
    try:
        return text if str(Version(text)) == text else DEFAULT_VERSION
    except InvalidVersion:
        return DEFAULT_VERSION
