"""The health function answers the same document over HTTP and as a Step Functions Task."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import boto3
import pytest

from infra.tables import create_table_kwargs
from lambdas.core.config import MissingSetting
from lambdas.health import handler as health

from .events import load_event

STACK = "sesha-backend-test"


@pytest.fixture
def articles_table(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An articles table built from the schema the program declares, named uniquely for this test."""
    name = f"articles-{uuid.uuid4().hex[:8]}"
    boto3.client("dynamodb").create_table(**create_table_kwargs("articles", name))
    monkeypatch.setenv("STACK_NAME", STACK)
    monkeypatch.setenv("ARTICLES_TABLE", name)
    health.dynamodb.cache_clear()  # a client made before moto started would reach the real endpoint
    yield name
    health.dynamodb.cache_clear()


def test_get_health_names_the_stack_and_the_table(articles_table: str, lambda_context) -> None:
    # given the captured GET /health request; when it is handled
    response = health.handler(load_event("http_api_get_health"), lambda_context)
    # then
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {
        "status": "ok",
        "stack": STACK,
        "table": {"name": articles_table, "reachable": True, "status": "ACTIVE"},
    }


def test_direct_invoke_returns_the_same_document(articles_table: str, lambda_context) -> None:
    over_http = json.loads(health.handler(load_event("http_api_get_health"), lambda_context)["body"])
    as_task = health.handler(load_event("stepfunctions_health_task"), lambda_context)
    assert as_task == over_http


def test_missing_table_is_degraded_and_503(
    aws: None, monkeypatch: pytest.MonkeyPatch, lambda_context
) -> None:
    monkeypatch.setenv("STACK_NAME", STACK)
    monkeypatch.setenv("ARTICLES_TABLE", "no-such-table")
    health.dynamodb.cache_clear()
    response = health.handler(load_event("http_api_get_health"), lambda_context)
    assert response["statusCode"] == 503
    body = json.loads(response["body"])
    assert body["status"] == "degraded"
    assert body["table"] == {
        "name": "no-such-table",
        "reachable": False,
        "error": "ResourceNotFoundException",
    }


def test_unset_table_variable_says_where_it_comes_from(
    aws: None, monkeypatch: pytest.MonkeyPatch, lambda_context
) -> None:
    monkeypatch.setenv("STACK_NAME", STACK)
    monkeypatch.delenv("ARTICLES_TABLE", raising=False)
    with pytest.raises(MissingSetting, match=r"ARTICLES_TABLE is not set.*Pulumi program"):
        health.handler(load_event("stepfunctions_health_task"), lambda_context)
