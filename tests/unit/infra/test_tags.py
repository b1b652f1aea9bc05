"""Every resource the provider can tag carries the stack's project, stack and environment tags."""

from __future__ import annotations

from .program import PROJECT, Deployment

ENVIRONMENTS = {"local": "local", "sesha-backend-dev": "dev", "sesha-backend-prod": "prod"}


def test_every_taggable_resource_is_tagged(deployment: Deployment) -> None:
    expected = {"project": PROJECT, "stack": deployment.stack, "environment": ENVIRONMENTS[deployment.stack]}
    taggable = [r for r in deployment if r.custom and deployment.options[r.name].taggable]
    assert len(taggable) > 40
    untagged = [r.name for r in taggable if not expected.items() <= (r.get("tags") or {}).items()]
    assert untagged == []
