"""WebSocket ``$connect`` REQUEST authorizer: will verify the Cognito token in the ``token`` query-string
parameter. Placeholder: denies every connection, with the reason in the authorizer context, until the
live-progress issue lands; the authorizer, identity source, role and permission are final.

Environment variables: ``USER_POOL_ID``, ``USER_POOL_CLIENT_ID``, ``COGNITO_ISSUER``,
``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.core.log import get_logger

logger = get_logger()
REASON = "token verification is not implemented yet: every connection is denied until it lands"


def deny_policy(method_arn: str) -> dict[str, Any]:
    return {
        "principalId": "anonymous",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": method_arn}],
        },
        "context": {"reason": REASON},
    }


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return deny_policy(event["methodArn"])
