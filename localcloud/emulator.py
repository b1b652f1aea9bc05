"""moto in server mode, configured as the embedded cloud's AWS: Lambdas run for real, state machines
execute, managed policies exist, and OpenSearch domains report the in-memory server's endpoint."""

from __future__ import annotations

import os

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
    s3_bucket_policy.install()  # bucket-policy conditions (the TLS-only state bucket); runbooks engineer


class EmulatorServer:
    """moto's WSGI app on the edge port, served by werkzeug's threaded server in a thread."""

    def __init__(self, cfg: CloudConfig) -> None:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address=cfg.host, port=cfg.edge_port, verbose=False)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()
