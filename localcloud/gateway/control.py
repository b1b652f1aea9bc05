"""The gateway's control port: health, and where each API is served (binding its port on first ask)."""

from __future__ import annotations

from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from localcloud.gateway.definitions import DEFAULT_STAGE, WEBSOCKET, Api


class ServedApis(Protocol):
    async def describe(self, api_id: str) -> dict[str, Any] | None: ...

    async def describe_all(self) -> list[dict[str, Any]]: ...

    def served_count(self) -> int: ...


def describe_api(api: Api, host: str, port: int) -> dict[str, Any]:
    """The URLs of an API served on ``port``: per stage, the main one, and for WebSocket APIs the
    ``@connections`` management endpoint (what boto3's ``endpoint_url`` takes)."""
    http_base = f"http://{host}:{port}"
    base = f"ws://{host}:{port}" if api.protocol_type == WEBSOCKET else http_base

    def under(root: str, stage: str) -> str:
        return root if stage == DEFAULT_STAGE else f"{root}/{stage}"

    stages = {stage: under(base, stage) for stage in api.stages}
    main_stage = DEFAULT_STAGE if DEFAULT_STAGE in api.stages else (api.stages[0] if api.stages else None)
    description: dict[str, Any] = {
        "apiId": api.api_id,
        "name": api.name,
        "protocolType": api.protocol_type,
        "port": port,
        "url": stages[main_stage] if main_stage else base,
        "stages": stages,
    }
    if api.protocol_type == WEBSOCKET:
        description["managementUrl"] = under(http_base, main_stage) if main_stage else http_base
        description["managementUrls"] = {stage: under(http_base, stage) for stage in api.stages}
    return description


def control_app(apis: ServedApis) -> Starlette:
    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "servedApis": apis.served_count()})

    async def list_apis(_: Request) -> JSONResponse:
        return JSONResponse(await apis.describe_all())

    async def one_api(request: Request) -> JSONResponse:
        api_id = request.path_params["api_id"]
        description = await apis.describe(api_id)
        if description is None:
            return JSONResponse(
                {"message": f"no API {api_id} in the embedded cloud: create it with apigatewayv2 create_api"},
                status_code=404,
            )
        return JSONResponse(description)

    return Starlette(
        routes=[
            Route("/_localcloud/health", health),
            Route("/_localcloud/apis", list_apis),
            Route("/_localcloud/apis/{api_id}", one_api),
        ]
    )
