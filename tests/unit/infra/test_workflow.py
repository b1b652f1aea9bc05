"""The state machines: valid ASL (statelint), calling only this stack's functions, logging on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from statelint.linter import Linter

from infra.workflow_definition import LAMBDA_INVOKE

from .policies import as_list, role_of, role_policies
from .program import Deployment


def states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every state, nested Map/Parallel states included."""
    for state in definition["States"].values():
        yield state
        for nested in (state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])):
            if nested:
                yield from states(nested)


def called_functions(definition: dict[str, Any]) -> set[str]:
    called = set()
    for state in states(definition):
        if state["Type"] == "Task":
            assert state["Resource"] == LAMBDA_INVOKE
            called.add(state["Parameters"]["FunctionName"])
    return called


@pytest.mark.parametrize("machine", ["workflow-articles", "workflow-health-check"])
def test_definition_is_valid_asl(deployment: Deployment, machine: str) -> None:
    assert Linter.validate(json.loads(deployment.named(machine)["definition"])) == []


@pytest.mark.parametrize("machine", ["workflow-articles", "workflow-health-check"])
def test_definition_calls_only_this_stacks_functions(deployment: Deployment, machine: str) -> None:
    called = called_functions(json.loads(deployment.named(machine)["definition"]))
    own = {f.outputs["arn"] for f in deployment.of_type("aws:lambda/function:Function")}
    assert called and called <= own


def test_article_workflow_runs_every_pipeline_step(deployment: Deployment) -> None:
    called = called_functions(json.loads(deployment.named("workflow-articles")["definition"]))
    steps = {
        deployment.named(f"worker-functions-{s}").outputs["arn"]
        for s in ("validate", "scrape", "write", "store", "notify")
    }
    assert called == steps


def test_every_failure_path_ends_in_a_recorded_failure(deployment: Deployment) -> None:
    definition = json.loads(deployment.named("workflow-articles")["definition"])
    for name, state in definition["States"].items():
        if state["Type"] in ("Task", "Map") and name not in ("RecordFailure", "NotifyFailed"):
            assert any(c["Next"] == "RecordFailure" for c in state.get("Catch", [])), name


def test_state_machines_log_and_may_invoke_only_their_functions(deployment: Deployment) -> None:
    for machine in ("workflow-articles", "workflow-health-check"):
        sm = deployment.named(machine)
        assert sm["loggingConfiguration"]["level"] == "ALL"
        assert (
            sm["loggingConfiguration"]["logDestination"]
            == f"{deployment.named('workflow-logs').outputs['arn']}:*"
        )
        assert "workflow-access" in deployment.options[machine].depends_on
    role = role_of(deployment, deployment.named("workflow-articles")["roleArn"])
    invocable = {
        r
        for p, s in role_policies(deployment)
        if role_of(deployment, p["role"]) is role and "lambda:InvokeFunction" in as_list(s["Action"])
        for r in s["Resource"]
    }
    functions = [
        deployment.named(f"worker-functions-{f}").outputs["arn"]
        for f in ("validate", "scrape", "write", "store", "notify", "health")
    ]
    assert invocable == {*functions, *(f"{arn}:*" for arn in functions)}
