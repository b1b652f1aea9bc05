"""Where a runbook acts: ``target="local"`` (the embedded cloud) or ``"aws"`` (a profile or the
environment's credentials), turned into a boto3 session plus the endpoint to send requests to.

This is the only module that tells the two apart. Procedures take a :class:`Target` and call
:meth:`Target.client`; the difference is endpoint and credentials, never code paths.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOTokenLoadError,
    TokenRetrievalError,
)

from localcloud import endpoints, process
from localcloud.config import CloudConfig

TARGETS = ("local", "aws")
DEFAULT_REGION = "eu-north-1"


class TargetError(ValueError):
    """The target cannot be resolved; the message says what to do."""


@dataclass(frozen=True)
class Target:
    """A resolved target: a boto3 session, the endpoint (None on AWS) and how deploys will run."""

    name: str
    session: boto3.Session = field(repr=False)
    region: str
    profile: str = ""
    endpoint_url: str | None = None
    # Variables a child process (a deploy, the Pulumi CLI) needs to reach the same cloud.
    env: dict[str, str] = field(default_factory=dict, repr=False)
    deploy_path: str = ""
    # True: login, stack and deploy go through the Pulumi CLI (Automation API); False: the local engine.
    uses_pulumi_cli: bool = False

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.session.client(service, region_name=self.region, endpoint_url=self.endpoint_url, **kwargs)

    def account_id(self) -> str:
        """Who the credentials are (STS ``GetCallerIdentity``); a TargetError saying what to do when
        there are none, they have expired, or the endpoint does not answer."""
        try:
            return self.client("sts").get_caller_identity()["Account"]
        except (NoCredentialsError, PartialCredentialsError, TokenRetrievalError, SSOTokenLoadError) as exc:
            how = (
                f"`aws sso login --profile {self.profile}`"
                if self.profile
                else "set profile= (notebook 01, then `aws sso login`) or the AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY variables"
            )
            raise TargetError(f"no usable AWS credentials for target {self.name!r} ({exc}): {how}") from exc
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise TargetError(
                f"the credentials for target {self.name!r} were refused ({error.get('Code')}: "
                f"{error.get('Message')}): sign in again (`aws sso login`) or use other credentials"
            ) from exc
        except EndpointConnectionError as exc:
            raise TargetError(f"{self.name!r} cannot be reached ({exc}): check the network") from exc


def _local(region: str, cloud: CloudConfig | None) -> Target:
    # CloudConfig() honours LOCALCLOUD_HOME and the LOCALCLOUD_*_PORT variables.
    try:
        eps = endpoints.load((cloud or CloudConfig()).state_dir)
    except endpoints.CloudNotRunning as exc:
        raise TargetError(f"{exc} (or run notebook 00, which starts it)") from exc
    if region != eps.region:
        raise TargetError(
            f"the embedded cloud serves region {eps.region}, not {region}: use region={eps.region!r}"
        )
    env = eps.aws_environment()
    session = boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=eps.region,
    )
    return Target(
        name="local",
        session=session,
        region=eps.region,
        endpoint_url=eps.edge,
        env=env,
        deploy_path="local deploy engine (Pulumi SDK mock runtime; resources created with boto3 in the "
        "embedded cloud)",
    )


def _aws(profile: str | None, region: str) -> Target:
    try:
        session = boto3.Session(profile_name=profile or None, region_name=region)
    except Exception as exc:  # botocore's ProfileNotFound and friends
        raise TargetError(
            f"AWS profile {profile!r} cannot be used ({exc}): run notebook 01, then `aws sso login`"
        ) from exc
    env = {"AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    if profile:
        env["AWS_PROFILE"] = profile
    cli = shutil.which("pulumi")
    path = (
        f"Pulumi CLI ({cli}) through the Automation API, state in s3://sesha-backend-pulumi-<env>"
        if cli
        else "none: the Pulumi CLI is missing — install it (https://www.pulumi.com/docs/install/) "
        "to deploy to AWS"
    )
    return Target(
        name="aws",
        session=session,
        region=region,
        profile=profile or "",
        endpoint_url=None,
        env=env,
        deploy_path=path,
        uses_pulumi_cli=True,
    )


def resolve(
    target: str = "local",
    profile: str | None = None,
    region: str = DEFAULT_REGION,
    *,
    cloud: CloudConfig | None = None,
) -> Target:
    """The :class:`Target` for ``target`` (``local`` needs the embedded cloud running: see :func:`reach`).

    ``cloud``: which embedded cloud ``local`` means (default: the one ``LOCALCLOUD_HOME`` names)."""
    if target == "local":
        return _local(region, cloud)
    if target == "aws":
        return _aws(profile, region)
    raise TargetError(f"unknown target {target!r}: use one of {', '.join(TARGETS)}")


@dataclass(frozen=True)
class Reached:
    target: Target
    started: bool  # True when this call started the embedded cloud


def reach(
    target: str = "local",
    profile: str | None = None,
    region: str = DEFAULT_REGION,
    *,
    cloud: CloudConfig | None = None,
) -> Reached:
    """Resolve ``target``, starting the embedded cloud first when the target is local and it is down."""
    started = False
    if target == "local":
        cloud = cloud or CloudConfig()
        started = not process.up(cloud).already_running
    return Reached(resolve(target, profile, region, cloud=cloud), started)


def apply_environment(tgt: Target) -> None:
    """Export the target's variables into this process, for libraries that read the environment."""
    os.environ.update(tgt.env)
