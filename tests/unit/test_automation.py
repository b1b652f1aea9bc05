"""The AWS deploy path (Automation API) up to the point where a real account and the Pulumi CLI are
needed: backend and workspace settings, the passphrase, the CLI version check (a fake ``pulumi`` on
PATH), the account check (botocore Stubber), and how a concurrent update is reported.

Only a real account can check ``up``/``preview``/``refresh``/``destroy`` themselves."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from pulumi import automation as auto

from infra import automation, stack_config
from infra.stack_config import Passphrase, PassphraseMissing, WrongPassphrase

ACCOUNT = "222233334444"


@pytest.fixture
def infra_dir(tmp_path: Path) -> Path:
    """A project folder with a dev stack bound to ACCOUNT and one secret (passphrase 'pw')."""
    folder = tmp_path / "infra"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: sesha-pulumi\nruntime: python\n")
    stack_config.set_value("sesha-backend-dev", "accountId", ACCOUNT, infra_dir=folder)
    stack_config.set_value("sesha-backend-dev", "aws:region", "eu-north-1", infra_dir=folder)
    stack_config.set_value(
        "sesha-backend-dev", "proxyUrl", "", secret=True, passphrase=Passphrase("pw"), infra_dir=folder
    )
    return folder


@pytest.fixture
def fake_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Put a `pulumi` on PATH that answers `pulumi version` with the version given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", raising=False)

    def install(version: str) -> Path:
        script = bin_dir / "pulumi"
        script.write_text(f"#!/bin/sh\necho {version}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        return script

    return install


def stubbed_sts(account: str) -> Any:
    sts = boto3.client("sts", region_name="eu-north-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(sts)
    stubber.add_response(
        "get_caller_identity",
        {
            "Account": account,
            "Arn": f"arn:aws:sts::{account}:assumed-role/dev/me",
            "UserId": "AROAEXAMPLE:me",
        },
    )
    stubber.activate()
    return sts


def test_backend_is_the_stacks_state_bucket() -> None:
    assert (
        automation.backend_url("sesha-backend-dev", "eu-north-1")
        == "s3://sesha-backend-pulumi-dev?region=eu-north-1"
    )
    assert automation.backend_url("sesha-backend-prod", "eu-north-1").startswith(
        "s3://sesha-backend-pulumi-prod?"
    )


def test_workspace_uses_the_passphrase_provider_and_the_s3_backend(infra_dir: Path) -> None:
    opts = automation.workspace_options("sesha-backend-dev", Passphrase("pw"), None, infra_dir)

    assert opts.secrets_provider == "passphrase"
    assert opts.work_dir == str(infra_dir)
    assert opts.env_vars["PULUMI_BACKEND_URL"] == "s3://sesha-backend-pulumi-dev?region=eu-north-1"
    assert opts.env_vars["PULUMI_CONFIG_PASSPHRASE"] == "pw"


def test_missing_passphrase_fails_before_anything_runs(
    infra_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("PATH", "")  # no CLI either: the passphrase is reported first

    with pytest.raises(PassphraseMissing):
        automation.select_stack("sesha-backend-dev", infra_dir=infra_dir)


def test_wrong_passphrase_fails_before_the_cli_is_run(
    infra_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")

    with pytest.raises(WrongPassphrase):
        automation.select_stack("sesha-backend-dev", passphrase=Passphrase("nope"), infra_dir=infra_dir)


def test_missing_cli_says_how_to_get_one(infra_dir: Path, fake_pulumi: Any) -> None:
    with pytest.raises(automation.PulumiCliMissing, match=r"not on PATH.*target='local'"):
        automation.select_stack("sesha-backend-dev", passphrase=Passphrase("pw"), infra_dir=infra_dir)


def test_old_cli_is_refused_with_the_minimum(fake_pulumi: Any) -> None:
    fake_pulumi("v3.100.0")

    with pytest.raises(automation.PulumiCliTooOld, match=automation.MIN_PULUMI_VERSION):
        automation.pulumi_command()


def test_recent_cli_is_accepted(fake_pulumi: Any) -> None:
    fake_pulumi("v3.205.1")

    command = automation.pulumi_command()

    assert str(command.version) == "3.205.1"


def test_caller_in_another_account_is_refused(infra_dir: Path) -> None:
    with pytest.raises(automation.AccountMismatch, match=f"111122223333.*{ACCOUNT}.*sso login"):
        automation.check_account("sesha-backend-dev", stubbed_sts("111122223333"), infra_dir)


def test_caller_in_the_stacks_account_passes(infra_dir: Path) -> None:
    assert automation.check_account("sesha-backend-dev", stubbed_sts(ACCOUNT), infra_dir) == ACCOUNT


def test_stack_without_an_account_is_a_clear_error(tmp_path: Path) -> None:
    stack_config.set_value("sesha-backend-dev", "writer", "bedrock", infra_dir=tmp_path)

    with pytest.raises(automation.AutomationError, match="no sesha-pulumi:accountId"):
        automation.configured_account("sesha-backend-dev", tmp_path)


def test_the_committed_stacks_name_their_account() -> None:
    for stack in ("sesha-backend-dev", "sesha-backend-prod"):
        assert automation.configured_account(stack).isdigit()


class FakeStack:
    """An Automation API stack whose update finds the stack locked by someone else."""

    def up(self, **_: Any) -> Any:
        result = auto.CommandResult(
            stdout="", stderr="error: the stack is currently locked by 1 lock(s)", code=255
        )
        raise auto.ConcurrentUpdateError(result)


@mock_aws
def test_concurrent_update_is_reported_with_the_lock_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-north-1")
    s3 = boto3.client("s3", region_name="eu-north-1")
    s3.create_bucket(
        Bucket="sesha-backend-pulumi-dev", CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    lock = {"pid": 977, "username": "bob", "hostname": "laptop-bob", "timestamp": "2026-12-03T09:00:00Z"}
    s3.put_object(
        Bucket="sesha-backend-pulumi-dev",
        Key=".pulumi/locks/organization/sesha-pulumi/sesha-backend-dev/0f0e.json",
        Body=json.dumps(lock).encode(),
    )
    monkeypatch.setattr(automation, "select_stack", lambda stack, **kwargs: FakeStack())

    with pytest.raises(automation.StackLocked) as locked:
        automation.up("sesha-backend-dev", on_output=lambda line: None)

    message = str(locked.value)
    for expected in (
        "bob@laptop-bob",
        "pid 977",
        "2026-12-03T09:00:00Z",
        "06-cancel-stuck-lock",
        "Nothing was changed",
    ):
        assert expected in message
    assert s3.list_objects_v2(Bucket="sesha-backend-pulumi-dev")["KeyCount"] == 1  # never cancelled


def test_concurrent_update_is_reported_even_when_the_lock_cannot_be_read() -> None:
    s3 = boto3.client("s3", region_name="eu-north-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(s3)
    stubber.add_client_error("list_objects_v2", "AccessDenied", http_status_code=403)
    stubber.activate()

    error = automation.locked_error("sesha-backend-dev", s3=s3)

    assert "could not read the lock" in str(error) and "06-cancel-stuck-lock" in str(error)
