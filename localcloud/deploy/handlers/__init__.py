"""Resource handlers, one module per AWS service; importing this package fills ``REGISTRY``."""

from localcloud.deploy.handlers import (  # noqa: F401 - imported for their @register side effect
    apigatewayv2,
    cognito,
    dynamodb,
    ec2,
    iam,
    lambda_,
    logs,
    opensearch,
    s3,
    sfn,
)
from localcloud.deploy.handlers.base import (
    REGISTRY,
    NeedsReplacement,
    ResourceHandler,
    UnsupportedResourceType,
    handler_for,
)

__all__ = ["REGISTRY", "NeedsReplacement", "ResourceHandler", "UnsupportedResourceType", "handler_for"]
