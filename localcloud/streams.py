"""DynamoDB stream event-source mappings, delivered asynchronously. Being built: see issue 2."""

from localcloud.config import CloudConfig


def install(cfg: CloudConfig) -> None:
    """Hook asynchronous stream delivery into moto's Lambda backend."""
