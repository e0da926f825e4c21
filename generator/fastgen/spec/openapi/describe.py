"""From a bundled OpenAPI document to its checked, typed ``ApiDescription``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastgen.spec.openapi.annotations import (
    ROOT_KEY,
    FastgenAnnotation,
    validate_annotation,
)
from fastgen.spec.openapi.bundle import load_openapi
from fastgen.spec.openapi.caching import with_cache_policies
from fastgen.spec.openapi.description import ApiDescription, Info, Operation, Tag
from fastgen.spec.openapi.discriminators import tag_variants
from fastgen.spec.openapi.operations import (
    Site,
    build_operation,
    check_operation_ids,
    operation_names,
    operation_sites,
    webhook_sites,
)
from fastgen.spec.openapi.placement import check_placement
from fastgen.spec.openapi.refs import Resolver
from fastgen.spec.openapi.report import Report
from fastgen.spec.openapi.resources import resources
from fastgen.spec.openapi.routes import check_routes, route_order
from fastgen.spec.openapi.schema_lint import normalise_schemas
from fastgen.spec.openapi.security import Security
from fastgen.spec.openapi.sourcemap import SourceMap
from fastgen.spec.openapi.version import openapi_version


def read_openapi(path: Path) -> ApiDescription:
    """Load, bundle and describe an OpenAPI document; ``SpecError`` lists every problem."""
    document, source_map = load_openapi(path)
    return describe_api(document, source_map)


def describe_api(document: dict[str, Any], source_map: SourceMap) -> ApiDescription:
    """The checked description of a bundled document (see ``load_openapi``)."""
    version = openapi_version(document, source_map)
    report = Report(source_map)
    document = normalise_schemas(document, version, report)
    tag_variants(document, report)
    resolver = Resolver(document, report)
    settings = FastgenAnnotation()
    if ROOT_KEY in document:
        settings = (
            validate_annotation(
                FastgenAnnotation, document[ROOT_KEY], (), ROOT_KEY, report
            )
            or settings
        )
    security = Security(document, resolver)
    sites = operation_sites(document, resolver)
    hooks = webhook_sites(document, resolver)
    _check_served(document, sites, hooks, report)
    check_placement(document, {site.loc for site in sites}, report)
    check_operation_ids(sites, resolver)
    built = [
        (site, op)
        for site, name in zip(sites, operation_names(sites), strict=True)
        if (op := build_operation(site, name, security, resolver)) is not None
    ]
    webhooks = [
        op
        for site, name in zip(hooks, operation_names(hooks), strict=True)
        if (op := build_operation(site, name, security, resolver, sent=True))
    ]
    operations = with_cache_policies(
        [site for site, _ in built], [op for _, op in built], report
    )
    schemas = _schemas(document)
    check_routes(operations, schemas, report)
    found_resources = resources(document, operations, resolver)
    schemes = security.declared()
    report.raise_if_errors()
    return ApiDescription(
        openapi_version=version,
        info=_info(document),
        settings=settings,
        base_path=_base_path(document),
        tags=_tags(document, operations),
        operations=tuple(operations),
        route_order=route_order(operations, schemas),
        security_schemes=schemes,
        schemas=schemas,
        resources=found_resources,
        warnings=report.sorted_warnings(),
        webhooks=tuple(webhooks),
    )


def _check_served(
    document: dict[str, Any], sites: list[Site], hooks: list[Site], report: Report
) -> None:
    """A service needs operations to serve or webhooks to publish.

    Without either because of an error already reported, that error says it all.
    """
    if sites or hooks or report.errors:
        return
    where = ("paths",) if "paths" in document else ()
    report.error(
        where,
        "the document has no operations under paths or webhooks: nothing to generate",
        key=bool(where),
    )


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    return schemas if isinstance(schemas, dict) else {}


def _info(document: dict[str, Any]) -> Info:
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    return Info(
        title=str(info.get("title") or ""),
        version=str(info.get("version") or ""),
        description=str(info.get("description") or ""),
        extra=tuple(
            (argument, json.dumps(info[key], sort_keys=True))
            for key, argument in _INFO_ARGUMENTS.items()
            if info.get(key)
        ),
    )


# The info fields FastAPI publishes besides title, version and description.
_INFO_ARGUMENTS = {
    "summary": "summary",
    "termsOfService": "terms_of_service",
    "contact": "contact",
    "license": "license_info",
}


def _base_path(document: dict[str, Any]) -> str:
    """The path of the first server URL, its variables replaced by their defaults."""
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    server = servers[0]
    url = str(server.get("url") or "")
    variables = (
        server.get("variables") if isinstance(server.get("variables"), dict) else {}
    )
    for name, variable in variables.items():
        if isinstance(variable, dict) and "default" in variable:
            url = url.replace("{" + str(name) + "}", str(variable["default"]))
    path = urlsplit(url).path if "://" in url else url
    path = path.rstrip("/")
    return path if path.startswith("/") and not re.search(r"[{}]", path) else ""


def _tags(document: dict[str, Any], operations: list[Operation]) -> tuple[Tag, ...]:
    """Declared tags in document order, then tags operations use without declaring."""
    tags: dict[str, str] = {}
    for tag in document.get("tags") or []:
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            tags.setdefault(tag["name"], str(tag.get("description") or ""))
    for op in operations:
        for name in op.tags:
            tags.setdefault(name, "")
    return tuple(Tag(name, description) for name, description in tags.items())
