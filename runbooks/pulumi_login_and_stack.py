"""04 pulumi-login-and-stack: the right account, the state backend, the stack and its config.

Secrets are encrypted with the stack passphrase in the Pulumi CLI's own format (``infra.stack_config``),
so the stack file stays readable by ``pulumi config`` later; a value is re-encrypted only when it
changed, so a re-run leaves the file as it is. With the Pulumi CLI, ``pulumi login`` and
``pulumi stack select --create`` act on the S3 backend; without it (the embedded cloud, see
:attr:`runbooks.target.Target.uses_pulumi_cli`), the local deploy engine keeps the stack's checkpoint
in the same bucket and layout, and this module initialises it there.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra import stack_config
from runbooks import pulumi_state_bucket as psb
from runbooks.cancel_stuck_lock import checkpoint_key
from runbooks.target import Target


class StackSetupError(RuntimeError):
    """The stack cannot be set up as asked; the message says what to do."""


class AccountMismatch(StackSetupError):
    """The credentials belong to another account than the stack's."""


def check_account(tgt: Target, stack: str, infra_dir: Path = stack_config.INFRA_DIR) -> str:
    """The credentials' account id, if it is the one ``sesha-pulumi:accountId`` names for ``stack``."""
    expected = str(stack_config.load(stack, infra_dir, must_exist=True).get("accountId") or "")
    actual = tgt.account_id()
    if not expected:
        raise StackSetupError(
            f"stack {stack!r} names no account: set sesha-pulumi:accountId in infra/Pulumi.{stack}.yaml "
            f"(these credentials are for account {actual})"
        )
    if actual != expected:
        raise AccountMismatch(
            f"these credentials are for account {actual}, but stack {stack!r} deploys to {expected}: use the "
            f"profile for that account (notebook 01, then `aws sso login`), or fix sesha-pulumi:accountId"
        )
    return actual


@dataclass(frozen=True)
class Backend:
    url: str
    via: str

    def describe(self) -> str:
        return f"state backend: {self.url}\nvia: {self.via}"


def backend_url(stack: str, region: str) -> str:
    return f"s3://{psb.bucket_name(psb.env_of_stack(stack))}?region={region}"


