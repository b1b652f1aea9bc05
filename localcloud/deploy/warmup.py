"""Warming the emulator's service backends while the program starts.

moto builds a service's backend on its first call (EC2 and IAM take seconds: AMIs, instance types,
managed policies). On a fresh cloud those first calls would land inside the deploy, one behind the
other; made here, in parallel threads, they overlap with the program's own start-up (imports,
packaging) instead."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from localcloud.deploy.context import CloudContext

# One cheap read per service the handlers use.
FIRST_CALLS: dict[str, Callable[[Any], Any]] = {
    "iam": lambda c: c.list_roles(MaxItems=1),
    "ec2": lambda c: c.describe_vpcs(),
    "dynamodb": lambda c: c.list_tables(Limit=1),
    "lambda": lambda c: c.list_functions(MaxItems=1),
    "logs": lambda c: c.describe_log_groups(limit=1),
    "s3": lambda c: c.list_buckets(),
    "cognito-idp": lambda c: c.list_user_pools(MaxResults=1),
    "apigatewayv2": lambda c: c.get_apis(),
    "opensearch": lambda c: c.list_domain_names(),
    "stepfunctions": lambda c: c.list_state_machines(maxResults=1),
    "sts": lambda c: c.get_caller_identity(),
}


def _first_call(ctx: CloudContext, service: str) -> None:
    try:
        FIRST_CALLS[service](ctx.client(service))
    except Exception:
        return


def start(ctx: CloudContext, services: list[str] | None = None) -> list[threading.Thread]:
    """Start the first calls in background threads; the deploy does not wait for them."""
    threads = [
        threading.Thread(target=_first_call, args=(ctx, service), name=f"warm-{service}", daemon=True)
        for service in services or list(FIRST_CALLS)
    ]
    for thread in threads:
        thread.start()
    return threads
