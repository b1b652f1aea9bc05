"""The DynamoDB tables' key schemas: one source of truth for the program and for moto-backed tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: str
    range_key: str | None = None


@dataclass(frozen=True)
class TableSchema:
    hash_key: str
    range_key: str | None
    # Every attribute used in a key of the table or of an index, with its DynamoDB type.
    attributes: dict[str, str]
    indexes: tuple[Index, ...] = ()
    stream_view_type: str | None = None
    ttl_attribute: str | None = None
    env_var: str = field(default="")


TABLES: dict[str, TableSchema] = {
    # Owner-keyed: a user's articles are one partition; the index lists articles by status and date.
    "articles": TableSchema(
        hash_key="ownerId",
        range_key="articleId",
        attributes={"ownerId": "S", "articleId": "S", "status": "S", "createdAt": "S"},
        indexes=(Index("status-created-index", "status", "createdAt"),),
        stream_view_type="NEW_AND_OLD_IMAGES",
        env_var="ARTICLES_TABLE",
    ),
    "sources": TableSchema(
        hash_key="articleId",
        range_key="sourceId",
        attributes={"articleId": "S", "sourceId": "S"},
        env_var="SOURCES_TABLE",
    ),
    # Owner → connection ids; $disconnect only knows the connection id, hence the index.
    "connections": TableSchema(
        hash_key="ownerId",
        range_key="connectionId",
        attributes={"ownerId": "S", "connectionId": "S"},
        indexes=(Index("connection-index", "connectionId"),),
        ttl_attribute="expiresAt",
        env_var="CONNECTIONS_TABLE",
    ),
    # The layout aws-lambda-powertools' DynamoDBPersistenceLayer expects by default.
    "idempotency": TableSchema(
        hash_key="id",
        range_key=None,
        attributes={"id": "S"},
        ttl_attribute="expiration",
        env_var="IDEMPOTENCY_TABLE",
    ),
}


def create_table_kwargs(table: str, name: str) -> dict[str, Any]:
    """boto3 ``create_table`` arguments for ``table``'s schema under the physical ``name`` (for tests)."""
    schema = TABLES[table]
    keys = [{"AttributeName": schema.hash_key, "KeyType": "HASH"}]
    if schema.range_key:
        keys.append({"AttributeName": schema.range_key, "KeyType": "RANGE"})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "AttributeDefinitions": [
            {"AttributeName": a, "AttributeType": t} for a, t in schema.attributes.items()
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if schema.indexes:
        kwargs["GlobalSecondaryIndexes"] = [_index_kwargs(index) for index in schema.indexes]
    if schema.stream_view_type:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": schema.stream_view_type}
    return kwargs


def _index_kwargs(index: Index) -> dict[str, Any]:
    keys = [{"AttributeName": index.hash_key, "KeyType": "HASH"}]
    if index.range_key:
        keys.append({"AttributeName": index.range_key, "KeyType": "RANGE"})
    return {"IndexName": index.name, "KeySchema": keys, "Projection": {"ProjectionType": "ALL"}}
