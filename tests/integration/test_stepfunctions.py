"""Step Functions state machines execute in the embedded cloud, and their Task states reach the Lambda
executor in both forms (``arn:aws:states:::lambda:invoke`` and the function's ARN)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from tests.fixtures.lambdas import create_function, lambda_role, unique

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sfn(cloud_env: Any) -> Any:
    return boto3.client("stepfunctions")


@pytest.fixture(scope="module")
def tasks(cloud_env: Any) -> dict[str, str]:
    """The ARN of a function per handler of the sfn_tasks fixture."""
    lam = boto3.client("lambda")
    arns = {}
    for handler in ("add", "double", "flaky", "out_of_stock"):
        name = create_function(lam, "sfn_tasks", f"app.{handler}")
        arns[handler] = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    return arns


def run(sfn: Any, definition: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Create the state machine, execute it and wait for the end."""
    arn = sfn.create_state_machine(
        name=unique("sm"), definition=json.dumps(definition), roleArn=lambda_role(boto3.client("lambda"))
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 30
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.05)
    return described


def output(described: dict[str, Any]) -> Any:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def test_lambda_invoke_integration_returns_the_payload_envelope(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Add",
        "States": {
            "Add": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": tasks["add"], "Payload.$": "$"},
                "End": True,
            }
        },
    }

    result = output(run(sfn, definition, {"a": 2, "b": 3}))

    assert result["Payload"] == {"sum": 5}
    assert result["StatusCode"] == 200


def test_function_arn_task_returns_the_result_itself(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Add",
        "States": {
            "Add": {"Type": "Task", "Resource": tasks["add"], "ResultPath": "$.added", "Next": "AddAgain"},
            "AddAgain": {
                "Type": "Task",
                "Resource": tasks["add"],
                "Parameters": {"a.$": "$.added.sum", "b": 10},
                "End": True,
            },
        },
    }

    assert output(run(sfn, definition, {"a": 1, "b": 2})) == {"sum": 13}


def test_retry_until_the_task_succeeds(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": {
                "Type": "Task",
                "Resource": tasks["flaky"],
                "Retry": [
                    {"ErrorEquals": ["FlakyError"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 2}
                ],
                "End": True,
            }
        },
    }

    assert output(run(sfn, definition, {"key": unique("retry"), "succeed_on": 2})) == {"attempts": 2}


def test_retries_exhausted_fail_the_execution(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": {
                "Type": "Task",
                "Resource": tasks["flaky"],
                "Retry": [{"ErrorEquals": ["FlakyError"], "IntervalSeconds": 1, "MaxAttempts": 1}],
                "End": True,
            }
        },
    }

    described = run(sfn, definition, {"key": unique("retry"), "succeed_on": 5})

    assert described["status"] == "FAILED"
    assert described["error"] == "FlakyError"


def test_catch_routes_the_error_to_a_handler_state(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Reserve",
        "States": {
            "Reserve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": tasks["out_of_stock"], "Payload.$": "$"},
                "Catch": [{"ErrorEquals": ["OutOfStock"], "ResultPath": "$.error", "Next": "Apologise"}],
                "End": True,
            },
            "Apologise": {
                "Type": "Pass",
                "Parameters": {"apology.$": "$.error.Cause", "item.$": "$.item"},
                "End": True,
            },
        },
    }

    result = output(run(sfn, definition, {"item": "sprockets"}))

    assert result["item"] == "sprockets"
    cause = json.loads(result["apology"])
    assert cause["errorType"] == "OutOfStock"
    assert cause["errorMessage"] == "no sprockets left"


def test_map_runs_the_task_per_item(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.numbers",
                "MaxConcurrency": 2,
                "Iterator": {
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Task", "Resource": tasks["double"], "End": True}},
                },
                "End": True,
            }
        },
    }

    result = output(run(sfn, definition, {"numbers": [{"n": 1}, {"n": 2}, {"n": 3}]}))

    assert result == [{"n": 2}, {"n": 4}, {"n": 6}]


def test_parallel_branches_both_run(sfn: Any, tasks: dict[str, str]) -> None:
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Add",
                        "States": {"Add": {"Type": "Task", "Resource": tasks["add"], "End": True}},
                    },
                    {
                        "StartAt": "Double",
                        "States": {
                            "Double": {
                                "Type": "Task",
                                "Resource": tasks["double"],
                                "Parameters": {"n.$": "$.a"},
                                "End": True,
                            }
                        },
                    },
                ],
                "End": True,
            }
        },
    }

    assert output(run(sfn, definition, {"a": 4, "b": 5})) == [{"sum": 9}, {"n": 8}]


@pytest.mark.parametrize(("amount", "route"), [(5, "small"), (500, "large")])
def test_choice_picks_the_branch(sfn: Any, amount: int, route: str) -> None:
    definition = {
        "StartAt": "Size",
        "States": {
            "Size": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 100, "Next": "Large"}],
                "Default": "Small",
            },
            "Large": {"Type": "Pass", "Result": "large", "End": True},
            "Small": {"Type": "Pass", "Result": "small", "End": True},
        },
    }

    # A string output is described as JSON (moto alone would return the bare text).
    assert output(run(sfn, definition, {"amount": amount})) == route


def test_definite_path_through_an_array_index_yields_one_value(sfn: Any) -> None:
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Pass",
                "Parameters": {"second.$": "$.items[1].name", "all.$": "$.items[*].name"},
                "End": True,
            }
        },
    }

    result = output(run(sfn, definition, {"items": [{"name": "a"}, {"name": "b"}]}))

    assert result == {"second": "b", "all": ["a", "b"]}
