"""Python Lambda executor (replaces moto's Docker invoke). Being built: see issue 2."""

from localcloud.config import CloudConfig


def install(cfg: CloudConfig) -> None:
    """Hook the executor into moto's Lambda backend."""


def shutdown() -> None:
    """Stop every worker process."""
