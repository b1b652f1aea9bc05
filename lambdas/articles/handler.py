"""Articles function: every HTTP API route of DESIGN §2 but ``GET /health``. Placeholder: each route
answers 501 "not implemented yet" until the articles issue lands; routes, role and permissions are final.

Environment variables: ``STACK_NAME``, ``ARTICLES_TABLE``, ``SOURCES_TABLE``, ``IDEMPOTENCY_TABLE``,
``STATE_MACHINE_ARN``, ``OPENSEARCH_ENDPOINT``, ``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_LOG_LEVEL``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.core.log import get_logger
from lambdas.core.placeholder import http_not_implemented

FUNCTION = "articles"
logger = get_logger()
app = APIGatewayHttpResolver()


@app.post("/articles")
def create_article() -> Response:
    return http_not_implemented(FUNCTION, "POST /articles")


@app.get("/articles")
def list_articles() -> Response:
    return http_not_implemented(FUNCTION, "GET /articles")


@app.get("/articles/<article_id>")
def get_article(article_id: str) -> Response:
    return http_not_implemented(FUNCTION, "GET /articles/{id}")


@app.patch("/articles/<article_id>")
def edit_article(article_id: str) -> Response:
    return http_not_implemented(FUNCTION, "PATCH /articles/{id}")


@app.delete("/articles/<article_id>")
def delete_article(article_id: str) -> Response:
    return http_not_implemented(FUNCTION, "DELETE /articles/{id}")


@app.post("/articles/<article_id>/regenerate")
def regenerate_article(article_id: str) -> Response:
    return http_not_implemented(FUNCTION, "POST /articles/{id}/regenerate")


@app.get("/search")
def search_articles() -> Response:
    return http_not_implemented(FUNCTION, "GET /search")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
