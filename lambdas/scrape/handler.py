"""Pipeline step ``scrape``: render one source with headless Chromium, keep its HTML in S3, extract text and
metadata. A Task of the article workflow.

Placeholder: raises ``NotImplementedYet`` (the workflow's Catch path runs) until the pipeline issue lands;
the role, permissions and the state that calls it are final.

Environment variables: ``PAGES_BUCKET``, ``SOURCES_TABLE``, ``PROXY_URL``, ``ALLOW_PRIVATE_ADDRESSES``,
``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.core.log import get_logger
from lambdas.core.placeholder import NotImplementedYet

logger = get_logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    raise NotImplementedYet("pipeline step scrape")
