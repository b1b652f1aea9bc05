"""moto in server mode, configured as the embedded cloud's AWS: Lambdas run for real, state machines
execute, managed policies exist, and OpenSearch domains report the in-memory server's endpoint."""

from __future__ import annotations

import os
import threading

from localcloud.config import CloudConfig


def configure(cfg: CloudConfig, opensearch_url: str) -> None:
    """Set moto's switches and install the embedded cloud's behaviour. Call before serving."""
    # Step Functions calls Lambda through http://localhost:$MOTO_PORT; it must be the real port.
    os.environ["MOTO_PORT"] = str(cfg.edge_port)
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    default_user_config["iam"] = {"load_aws_managed_policies": True}
    default_user_config["lambda"] = {"use_docker": True}  # the executor replaces the docker path

    from localcloud import lambda_executor, opensearch_domains, s3_bucket_policy, sfn_fixes, streams

    lambda_executor.install(cfg)
    streams.install(cfg)
    sfn_fixes.install()
    opensearch_domains.install(opensearch_url)
    # moto ignores bucket-policy conditions: without this the TLS-only state bucket refuses every request.
    s3_bucket_policy.install()


class EmulatorStartFailed(RuntimeError):
    """moto's server could not bind the edge port."""


class EmulatorServer:
    """moto's WSGI app on the edge port, served by werkzeug's threaded server in a thread."""

    def __init__(self, cfg: CloudConfig) -> None:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address=cfg.host, port=cfg.edge_port, verbose=False)
        self._address = f"{cfg.host}:{cfg.edge_port}"

    def start(self) -> None:
        """Serve, or raise ``EmulatorStartFailed`` when the edge port cannot be bound (werkzeug then
        ends its thread with SystemExit and moto's own ``start()`` would wait for ever)."""
        server = self._server
        server._thread = threading.Thread(target=server._server_entry, name="moto", daemon=True)
        server._thread.start()
        while not server._server_ready_event.wait(0.05):
            if not server._thread.is_alive():
                raise EmulatorStartFailed(
                    f"the AWS emulator could not listen on {self._address} (another program took the port?): "
                    "stop that program, or choose another port with LOCALCLOUD_EDGE_PORT"
                )

    def stop(self) -> None:
        self._server.stop()
