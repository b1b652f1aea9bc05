"""The local API gateway: serves every HTTP and WebSocket API defined in the embedded cloud's API
Gateway v2, one port per API, with a control port (``cfg.gateway_port``) telling where each is.

``start(cfg)`` runs inside the daemon, after moto serves, and reads definitions and invokes Lambdas
through moto's in-process backends. ``localcloud.gateway.client`` is how other processes ask it.

URLs: HTTP ``http://127.0.0.1:PORT`` (``$default``) or ``.../<stage>``; WebSocket
``ws://127.0.0.1:PORT/<stage>``; the ``@connections`` API at ``http://127.0.0.1:PORT/<stage>`` (boto3's
``endpoint_url``). Control: ``GET /_localcloud/health``, ``/_localcloud/apis``, ``/_localcloud/apis/{id}``.
Modules: ``server`` (uvicorn servers and ports), ``api_app`` (one API's ASGI app), ``http_api`` and
``websocket_api`` / ``management_api`` (the data planes), ``*_events`` (Lambda events), ``routing``,
``cors``, ``jwt_authorizer``, ``lambda_authorizers``, ``definitions`` (what is served, from moto)."""

from __future__ import annotations

import logging

from localcloud.config import CloudConfig
from localcloud.gateway.definitions import MotoApiSource
from localcloud.gateway.lambda_invoker import MotoLambdaInvoker
from localcloud.gateway.ports import PortBook
from localcloud.gateway.server import Gateway, GatewayStartFailed
from localcloud.gateway.services import GatewayServices, access_logger

__all__ = ["Gateway", "GatewayStartFailed", "start"]


def start(cfg: CloudConfig) -> Gateway:
    """Serve the emulator's APIs: control port ``cfg.gateway_port``, access log in
    ``<state_dir>/logs/gateway.log``, API ports remembered in ``<state_dir>/gateway-ports.json``."""
    # uvicorn logs every WebSocket open and server start at INFO; the access log says what matters.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    services = GatewayServices(
        source=MotoApiSource(),
        invoker=MotoLambdaInvoker(),
        access_log=access_logger(cfg.logs_dir / "gateway.log"),
    )
    gateway = Gateway(
        services,
        host=cfg.host,
        control_port=cfg.gateway_port,
        ports=PortBook(cfg.state_dir / "gateway-ports.json"),
    )
    return gateway.start()
