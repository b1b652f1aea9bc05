"""03 pulumi-state-bucket: the S3 bucket holding Pulumi's state, ``sesha-backend-pulumi-<env>``.

Each setting is read first and written only when it differs, so a second run reports no change and an
existing bucket is brought back to the settings below: versioning, SSE-S3, all four public-access-block
flags, ACLs disabled (bucket owner enforced), a policy denying any request not made over TLS, and
Pulumi's diy-backend layout (``.pulumi/meta.yaml`` with ``version: 1``, ``.pulumi/stacks/sesha-pulumi/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from botocore.exceptions import ClientError

from infra import state_layout

PROJECT = state_layout.PROJECT
META_KEY = ".pulumi/meta.yaml"
STACKS_PREFIX = f".pulumi/stacks/{PROJECT}/"
META = {"version": 1}
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ENCRYPTION = {
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
}
OWNERSHIP = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
ENVS = ("dev", "prod", "local")


class StateBucketError(RuntimeError):
    """The state bucket cannot be made right; the message says what to do."""


def bucket_name(env: str) -> str:
    if env not in ENVS:
        raise StateBucketError(f"unknown environment {env!r}: use one of {', '.join(ENVS)}")
    return f"sesha-backend-pulumi-{env}"


def env_of_stack(stack: str) -> str:
    """``local`` → ``local``; ``sesha-backend-dev`` → ``dev``."""
    env = state_layout.env_of(stack)
    bucket_name(env)  # validates
    return env


def tls_only_policy(bucket: str) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def _error_code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def _get(call: Any, missing: tuple[str, ...], **kwargs: Any) -> dict[str, Any] | None:
    """``call(**kwargs)``, or None when S3 answers that the setting is not configured."""
    try:
        return call(**kwargs)
    except ClientError as exc:
        if _error_code(exc) in missing:
            return None
        raise


def read_settings(s3: Any, bucket: str) -> dict[str, Any]:
    """Every setting this runbook manages, as S3 reports it now (None when not configured)."""
    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    encryption = _get(
        s3.get_bucket_encryption, ("ServerSideEncryptionConfigurationNotFoundError",), Bucket=bucket
    )
    pab = _get(s3.get_public_access_block, ("NoSuchPublicAccessBlockConfiguration",), Bucket=bucket)
    ownership = _get(s3.get_bucket_ownership_controls, ("OwnershipControlsNotFoundError",), Bucket=bucket)
    policy = _get(s3.get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=bucket)
    meta = _get(s3.get_object, ("NoSuchKey",), Bucket=bucket, Key=META_KEY)
    stacks = s3.list_objects_v2(Bucket=bucket, Prefix=STACKS_PREFIX, MaxKeys=1).get("KeyCount", 0)
    rules = (encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    return {
        "versioning": versioning,
        "encryption": rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] if rules else None,
        "public_access_block": (pab or {}).get("PublicAccessBlockConfiguration"),
        "object_ownership": (ownership or {})
        .get("OwnershipControls", {})
        .get("Rules", [{}])[0]
        .get("ObjectOwnership"),
        "policy": json.loads(policy["Policy"]) if policy else None,
        "meta": yaml.safe_load(meta["Body"].read()) if meta else None,
        "stacks_prefix": stacks > 0,
    }


def expected_settings(bucket: str) -> dict[str, Any]:
    return {
        "versioning": "Enabled",
        "encryption": "AES256",
        "public_access_block": PUBLIC_ACCESS_BLOCK,
        "object_ownership": "BucketOwnerEnforced",
        "policy": tls_only_policy(bucket),
        "meta": META,
        "stacks_prefix": True,
    }


def _exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError as exc:
        if _error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return False
        if _error_code(exc) in ("403", "AccessDenied"):
            raise StateBucketError(
                f"bucket {bucket} exists but these credentials cannot use it (another account owns it, "
                "or the role lacks s3:ListBucket): check the profile/account"
            ) from exc
        raise


def _create(s3: Any, bucket: str, region: str) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if region != "us-east-1":  # us-east-1 takes no location constraint; every other region needs one
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except ClientError as exc:
        if _error_code(exc) == "BucketAlreadyExists":
            raise StateBucketError(
                f"bucket name {bucket} is taken by another AWS account: S3 names are global"
            ) from exc
        raise


def _apply(s3: Any, bucket: str, setting: str) -> None:
    if setting == "versioning":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    elif setting == "encryption":
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=ENCRYPTION)
    elif setting == "public_access_block":
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)
    elif setting == "object_ownership":
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=OWNERSHIP)
    elif setting == "policy":
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(tls_only_policy(bucket)))
    elif setting == "meta":
        s3.put_object(
            Bucket=bucket, Key=META_KEY, Body=yaml.safe_dump(META).encode(), ContentType="application/x-yaml"
        )
    elif setting == "stacks_prefix":
        # An empty "folder" object: the diy backend lists stacks under it; it holds no checkpoint.
        s3.put_object(Bucket=bucket, Key=STACKS_PREFIX, Body=b"")


@dataclass(frozen=True)
class EnsureResult:
    bucket: str
    created: bool
    changed: list[str] = field(default_factory=list)


def ensure(s3: Any, env: str, region: str, *, dry_run: bool = False) -> EnsureResult:
    """Create the bucket if missing, then apply each setting that differs (in a safe order: the
    public-access block and ownership first, the policy after them). ``dry_run``: report only."""
    return ensure_bucket(s3, bucket_name(env), region, dry_run=dry_run)


def ensure_bucket(s3: Any, bucket: str, region: str, *, dry_run: bool = False) -> EnsureResult:
    """:func:`ensure` for a bucket named explicitly (a test stack's state bucket)."""
    missing = not _exists(s3, bucket)
    wanted = expected_settings(bucket)
    if dry_run:
        changed = (
            list(wanted) if missing else [n for n, v in read_settings(s3, bucket).items() if wanted[n] != v]
        )
        return EnsureResult(bucket, missing, changed)
    if missing:
        _create(s3, bucket, region)
    current = read_settings(s3, bucket)
    changed = [name for name in wanted if current[name] != wanted[name]]
    for name in changed:
        _apply(s3, bucket, name)
    return EnsureResult(bucket, missing, changed)


def verify(s3: Any, env: str) -> dict[str, Any]:
    """Read every setting back; :class:`StateBucketError` naming each one that is not as it must be."""
    bucket = bucket_name(env)
    current = read_settings(s3, bucket)
    wrong = {k: current[k] for k, v in expected_settings(bucket).items() if current[k] != v}
    if wrong:
        raise StateBucketError(f"bucket {bucket} settings not as required: {wrong} — re-run the steps above")
    return current
