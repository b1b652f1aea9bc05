"""Data sources the program calls (``aws.get_caller_identity()`` …), answered from the embedded cloud."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud.deploy import policy_document
from localcloud.deploy.context import CloudContext


class UnsupportedDataSource(RuntimeError):
    def __init__(self, token: str) -> None:
        super().__init__(
            f"data source {token!r} is not supported by the local deploy engine "
            "(add it to localcloud/deploy/invokes.py)"
        )


def _caller_identity(ctx: CloudContext, args: dict[str, Any]) -> dict[str, Any]:
    ident = ctx.client("sts").get_caller_identity()
    return {
        "accountId": ident["Account"],
        "arn": ident["Arn"],
        "userId": ident["UserId"],
        "id": ident["Account"],
    }


def _region(ctx: CloudContext, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or ctx.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "description": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
    }


def _partition(ctx: CloudContext, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _availability_zones(ctx: CloudContext, args: dict[str, Any]) -> dict[str, Any]:
    zones = ctx.client("ec2").describe_availability_zones()["AvailabilityZones"]
    if args.get("state"):
        zones = [z for z in zones if z.get("State") == args["state"]]
    zones.sort(key=lambda z: z["ZoneName"])
    return {
        **args,
        "id": ctx.region,
        "names": [z["ZoneName"] for z in zones],
        "zoneIds": [z["ZoneId"] for z in zones],
        "groupNames": [z.get("GroupName", ctx.region) for z in zones],
    }


def _policy_document(ctx: CloudContext, args: dict[str, Any]) -> dict[str, Any]:
    return policy_document.render(args)


DATA_SOURCES: dict[str, Callable[[CloudContext, dict[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
}


def call(ctx: CloudContext, token: str, args: dict[str, Any]) -> dict[str, Any]:
    try:
        answer = DATA_SOURCES[token]
    except KeyError:
        raise UnsupportedDataSource(token) from None
    return answer(ctx, args)
