"""The local deploy engine on the embedded cloud, with the small fixture program in
``tests/fixtures/programs/small``: deploy from nothing, converge, update in place, delete what left the
program, the stack lock, unsupported types. The steps of ``TestLifecycle`` build on each other (one
stack deployed once per class, as deploys are the slow part)."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import stack_config
from infra.stack_config import Passphrase, PassphraseMissing
from localcloud.deploy import (
    DeployError,
    DeployResult,
    LockHeld,
    StateBucketMissing,
    UnsupportedResourceType,
    deploy,
    outputs,
)
from localcloud.endpoints import Endpoints
from runbooks import pulumi_state_bucket

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "small"
PASSPHRASE = Passphrase("fixture passphrase")


class Stack:
    """One test stack: its program copy, name, state bucket and a deploy helper."""

    def __init__(self, eps: Endpoints, program: Path, name: str) -> None:
        self.eps, self.program, self.name = eps, program, name
        self.bucket = f"sesha-backend-pulumi-{name}"
        self.lines: list[str] = []

    def deploy(self) -> DeployResult:
        self.lines.clear()
        return deploy(
            self.name,
            self.program,
            endpoints=self.eps,
            passphrase=PASSPHRASE,
            state_bucket=self.bucket,
            progress=self.lines.append,
        )

    def set(self, key: str, value: Any, *, secret: bool = False) -> None:
        stack_config.set_value(
            self.name, key, value, secret=secret, passphrase=PASSPHRASE, infra_dir=self.program
        )

    def checkpoint(self, s3: Any) -> dict[str, Any]:
        key = f".pulumi/stacks/sesha-pulumi/{self.name}.json"
        return json.loads(s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def ids(self, s3: Any) -> dict[str, str]:
        resources = self.checkpoint(s3)["checkpoint"]["latest"]["resources"]
        return {r["urn"]: r["id"] for r in resources if r.get("custom")}

    def locks(self, s3: Any) -> list[str]:
        prefix = f".pulumi/locks/organization/sesha-pulumi/{self.name}/"
        return [o["Key"] for o in s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix).get("Contents", [])]


@pytest.fixture(scope="module")
def s3(cloud_env: Endpoints) -> Any:
    return boto3.client("s3")


@pytest.fixture(scope="class")
def stack(cloud_env: Endpoints, s3: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    program = tmp_path_factory.mktemp("program") / "small"
    shutil.copytree(FIXTURE, program)
    made = Stack(cloud_env, program, f"engine-{uuid.uuid4().hex[:8]}")
    pulumi_state_bucket.ensure_bucket(s3, made.bucket, cloud_env.region)
    yield made


class TestLifecycle:
    def test_fresh_deploy_creates_every_resource(self, stack: Stack) -> None:
        result = stack.deploy()

        assert result.counts == {"create": 7}
        ddb, lam = boto3.client("dynamodb"), boto3.client("lambda")
        table = ddb.describe_table(TableName=result.outputs["tableName"])["Table"]
        assert table["StreamSpecification"]["StreamEnabled"] is True
        assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by-status"
        function = lam.get_function_configuration(FunctionName=result.outputs["functionName"])
        assert function["Environment"]["Variables"] == {"GREETING": "hello", "TABLE_NAME": table["TableName"]}
        assert result.outputs["tableName"].startswith("articles-") and len(result.outputs["tableName"]) == 16
        assert any(
            line.startswith(" + create") and "aws:dynamodb/table:Table" in line for line in stack.lines
        )

    def test_redeploy_converges_with_the_same_ids(self, stack: Stack, s3: Any) -> None:
        before = stack.ids(s3)

        result = stack.deploy()

        assert result.counts == {"same": 7}
        assert stack.ids(s3) == before
        tables = boto3.client("dynamodb").list_tables()["TableNames"]
        assert [t for t in tables if t.startswith("articles-")] == [result.outputs["tableName"]]

    def test_changed_input_updates_in_place(self, stack: Stack, s3: Any) -> None:
        before = stack.ids(s3)
        stack.set("greeting", "bonjour", secret=True)

        result = stack.deploy()

        assert result.counts == {"update": 1, "same": 6}
        assert stack.ids(s3) == before
        env = boto3.client("lambda").get_function_configuration(FunctionName=result.outputs["functionName"])
        assert env["Environment"]["Variables"]["GREETING"] == "bonjour"
        assert any(line.startswith(" ~ update") and "health" in line for line in stack.lines)

    def test_input_aws_cannot_change_replaces_the_resource(self, stack: Stack, s3: Any) -> None:
        old_bucket = stack.deploy().outputs["bucketName"]
        stack.set("lockPages", True)
        try:
            result = stack.deploy()
        finally:
            stack.set("lockPages", False)

        new_bucket = result.outputs["bucketName"]
        assert result.counts == {"replace": 2, "same": 5}  # the bucket and its versioning, which names it
        assert new_bucket != old_bucket and new_bucket.startswith("pages-")
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert new_bucket in names and old_bucket not in names
        stack.deploy()  # back to a bucket without object lock (replaced again) for the next steps

    def test_resource_removed_from_the_program_is_deleted(self, stack: Stack) -> None:
        logs = boto3.client("logs")
        stack.set("withExtra", True)
        stack.deploy()
        assert logs.describe_log_groups(logGroupNamePrefix="extra-logs-")["logGroups"]
        stack.set("withExtra", False)

        result = stack.deploy()

        assert result.counts == {"delete": 1, "same": 7}
        assert logs.describe_log_groups(logGroupNamePrefix="extra-logs-")["logGroups"] == []

    def test_outputs_are_read_without_running_the_program(self, stack: Stack) -> None:
        saved = outputs(
            stack.name, stack.program, endpoints=stack.eps, passphrase=PASSPHRASE, state_bucket=stack.bucket
        )

        assert saved["functionName"].startswith("health-")
        assert saved["accountId"] == stack.eps.account_id
        assert saved["greeting"] == "bonjour"

    def test_secrets_are_sealed_in_the_checkpoint_and_need_the_passphrase(
        self, stack: Stack, s3: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
        monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
        text = json.dumps(stack.checkpoint(s3))

        assert "bonjour" not in text  # the secret output, and the function's input it came from
        assert "1b47061264138c4ac30d75fd1eb44270" in text
        with pytest.raises(PassphraseMissing):
            outputs(stack.name, stack.program, endpoints=stack.eps, state_bucket=stack.bucket)
        with pytest.raises(PassphraseMissing):
            deploy(stack.name, stack.program, endpoints=stack.eps, state_bucket=stack.bucket, progress=None)
        assert stack.locks(s3) == []

    def test_checkpoint_has_pulumis_layout_and_no_lock_is_left(self, stack: Stack, s3: Any) -> None:
        document = stack.checkpoint(s3)

        assert document["version"] == 3
        resources = document["checkpoint"]["latest"]["resources"]
        assert resources[0]["type"] == "pulumi:pulumi:Stack"
        assert all(r["urn"].startswith(f"urn:pulumi:{stack.name}::sesha-pulumi::") for r in resources)
        assert stack.locks(s3) == []

    def test_deploy_while_locked_is_refused_naming_the_owner(self, stack: Stack, s3: Any) -> None:
        key = f".pulumi/locks/organization/sesha-pulumi/{stack.name}/{uuid.uuid4()}.json"
        lock = {
            "pid": 4242,
            "username": "alice",
            "hostname": "ci-runner-7",
            "timestamp": "2026-12-03T10:00:00Z",
        }
        s3.put_object(Bucket=stack.bucket, Key=key, Body=json.dumps(lock).encode())
        try:
            with pytest.raises(LockHeld) as refused:
                stack.deploy()
        finally:
            s3.delete_object(Bucket=stack.bucket, Key=key)

        message = str(refused.value)
        for expected in ("alice@ci-runner-7", "pid 4242", "2026-12-03T10:00:00Z", "06-cancel-stuck-lock"):
            assert expected in message
        assert stack.locks(s3) == []

    def test_unsupported_type_is_an_error_naming_it_and_releases_the_lock(
        self, stack: Stack, s3: Any
    ) -> None:
        stack.set("withUnsupported", True)
        try:
            with pytest.raises(UnsupportedResourceType, match="aws:sns/topic:Topic"):
                stack.deploy()
        finally:
            stack.set("withUnsupported", False)

        assert stack.locks(s3) == []
        assert stack.deploy().counts == {"same": 7}

    def test_protected_resource_is_not_deleted_until_unprotected(self, stack: Stack) -> None:
        logs = boto3.client("logs")
        stack.set("withExtra", True)
        stack.set("protectExtra", True)
        stack.deploy()
        stack.set("withExtra", False)

        with pytest.raises(DeployError, match=r"'extra-logs' is protected"):
            stack.deploy()
        assert logs.describe_log_groups(logGroupNamePrefix="extra-logs-")["logGroups"]

        stack.set("withExtra", True)
        stack.set("protectExtra", False)
        stack.deploy()
        stack.set("withExtra", False)
        assert stack.deploy().counts == {"delete": 1, "same": 7}
        assert logs.describe_log_groups(logGroupNamePrefix="extra-logs-")["logGroups"] == []


def test_missing_state_bucket_says_to_run_runbook_03(cloud_env: Endpoints) -> None:
    with pytest.raises(StateBucketMissing, match="03-pulumi-state-bucket"):
        deploy(
            "nobucket",
            FIXTURE,
            endpoints=cloud_env,
            passphrase=PASSPHRASE,
            state_bucket="sesha-backend-pulumi-nobucket",
            progress=None,
        )
