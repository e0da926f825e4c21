"""Compile an ``ApiDescription`` into the one ``ServiceModel`` the templates render.

The OpenAPI document decides the HTTP surface: every operation becomes a route with its
own parameters, body, status codes and response models (datamodel-code-generator writes
the models, see ``models.py``), grouped into one router per tag. What runs behind a
route is either the generated repository (operations of an ``x-fastgen-resource``) or a
typed stub in ``hooks/operations/`` that the user owns. Cache policies, invalidation and
settings reuse the native spec's compile, so the cache layer cannot tell them apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from packaging.version import InvalidVersion, Version

from fastgen.errors import FastgenError
from fastgen.model.naming import (
    CLASS_BODY_NAMES,
    default_service_name,
    python_identifier,
    python_name,
)
from fastgen.model.service import (
    FASTAPI_MINIMUM,
    ApiCallbacksModel,
    ApiModel,
    ApiOperationModel,
    ApiParamModel,
    ApiRequirementModel,
    ApiRouterModel,
    ApiSchemeModel,
    ApiTableModel,
    FieldModel,
    PolicyModel,
    ResourceModel,
    ServiceModel,
)
from fastgen.render.literals import pyliteral, pystr
from fastgen.spec.native.compile import field_model, policy_model, runtime_settings
from fastgen.spec.native.model import FieldSpec
from fastgen.spec.openapi.description import (
    ApiDescription,
    InlineSchema,
    MediaType,
    Operation,
    Parameter,
    Resource,
    Schema,
    SchemaRef,
    SecurityScheme,
)
from fastgen.spec.openapi.models import (
    REQUEST,
    RESPONSE,
    SCALARS,
    ModelSet,
    class_name,
    field_attributes,
    marks_read_write,
)
from fastgen.spec.openapi.routes import CATCH_ALL, _precedes, _rank
from fastgen.spec.openapi.sourcemap import Source
from fastgen.spec.problems import Problem, SpecError

DEFAULT_VERSION = "0.1.0"
QUERY_MODELS = "0.159"  # a model among other query parameters
FORM_UNIONS = "0.160"  # a form body that is a union of models
CONSTRAINTS = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minItems": "min_length",
    "maxItems": "max_length",
}
INTEGER_BOUNDS = {"int32": 2**31, "int64": 2**63}
MARKERS = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}
METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"}
# Integer query parameters a list reads as pagination (Python names), as the corpus
# documents spell them: limit/offset, page/per_page (billingo), page/limit (museum).
LIMIT_NAMES = ("limit", "page_size", "per_page")
OFFSET_NAMES = ("offset", "skip")
PAGE_NAMES = ("page", "page_number")
_TEXT = {"string", "text", "enum"}
# Column type -> the kinds of query parameter an equality filter may compare it with
# (a datetime is left to the user: equal instants rarely mean what a filter means).
FILTER_KINDS = {
    "string": _TEXT,
    "text": _TEXT,
    "enum": _TEXT,
    "integer": {"integer"},
    "float": {"float", "integer"},
    "boolean": {"boolean"},
    "date": {"date"},
    "uuid": {"uuid"},
}


def compile_api(api: ApiDescription) -> ServiceModel:
    """The service model of a checked OpenAPI description; ``SpecError`` if it can't be.

    Which schemas datamodel-code-generator splits into request and response models
    (for a document that marks properties readOnly or writeOnly) is known once it
    has run: the compile then runs again knowing them. Its models are the same
    unless a name kept free for a variant no schema needed is now given back.
    """
    read_write = _marks_read_write(api)
    first = _Compiler(api, read_write)
    model = first.run()
    if not read_write:
        return model
    return _Compiler(api, read_write, first.models.split_ids).run()


def _marks_read_write(api: ApiDescription) -> bool:
    """Whether a schema the models come from marks properties readOnly/writeOnly."""
    operations = [*api.operations, *api.webhooks]
    operations += [c.operation for op in operations for c in op.callbacks]
    inline = [
        media.schema.schema
        for op in operations
        for part in (op.request_body, *op.responses)
        if part is not None
        for media in part.content
        if isinstance(media.schema, InlineSchema)
    ]
    inline += [
        p.schema.schema
        for op in operations
        for p in op.parameters
        if isinstance(p.schema, InlineSchema)
    ]
    return marks_read_write(dict(api.schemas)) or marks_read_write(inline)


@dataclass
class _Types:
    """Python annotations of schemas, with the imports they need."""

    models: ModelSet
    schemas: Mapping[str, Any]
    imports: set[tuple[str, str | None]] = field(default_factory=set)

    def of(
        self,
        schema: Any,
        *,
        hoist: str | None = None,
        depth: int = 0,
        role: str | None = None,
    ) -> str | None:
        """The annotation of ``schema``; None when only a model class could hold it.

        With ``depth`` > 0 (parameters), references are followed instead of naming a
        model: FastAPI reads a model-typed query parameter as a set of parameters.
        ``role`` (REQUEST or RESPONSE) picks that variant of a split model.
        """
        if schema is None or schema == {}:
            self.imports.add(("typing", "Any"))
            return "Any"
        if not isinstance(schema, dict):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str) and depth:
            target_schema = _pointer(self.schemas, ref)
            return self.of(target_schema, depth=depth + 1) if depth < 8 else None
        if isinstance(ref, str):
            target = self.models.ref_class(ref)
            if target is None:  # a pointer into a component: use what it points at
                pointed = _pointer(self.schemas, ref)
                if pointed is None:
                    return None
                return self.of(pointed, hoist=hoist, role=role)
            self.imports.add((_PKG, "api_models"))
            return f"api_models.{self.models.variant(target, role)}"
        kinds = schema.get("type")
        nullable = bool(schema.get("nullable"))
        if isinstance(kinds, list):
            nullable = nullable or "null" in kinds
            kinds = [k for k in kinds if k != "null"]
            kinds = kinds[0] if len(kinds) == 1 else None
        inner = self._plain(schema, kinds, depth, role)
        if inner is None and hoist is not None:
            self.imports.add((_PKG, "api_models"))
            hoisted = self.models.hoist(hoist, schema)
            return f"api_models.{self.models.variant(hoisted, role)}"
        if inner is None:
            return None
        return f"{inner} | None" if nullable and inner not in ("Any", "None") else inner

    def _plain(
        self, schema: dict[str, Any], kind: Any, depth: int, role: str | None
    ) -> str | None:
        variants = schema.get("oneOf") or schema.get("anyOf")
        if depth and isinstance(variants, list) and not schema.get("discriminator"):
            # A parameter may be one of several scalars: int | str.
            types = [self.of(v, depth=depth) for v in variants]
            if None in types:
                return None
            unique = list(dict.fromkeys(t for t in types if t))
            return " | ".join(unique) if unique else None
        if any(k in schema for k in ("allOf", "oneOf", "anyOf", "not", "properties")):
            return None
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            values = [v for v in enum if v is not None]
            if not values:
                return "None"
            if depth and all(isinstance(v, bool) for v in values):
                return "bool"  # a parameter is text: "true" must become True
            if all(isinstance(v, str | int | bool) for v in values):
                self.imports.add(("typing", "Literal"))
                literal = f"Literal[{', '.join(pyliteral(v) for v in values)}]"
                if depth and all(type(v) is int for v in values):
                    # A parameter is text, and a Literal of ints does not match
                    # "1": convert first, so a valid value is one.
                    self.imports.add(("pydantic", "BeforeValidator"))
                    return f"Annotated[{literal}, BeforeValidator(int)]"
                return literal
            return None
        if kind == "array":
            items = self.of(schema.get("items", {}), depth=depth, role=role)
            return f"list[{items}]" if items else None
        if kind == "object":
            extra = schema.get("additionalProperties")
            if extra in (None, True, {}):
                self.imports.add(("typing", "Any"))
                return "dict[str, Any]"
            value = (
                self.of(extra, depth=depth, role=role)
                if isinstance(extra, dict)
                else None
            )
            return f"dict[str, {value}]" if value else None
        if not isinstance(kind, str):
            return None
        fmt = schema.get("format")
        py_type, module = (
            SCALARS.get((kind, fmt))
            or SCALARS.get((kind, None))
            or (
                None,
                None,
            )
        )
        if module is not None:
            self.imports.add((module[0], module[1] or None))
        return py_type


# Replaced by the package name when imports are rendered.
_PKG = "{package}"


class _Compiler:
    def __init__(
        self,
        api: ApiDescription,
        read_write: bool = False,
        split_ids: frozenset[str] | None = None,
    ) -> None:
        self.api = api
        self.problems: list[Problem] = []
        self.models = ModelSet(api.schemas, api.openapi_version, read_write, split_ids)
        self.resources_by_op: dict[str, tuple[Resource, str]] = {
            op_name: (resource, crud)
            for resource in api.resources
            for crud, op_name in resource.operations
        }
        self.table_models: dict[str, ResourceModel] = {}
        self.requirements: dict[str, ApiRequirementModel] = {}
        self.patterns: dict[str, str] = {}  # regex -> convertor name
        self.callbacks: list[ApiCallbacksModel] = []
        self.fastapi_minimum = FASTAPI_MINIMUM  # raised by the features routes use

    def error(self, source: Source, message: str) -> None:
        self.problems.append(
            Problem(
                source.file, source.line, source.column, f"{source.pointer}: {message}"
            )
        )

    # -- the whole service ---------------------------------------------------------

    def run(self) -> ServiceModel:
        api = self.api
        service = api.settings.service
        package = service.name if service else default_service_name(api.info.title)
        version = service.version if service else _version(api.info.version)
        defaults = api.settings.cache
        for resource in api.resources:
            model = self._resource(resource)
            if model is not None:
                self.table_models[resource.name] = model
        schemes = tuple(self._scheme(s) for s in api.security_schemes)
        ordered = [api.operation(name) for name in api.route_order]
        policies = {
            op.name: policy
            for op in ordered
            if (policy := self._policy(op, defaults)) is not None
        }
        invalidations = self._invalidations(policies)
        operations = [
            op_model
            for op in ordered
            if (op_model := self._operation(op, policies, invalidations, schemes))
        ]
        routers = self._routers(operations)
        webhooks = [model for op in api.webhooks if (model := self._sent(op))]
        if self.problems:
            raise SpecError(self.problems)
        source = self.models.generate()
        self._check_column_names(source)
        title = (service.title if service else None) or api.info.title or package
        description = (
            service.description if service and service.description else ""
        ) or api.info.description
        settings = api.settings
        return ServiceModel(
            package=package,
            title=title,
            version=version,
            description=description,
            **runtime_settings(settings.database, defaults, package),
            resources=tuple(self.table_models.values()),
            endpoints=(),
            invalidations=invalidations,
            api=ApiModel(
                models_source=source.replace("{package}", package),
                routers=tuple(_fill_package(router, package) for router in routers),
                schemes=schemes,
                requirements=tuple(self.requirements.values()),
                policies=tuple(policies.values()),
                tables=self._tables(operations),
                convertors=tuple(
                    (name, regex) for regex, name in self.patterns.items()
                ),
                webhooks=tuple(_fill_operation(op, package) for op in webhooks),
                fastapi_minimum=self.fastapi_minimum,
                model_warnings=self.models.warnings,
                document_paths=_document_paths(ordered),
                callbacks=tuple(
                    ApiCallbacksModel(
                        group.var,
                        group.path,
                        group.method,
                        tuple(
                            (name, _fill_operation(op, package))
                            for name, op in group.callbacks
                        ),
                    )
                    for group in self.callbacks
                ),
            ),
        )

    def _tables(self, operations: list[ApiOperationModel]) -> tuple[ApiTableModel, ...]:
        by_name = {op.name: op for op in operations}
        tables = []
        for resource in self.api.resources:
            crud = {kind: by_name.get(name) for kind, name in resource.operations}
            tables.append(
                ApiTableModel(
                    resource=resource.annotation.table or resource.name,
                    pk=resource.annotation.id,
                    list=crud.get("list"),
                    get=crud.get("get"),
                    create=crud.get("create"),
                    update=crud.get("update"),
                    delete=crud.get("delete"),
                )
            )
        return tuple(tables)

    # -- tables ---------------------------------------------------------------------

    def _resource(self, resource: Resource) -> ResourceModel | None:
        properties, required = self._object(self.api.schemas[resource.schema], set())
        table = resource.annotation.table or resource.name
        id_name = resource.annotation.id
        fields: list[FieldModel] = []
        pk: FieldModel | None = None
        taken = set(properties)
        for name, schema in properties.items():
            spec = self._column(schema, name == id_name, name in required)
            attr = _column_attr(name, taken)
            if attr != name:
                given = self.models.aliases.setdefault(name, attr)
                if given != attr:
                    self.error(
                        resource.source,
                        f"property {name!r} of table {table!r} would be the "
                        f"attribute {attr!r}, but another table's property of the "
                        f"same name is {given!r}; the API models name a property "
                        "once for the whole document: rename one of the properties",
                    )
                    return None
            model = replace(field_model(table, name, spec, {}), attr=attr)
            if name == id_name:
                pk = model
            else:
                fields.append(model)
        if pk is None:
            return None
        id_param = _item_param(resource, self.api) or id_name
        return ResourceModel(
            name=table,
            class_name=class_name(table),
            table=table,
            path=resource.annotation.path,
            id_param=id_param,
            pk=pk,
            fields=tuple(fields),
            operations=tuple(crud for crud, _ in resource.operations),
            policies={},
            enums=tuple(f for f in fields if f.enum_alias),
        )

    def _check_column_names(self, source: str) -> None:
        """Each table's ORM attributes are its API models' fields (rows and models
        convert by attribute): datamodel-code-generator took the names it was given."""
        for resource in self.api.resources:
            model = self.table_models.get(resource.name)
            if model is None:
                continue
            row_class = self.models.variant(
                self.models.names[resource.schema], RESPONSE
            )
            given = field_attributes(source, row_class)
            for column in (model.pk, *model.fields):
                if given.get(column.name, column.name) != column.attr:
                    raise FastgenError(
                        f"datamodel-code-generator named property {column.name!r} of "
                        f"{row_class} {given.get(column.name)!r}, not {column.attr!r}"
                    )

    def _object(self, schema: Any, seen: set[str]) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of an object schema, through allOf/$ref."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            key = (
                schema["$ref"].rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            )
            if key in seen or key not in self.api.schemas:
                return {}, set()
            return self._object(self.api.schemas[key], seen | {key})
        if not isinstance(schema, dict):
            return {}, set()
        properties = dict(schema.get("properties") or {})
        required = set(schema.get("required") or [])
        for part in schema.get("allOf") or []:
            more, more_required = self._object(part, seen)
            properties = {**more, **properties}
            required |= more_required
        return properties, required

    def _column(self, schema: Any, primary: bool, required: bool) -> FieldSpec:
        resolved = schema
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            key = schema["$ref"].rsplit("/", 1)[-1]
            resolved = self.api.schemas.get(key, {})
        if not isinstance(resolved, dict):
            resolved = {}
        kind = resolved.get("type")
        nullable = bool(resolved.get("nullable"))
        if isinstance(kind, list):
            nullable = nullable or "null" in kind
            rest = [k for k in kind if k != "null"]
            kind = rest[0] if len(rest) == 1 else None
        fmt = resolved.get("format")
        enum = resolved.get("enum")
        max_length = None
        if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
            ftype = "enum"
        elif kind == "string":
            ftype = {"date-time": "datetime", "date": "date", "uuid": "uuid"}.get(
                fmt or "", "string"
            )
            if ftype == "string":
                length = resolved.get("maxLength")
                max_length = length if isinstance(length, int) and length > 0 else None
                if max_length is None and not primary:
                    ftype = "text"
        elif kind == "integer":
            ftype = "integer"
        elif kind == "number":
            ftype = "float"
        elif kind == "boolean":
            ftype = "boolean"
        else:
            ftype = "json"
        return FieldSpec(
            type=ftype,  # type: ignore[arg-type]
            required=primary or (required and not nullable),
            primary_key=primary,
            max_length=max_length,
            values=[str(v) for v in enum] if ftype == "enum" else None,
        )

    # -- security -------------------------------------------------------------------

    def _scheme(self, scheme: SecurityScheme) -> ApiSchemeModel:
        var = python_identifier(scheme.name, prefix="scheme")
        name = pystr(scheme.name)
        description = pystr(scheme.description) if scheme.description else None
        extra = f", description={description}" if description else ""
        if scheme.kind == "http_basic":
            factory = f"HTTPBasic(scheme_name={name}, auto_error=False{extra})"
            annotation, source = (
                "HTTPBasicCredentials | None",
                ("header", "authorization"),
            )
        elif scheme.kind == "api_key":
            where = {"header": "Header", "query": "Query", "cookie": "Cookie"}[
                scheme.location or "header"
            ]
            factory = (
                f"APIKey{where}(name={pystr(scheme.parameter_name or '')}, "
                f"scheme_name={name}, auto_error=False{extra})"
            )
            annotation = "str | None"
            source = (scheme.location or "header", scheme.parameter_name or "")
        else:
            bearer = (
                f", bearerFormat={pystr(scheme.bearer_format)}"
                if scheme.bearer_format
                else ""
            )
            factory = f"HTTPBearer(scheme_name={name}, auto_error=False{extra}{bearer})"
            annotation = "HTTPAuthorizationCredentials | None"
            source = ("header", "authorization")
        return ApiSchemeModel(
            name=scheme.name,
            var=var,
            factory=factory,
            annotation=annotation,
            location=source[0],
            parameter=source[1].lower() if source[0] == "header" else source[1],
        )

    def _requirement(
        self, op: Operation, schemes: tuple[ApiSchemeModel, ...]
    ) -> ApiRequirementModel | None:
        """The dependency that enforces an operation's security requirements."""
        if not op.security:
            return None
        by_name = {s.name: s for s in schemes}
        alternatives = []
        used: list[str] = []
        for requirement in op.security:
            names = [by_name[n].var for n, _ in requirement.schemes if n in by_name]
            if not names:
                return None  # anonymous access is one of the alternatives
            alternatives.append(names)
            used += [n for n in names if n not in used]
        function = "require_" + "_or_".join("_and_".join(a) for a in alternatives)
        condition = " or ".join(
            " and ".join(f"{n} is not None" for n in a) for a in alternatives
        )
        by_var = {s.var: s for s in schemes}
        described = " or ".join(" and ".join(a) for a in alternatives)
        requirement = ApiRequirementModel(
            function=function,
            schemes=tuple(by_var[v] for v in used),
            condition=condition,
            description=f"401 unless the request carries {described}.",
        )
        self.requirements.setdefault(function, requirement)
        return requirement

    # -- caching --------------------------------------------------------------------

    def _policy(self, op: Operation, defaults: Any) -> PolicyModel | None:
        if op.cache is None:
            return None
        id_param = None
        owner = self.resources_by_op.get(op.name)
        if owner and owner[1] == "get":
            id_param = _path_param(op)
        policy = policy_model(op.name, op.route, op.cache, defaults, id_param)
        # The key holds the path and the query; a header or cookie parameter selects
        # the response too, so it varies the key (a cookie as the whole Cookie header).
        selecting = {
            "cookie" if p.location == "cookie" else p.name.lower()
            for p in op.parameters
            if p.location in ("header", "cookie")
        }
        if policy is None or selecting <= set(policy.vary):
            return policy
        return replace(policy, vary=tuple(sorted(selecting | set(policy.vary))))

    def _invalidations(
        self, policies: dict[str, PolicyModel]
    ) -> dict[str, tuple[tuple[str, bool], ...]]:
        """Writes on a resource clear its cached reads; ``invalidated_by`` adds more."""
        table: dict[str, set[tuple[str, bool]]] = {}
        by_operation_id = {
            op.operation_id or op.name: op.name for op in self.api.operations
        }
        for resource in self.api.resources:
            crud = dict(resource.operations)
            reads = [(crud.get("list"), False), (crud.get("get"), True)]
            for op_kind in ("create", "update", "delete"):
                write = crud.get(op_kind)
                if write is None:
                    continue
                targets = table.setdefault(write, set())
                for read, by_id in reads:
                    if read in policies and not (op_kind == "create" and by_id):
                        targets.add((read, by_id))
        for name, policy in policies.items():
            cache = self.api.operation(name).cache
            for write in cache.invalidated_by if cache else []:
                writer = by_operation_id.get(write, write)
                table.setdefault(writer, set()).add((policy.name, False))
        return {
            write: tuple(sorted(targets))
            for write, targets in sorted(table.items())
            if targets
        }

    # -- operations -----------------------------------------------------------------

    def _operation(
        self,
        op: Operation,
        policies: dict[str, PolicyModel],
        invalidations: dict[str, tuple[tuple[str, bool], ...]],
        schemes: tuple[ApiSchemeModel, ...],
    ) -> ApiOperationModel | None:
        types = _Types(self.models, self.api.schemas)
        if op.method not in METHODS:
            self.error(op.source, f"{op.method} operations are not supported")
            return None
        params = [p for p in (self._param(op, p, types) for p in op.parameters) if p]
        if len(params) != len(op.parameters):
            return None
        body = self._body(op, types)
        if body is False:
            return None
        status, success, others = self._responses(op, types)
        if status is None:
            return None
        owner = self.resources_by_op.get(op.name)
        crud = None
        if owner is not None:
            crud = self._check_crud(op, owner, success, body)
            if crud is None:
                return None
        requirement = self._requirement(op, schemes)
        served = _served_path(op, self._convertors(op))
        decorator = [
            pystr(served),
            *self._route_options(op, status, success, others, types),
        ]
        if requirement:
            types.imports.add(("fastapi", "Depends"))
            types.imports.add((f"{_PKG}.security", requirement.function))
            decorator.append(f"dependencies=[Depends({requirement.function})]")
        if op.callbacks:
            group = self._callbacks(op, served)
            if group is None:
                return None
            types.imports.add((f"{_PKG}.outgoing", group))
            decorator.append(f"callbacks={group}.routes")
        invalidates = op.name in invalidations
        arguments = [*params] + ([body] if isinstance(body, ApiParamModel) else [])
        hook_fills = self._hook_fills(owner[0]) if owner and crud == "create" else ()
        if hook_fills:
            types.imports.add(("fastapi", "HTTPException"))
        listing = self._list_query(op, params, owner[0] if crud == "list" else None)
        table = self.table_models.get(owner[0].name) if owner else None
        row_attrs = (
            {f.name: f.attr for f in (table.pk, *table.fields) if f.aliased}
            if table
            else {}
        )
        testable = not requirement or self._credential_header(op, schemes)
        return ApiOperationModel(
            name=op.name,
            method=op.method.lower(),
            route=served,
            router=self._router_name(op),
            tag=op.tags[0] if op.tags else "",
            docstring=_docstring(op),
            decorator=tuple(decorator),
            params=tuple(arguments),
            returns=success.annotation,
            status=int(status) if status.isdigit() else 200,
            stub_returns=success.annotation,
            crud=crud,
            resource=owner[0].annotation.table or owner[0].name if owner else None,
            row_class=class_name(owner[0].annotation.table or owner[0].name)
            if owner
            else None,
            pk_name=row_attrs.get(owner[0].annotation.id, owner[0].annotation.id)
            if owner
            else None,
            id_param=_path_param(op) if owner else None,
            **asdict(listing),
            policy=policies.get(op.name),
            invalidates=invalidates,
            imports=tuple(sorted(types.imports, key=str)),
            sample=self._sample_request(op) if testable else None,
            refine_sample=self._refine_sample(op, listing.refined)
            if testable and listing.refined
            else None,
            requirement_header=self._credential_header(op, schemes)
            if requirement
            else None,
            hook_fills=hook_fills,
            row_attrs=row_attrs,
        )

    def _hook_fills(self, resource: Resource) -> tuple[str, ...]:
        """The required readOnly columns of a table besides its id: no request sends
        them and every response must carry them, so the resource's before_create
        hook fills them (the database numbers the id)."""
        properties, required = self._object(self.api.schemas[resource.schema], set())
        return tuple(
            name
            for name, schema in properties.items()
            if name in required
            and name != resource.annotation.id
            and _read_only(schema)
        )

    def _callbacks(self, op: Operation, served: str) -> str | None:
        """The router in ``outgoing.py`` whose routes are ``op``'s callbacks."""
        sent = [(c.name, self._sent(c.operation, c.name)) for c in op.callbacks]
        callbacks = tuple((name, model) for name, model in sent if model is not None)
        if len(callbacks) != len(sent):
            return None
        var = f"{op.name}_callbacks"
        path = re.sub(r"\{([^{}:]+):[^{}]+\}", r"{\1}", served)
        self.callbacks.append(
            ApiCallbacksModel(var, path, op.method.lower(), callbacks)
        )
        return var

    def _sent(
        self, op: Operation, callback: str | None = None
    ) -> ApiOperationModel | None:
        """A webhook or callback (a request the service sends) as a FastAPI route that
        is never served: only its signature, published in the app's OpenAPI, counts.

        The service owns what it sends, so readOnly and writeOnly swap roles (as
        Redoc, RapiDoc and Swagger UI read them): the body is a response model, with
        the readOnly properties, and the subscriber's answer a request model.
        """
        types = _Types(self.models, self.api.schemas)
        if op.method not in METHODS:
            self.error(op.source, f"{op.method} operations are not supported")
            return None
        params = [p for p in (self._param(op, p, types) for p in op.parameters) if p]
        body = self._body(op, types, RESPONSE)
        status, success, others = self._responses(op, types, REQUEST)
        if len(params) != len(op.parameters) or body is False or status is None:
            return None
        decorator = [pystr(op.path)]
        if callback is not None:
            decorator.append(f"name={pystr(callback)}")  # FastAPI's callback key
        decorator += self._route_options(
            op, status, success, others, types, response_model=True
        )
        return ApiOperationModel(
            name=op.name,
            method=op.method.lower(),
            route=op.path,
            router="outgoing",
            tag="",
            docstring=_docstring(op),
            decorator=tuple(decorator),
            params=(*params, *([body] if isinstance(body, ApiParamModel) else [])),
            returns="None",
            status=int(status) if status.isdigit() else 200,
            stub_returns="None",
            crud=None,
            resource=None,
            row_class=None,
            pk_name=None,
            id_param=None,
            **asdict(_ListQuery()),
            policy=None,
            invalidates=False,
            imports=tuple(sorted(types.imports, key=str)),
            sample=None,
            refine_sample=None,
            requirement_header=None,
        )

    def _route_options(
        self,
        op: Operation,
        status: str,
        success: _Success,
        others: list[tuple[str, str, str | None, MediaType | None]],
        types: _Types,
        *,
        response_model: bool = False,
    ) -> list[str]:
        """The route decorator's keywords that publish ``op``'s id, responses and
        documentation; a route that is never served declares its response model,
        since it has no return annotation."""
        options = []
        if op.operation_id:
            options.append(f"operation_id={pystr(op.operation_id)}")
        if status != "200":
            options.append(f"status_code={status}")
        if success.response_class:
            types.imports.add(("fastapi", "Response"))
            options.append("response_class=Response")
        elif response_model and success.annotation != "None":
            options.append(f"response_model={success.annotation}")
        responses = self._responses_literal(op, status, others)
        if responses:
            options.append(f"responses={responses}")
        if op.summary:
            options.append(f"summary={pystr(op.summary)}")
        if op.deprecated:
            options.append("deprecated=True")
        return options

    def _convertors(self, op: Operation) -> dict[str, str]:
        """Starlette convertors for the path parameters whose pattern routes them.

        A catch-all pattern (``.+``) matches slashes too, as the ``path`` convertor
        does. Of two same-shape routes (the description allows them when exactly one
        is constrained by a pattern), the constrained one must not match other values,
        or it would answer 422 where the other route should answer: its parameters get
        a convertor made from their pattern (registered in ``convertors.py``).
        """
        shape = _SHAPE.sub("{}", op.path)
        siblings = [
            other
            for other in self.api.operations
            if other is not op
            and other.method == op.method
            and _SHAPE.sub("{}", other.path) == shape
        ]
        found = {}
        for param in op.parameters:
            schema = self._resolve(self._deref(param.schema))
            pattern = schema.get("pattern") if isinstance(schema, dict) else None
            if param.location != "path" or not isinstance(pattern, str):
                continue
            if pattern in CATCH_ALL and pattern.replace("^", "").startswith(
                (".", "(.")
            ):
                found[param.name] = "path"
            elif siblings and pattern not in CATCH_ALL:
                regex = pattern.removeprefix("^").removesuffix("$")
                name = self.patterns.setdefault(
                    regex, f"pattern_{len(self.patterns) + 1}"
                )
                found[param.name] = name
        return found

    def _list_query(
        self, op: Operation, params: list[ApiParamModel], resource: Resource | None
    ) -> _ListQuery:
        """How a table-backed list applies its parameters (nothing for other operations).

        Pagination by its usual names, equality (or, for an array, IN) filters for
        parameters named like a column of the same kind; every other parameter is
        the user's, passed to ``refine`` in ``hooks/operations/`` so none is dropped.
        """
        if resource is None:
            return _ListQuery()
        limit = _named(params, LIMIT_NAMES)
        offset = _named(params, OFFSET_NAMES)
        page = _named(params, PAGE_NAMES) if limit and not offset else None
        kinds = self._column_kinds(resource)
        filters, any_filters, refined = [], [], []
        for param, model in zip(op.parameters, params, strict=True):
            if model.name in (limit, offset, page):
                continue
            kind = self._filter_kind(param)
            # the property's name, or the parameter's Python name (page-size: page_size)
            column = kinds.get(param.name) or kinds.get(model.name)
            if param.location == "query" and kind and column and kind in column[1]:
                is_list = model.py_type.startswith("list[")
                (any_filters if is_list else filters).append((column[0], model.name))
            else:
                refined.append(model.name)
        return _ListQuery(
            limit, offset, page, tuple(filters), tuple(any_filters), tuple(refined)
        )

    def _column_kinds(self, resource: Resource) -> dict[str, tuple[str, set[str]]]:
        """Each column's name: its attribute, and the kinds of parameter it can be
        compared with."""
        model = self.table_models.get(resource.name)
        if model is None:
            return {}
        return {
            f.name: (f.attr, FILTER_KINDS[f.type])
            for f in (model.pk, *model.fields)
            if f.type in FILTER_KINDS
        }

    def _filter_kind(self, param: Parameter) -> str | None:
        """The column type a parameter's values (an array's items) would be stored as."""
        schema = self._resolve(self._deref(param.schema))
        if isinstance(schema, dict) and schema.get("type") == "array":
            schema = self._resolve(schema.get("items"))
        if (
            not isinstance(schema, dict)
            or "type" not in schema
            and "enum" not in schema
        ):
            return None
        return self._column(schema, False, False).type

    def _router_name(self, op: Operation) -> str:
        return python_identifier(op.tags[0], prefix="tag") if op.tags else "default"

    def _param(
        self, op: Operation, param: Parameter, types: _Types
    ) -> ApiParamModel | None:
        schema = self._deref(param.schema)
        py_type = types.of(schema, depth=1)
        if py_type is None and self._object(schema, set())[0]:
            return self._query_model(op, param, types)
        schema = self._resolve(schema)
        if py_type is None:
            self.error(
                param.source,
                f"{param.location} parameter {param.name!r} has a schema fastgen "
                "cannot read as a scalar or a list of scalars",
            )
            return None
        is_list = py_type.startswith("list[")
        if is_list and (
            param.location in ("path", "header", "cookie") or not param.explode
        ):
            self.error(
                param.source,
                f"{param.location} parameter {param.name!r} is an array "
                + (
                    "with explode: false (comma-separated)"
                    if param.location == "query"
                    else f"in the {param.location}"
                )
                + "; FastAPI reads arrays only as repeated query parameters "
                "(style: form, explode: true)",
            )
            return None
        if py_type.startswith("dict["):
            self.error(
                param.source,
                f"{param.location} parameter {param.name!r} is an object; FastAPI "
                "cannot read it from the URL",
            )
            return None
        marker = MARKERS[param.location]
        types.imports.add(("fastapi", marker))
        types.imports.add(("typing", "Annotated"))
        args: list[str] = []
        wire_in_route = param.location == "path" and _IDENTIFIER.fullmatch(param.name)
        if (
            param.name != param.python_name
            and (param.location != "path" or wire_in_route)
            or param.location == "header"
        ):
            args.append(f"alias={pystr(param.name)}")
        if param.location == "header":
            args.append("convert_underscores=False")
        for key, arg in CONSTRAINTS.items():
            value = schema.get(key) if isinstance(schema, dict) else None
            if key.startswith("exclusive") and isinstance(value, bool):
                continue  # 3.0 booleans qualify minimum/maximum
            if value is not None and (
                key.endswith("Items") == is_list or key == "pattern"
            ):
                if (
                    isinstance(schema, dict)
                    and key in ("minimum", "maximum")
                    and (schema.get("exclusive" + key[0].upper() + key[1:]) is True)
                ):
                    arg = "gt" if key == "minimum" else "lt"
                if key == "pattern" and is_list:
                    continue
                args.append(f"{arg}={pyliteral(value)}")
        bounds = (
            INTEGER_BOUNDS.get(schema.get("format"))
            if isinstance(schema, dict)
            else None
        )
        if bounds and schema.get("type") == "integer" and not is_list:
            # int32/int64 say how large the value can be; without the bound a
            # larger one reaches the database driver and fails there (a 500).
            for key, arg, value in (
                ("minimum", "ge", -bounds),
                ("maximum", "le", bounds - 1),
            ):
                if (
                    key not in schema
                    and f"exclusive{key[0].upper()}{key[1:]}" not in schema
                ):
                    args.append(f"{arg}={value}")
        if param.description:
            args.append(f"description={pystr(param.description)}")
        if param.deprecated:
            args.append("deprecated=True")
        default: str | None = None
        required = param.required or param.location == "path"
        if not required:
            value = schema.get("default") if isinstance(schema, dict) else None
            if value is None:
                default = "None"
                if not py_type.endswith("None") and py_type != "Any":
                    py_type += " | None"
            else:
                default = pyliteral(value)
        annotation = f"Annotated[{py_type}, {marker}({', '.join(args)})]"
        return ApiParamModel(
            name=param.python_name,
            annotation=annotation,
            py_type=py_type,
            default=default,
            location=param.location,
        )

    def _query_model(
        self, op: Operation, param: Parameter, types: _Types
    ) -> ApiParamModel | None:
        """An object query parameter as a pydantic model of query parameters.

        With style form and explode (OpenAPI's default), an object travels as its
        properties (``?name=x&size=2``), which is how FastAPI (0.159 and later) reads
        ``Annotated[Model, Query()]``. Each property must be readable from a query
        string. A model that forbids additional properties would take the
        operation's other query parameters for extras, so the route reads a
        subclass that allows them.
        """
        schema = self._deref(param.schema)
        properties, required = self._object(schema, set())
        where = f"{param.location} parameter {param.name!r} is an object"
        problem = None
        if param.location != "query" or not param.explode:
            problem = (
                f"{where} {'with explode: false' if param.explode is False else ''}"
                f"{'' if param.location == 'query' else 'in the ' + param.location}; "
                "FastAPI reads an object only from the query string, as its "
                "properties (style: form, explode: true)"
            ).replace(" ;", ";")
        elif required and not param.required:
            problem = (
                f"{where} with required properties but is not required itself; "
                "FastAPI reads it as a model whose required fields are required"
            )
        else:
            probe = _Types(self.models, self.api.schemas)  # its imports are unused
            unreadable = [
                name
                for name, value in properties.items()
                if (kind := probe.of(value, depth=1)) is None
                or kind.startswith("dict[")
            ]
            if unreadable:
                problem = (
                    f"{where} whose properties {', '.join(map(repr, unreadable))} "
                    "cannot be read from a query string (objects)"
                )
        if problem is not None:
            self.error(param.source, problem)
            return None
        base = class_name(f"{op.name}_{param.python_name}") + "Query"
        others = [p for p in op.parameters if p.location == "query" and p is not param]
        if others and self._resolve(schema).get("additionalProperties") is False:
            schema = {"allOf": [schema], "additionalProperties": True}
        py_type = types.of(schema, hoist=base, role=REQUEST)
        if py_type is None:
            return None
        self.fastapi_minimum = max(self.fastapi_minimum, QUERY_MODELS, key=Version)
        types.imports.add(("fastapi", "Query"))
        types.imports.add(("typing", "Annotated"))
        return ApiParamModel(
            name=param.python_name,
            annotation=f"Annotated[{py_type}, Query()]",
            py_type=py_type,
            default=None,
            location="query",
        )

    def _resolve(self, schema: Any) -> Any:
        """Follow ``$ref``s to the schema they name (for constraints)."""
        for _ in range(8):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                break
            key = _unescape(schema["$ref"].removeprefix("#/components/schemas/"))
            schema = self.api.schemas.get(key, {})
        return schema

    def _deref(self, schema: Schema | None) -> Any:
        if schema is None:
            return {}
        if isinstance(schema, SchemaRef):
            return {"$ref": "#/components/schemas/" + _escape(schema.name)}
        return dict(schema.schema)

    def _body(
        self, op: Operation, types: _Types, role: str = REQUEST
    ) -> ApiParamModel | None | bool:
        request = op.request_body
        if request is None or not request.content:
            return None
        media = _primary(request.content)
        schema = self._deref(media.schema)
        base = class_name(op.name) + "Request"
        types.imports.add(("typing", "Annotated"))
        if media.kind == "json":
            py_type = types.of(schema, hoist=base, role=role)
            marker = (
                "Body()"
                if media.content_type == "application/json"
                else (f"Body(media_type={pystr(media.content_type)})")
            )
            types.imports.add(("fastapi", "Body"))
        elif media.kind in ("form", "multipart"):
            props, _ = self._object(schema, set())
            union = None if props else self._form_union(schema, types, role)
            if not props and union is None:
                self.error(
                    request.source,
                    f"a {media.content_type} body must be an object with properties, "
                    "or a oneOf/anyOf of component schemas that are (not free-form): "
                    "FastAPI reads a form into one model, or a union of models",
                )
                return False
            py_type, marker = union or (
                types.of(schema, hoist=base, role=role),
                "Form()",
            )
            types.imports.add(("fastapi", "Form"))
        elif media.kind == "text":
            py_type = "str"
            marker = f"Body(media_type={pystr(media.content_type)})"
            types.imports.add(("fastapi", "Body"))
        else:
            py_type = "bytes"
            marker = f"Body(media_type={pystr(media.content_type)})"
            types.imports.add(("fastapi", "Body"))
        default = None
        if not request.required:
            py_type = f"{py_type} | None"
            default = "None"
        return ApiParamModel(
            name="body",
            annotation=f"Annotated[{py_type}, {marker}]",
            py_type=py_type or "Any",
            default=default,
            location="body",
        )

    def _form_union(
        self, schema: Any, types: _Types, role: str
    ) -> tuple[str, str] | None:
        """The union of models a form body may be, and its marker; None if it is not
        a ``oneOf``/``anyOf`` of component objects.

        FastAPI (0.160 and later) validates a form as a union of models, tried in
        turn or chosen by a discriminator, and publishes it as the document does.
        """
        schema = self._resolve(schema)
        variants = schema.get("oneOf") or schema.get("anyOf")
        if not isinstance(variants, list) or not variants:
            return None
        classes = []
        for variant in variants:
            if not (isinstance(variant, dict) and isinstance(variant.get("$ref"), str)):
                return None
            if not self._object(variant, set())[0]:
                return None
            classes.append(types.of(variant, role=role))
        if None in classes:
            return None
        self.fastapi_minimum = max(self.fastapi_minimum, FORM_UNIONS, key=Version)
        marker = "Form()"
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and discriminator.get("propertyName"):
            types.imports.add(("pydantic", "Field"))
            name = pystr(discriminator["propertyName"])
            marker = f"Field(discriminator={name}), Form()"
        return " | ".join(str(c) for c in classes), marker

    def _responses(
        self, op: Operation, types: _Types, role: str = RESPONSE
    ) -> tuple[
        str | None, _Success, list[tuple[str, str, str | None, MediaType | None]]
    ]:
        """The success status, its return type, and the other responses."""
        statuses = [r.status for r in op.responses]
        success_status = next(
            (s for s in statuses if s.isdigit() and s[0] == "2"), None
        )
        if success_status is None:
            success_status = "200"
        success = _Success("None", False)
        others: list[tuple[str, str, str | None, MediaType | None]] = []
        for response in op.responses:
            media = _primary(response.content) if response.content else None
            base = (
                class_name(op.name)
                + "Response"
                + ("" if response.status == success_status else response.status.title())
            )
            model = None
            if media is not None and media.kind == "json":
                model = types.of(self._deref(media.schema), hoist=base, role=role)
            if response.status == success_status:
                if media is None:
                    success = _Success("None", False)
                elif media.kind == "json":
                    success = _Success(model or "Any", False)
                else:
                    success = _Success("Response", True)
                if response.description or media is not None and media.kind != "json":
                    others.append((response.status, response.description, None, media))
            else:
                others.append((response.status, response.description, model, media))
        return success_status, success, others

    def _responses_literal(
        self,
        op: Operation,
        status: str,
        others: list[tuple[str, str, str | None, MediaType | None]],
    ) -> str:
        entries = []
        for code, description, model, media in others:
            parts = [f'"description": {pystr(description or code)}']
            if model is not None:
                parts.append(f'"model": {model}')
            elif media is not None and media.kind != "json":
                schema = self._deref(media.schema) or {"type": "string"}
                parts.append(
                    f'"content": {{{pystr(media.content_type)}: '
                    f'{{"schema": {pyliteral(schema)}}}}}'
                )
            key = code if code.isdigit() else pystr(code)
            entries.append(f"{key}: {{{', '.join(parts)}}}")
        return "{" + ", ".join(entries) + "}" if entries else ""

    def _check_crud(
        self,
        op: Operation,
        owner: tuple[Resource, str],
        success: _Success,
        body: Any,
    ) -> str | None:
        resource, crud = owner
        row_class = self.models.names[resource.schema]
        row = f"api_models.{self.models.variant(row_class, RESPONSE)}"
        expected = {"list": f"list[{row}]", "get": row, "create": row, "update": row}
        want = expected.get(crud)
        if want is not None and success.annotation != want:
            self.error(
                op.source,
                f"{op.method} {op.path} is the {crud!r} operation of resource "
                f"{resource.schema!r}, so its success response must be "
                f"{'an array of ' if crud == 'list' else ''}#/components/schemas/"
                f"{resource.schema}, which the generated repository returns",
            )
            return None
        if crud in ("create", "update") and not isinstance(body, ApiParamModel):
            self.error(op.source, f"the {crud!r} operation needs a request body")
            return None
        return crud

    def _sample_request(self, op: Operation) -> str | None:
        """A Python literal of [url, query, json body] that passes validation, or None."""
        parts = self._sample_parts(op)
        return None if parts is None else pyliteral(list(parts))

    def _refine_sample(self, op: Operation, refined: tuple[str, ...]) -> str | None:
        """A sample request (as ``_sample_request``) using a parameter only the list's
        ``refine`` applies, so its stub answers 501; None when none can be made."""
        parts = self._sample_parts(op)
        if parts is None:
            return None
        url, query, body = parts
        for param in op.parameters:
            if param.python_name not in refined:
                continue
            if param.required and param.location in ("path", "query"):
                return pyliteral([url, query, body])  # every request uses it
            schema = self._resolve(self._deref(param.schema))
            if (
                param.location != "query"
                or not isinstance(schema, dict)
                or "default" in schema  # the default is what refine leaves alone
            ):
                continue
            value = _sample(schema, self.api.schemas, 0)
            if value == [] and isinstance(schema.get("items"), dict):
                value = [_sample(self._resolve(schema["items"]), self.api.schemas, 0)]
            if all(_scalar(v) for v in (value if isinstance(value, list) else [value])):
                return pyliteral([url, {**query, param.name: value}, body])
        return None

    def _sample_parts(self, op: Operation) -> tuple[str, dict[str, Any], Any] | None:
        """The url, query and json body of a request that passes validation, or None."""
        url = op.route
        query: dict[str, Any] = {}
        for param in op.parameters:
            if not param.required and param.location != "path":
                continue  # not sent
            value = _sample(self._deref(param.schema), self.api.schemas, 0)
            if value is _NO_SAMPLE or isinstance(value, dict | list):
                return None
            if param.location == "path":
                url = url.replace("{" + param.python_name + "}", str(value))
            elif param.required and param.location == "query":
                query[param.name] = value
            elif param.required:
                return None
        body: Any = None
        request = op.request_body
        if request is not None and request.content:
            media = _primary(request.content)
            if media.kind != "json":
                return None
            body = _sample(self._deref(media.schema), self.api.schemas, 0)
            if body is _NO_SAMPLE:
                return None
        return url, query, body

    def _credential_header(
        self, op: Operation, schemes: tuple[ApiSchemeModel, ...]
    ) -> str | None:
        """Headers satisfying one of the operation's requirements (for tests).

        None when no requirement is met by headers alone (the tests then skip it).
        """
        by_name = {s.name: s for s in schemes}
        for requirement in op.security:
            used = [by_name.get(name) for name, _ in requirement.schemes]
            if any(s is None or s.location != "header" for s in used):
                continue
            headers = {}
            for scheme in used:
                assert scheme is not None
                if scheme.factory.startswith("HTTPBasic"):
                    headers[scheme.parameter] = "Basic dGVzdDp0ZXN0"
                elif scheme.parameter == "authorization":
                    headers[scheme.parameter] = "Bearer test-token"
                else:
                    headers[scheme.parameter] = "test"
            return pyliteral(headers)
        return None

    def _routers(self, operations: list[ApiOperationModel]) -> list[ApiRouterModel]:
        """One router per first tag, in the order their first route must be registered."""
        groups: dict[str, list[ApiOperationModel]] = {}
        for op in operations:
            groups.setdefault(op.router, []).append(op)
        registered = [op for ops in groups.values() for op in ops]
        by_name = {op.name: self.api.operation(op.name) for op in operations}
        position = {op.name: i for i, op in enumerate(registered)}
        schemas = self.api.schemas
        for a in operations:
            for b in operations:
                oa, ob = by_name[a.name], by_name[b.name]
                if (
                    oa.method == ob.method
                    and position[a.name] > position[b.name]
                    and _precedes(_rank(oa, schemas), _rank(ob, schemas))
                ):
                    self.error(
                        ob.source,
                        f"{ob.method} {ob.path} must be registered after "
                        f"{oa.method} {oa.path}, which is more specific, but their "
                        "tags put them in different routers in the other order; "
                        "give them the same first tag",
                    )
        return [
            ApiRouterModel(
                name=name,
                tag=ops[0].tag,
                operations=tuple(ops),
            )
            for name, ops in groups.items()
        ]


