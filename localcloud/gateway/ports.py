"""One port per API, remembered in ``<state_dir>/gateway-ports.json`` so that a restarted gateway
offers each API on the port it had (``*.localhost`` names do not resolve everywhere, ports do)."""

from __future__ import annotations

import json
import logging
import socket
import threading
from pathlib import Path

log = logging.getLogger("localcloud.gateway")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port); OSError when it is taken."""
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
    # listening socket says TCP, and without it every keep-alive response waits for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class PortBook:
    """API id → port, persisted (None: kept in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._ports: dict[str, int] = {}
        if path is not None and path.exists():
            try:
                self._ports = {str(k): int(v) for k, v in json.loads(path.read_text()).items()}
            except (ValueError, TypeError, AttributeError) as err:
                log.warning("ignoring unreadable %s (%s): ports are allocated anew", path, err)

    def remembered(self, api_id: str) -> int | None:
        return self._ports.get(api_id)

    def bind_for(self, api_id: str, host: str) -> socket.socket:
        """A socket for the API: on its remembered port when that is free, else on a new one."""
        with self._lock:
            port = self._ports.get(api_id)
            sock = None
            if port:
                try:
                    sock = bind(host, port)
                except OSError:
                    log.warning("port %d of API %s is taken by another program: moving it", port, api_id)
            if sock is None:
                sock = bind(host, 0)
            self._ports[api_id] = sock.getsockname()[1]
            self._save()
            return sock

    def forget(self, api_id: str) -> None:
        with self._lock:
            if self._ports.pop(api_id, None) is not None:
                self._save()

    def _save(self) -> None:
        if self._path is None:
            return
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._ports, indent=2, sort_keys=True) + "\n")
        tmp.replace(self._path)
