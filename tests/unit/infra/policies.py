"""Reading the IAM documents the program rendered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .program import Deployment, Recorded


def statements(document: str | dict[str, Any]) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    found = parsed["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_policies(deployment: Deployment) -> Iterator[tuple[Recorded, dict[str, Any]]]:
    """Every statement of every inline role policy, with the policy it belongs to."""
    for policy in deployment.of_type("aws:iam/rolePolicy:RolePolicy"):
        for statement in statements(policy["policy"]):
            yield policy, statement


def role_of(deployment: Deployment, role_id: str) -> Recorded:
    """The role whose id (mock: ``<name>-id``) or ARN is ``role_id``."""
    for role in deployment.of_type("aws:iam/role:Role"):
        if role_id in (f"{role.name}-id", role.outputs["arn"]):
            return role
    raise AssertionError(f"no role with id or ARN {role_id}")