@dataclass(frozen=True)
class _ListQuery:
    """The parameters a table-backed list applies, and those it passes to ``refine``."""

    limit_param: str | None = None
    offset_param: str | None = None
    page_param: str | None = None
    filters: tuple[tuple[str, str], ...] = ()  # (ORM attribute, parameter)
    any_filters: tuple[tuple[str, str], ...] = ()
    refined: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Success:
    annotation: str
    response_class: bool


_NO_SAMPLE = object()


def _sample(schema: Any, schemas: Mapping[str, Any], depth: int) -> Any:
    """A value valid for ``schema`` (required properties only), or ``_NO_SAMPLE``."""
    if depth > 8 or not isinstance(schema, dict):
        return _NO_SAMPLE
    ref = schema.get("$ref")
    if isinstance(ref, str):
        key = ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        return _sample(schemas.get(key), schemas, depth + 1)
    if isinstance(schema.get("default"), str | int | float | bool):
        return schema["default"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = _sample(part, schemas, depth + 1)
            if not isinstance(value, dict):
                return _NO_SAMPLE
            merged |= value
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            value = _sample({"type": "object", **own}, schemas, depth + 1)
            if not isinstance(value, dict):
                return _NO_SAMPLE
            merged |= value
        return merged
    if "oneOf" in schema or "anyOf" in schema:
        return _NO_SAMPLE
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else None
    if kind == "object" or kind is None and "properties" in schema:
        out = {}
        properties = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if _read_only(properties.get(name)):
                continue  # not part of a request
            value = _sample(properties.get(name, {}), schemas, depth + 1)
            if value is _NO_SAMPLE:
                return _NO_SAMPLE
            out[name] = value
        return out
    if kind == "array":
        count = schema.get("minItems") or 0
        if not count:
            return []
        item = _sample(schema.get("items", {}), schemas, depth + 1)
        return _NO_SAMPLE if item is _NO_SAMPLE else [item] * count
    if kind == "string":
        if "pattern" in schema:
            return _NO_SAMPLE
        fmt = schema.get("format")
        special = {
            "date-time": "2024-01-01T12:00:00+02:00",
            "date": "2024-01-01",
            "uuid": "00000000-0000-4000-8000-000000000001",
            "email": "someone@example.com",
            "uri": "https://example.com/",
        }
        if fmt in special:
            return special[fmt]
        length = max(int(schema.get("minLength") or 1), 1)
        if schema.get("maxLength") is not None and schema["maxLength"] < length:
            return _NO_SAMPLE
        return "x" * length
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        value = low if isinstance(low, int | float) else 1
        if schema.get("exclusiveMinimum") is True or isinstance(
            schema.get("exclusiveMinimum"), int | float
        ):
            return _NO_SAMPLE
        high = schema.get("maximum")
        if isinstance(high, int | float) and value > high:
            return _NO_SAMPLE
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind is None and not schema:
        return {}
    return _NO_SAMPLE


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHAPE = re.compile(r"\{[^{}]*\}")


def _served_path(op: Operation, convertors: Mapping[str, str]) -> str:
    """The path FastAPI serves: parameters keep their wire name where Starlette accepts
    it (so the app's OpenAPI names them as the document does), else their Python name;
    ``convertors`` (parameter -> Starlette convertor) make a route match only the
    values its pattern allows."""
    path = op.path
    for param in op.parameters:
        if param.location != "path":
            continue
        name = param.name if _IDENTIFIER.fullmatch(param.name) else param.python_name
        convertor = convertors.get(param.name)
        served = f"{name}:{convertor}" if convertor else name
        path = path.replace("{" + param.name + "}", "{" + served + "}")
    return path


def _column_attr(name: str, taken: set[str]) -> str:
    """The Python name of a table's property: the ORM attribute and the API models'
    field (datamodel-code-generator is given it). The property itself unless Python,
    SQLAlchemy or pydantic claim it or it is no plain identifier; then an alias free
    in the class, which ``taken`` (the class's names) then holds."""
    base = name
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        base = python_identifier(name, prefix="field")
    reserved = CLASS_BODY_NAMES | {"Field"}  # pydantic's Field, renamed Field_ too
    attr = python_name(base, reserved)
    if attr != name:
        attr = python_name(base, reserved | taken)
        taken.add(attr)
    return attr


def _document_paths(
    operations: list[Operation],
) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """Served paths whose parameters Starlette cannot name as the document does
    (not identifiers): (served path, document path, ((Python name, wire name), ...))."""
    found: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    for op in operations:
        renamed = tuple(
            (p.python_name, p.name)
            for p in op.parameters
            if p.location == "path" and not _IDENTIFIER.fullmatch(p.name)
        )
        if renamed:
            found.setdefault(_served_path(op, {}), (op.path, renamed))
    return tuple((served, path, names) for served, (path, names) in found.items())


def _primary(content: tuple[MediaType, ...]) -> MediaType:
    """The media type the route serves: JSON first, then the first one written."""
    return next((m for m in content if m.kind == "json"), content[0])


def _path_param(op: Operation) -> str | None:
    path = [p.python_name for p in op.parameters if p.location == "path"]
    return path[-1] if path else None


def _item_param(resource: Resource, api: ApiDescription) -> str | None:
    for crud, name in resource.operations:
        if crud in ("get", "update", "delete"):
            return _path_param(api.operation(name))
    return None


def _named(params: list[ApiParamModel], names: tuple[str, ...]) -> str | None:
    return next(
        (
            p.name
            for p in params
            if p.location == "query" and p.name in names and p.py_type.startswith("int")
        ),
        None,
    )


def _read_only(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("readOnly") is True


def _scalar(value: Any) -> bool:
    """A sample value a query string can carry."""
    return value is not _NO_SAMPLE and isinstance(value, str | int | float | bool)


def _pointer(schemas: Mapping[str, Any], ref: str) -> Any:
    """The schema ``ref`` (``#/components/schemas/...``) points at, or None."""
    if not ref.startswith("#/components/schemas/"):
        return None
    node: Any = schemas
    for token in ref.removeprefix("#/components/schemas/").split("/"):
        if not isinstance(node, dict) or _unescape(token) not in node:
            return None
        node = node[_unescape(token)]
    return node


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _docstring(op: Operation) -> str:
    text = (op.summary or op.description or f"{op.method} {op.path}").strip()
    first = text.splitlines()[0].strip() if text else f"{op.method} {op.path}"
    if not first.endswith("."):
        first += "."
    return (
        pystr(first)
        if '"""' in first or first.endswith('"')
        else ('"""' + first.replace("\\", "\\\\") + '"""')
    )


def _version(text: str) -> str:
    """``info.version`` when it is a PEP 440 version as written (a package version must
    be; ``2024-01`` would silently become ``2024.post1``), else 0.1.0."""
    try:
        return text if str(Version(text)) == text else DEFAULT_VERSION
    except InvalidVersion:
        return DEFAULT_VERSION


def _fill_package(router: ApiRouterModel, package: str) -> ApiRouterModel:
    operations = tuple(_fill_operation(op, package) for op in router.operations)
    return ApiRouterModel(name=router.name, tag=router.tag, operations=operations)


def _fill_operation(op: ApiOperationModel, package: str) -> ApiOperationModel:
    """``op`` with the package name in its imports."""
    imports = tuple((m.replace(_PKG, package), n) for m, n in op.imports)
    return ApiOperationModel(**{**op.__dict__, "imports": imports})
