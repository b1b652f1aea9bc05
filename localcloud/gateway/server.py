"""The gateway's servers: uvicorn on the control port and on one port per API, all on one event loop in
a thread of the daemon. New APIs are noticed by polling the definition source (and bound on demand by
the control port); deleted ones lose their port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from typing import Any

import uvicorn

from localcloud.gateway.api_app import ApiApp
from localcloud.gateway.control import control_app, describe_api
from localcloud.gateway.ports import PortBook, bind
from localcloud.gateway.services import GatewayServices

log = logging.getLogger("localcloud.gateway")

# The installed websockets' legacy implementation is deprecated and "auto" has failed here before:
# name the sans-I/O one explicitly.
WS_IMPLEMENTATION = "websockets-sansio"
START_TIMEOUT_S = 10.0


class GatewayStartFailed(RuntimeError):
    """The gateway could not start serving (its control port is taken, most often)."""


class _Served:
    def __init__(self, server: uvicorn.Server, task: asyncio.Task[None], port: int) -> None:
        self.server = server
        self.task = task
        self.port = port


class Gateway:
    """Start with ``start()``, stop with ``stop()``; both from any thread but the gateway's own."""

    def __init__(
        self,
        services: GatewayServices,
        *,
        host: str = "127.0.0.1",
        control_port: int = 0,
        ports: PortBook | None = None,
        poll_interval_s: float = 1.0,
    ) -> None:
        self.services = services
        self.host = host
        self.control_port = control_port
        self.ports = ports or PortBook(None)
        self.poll_interval_s = poll_interval_s
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="gateway", daemon=True)
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._stopping: asyncio.Event | None = None
        self._served: dict[str, _Served] = {}
        self._bind_lock: asyncio.Lock | None = None

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.control_port}"

    def start(self) -> Gateway:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise GatewayStartFailed(f"the gateway did not start within {START_TIMEOUT_S:.0f} s")
        if self._start_error is not None:
            raise GatewayStartFailed(
                f"the gateway could not listen on {self.host}:{self.control_port}: {self._start_error}; "
                "stop the program using it or choose another port with LOCALCLOUD_GATEWAY_PORT"
            ) from self._start_error
        return self

    def stop(self) -> None:
        if self._stopping is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(timeout=15)
        self.services.pool.shutdown(wait=False, cancel_futures=True)

    def port_of(self, api_id: str) -> int | None:
        served = self._served.get(api_id)
        return served.port if served else None

    def served_count(self) -> int:
        return len(self._served)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._ready.set()
            self._loop.close()

    def _config(self, app: Any) -> uvicorn.Config:
        return uvicorn.Config(
            app,
            http="h11",
            ws=WS_IMPLEMENTATION,
            ws_max_size=self.services.max_message_bytes,
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_keep_alive=60,
            timeout_graceful_shutdown=2,
        )

    async def _serve(self, app: Any, sock: socket.socket) -> tuple[uvicorn.Server, asyncio.Task[None]]:
        server = uvicorn.Server(self._config(app))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.005)
        if task.done():
            task.result()  # raises what stopped it
        return server, task

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        self._bind_lock = asyncio.Lock()
        try:
            control_sock = bind(self.host, self.control_port)
            self.control_port = control_sock.getsockname()[1]
            control_server, control_task = await self._serve(control_app(self), control_sock)
        except Exception as err:
            self._start_error = err
            return
        watchers = [asyncio.create_task(self._watch_apis()), asyncio.create_task(self._sweep_idle())]
        self._ready.set()
        await self._stopping.wait()
        for watcher in watchers:
            watcher.cancel()
        await self.services.connections.close_all()
        for served in list(self._served.values()):
            served.server.should_exit = True
        control_server.should_exit = True
        await asyncio.gather(control_task, *(s.task for s in self._served.values()), return_exceptions=True)

    async def serve_api(self, api_id: str) -> int | None:
        """The port serving the API, bound now if it was not yet; None when there is no such API."""
        served = self._served.get(api_id)
        if served is not None:
            return served.port
        if self.services.source.get(api_id) is None:
            return None
        assert self._bind_lock is not None
        async with self._bind_lock:
            if api_id not in self._served:
                sock = self.ports.bind_for(api_id, self.host)
                port = sock.getsockname()[1]
                server, task = await self._serve(ApiApp(api_id, self.services), sock)
                self._served[api_id] = _Served(server, task, port)
                log.info("serving API %s on %s:%d", api_id, self.host, port)
        return self._served[api_id].port

    async def _unserve(self, api_id: str) -> None:
        served = self._served.get(api_id)
        if served is not None:
            served.server.should_exit = True
            with contextlib.suppress(Exception):
                await served.task
            # Forgotten only once the port is closed: until then it still serves (404s).
            self._served.pop(api_id, None)
            self.ports.forget(api_id)
            log.info("API %s was deleted: port %d released", api_id, served.port)

    async def describe(self, api_id: str) -> dict[str, Any] | None:
        port = await self.serve_api(api_id)
        api = self.services.source.get(api_id)
        if port is None or api is None:
            return None
        return describe_api(api, self.host, port)

    async def describe_all(self) -> list[dict[str, Any]]:
        found = [await self.describe(api_id) for api_id in self.services.source.api_ids()]
        return [d for d in found if d is not None]

    async def _watch_apis(self) -> None:
        while True:
            try:
                current = set(self.services.source.api_ids())
                for api_id in current - set(self._served):
                    await self.serve_api(api_id)
                for api_id in set(self._served) - current:
                    await self._unserve(api_id)
            except Exception:
                log.exception("reading the API definitions failed; trying again")
            await asyncio.sleep(self.poll_interval_s)

    async def _sweep_idle(self) -> None:
        while True:
            # Looked up each round: the timeout may be changed while serving (tests do).
            shortest = min(self.services.idle_timeout_s, self.services.max_connection_s)
            await asyncio.sleep(min(1.0, max(0.05, shortest / 4)))
            try:
                closed = await self.services.connections.close_expired(
                    self.services.idle_timeout_s, self.services.max_connection_s
                )
                if closed:
                    log.info("closed %d idle or expired WebSocket connection(s)", closed)
            except Exception:
                log.exception("the idle sweep failed")
