"""Stream consumer ``indexer``: indexes the articles table's stream records into OpenSearch (bulk, deletes on
remove).

Placeholder: raises ``NotImplementedYet`` (the event-source mapping retries, then drops the batch) until the
search issue lands; the role, permissions and the stream mapping are final.

Environment variables: ``OPENSEARCH_ENDPOINT``, ``OPENSEARCH_INDEX``, ``POWERTOOLS_SERVICE_NAME``,
``POWERTOOLS_LOG_LEVEL``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.core.log import get_logger
from lambdas.core.placeholder import NotImplementedYet

logger = get_logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    raise NotImplementedYet("the articles stream indexer")
