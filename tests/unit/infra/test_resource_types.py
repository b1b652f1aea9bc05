"""The program creates only the resource types the local engine implements (infra/resource_types.py)."""

from __future__ import annotations

from infra.resource_types import COMPONENT_TYPES, USED_CALLS, USED_TYPES

from .program import Deployment


def test_only_listed_resource_types_are_created(deployment: Deployment) -> None:
    created = {r.type for r in deployment if r.custom}
    assert created <= USED_TYPES, f"types missing from USED_TYPES: {sorted(created - USED_TYPES)}"


def test_only_listed_component_types_are_registered(deployment: Deployment) -> None:
    assert {r.type for r in deployment if not r.custom} <= COMPONENT_TYPES


def test_only_listed_data_sources_are_called(deployment: Deployment) -> None:
    assert set(deployment.calls) <= USED_CALLS


def test_every_listed_type_is_used_by_some_stack(
    local: Deployment, dev: Deployment, prod: Deployment
) -> None:
    used = {r.type for d in (local, dev, prod) for r in d if r.custom}
    assert used == USED_TYPES, f"listed but never created: {sorted(USED_TYPES - used)}"


def test_resource_names_are_unique_and_prefixed_by_their_component(deployment: Deployment) -> None:
    names = [r.name for r in deployment]
    assert len(names) == len(set(names))
    for resource in deployment:
        parent = deployment.options[resource.name].parent
        if resource.custom:
            assert parent is not None, f"{resource.name} is not created inside a component"
            assert resource.name.startswith(f"{parent}-"), f"{resource.name} is not prefixed by {parent}"
