"""The embedded cloud's one long-running process: started detached by ``localcloud up``, it serves the
emulator, the OpenSearch server and the gateway until it receives SIGTERM."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from localcloud.config import CloudConfig

log = logging.getLogger("localcloud")


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def serve(cfg: CloudConfig) -> None:
    from osmem_server import OsmemServer

    from localcloud import emulator, gateway, lambda_executor, streams

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    opensearch = OsmemServer.start(addr=f"{cfg.host}:{cfg.opensearch_port}", japanese=False)
    log.info("opensearch %s (osmem-server %s)", opensearch.url, opensearch.version)
    emulator.configure(cfg, opensearch.url)
    aws = emulator.EmulatorServer(cfg)
    aws.start()
    log.info("aws apis %s", cfg.edge_url)
    gw = gateway.start(cfg)
    endpoints = {
        "edge": cfg.edge_url,
        "opensearch": opensearch.url,
        "gateway": f"http://{cfg.host}:{cfg.gateway_port}",
        "region": cfg.region,
        "account_id": cfg.account_id,
        "pid": os.getpid(),
        "logs": str(cfg.logs_dir),
    }
    _write_atomically(cfg.endpoints_file, json.dumps(endpoints, indent=2) + "\n")
    log.info("ready")
    try:
        stop.wait()
    finally:
        log.info("stopping")
        gw.stop()
        aws.stop()
        streams.shutdown()
        lambda_executor.shutdown()
        opensearch.close(grace=2)
        cfg.endpoints_file.unlink(missing_ok=True)
        log.info("stopped")


def main() -> None:
    cfg = CloudConfig.from_json(sys.argv[1])
    cfg.logs_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=cfg.logs_dir / "localcloud.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # One line per emulator request would bury everything else (and cost time on each call).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        serve(cfg)
    except Exception:
        log.exception("the embedded cloud failed")
        raise


if __name__ == "__main__":
    main()
