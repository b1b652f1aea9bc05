"""S3 bucket-policy conditions, as the embedded cloud evaluates them.

moto evaluates a bucket policy's statements for object requests but ignores their ``Condition`` block,
so the usual TLS-only statement (``Deny s3:* if aws:SecureTransport is false``) denies every request.
Here a statement applies only when its conditions hold. The edge port stands in for AWS's TLS
endpoints, so ``aws:SecureTransport`` is ``true``; a condition on any other key, or with an operator
not listed, cannot be decided here and its statement does not apply (the emulator errs on the side of
letting requests through rather than refusing them for a reason AWS would not have).

Needed because notebook 03 writes the TLS-only policy on the Pulumi state bucket; installed from
:func:`localcloud.emulator.configure`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# Request context of every request reaching the edge.
CONTEXT = {"aws:securetransport": "true"}


def _equals_ignoring_case(expected: list[str], actual: str) -> bool:
    return actual.lower() in (e.lower() for e in expected)


def _equals(expected: list[str], actual: str) -> bool:
    return actual in expected


OPERATORS: dict[str, Callable[[list[str], str], bool]] = {
    "Bool": _equals_ignoring_case,
    "StringEquals": _equals,
    "StringEqualsIgnoreCase": _equals_ignoring_case,
}


def _as_strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def condition_holds(condition: dict[str, dict[str, Any]]) -> bool:
    """True when every operator's every key is decidable here and matches the request context."""
    for operator, pairs in condition.items():
        check = OPERATORS.get(operator)
        if check is None:
            return False
        for key, expected in pairs.items():
            actual = CONTEXT.get(key.lower())
            if actual is None or not check(_as_strings(expected), actual):
                return False
    return True


def applicable_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """``policy`` reduced to the statements that apply, their conditions dropped (they hold)."""
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [
        {k: v for k, v in s.items() if k != "Condition"}
        for s in statements
        if "Condition" not in s or condition_holds(s["Condition"])
    ]
    return {**policy, "Statement": kept}


def install() -> None:
    """Make moto's S3 buckets evaluate their policy's conditions as described above."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    if getattr(FakeBucket.get_permission, "_localcloud", False):
        return

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = applicable_policy(json.loads(self.policy))
        if not policy["Statement"]:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)

    get_permission._localcloud = True  # type: ignore[attr-defined]
    FakeBucket.get_permission = get_permission
