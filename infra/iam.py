"""IAM policy documents as Python data, serialised with ``pulumi.Output.json_dumps`` (never formatted)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pulumi

VERSION = "2012-10-17"
Statement = dict[str, Any]


def allow(actions: Sequence[str], resources: Sequence[pulumi.Input[str]]) -> Statement:
    """An Allow statement; actions sorted so the rendered document is stable."""
    return {"Effect": "Allow", "Action": sorted(set(actions)), "Resource": list(resources)}


def document(statements: Iterable[Statement]) -> pulumi.Output[str]:
    """The JSON policy document of ``statements`` (Outputs inside are resolved first)."""
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": list(statements)})


def service_trust_policy(service: str) -> pulumi.Output[str]:
    """A role trust policy that lets only the AWS ``service`` (e.g. ``lambda.amazonaws.com``) assume it."""
    return document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def sub_resource(arn: pulumi.Input[str], suffix: str) -> pulumi.Output[str]:
    """``arn`` followed by a path such as ``/*`` or ``/index/*`` (the ARN itself stays an Output)."""
    return pulumi.Output.concat(arn, suffix)
