"""The backend's functions: what each is told (environment) and what it may do (IAM statements on this
stack's resources only). The one place to read when reviewing least privilege.

Groups follow the order in which their inputs exist: the WebSocket handlers (before the WebSocket API),
the workers (pipeline steps, indexer, health; before the state machine), the HTTP API's articles
function (after the state machine, which it starts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra import iam
from infra.components.functions import FunctionSpec, StreamTrigger
from infra.settings import Settings
from infra.tables import TABLES

WEBSOCKET_FUNCTIONS = ("ws_authorizer", "ws_connect", "ws_disconnect", "ws_subscribe", "ws_default")
WORKER_FUNCTIONS = ("validate", "scrape", "write", "store", "notify", "indexer", "health")
API_FUNCTIONS = ("articles",)
ALL_FUNCTIONS = (*WEBSOCKET_FUNCTIONS, *WORKER_FUNCTIONS, *API_FUNCTIONS)
# Functions that call the OpenSearch domain (named in its access policy, placed in the VPC).
SEARCH_CLIENTS = ("articles", "indexer")
# Functions that post to WebSocket connections (granted ManageConnections on the API).
CONNECTION_MANAGERS = ("ws_subscribe", "ws_default", "notify")
SEARCH_INDEX = "articles"
SEARCH_ACTIONS = ("es:ESHttpDelete", "es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut")


@dataclass
class Resources:
    """The stack's resources the functions refer to."""

    settings: Settings
    tables: Mapping[str, aws.dynamodb.Table]
    buckets: Mapping[str, aws.s3.Bucket]


def table_access(table: aws.dynamodb.Table, actions: list[str]) -> iam.Statement:
    """``actions`` on the table and its indexes."""
    return iam.allow([f"dynamodb:{a}" for a in actions], [table.arn, iam.sub_resource(table.arn, "/index/*")])


def objects_access(bucket: aws.s3.Bucket, actions: list[str]) -> iam.Statement:
    return iam.allow([f"s3:{a}" for a in actions], [iam.sub_resource(bucket.arn, "/*")])


def table_env(res: Resources, *tables: str) -> dict[str, pulumi.Input[str]]:
    return {TABLES[t].env_var: res.tables[t].name for t in tables}


def websocket_functions(
    res: Resources, user_pool_id: pulumi.Input[str], client_id: pulumi.Input[str], issuer: pulumi.Input[str]
) -> list[FunctionSpec]:
    connections = res.tables["connections"]
    return [
        FunctionSpec(
            "ws_authorizer",
            "Verifies the token of a WebSocket $connect",
            environment={
                "USER_POOL_ID": user_pool_id,
                "USER_POOL_CLIENT_ID": client_id,
                "COGNITO_ISSUER": issuer,
            },
            timeout=10,
        ),
        FunctionSpec(
            "ws_connect",
            "Records a WebSocket connection for its owner",
            environment={
                **table_env(res, "connections"),
                "CONNECTION_TTL_SECONDS": str(res.settings.connection_ttl_seconds),
            },
            statements=[table_access(connections, ["PutItem"])],
            timeout=10,
        ),
        FunctionSpec(
            "ws_disconnect",
            "Forgets a WebSocket connection",
            environment=table_env(res, "connections"),
            statements=[table_access(connections, ["DeleteItem", "Query"])],
            timeout=10,
        ),
        FunctionSpec(
            "ws_subscribe",
            "Subscribes a connection to an article's progress",
            environment=table_env(res, "connections", "articles"),
            statements=[
                table_access(connections, ["UpdateItem", "Query"]),
                table_access(res.tables["articles"], ["GetItem"]),
            ],
            timeout=10,
        ),
        FunctionSpec("ws_default", "Answers unknown WebSocket actions with an error", timeout=10),
    ]


