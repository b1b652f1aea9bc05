"""Deploying to AWS with the Pulumi CLI through the Automation API (``pulumi.automation``).

The project is ``infra/``; the backend the stack's state bucket ``s3://sesha-backend-pulumi-<env>``
(made by runbook 03); secrets use the passphrase provider (``PULUMI_CONFIG_PASSPHRASE`` or
``PULUMI_CONFIG_PASSPHRASE_FILE``, checked before anything runs — never prompted for).

Before any operation: the Pulumi CLI must be on PATH and at least ``MIN_PULUMI_VERSION``, and the caller's
AWS account (STS) must be the one the stack is configured for (``sesha-pulumi:accountId``). A stack held
by another update (``ConcurrentUpdateError``) is reported with the lock's owner and the cancel-lock
procedure; the lock is never removed from here.

What can only be checked with a real account and CLI: the ``up``/``preview``/``refresh``/``destroy``
runs themselves. Everything before them is unit-tested (tests/unit/test_automation.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from pulumi import automation as auto
from semver import VersionInfo

from infra import stack_config
from infra.state_layout import state_bucket_name
from localcloud.deploy.backend import CANCEL_LOCK_RUNBOOK, StateBackend

INFRA_DIR = stack_config.INFRA_DIR
PROJECT = stack_config.PROJECT
# The oldest CLI this program is deployed with (S3 backend project-scoped stacks, Python SDK 3.2xx).
MIN_PULUMI_VERSION = "3.150.0"
ACCOUNT_KEY = f"{PROJECT}:accountId"
REGION_KEY = "aws:region"

Output = Callable[[str], None]


class AutomationError(RuntimeError):
    """A precondition of an AWS deploy failed; the message says what to do."""


class PulumiCliMissing(AutomationError):
    pass


class PulumiCliTooOld(AutomationError):
    pass


class AccountMismatch(AutomationError):
    pass


class StackLocked(AutomationError):
    """Another update holds the stack (Pulumi's ``ConcurrentUpdateError``)."""


def backend_url(stack: str, region: str) -> str:
    return f"s3://{state_bucket_name(stack)}?region={region}"


def pulumi_command(min_version: str = MIN_PULUMI_VERSION) -> auto.PulumiCommand:
    """The Pulumi CLI on PATH, checked to be at least ``min_version``."""
    try:
        return auto.PulumiCommand(version=VersionInfo.parse(min_version))
    except FileNotFoundError as exc:
        raise PulumiCliMissing(
            "the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/, "
            f"version >= {min_version}) to deploy to AWS; the embedded cloud needs no CLI (target='local')"
        ) from exc
    except auto.InvalidVersionError as exc:
        raise PulumiCliTooOld(f"{exc} (this project needs the Pulumi CLI >= {min_version})") from exc


def configured_account(stack: str, infra_dir: Path = INFRA_DIR) -> str:
    config = stack_config.load(stack, infra_dir, must_exist=True)
    account = config.get(ACCOUNT_KEY)
    if not account:
        raise AutomationError(
            f"stack {stack!r} has no {ACCOUNT_KEY} in {config.path}: set the stack's AWS account"
        )
    return str(account)


def check_account(stack: str, sts: Any | None = None, infra_dir: Path = INFRA_DIR) -> str:
    """The caller's account, after checking it is the stack's; ``AccountMismatch`` otherwise."""
    expected = configured_account(stack, infra_dir)
    actual = (sts or boto3.client("sts")).get_caller_identity()["Account"]
    if actual != expected:
        raise AccountMismatch(
            f"the AWS credentials in use belong to account {actual}, but stack {stack!r} deploys to "
            f"{expected}: sign in with the stack's profile (e.g. `aws sso login --profile {stack}` and "
            f"AWS_PROFILE={stack}), see notebook 01-aws-sso-profiles"
        )
    return actual


def _region(stack: str, infra_dir: Path) -> str:
    return str(stack_config.load(stack, infra_dir, must_exist=True).get(REGION_KEY) or "eu-north-1")


def workspace_options(
    stack: str,
    passphrase: stack_config.Passphrase,
    command: auto.PulumiCommand | None,
    infra_dir: Path = INFRA_DIR,
) -> auto.LocalWorkspaceOptions:
    env = {
        "PULUMI_BACKEND_URL": backend_url(stack, _region(stack, infra_dir)),
        "PULUMI_CONFIG_PASSPHRASE": passphrase.value,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    return auto.LocalWorkspaceOptions(
        work_dir=str(infra_dir), env_vars=env, secrets_provider="passphrase", pulumi_command=command
    )


def select_stack(
    stack: str,
    *,
    passphrase: stack_config.Passphrase | None = None,
    sts: Any | None = None,
    infra_dir: Path = INFRA_DIR,
) -> auto.Stack:
    """Every precondition checked (passphrase, CLI, account), then the stack selected or created."""
    phrase = passphrase or stack_config.Passphrase.from_env()
    # A wrong passphrase is caught here, before the CLI would fail half-way.
    stack_config.load(stack, infra_dir, must_exist=True).decrypted(phrase)
    command = pulumi_command()
    check_account(stack, sts, infra_dir)
    opts = workspace_options(stack, phrase, command, infra_dir)
    return auto.create_or_select_stack(stack_name=stack, work_dir=str(infra_dir), opts=opts)


def locked_error(stack: str, s3: Any | None = None) -> StackLocked:
    """``ConcurrentUpdateError`` → the lock's owner, host, pid and age, and how to cancel it."""
    try:
        backend = StateBackend(s3 or boto3.client("s3"), state_bucket_name(stack), PROJECT, stack)
        owners = [lock.owner() for lock in backend.locks()]
    except Exception as lookup_error:
        owners = [f"(could not read the lock: {lookup_error})"]
    held_by = "; ".join(owners) or "(lock already released)"
    return StackLocked(
        f"stack {stack!r} is being updated by someone else: {held_by}. Wait for that update to finish; "
        f"if none is running, cancel the stale lock with {CANCEL_LOCK_RUNBOOK}. Nothing was changed."
    )


def _run(stack: str, operation: str, on_output: Output, **kwargs: Any) -> Any:
    selected = select_stack(stack, **kwargs)
    try:
        if operation == "up":
            return selected.up(on_output=on_output, color="never")
        if operation == "preview":
            return selected.preview(on_output=on_output, color="never")
        if operation == "refresh":
            return selected.refresh(on_output=on_output, color="never")
        if operation == "destroy":
            return selected.destroy(on_output=on_output, color="never")
        raise ValueError(f"unknown operation {operation!r}")
    except auto.ConcurrentUpdateError as exc:
        raise locked_error(stack) from exc


def up(stack: str, *, on_output: Output = print, **kwargs: Any) -> dict[str, Any]:
    """``pulumi up`` with its output streamed; the stack outputs (plain values)."""
    result = _run(stack, "up", on_output, **kwargs)
    return {name: value.value for name, value in result.outputs.items()}


def preview(stack: str, *, on_output: Output = print, **kwargs: Any) -> dict[str, int]:
    result = _run(stack, "preview", on_output, **kwargs)
    return dict(result.change_summary)


def refresh(stack: str, *, on_output: Output = print, **kwargs: Any) -> None:
    _run(stack, "refresh", on_output, **kwargs)


def destroy(stack: str, *, on_output: Output = print, **kwargs: Any) -> None:
    _run(stack, "destroy", on_output, **kwargs)


def outputs(stack: str, **kwargs: Any) -> dict[str, Any]:
    selected = select_stack(stack, **kwargs)
    return {name: value.value for name, value in selected.outputs().items()}
