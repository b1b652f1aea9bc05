"""04 pulumi-login-and-stack: account check, backend login, stack init, plain and secret config."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra import stack_config
from runbooks import pulumi_login_and_stack as login
from runbooks import pulumi_state_bucket as psb
from runbooks.cancel_stuck_lock import checkpoint_key
from runbooks.target import Target

STACK = "sesha-backend-dev"
PROXY = "http://user:hunter2@proxy.example:3128"


def engine_target(uses_cli: bool = False) -> Target:
    return Target("aws", boto3.Session(region_name="eu-north-1"), "eu-north-1", uses_pulumi_cli=uses_cli)


STACK_FILE = '# dev stack\nconfig:\n  aws:region: eu-north-1\n  sesha-pulumi:accountId: "123456789012"\n'


@functools.cache
def salt() -> str:
    # One salt for the module: the 1,000,000-round key derivation then runs once, not once per test.
    return stack_config.new_encryption_salt(stack_config.Passphrase("correct horse"))


@pytest.fixture
def infra_dir(tmp_path: Path) -> Path:
    """A stack file without secrets yet (no encryptionsalt)."""
    (tmp_path / f"Pulumi.{STACK}.yaml").write_text(STACK_FILE)
    return tmp_path


@pytest.fixture
def salted_infra_dir(tmp_path: Path) -> Path:
    """A stack file whose passphrase is already set (encryptionsalt present)."""
    (tmp_path / f"Pulumi.{STACK}.yaml").write_text(f"encryptionsalt: {salt()}\n{STACK_FILE}")
    return tmp_path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "correct horse")
    monkeypatch.setenv("SESHA_PROXY_URL", PROXY)


def test_account_matches(aws: None, infra_dir: Path) -> None:
    assert login.check_account(engine_target(), STACK, infra_dir) == "123456789012"


def test_account_mismatch_is_refused(aws: None, infra_dir: Path) -> None:
    path = infra_dir / f"Pulumi.{STACK}.yaml"
    path.write_text(path.read_text().replace("123456789012", "111111111111"))
    with pytest.raises(
        login.AccountMismatch, match=r"for account 123456789012, but stack .* deploys to 111111111111"
    ):
        login.check_account(engine_target(), STACK, infra_dir)


def test_a_stack_without_account_is_refused(aws: None, tmp_path: Path) -> None:
    (tmp_path / f"Pulumi.{STACK}.yaml").write_text("config: {}\n")
    with pytest.raises(login.StackSetupError, match="set sesha-pulumi:accountId"):
        login.check_account(engine_target(), STACK, tmp_path)


def test_login_needs_the_state_bucket(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(login.StackSetupError, match="run notebook 03"):
        login.login(engine_target(), STACK)
    psb.ensure(s3, "dev", "eu-north-1")
    backend = login.login(engine_target(), STACK)
    assert backend.url == "s3://sesha-backend-pulumi-dev?region=eu-north-1"
    assert "local deploy engine" in backend.via
    import os

    assert os.environ["AWS_REGION"] == "eu-north-1"


def test_login_with_the_cli_runs_pulumi_login(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    psb.ensure(s3, "dev", "eu-north-1")
    calls: list[list[str]] = []
    monkeypatch.setattr(login, "_pulumi", lambda args, tgt, cwd=None: calls.append(args) or "")
    assert login.login(engine_target(uses_cli=True), STACK).via.startswith("pulumi login")
    assert calls == [["login", "s3://sesha-backend-pulumi-dev?region=eu-north-1"]]


def test_init_sets_secrets_as_ciphertext_and_a_rerun_changes_nothing(
    s3: Any, infra_dir: Path, env: None
) -> None:
    psb.ensure(s3, "dev", "eu-north-1")
    first = login.init_and_configure(
        engine_target(), STACK, {"writer": "extractive"}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=infra_dir
    )
    assert first.initialised and first.changed == ["encryptionsalt", "writer", "proxyUrl"]
    text = (infra_dir / f"Pulumi.{STACK}.yaml").read_text()
    assert "hunter2" not in text and "secure: v1:" in text and text.startswith("encryptionsalt: v1:")
    assert stack_config.decrypted(STACK, infra_dir=infra_dir)["sesha-pulumi:proxyUrl"] == PROXY
    checkpoint = json.loads(
        s3.get_object(Bucket="sesha-backend-pulumi-dev", Key=checkpoint_key(STACK))["Body"].read()
    )
    assert checkpoint == {
        "version": 3,
        "checkpoint": {"stack": f"organization/sesha-pulumi/{STACK}", "latest": None},
    }
    second = login.init_and_configure(
        engine_target(), STACK, {"writer": "extractive"}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=infra_dir
    )
    assert not second.initialised and second.changed == []
    assert (infra_dir / f"Pulumi.{STACK}.yaml").read_text() == text  # not even re-encrypted
    assert "proxyUrl" in login.verify_secrets(STACK, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir)


def test_changed_secret_is_re_encrypted(
    s3: Any, salted_infra_dir: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    psb.ensure(s3, "dev", "eu-north-1")
    login.init_and_configure(
        engine_target(), STACK, {}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=salted_infra_dir
    )
    monkeypatch.setenv("SESHA_PROXY_URL", "http://other:3128")
    again = login.init_and_configure(
        engine_target(), STACK, {}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=salted_infra_dir
    )
    assert again.changed == ["proxyUrl"]
    assert (
        stack_config.decrypted(STACK, infra_dir=salted_infra_dir)["sesha-pulumi:proxyUrl"]
        == "http://other:3128"
    )


def test_wrong_passphrase_is_a_clear_error(
    s3: Any, salted_infra_dir: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    psb.ensure(s3, "dev", "eu-north-1")
    login.init_and_configure(
        engine_target(), STACK, {}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=salted_infra_dir
    )
    before = (salted_infra_dir / f"Pulumi.{STACK}.yaml").read_text()
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "wrong")
    with pytest.raises(stack_config.WrongPassphrase, match=r"incorrect passphrase.*PULUMI_CONFIG_PASSPHRASE"):
        login.init_and_configure(
            engine_target(), STACK, {}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=salted_infra_dir
        )
    assert (salted_infra_dir / f"Pulumi.{STACK}.yaml").read_text() == before


def test_a_secret_without_a_value_says_which_variable(
    s3: Any, salted_infra_dir: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SESHA_PROXY_URL")
    with pytest.raises(login.StackSetupError, match=r"put its value in \$SESHA_PROXY_URL"):
        login.init_and_configure(
            engine_target(), STACK, {}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=salted_infra_dir
        )


def test_dry_run_writes_nothing(s3: Any, salted_infra_dir: Path, env: None) -> None:
    psb.ensure(s3, "dev", "eu-north-1")
    before = (salted_infra_dir / f"Pulumi.{STACK}.yaml").read_text()
    result = login.init_and_configure(
        engine_target(),
        STACK,
        {"writer": "bedrock"},
        {"proxyUrl": "SESHA_PROXY_URL"},
        dry_run=True,
        infra_dir=salted_infra_dir,
    )
    assert (
        result.initialised
        and result.changed == ["writer", "proxyUrl"]
        and "would change" in result.describe()
    )
    assert (salted_infra_dir / f"Pulumi.{STACK}.yaml").read_text() == before
    assert (
        s3.list_objects_v2(Bucket="sesha-backend-pulumi-dev", Prefix=checkpoint_key(STACK))["KeyCount"] == 0
    )


def test_verify_refuses_a_secret_stored_in_plain_text(infra_dir: Path, env: None) -> None:
    path = infra_dir / f"Pulumi.{STACK}.yaml"
    path.write_text(path.read_text() + f"  sesha-pulumi:proxyUrl: {PROXY}\n")
    with pytest.raises(login.StackSetupError, match="not stored as ciphertext"):
        login.verify_secrets(STACK, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir)


def test_cli_path_initialises_with_the_passphrase_provider(
    s3: Any, salted_infra_dir: Path, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_pulumi(args: list[str], tgt: Target, cwd: Path | None = None) -> str:
        calls.append(args)
        return "[]" if args[:2] == ["stack", "ls"] else ""

    monkeypatch.setattr(login, "_pulumi", fake_pulumi)
    result = login.init_and_configure(
        engine_target(uses_cli=True), STACK, {}, {"proxyUrl": "SESHA_PROXY_URL"}, infra_dir=salted_infra_dir
    )
    assert result.initialised
    assert calls == [["stack", "ls", "--json"], ["stack", "init", STACK, "--secrets-provider", "passphrase"]]