def worker_functions(
    res: Resources,
    search_endpoint: pulumi.Input[str],
    search_arn: pulumi.Input[str],
    management_url: pulumi.Input[str],
) -> list[FunctionSpec]:
    s = res.settings
    tables, pages = res.tables, res.buckets["pages"]
    allow_private = "true" if s.allow_private_addresses else "false"
    write_statements = [
        objects_access(pages, ["GetObject"]),
        table_access(tables["sources"], ["GetItem", "Query"]),
    ]
    if s.writer == "bedrock":
        model_arn = pulumi.Output.concat(
            "arn:aws:bedrock:", s.region, "::foundation-model/", s.bedrock_model_id or ""
        )
        write_statements.append(iam.allow(["bedrock:InvokeModel"], [model_arn]))
    return [
        FunctionSpec(
            "validate",
            "Pipeline: validates a story request",
            environment={"ALLOW_PRIVATE_ADDRESSES": allow_private},
            timeout=10,
        ),
        FunctionSpec(
            "scrape",
            "Pipeline: renders and extracts one source",
            environment={
                "PAGES_BUCKET": pages.bucket,
                **table_env(res, "sources"),
                "PROXY_URL": s.proxy_url,
                "ALLOW_PRIVATE_ADDRESSES": allow_private,
            },
            statements=[
                objects_access(pages, ["PutObject"]),
                table_access(tables["sources"], ["PutItem", "UpdateItem"]),
            ],
            timeout=120,
            memory_size=2048,
            chromium=True,
        ),
        FunctionSpec(
            "write",
            "Pipeline: drafts the article with the configured writer",
            environment={
                "WRITER": s.writer,
                "BEDROCK_MODEL_ID": s.bedrock_model_id or "",
                "PAGES_BUCKET": pages.bucket,
                **table_env(res, "sources"),
            },
            statements=write_statements,
            timeout=300,
            memory_size=1024,
        ),
        FunctionSpec(
            "store",
            "Pipeline: stores the article and its status",
            environment=table_env(res, "articles", "sources"),
            statements=[
                table_access(tables["articles"], ["GetItem", "PutItem", "UpdateItem"]),
                table_access(tables["sources"], ["Query"]),
            ],
        ),
        FunctionSpec(
            "notify",
            "Pipeline: tells the owner's connections about a stage",
            environment={**table_env(res, "connections"), "WEBSOCKET_MANAGEMENT_URL": management_url},
            statements=[table_access(tables["connections"], ["Query", "DeleteItem"])],
        ),
        FunctionSpec(
            "indexer",
            "Indexes the articles stream into OpenSearch",
            environment={"OPENSEARCH_ENDPOINT": search_endpoint, "OPENSEARCH_INDEX": SEARCH_INDEX},
            statements=[
                iam.allow(SEARCH_ACTIONS, [iam.sub_resource(search_arn, "/*")]),
                iam.allow(
                    ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                    [tables["articles"].stream_arn],
                ),
                # ListStreams has no resource-level permission: AWS accepts only "*".
                iam.allow(["dynamodb:ListStreams"], ["*"]),
            ],
            timeout=60,
            in_vpc=True,
            stream=StreamTrigger(tables["articles"].stream_arn),
        ),
        FunctionSpec(
            "health",
            "Reports the stack and the table it can reach",
            environment=table_env(res, "articles"),
            statements=[iam.allow(["dynamodb:DescribeTable"], [tables["articles"].arn])],
            timeout=10,
        ),
    ]


def api_functions(
    res: Resources,
    search_endpoint: pulumi.Input[str],
    search_arn: pulumi.Input[str],
    state_machine_arn: pulumi.Input[str],
) -> list[FunctionSpec]:
    tables = res.tables
    return [
        FunctionSpec(
            "articles",
            "HTTP API: articles and search",
            environment={
                **table_env(res, "articles", "sources", "idempotency"),
                "STATE_MACHINE_ARN": state_machine_arn,
                "OPENSEARCH_ENDPOINT": search_endpoint,
                "OPENSEARCH_INDEX": SEARCH_INDEX,
            },
            statements=[
                table_access(tables["articles"], ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"]),
                table_access(tables["sources"], ["Query", "BatchWriteItem"]),
                table_access(tables["idempotency"], ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]),
                iam.allow(["states:StartExecution"], [state_machine_arn]),
                iam.allow(["es:ESHttpGet", "es:ESHttpPost"], [iam.sub_resource(search_arn, "/*")]),
            ],
            timeout=30,
            in_vpc=True,
        ),
    ]
