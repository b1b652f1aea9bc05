"""DynamoDB stream event-source mappings: asynchronous delivery in AWS's record shape, batching,
disabled and deleted mappings, retries and partial batch failures."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from tests.fixtures.lambdas import create_function, unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ddb(cloud_env: Any) -> Any:
    return boto3.client("dynamodb")


@pytest.fixture(scope="module")
def lam(cloud_env: Any) -> Any:
    return boto3.client("lambda")


@pytest.fixture(scope="module")
def sink(ddb: Any) -> str:
    """Where the consumer records each delivery of each record."""
    name = unique("stream-sink")
    ddb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "delivery", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "delivery", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture
def source(ddb: Any) -> tuple[str, str]:
    """A fresh table with a stream: (table name, stream ARN)."""
    name = unique("stream-source")
    table = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return name, table["TableDescription"]["LatestStreamArn"]


@pytest.fixture
def consumer(lam: Any, sink: str) -> Callable[..., str]:
    def make(**environment: str) -> str:
        return create_function(
            lam,
            "stream_consumer",
            "app.handler",
            Timeout=10,
            Environment={"Variables": {"SINK_TABLE": sink, **environment}},
        )

    return make


def deliveries(ddb: Any, sink: str, function: str) -> list[dict[str, Any]]:
    """Every delivery the consumer ``function`` recorded, oldest first per key."""
    items = ddb.scan(TableName=sink)["Items"]
    found = [
        {
            "key": item["pk"]["S"].split("|", 1)[1],
            "delivery": int(item["delivery"]["N"]),
            "batch": item["batch"]["S"],
            "batch_size": int(item["batch_size"]["N"]),
            "record": json.loads(item["record"]["S"]),
        }
        for item in items
        if item["pk"]["S"].startswith(f"{function}|")
    ]
    return sorted(found, key=lambda d: (d["key"], d["delivery"]))


def wait_for(ddb: Any, sink: str, function: str, count: int, timeout_s: float = 10) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while len(found := deliveries(ddb, sink, function)) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} deliveries after {timeout_s} s: {found}"
        time.sleep(0.05)
    return found


def put(ddb: Any, table: str, key: str, mode: str = "") -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": key}, "mode": {"S": mode}})


def map_stream(lam: Any, stream_arn: str, function: str, **settings: Any) -> str:
    settings.setdefault("StartingPosition", "LATEST")
    return lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=function, **settings)[
        "UUID"
    ]


def test_records_arrive_asynchronously_in_aws_shape(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer(SLEEP_S="1")
    map_stream(lam, stream_arn, function)

    started = time.monotonic()
    put(ddb, table, "order-1")
    write_took = time.monotonic() - started

    assert write_took < 0.5, "the write waited for the consumer"
    [delivered] = wait_for(ddb, sink, function, 1)
    record = delivered["record"]
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventVersion"] == "1.1"
    assert record["eventSourceARN"] == stream_arn
    assert record["awsRegion"] == lam.meta.region_name
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "order-1"}}
    assert record["dynamodb"]["NewImage"]["pk"] == {"S": "order-1"}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int | float)
    assert record["dynamodb"]["SequenceNumber"].isdigit()


def test_batches_hold_at_most_batch_size_records_in_order(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer()
    map_stream(lam, stream_arn, function, BatchSize=2, MaximumBatchingWindowInSeconds=1)

    for i in range(5):
        put(ddb, table, f"item-{i}")

    found = wait_for(ddb, sink, function, 5)
    assert [d["key"] for d in found] == [f"item-{i}" for i in range(5)]
    assert all(d["batch_size"] <= 2 for d in found)
    batches = {d["batch"] for d in found}
    assert len(batches) == 3
    sequences = [int(d["record"]["dynamodb"]["SequenceNumber"]) for d in found]
    assert sequences == sorted(sequences)


def test_disabled_and_deleted_mappings_deliver_nothing(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    disabled, deleted, witness = consumer(), consumer(), consumer()
    map_stream(lam, stream_arn, disabled, Enabled=False)
    lam.delete_event_source_mapping(UUID=map_stream(lam, stream_arn, deleted))
    map_stream(lam, stream_arn, witness)

    put(ddb, table, "quiet")

    # Once the enabled mapping's consumer has the record, the other two would have had it too.
    wait_for(ddb, sink, witness, 1)
    time.sleep(0.3)
    assert deliveries(ddb, sink, disabled) == []
    assert deliveries(ddb, sink, deleted) == []


def test_re_enabled_mapping_delivers_what_it_held(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer()
    uuid = map_stream(lam, stream_arn, function, Enabled=False)
    put(ddb, table, "held")

    lam.update_event_source_mapping(UUID=uuid, Enabled=True)

    assert [d["key"] for d in wait_for(ddb, sink, function, 1)] == ["held"]


def test_failing_batch_is_retried_up_to_maximum_retry_attempts(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer()
    map_stream(lam, stream_arn, function, BatchSize=1, MaximumRetryAttempts=2)

    put(ddb, table, "poison", mode="raise")
    put(ddb, table, "after")

    found = wait_for(ddb, sink, function, 4)
    assert [(d["key"], d["delivery"]) for d in found] == [
        ("after", 1),
        ("poison", 1),
        ("poison", 2),
        ("poison", 3),
    ]


def test_batch_item_failures_retry_from_the_failed_record(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer()
    map_stream(
        lam,
        stream_arn,
        function,
        BatchSize=3,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )

    put(ddb, table, "a")
    put(ddb, table, "b", mode="fail-once")
    put(ddb, table, "c")

    found = wait_for(ddb, sink, function, 5)
    counts = {key: sum(1 for d in found if d["key"] == key) for key in "abc"}
    assert counts == {"a": 1, "b": 2, "c": 2}


def test_filter_criteria_drop_records_that_do_not_match(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer()
    only_inserts = {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]}
    map_stream(lam, stream_arn, function, FilterCriteria=only_inserts)

    put(ddb, table, "first")
    put(ddb, table, "first", mode="modified")  # a MODIFY: filtered out
    put(ddb, table, "second")

    found = wait_for(ddb, sink, function, 2)
    assert [(d["key"], d["record"]["eventName"]) for d in found] == [
        ("first", "INSERT"),
        ("second", "INSERT"),
    ]


def test_bisect_on_function_error_isolates_the_failing_record(
    ddb: Any, lam: Any, sink: str, source: Any, consumer: Any
) -> None:
    table, stream_arn = source
    function = consumer()
    map_stream(
        lam,
        stream_arn,
        function,
        BatchSize=4,
        MaximumBatchingWindowInSeconds=1,
        MaximumRetryAttempts=0,
        BisectBatchOnFunctionError=True,
    )

    for key in "abcd":
        put(ddb, table, key, mode="raise" if key == "b" else "")

    # [a b c d] fails at b -> [a b] fails at b -> [a] ok, [b] dropped; [c d] ok
    found = wait_for(ddb, sink, function, 8)
    counts = {key: sum(1 for d in found if d["key"] == key) for key in "abcd"}
    assert counts == {"a": 3, "b": 3, "c": 1, "d": 1}