def _pulumi(args: list[str], tgt: Target, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["pulumi", "--non-interactive", *args],
        cwd=cwd,
        env={**os.environ, **tgt.env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StackSetupError(
            f"`pulumi {' '.join(args)}` failed: {done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout


def login(tgt: Target, stack: str) -> Backend:
    """Set ``AWS_REGION`` and log in to the stack's state bucket (which notebook 03 must have made)."""
    os.environ["AWS_REGION"] = tgt.region
    bucket = psb.bucket_name(psb.env_of_stack(stack))
    s3 = tgt.client("s3")
    try:
        s3.head_object(Bucket=bucket, Key=psb.META_KEY)
    except ClientError as exc:
        raise StackSetupError(
            f"state bucket {bucket} is missing or has no {psb.META_KEY}: "
            "run notebook 03 (pulumi-state-bucket) first"
        ) from exc
    url = backend_url(stack, tgt.region)
    if tgt.uses_pulumi_cli:
        _pulumi(["login", url], tgt)
        return Backend(url, "pulumi login (Pulumi CLI)")
    return Backend(
        url, "local deploy engine: no Pulumi CLI, the engine keeps the stack's state in this bucket"
    )


@dataclass(frozen=True)
class ConfigureResult:
    stack: str
    initialised: bool  # the stack was created now
    changed: list[str] = field(default_factory=list)
    dry_run: bool = False

    def describe(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        head = f"stack {self.stack}: {'initialised now' if self.initialised else 'exists'}"
        return f"{head}\n{verb}: {', '.join(self.changed) or 'nothing (already as required)'}"


def _secure_text(value: Any) -> str | None:
    return value["secure"] if isinstance(value, dict) and set(value) == {"secure"} else None


def _init_checkpoint(tgt: Target, stack: str, dry_run: bool) -> bool:
    """Create the stack in the backend when it has no checkpoint yet; True when it was (or would be)."""
    if tgt.uses_pulumi_cli:
        listed = json.loads(_pulumi(["stack", "ls", "--json"], tgt, stack_config.INFRA_DIR) or "[]")
        exists = any(s.get("name") == stack for s in listed)
        if not exists and not dry_run:
            _pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"], tgt, stack_config.INFRA_DIR)
        return not exists
    s3 = tgt.client("s3")
    bucket = psb.bucket_name(psb.env_of_stack(stack))
    try:
        s3.head_object(Bucket=bucket, Key=checkpoint_key(stack))
        return False
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
            raise
    if not dry_run:
        # What `pulumi stack init` writes on the diy backend: a checkpoint with no deployment yet.
        document = {
            "version": 3,
            "checkpoint": {"stack": f"organization/{psb.PROJECT}/{stack}", "latest": None},
        }
        s3.put_object(Bucket=bucket, Key=checkpoint_key(stack), Body=json.dumps(document).encode())
    return True


def init_and_configure(
    tgt: Target,
    stack: str,
    plain: dict[str, Any],
    secret_env: dict[str, str],
    *,
    dry_run: bool = False,
    infra_dir: Path = stack_config.INFRA_DIR,
) -> ConfigureResult:
    """Initialise the stack (passphrase secrets provider) and set ``plain`` values and the secrets whose
    values are in the environment variables ``secret_env`` names. Only changed values are written."""
    passphrase = stack_config.Passphrase.from_env()
    cfg = stack_config.load(stack, infra_dir)
    changed = [] if cfg.encryption_salt else ["encryptionsalt"]
    key = cfg.key(passphrase, create=True)  # WrongPassphrase, with what to do, when it does not fit
    for name, value in plain.items():
        if cfg.get(name) != value:
            cfg.set_value(name, value)
            changed.append(name)
    for name, variable in secret_env.items():
        stored = _secure_text(cfg.get(name))
        if variable not in os.environ:
            if stored is None:
                raise StackSetupError(
                    f"secret {name!r} is not set for stack {stack!r}: put its value in ${variable}"
                )
            continue  # keep the stored secret
        if stored is not None and stack_config.decrypt_value(key, stored) == os.environ[variable]:
            continue
        cfg.set_value(name, os.environ[variable], secret=True, passphrase=passphrase)
        changed.append(name)
    initialised = _init_checkpoint(tgt, stack, dry_run)
    if changed and not dry_run:
        cfg.save()
    return ConfigureResult(stack, initialised, changed, dry_run)


def verify_secrets(
    stack: str, secret_env: dict[str, str], infra_dir: Path = stack_config.INFRA_DIR
) -> dict[str, str]:
    """For each secret: stored as ciphertext, opens with the passphrase, its value nowhere in the file."""
    cfg = stack_config.load(stack, infra_dir, must_exist=True)
    text = cfg.path.read_text()
    values = cfg.decrypted(stack_config.Passphrase.from_env())
    report = {}
    for name, variable in secret_env.items():
        stored = _secure_text(cfg.get(name))
        if stored is None or not stored.startswith(f"{stack_config.VERSION}:"):
            raise StackSetupError(
                f"secret {name!r} is not stored as ciphertext in {cfg.path}: re-run the step above"
            )
        plain = values[stack_config.full_key(name)]
        if plain and plain in text:
            raise StackSetupError(f"the value of secret {name!r} appears in plain text in {cfg.path}")
        if variable in os.environ and plain != os.environ[variable]:
            raise StackSetupError(
                f"secret {name!r} does not hold the value of ${variable}: re-run the step above"
            )
        report[name] = (
            "ciphertext (v1, AES-256-GCM); opens with the stack passphrase; plain value not in the file"
        )
    return report
