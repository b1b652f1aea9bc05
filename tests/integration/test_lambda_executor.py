"""The Python Lambda executor: real code, layers, environment, context, errors, timeout, warm workers,
asynchronous and concurrent invokes, logs."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.fixtures.lambdas import create_function, lambda_role, unique, zip_fixture

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lam(cloud_env: Any) -> Any:
    # Retries off: an error must surface as it is, and a timeout must not be re-sent.
    return boto3.client("lambda", config=Config(retries={"total_max_attempts": 1}, read_timeout=30))


@pytest.fixture(scope="module")
def basic(lam: Any) -> str:
    return create_function(lam, "basic", "app.handler", Environment={"Variables": {"GREETING": "hej"}})


def invoke(lam: Any, name: str, event: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


def test_handler_result_environment_and_context(lam: Any, basic: str, cloud_env: Any) -> None:
    response, result = invoke(lam, basic, {"order": 7})

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert result["event"] == {"order": 7}
    assert result["greeting"] == "hej"
    env = result["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == basic
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_REGION"] == cloud_env.region
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{basic}"
    assert env["AWS_ENDPOINT_URL"] == cloud_env.edge
    assert env["AWS_ACCESS_KEY_ID"]
    context = result["context"]
    assert context["function_name"] == basic
    assert (
        context["invoked_function_arn"]
        == f"arn:aws:lambda:{cloud_env.region}:{cloud_env.account_id}:function:{basic}"
    )
    assert context["memory_limit_in_mb"] == "128"
    assert context["log_group_name"] == f"/aws/lambda/{basic}"
    assert context["log_stream_name"] == env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert len(context["aws_request_id"]) == 36
    assert 0 < context["remaining_ms"] <= 3000


def test_qualified_invoke_names_the_qualifier_in_the_context(lam: Any, basic: str) -> None:
    _, result = invoke(lam, basic, Qualifier="$LATEST")

    assert result["context"]["invoked_function_arn"].endswith(f":function:{basic}:$LATEST")


def test_warm_worker_keeps_module_state(lam: Any) -> None:
    name = create_function(lam, "basic", "app.handler")

    results = [invoke(lam, name)[1] for _ in range(3)]

    assert [r["invokes"] for r in results] == [1, 2, 3]
    assert len({r["pid"] for r in results}) == 1


def test_layer_module_is_imported(lam: Any) -> None:
    layer = lam.publish_layer_version(
        LayerName=unique("greetings"), Content={"ZipFile": zip_fixture("shared_layer")}
    )
    name = create_function(lam, "layer_user", "app.handler", Layers=[layer["LayerVersionArn"]])

    _, result = invoke(lam, name, {"name": "Ada"})

    assert result["message"] == "hello Ada from the layer"
    assert result["layer_file"].endswith("/python/greetings.py")


def test_function_reaches_the_emulator_with_boto3(lam: Any) -> None:
    bucket = unique("executor-boto3")
    boto3.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": lam.meta.region_name}
    )
    name = create_function(
        lam, "with_boto3", "app.handler", Environment={"Variables": {"BUCKET": bucket}}, Timeout=10
    )

    _, result = invoke(lam, name, {"key": "k", "body": "stored through the emulator"})

    assert result == {"body": "stored through the emulator"}


def test_code_update_is_picked_up(lam: Any) -> None:
    name = create_function(lam, "basic", "app.fast")
    assert invoke(lam, name, {"v": 1})[1] == {"v": 1}
    changed = zip_fixture(
        "basic", replace={"app.py": "def fast(event, context):\n    return {'changed': event}\n"}
    )

    lam.update_function_code(FunctionName=name, ZipFile=changed)

    assert invoke(lam, name, {"v": 2})[1] == {"changed": {"v": 2}}


def test_published_version_keeps_its_code(lam: Any) -> None:
    name = create_function(lam, "basic", "app.fast")
    version = lam.publish_version(FunctionName=name)["Version"]
    changed = zip_fixture("basic", replace={"app.py": "def fast(event, context):\n    return 'latest'\n"})
    lam.update_function_code(FunctionName=name, ZipFile=changed)

    assert invoke(lam, name, {"v": 1}, Qualifier=version)[1] == {"v": 1}
    assert invoke(lam, name, {"v": 1})[1] == "latest"


def test_configuration_update_starts_a_fresh_worker(lam: Any) -> None:
    name = create_function(lam, "basic", "app.handler", Environment={"Variables": {"GREETING": "one"}})
    first = invoke(lam, name)[1]

    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"GREETING": "two"}})
    second = invoke(lam, name)[1]

    assert (first["greeting"], second["greeting"]) == ("one", "two")
    assert second["invokes"] == 1
    assert second["pid"] != first["pid"]


def test_handler_exception_comes_back_in_lambdas_error_shape(lam: Any) -> None:
    name = create_function(lam, "errors", "app.raises")

    response, error = invoke(lam, name, {"amount": 12})

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "PaymentDeclined"
    assert error["errorMessage"] == "declined: 12"
    assert any("app.py" in frame for frame in error["stackTrace"])


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("broken_import.handler", "Runtime.ImportModuleError", "Unable to import module 'broken_import'"),
        ("no_such_module.handler", "Runtime.ImportModuleError", "Unable to import module 'no_such_module'"),
        ("app.missing", "Runtime.HandlerNotFound", "Handler 'missing' missing on module 'app'"),
        ("../../etc/passwd.handler", "Runtime.ImportModuleError", "Unable to import module '../../etc"),
    ],
)
def test_init_errors(lam: Any, handler: str, error_type: str, message: str) -> None:
    name = create_function(lam, "errors", handler)

    response, error = invoke(lam, name)

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == error_type
    assert error["errorMessage"].startswith(message)


def test_unserializable_result_is_a_marshal_error(lam: Any) -> None:
    name = create_function(lam, "errors", "app.unserializable")

    response, error = invoke(lam, name)

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.MarshalError"
    assert "Unable to marshal response" in error["errorMessage"]


def test_result_nested_too_deeply_is_a_marshal_error_and_the_worker_survives(lam: Any) -> None:
    name = create_function(lam, "errors", "app.too_deep")

    for _ in range(2):
        response, error = invoke(lam, name)
        assert response["FunctionError"] == "Unhandled"
        assert error["errorType"] == "Runtime.MarshalError"


def test_payload_nested_too_deeply_is_a_400_not_a_500(lam: Any, basic: str) -> None:
    with pytest.raises(lam.exceptions.InvalidRequestContentException, match="nested too deeply"):
        lam.invoke(FunctionName=basic, Payload=b"[" * 100_000 + b"]" * 100_000)


def test_process_exit_is_reported_and_the_next_invoke_works(lam: Any) -> None:
    name = create_function(lam, "errors", "app.exits")

    response, error = invoke(lam, name)

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in error["errorMessage"]


def test_timeout_kills_the_worker(lam: Any) -> None:
    name = create_function(lam, "errors", "app.sleeps", Timeout=1)

    started = time.monotonic()
    response, error = invoke(lam, name, {"seconds": 30})
    elapsed = time.monotonic() - started

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Sandbox.Timedout"
    assert error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert elapsed < 2.5
    # A fresh worker serves the next invoke.
    assert invoke(lam, name, {"seconds": 0})[1] == "woke up"


def test_async_invoke_returns_before_the_handler_ends(lam: Any) -> None:
    s3 = boto3.client("s3")
    bucket = unique("executor-async")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": lam.meta.region_name})
    name = create_function(lam, "basic", "app.sleep_then_mark", Timeout=10)

    started = time.monotonic()
    response = lam.invoke(
        FunctionName=name,
        InvocationType="Event",
        Payload=json.dumps({"sleep": 1.0, "bucket": bucket, "key": "done"}).encode(),
    )
    returned_after = time.monotonic() - started

    assert response["StatusCode"] == 202
    assert returned_after < 0.8
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    deadline = time.monotonic() + 10
    while s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0:
        assert time.monotonic() < deadline, "the asynchronous invoke never ran"
        time.sleep(0.05)


def test_concurrent_invokes_overlap(lam: Any) -> None:
    name = create_function(lam, "basic", "app.handler", Timeout=10)

    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: invoke(lam, name, {"sleep": 1.0})[1], range(3)))
    elapsed = time.monotonic() - started

    assert elapsed < 2.5, "the invokes ran one after the other"
    assert len({r["pid"] for r in results}) == 3


def test_dry_run_validates_without_running(lam: Any) -> None:
    name = create_function(lam, "basic", "app.handler")

    response = lam.invoke(FunctionName=name, InvocationType="DryRun", Payload=b"{}")

    assert response["StatusCode"] == 204
    assert invoke(lam, name)[1]["invokes"] == 1


def test_unknown_function(lam: Any) -> None:
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName=unique("nobody"), Payload=b"{}")


def test_payload_that_is_not_json(lam: Any, basic: str) -> None:
    with pytest.raises(lam.exceptions.InvalidRequestContentException):
        lam.invoke(FunctionName=basic, Payload=b"{not json")


def test_payload_that_is_not_utf8_is_a_400_not_a_500(lam: Any, basic: str) -> None:
    with pytest.raises(lam.exceptions.InvalidRequestContentException, match="not UTF-8"):
        lam.invoke(FunctionName=basic, Payload=b'\xff\xfe"a"')


def test_payload_over_6_mb_is_refused_before_the_function_runs(lam: Any) -> None:
    name = create_function(lam, "basic", "app.handler")
    big = json.dumps("x" * (6 * 1024 * 1024)).encode()

    with pytest.raises(lam.exceptions.RequestTooLargeException, match="smaller than 6291456 bytes") as err:
        lam.invoke(FunctionName=name, Payload=big)

    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert invoke(lam, name)[1]["invokes"] == 1  # the refused invoke never reached a worker


def test_unknown_invocation_type_is_a_validation_error(lam: Any, basic: str) -> None:
    with pytest.raises(lam.exceptions.ClientError, match="invocationType"):
        lam.invoke(FunctionName=basic, InvocationType="Sometimes", Payload=b"{}")


def test_an_empty_zip_is_an_import_error_not_a_500(lam: Any) -> None:
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    name = create_function(lam, "basic", "app.handler", ZipFile=buffer.getvalue())

    response, result = invoke(lam, name)

    assert response["FunctionError"] == "Unhandled"
    assert result["errorType"] == "Runtime.ImportModuleError"


@pytest.mark.parametrize("settings", [{"Timeout": 901}, {"MemorySize": 20000}])
def test_timeout_and_memory_out_of_lambdas_ranges_are_refused(lam: Any, settings: dict[str, int]) -> None:
    """AWS refuses them; the embedded cloud must not deploy what AWS would not."""
    with pytest.raises(lam.exceptions.ClientError, match="ValidationException"):
        create_function(lam, "basic", "app.handler", **settings)
    name = create_function(lam, "basic", "app.handler")
    with pytest.raises(lam.exceptions.ClientError, match="ValidationException"):
        lam.update_function_configuration(FunctionName=name, **settings)
    assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 3


def test_code_that_is_not_a_zip_is_refused_at_create(lam: Any) -> None:
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="Could not unzip"):
        create_function(lam, "basic", "app.handler", ZipFile=b"def handler(event, context): pass")


def test_logs_reach_cloudwatch_and_the_log_file(lam: Any, cloud: Any) -> None:
    cfg, _ = cloud
    name = create_function(lam, "basic", "app.handler")

    response, result = invoke(lam, name, LogType="Tail")

    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"START RequestId: {result['context']['aws_request_id']}" in tail
    assert "REPORT RequestId:" in tail
    events = boto3.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    messages = [e["message"] for e in events]
    assert "init: basic module imported" in messages
    assert f"invoke 1 of {name}" in messages
    assert any(m.startswith("[INFO]") and m.endswith("logged through logging") for m in messages)
    assert {e["logStreamName"] for e in events} == {result["context"]["log_stream_name"]}
    log_file = (cfg.logs_dir / "lambda" / f"{name}.log").read_text()
    assert f"invoke 1 of {name}" in log_file
    assert "logged through logging" in log_file


def test_code_and_layers_from_s3_must_be_zips_that_exist(lam: Any, cloud_env: Any) -> None:
    s3 = boto3.client("s3")
    bucket = unique("code")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": cloud_env.region})
    s3.put_object(Bucket=bucket, Key="not-a-zip", Body=b"hello")

    def create(key: str) -> None:
        lam.create_function(
            FunctionName=unique("from-s3"),
            Runtime="python3.11",
            Role=lambda_role(lam),
            Handler="app.handler",
            Code={"S3Bucket": bucket, "S3Key": key},
        )

    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="Could not unzip"):
        create("not-a-zip")
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="NoSuchKey"):
        create("missing")
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="Could not unzip"):
        content = {"S3Bucket": bucket, "S3Key": "not-a-zip"}
        lam.publish_layer_version(LayerName=unique("layer"), Content=content)


def test_a_malformed_layer_arn_is_a_validation_error_not_a_500(lam: Any) -> None:
    with pytest.raises(lam.exceptions.ClientError, match=r"ValidationException.*layers"):
        create_function(lam, "basic", "app.handler", Layers=["not-an-arn"])
