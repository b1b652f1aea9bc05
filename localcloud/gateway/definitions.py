"""What the gateway serves: API Gateway v2 definitions as plain, immutable values, and the source that
reads them live from the emulator's in-process backend (so an API created after start-up is served)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

HTTP = "HTTP"
WEBSOCKET = "WEBSOCKET"
DEFAULT_STAGE = "$default"
# API Gateway's own integration timeouts when the definition names none.
DEFAULT_TIMEOUT_MS = {HTTP: 30_000, WEBSOCKET: 29_000}


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False


@dataclass(frozen=True)
class Integration:
    integration_id: str
    integration_type: str
    uri: str
    timeout_ms: int
    payload_format_version: str = "2.0"


@dataclass(frozen=True)
class Authorizer:
    authorizer_id: str
    authorizer_type: str  # JWT or REQUEST
    identity_source: tuple[str, ...] = ()
    issuer: str = ""
    audience: tuple[str, ...] = ()
    uri: str = ""  # REQUEST authorizers: the Lambda's invocation URI
    payload_format_version: str = "1.0"
    simple_responses: bool = False


@dataclass(frozen=True)
class Route:
    route_key: str
    integration_id: str | None = None
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    authorization_scopes: tuple[str, ...] = ()
    # Set on WebSocket routes that answer the client with the integration's response.
    route_response_selection_expression: str | None = None


@dataclass(frozen=True)
class Api:
    api_id: str
    protocol_type: str
    name: str = ""
    route_selection_expression: str = "$request.method $request.path"
    cors: Cors | None = None
    stages: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()
    integrations: Mapping[str, Integration] = field(default_factory=dict)
    authorizers: Mapping[str, Authorizer] = field(default_factory=dict)
    account_id: str = ""
    region: str = ""

    def route(self, route_key: str) -> Route | None:
        return next((r for r in self.routes if r.route_key == route_key), None)

    def integration_for(self, route: Route) -> Integration | None:
        return self.integrations.get(route.integration_id or "")

    def authorizer_for(self, route: Route) -> Authorizer | None:
        return self.authorizers.get(route.authorizer_id or "")


class ApiSource(Protocol):
    """Where API definitions come from: the emulator in the daemon, a fixed set in unit tests."""

    def api_ids(self) -> list[str]: ...

    def get(self, api_id: str) -> Api | None: ...


class StaticApiSource:
    """A fixed set of definitions (tests, benchmarks of the gateway alone)."""

    def __init__(self, apis: Iterable[Api] = ()) -> None:
        self.apis = {api.api_id: api for api in apis}

    def api_ids(self) -> list[str]:
        return list(self.apis)

    def get(self, api_id: str) -> Api | None:
        return self.apis.get(api_id)


def _tuple(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _target_integration_id(target: str | None) -> str | None:
    # Routes name their integration as "integrations/<id>".
    if not target:
        return None
    return target.rsplit("/", 1)[-1]


def _cors_from_moto(config: Mapping[str, Any] | None) -> Cors | None:
    if not config:
        return None
    max_age = config.get("maxAge")
    return Cors(
        allow_origins=_tuple(config.get("allowOrigins")),
        allow_methods=tuple(m.upper() for m in _tuple(config.get("allowMethods"))),
        allow_headers=tuple(h.lower() for h in _tuple(config.get("allowHeaders"))),
        expose_headers=_tuple(config.get("exposeHeaders")),
        max_age=int(max_age) if max_age is not None else None,
        allow_credentials=bool(config.get("allowCredentials")),
    )


def _authorizer_from_moto(authorizer: Any) -> Authorizer:
    jwt_config = authorizer.jwt_config or {}
    return Authorizer(
        authorizer_id=authorizer.id,
        authorizer_type=(authorizer.authorizer_type or "").upper(),
        identity_source=_tuple(authorizer.identity_source),
        issuer=jwt_config.get("issuer") or "",
        audience=_tuple(jwt_config.get("audience")),
        uri=authorizer.authorizer_uri or "",
        payload_format_version=authorizer.auth_payload_format_version or "1.0",
        simple_responses=bool(authorizer.enable_simple_response),
    )


def api_from_moto(api: Any, account_id: str, region: str) -> Api:
    """Convert one of moto's ``apigatewayv2`` Api models (read without its HTTP layer: moto's
    ``get_authorizers`` answers 500 and ``create_deployment`` 404, so neither is relied on)."""
    protocol = (api.protocol_type or HTTP).upper()
    integrations = {
        i.id: Integration(
            integration_id=i.id,
            integration_type=(i.integration_type or "").upper(),
            uri=i.integration_uri or "",
            timeout_ms=int(i.timeout_in_millis or DEFAULT_TIMEOUT_MS.get(protocol, 30_000)),
            payload_format_version=i.payload_format_version or ("2.0" if protocol == HTTP else "1.0"),
        )
        for i in list(api.integrations.values())
    }
    routes = tuple(
        Route(
            route_key=r.route_key,
            integration_id=_target_integration_id(r.target),
            authorization_type=(r.authorization_type or "NONE").upper(),
            authorizer_id=r.authorizer_id,
            authorization_scopes=_tuple(r.authorization_scopes),
            route_response_selection_expression=r.route_response_selection_expression,
        )
        for r in list(api.routes.values())
    )
    return Api(
        api_id=api.api_id,
        protocol_type=protocol,
        name=api.name or "",
        route_selection_expression=api.route_selection_expression or "",
        cors=_cors_from_moto(api.cors_configuration),
        stages=tuple(api.stages),
        routes=routes,
        integrations=integrations,
        authorizers={a.id: _authorizer_from_moto(a) for a in list(api.authorizers.values())},
        account_id=account_id,
        region=region,
    )


class MotoApiSource:
    """Reads the definitions from moto's in-process ``apigatewayv2`` backends, in every account and
    region that holds any, each time it is asked: no cache to invalidate when an API changes."""

    def _backends(self) -> list[tuple[str, str, Any]]:
        from moto.apigatewayv2.models import apigatewayv2_backends

        found = []
        for account_id, regions in list(apigatewayv2_backends.items()):
            for region, backend in list(regions.items()):
                found.append((account_id, region, backend))
        return found

    def api_ids(self) -> list[str]:
        return [api_id for _, _, backend in self._backends() for api_id in list(backend.apis)]

    def get(self, api_id: str) -> Api | None:
        for account_id, region, backend in self._backends():
            api = backend.apis.get(api_id)
            if api is not None:
                return api_from_moto(api, account_id, region)
        return None
