"""The article workflow's Amazon States Language, as Python data.

Function ARNs are placed in the structure as ``Output`` values and the whole is serialised with
``pulumi.Output.json_dumps`` — never string formatting. Only S3 keys and ids pass between states
(Step Functions caps a payload at 256 KB).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
# The function ARN each step is called with comes from this mapping's keys.
STEPS = ("validate", "scrape", "write", "store", "notify")
TRANSIENT_LAMBDA_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "RecordFailure"}]


def _invoke(function_arn: pulumi.Input[str], payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A Task calling ``function_arn`` with the state's input (or ``payload``), retried on Lambda hiccups."""
    parameters: dict[str, Any] = {"FunctionName": function_arn}
    if payload is None:
        parameters["Payload.$"] = "$"
    else:
        parameters["Payload"] = dict(payload)
    return {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": parameters,
        "ResultSelector": {"result.$": "$.Payload"},
        "Retry": [
            {
                "ErrorEquals": TRANSIENT_LAMBDA_ERRORS,
                "IntervalSeconds": 1,
                "MaxAttempts": 3,
                "BackoffRate": 2.0,
            }
        ],
    }


def _notify(
    notify_arn: pulumi.Input[str], stage: str, next_state: str, *, catch: bool = True
) -> dict[str, Any]:
    state = _invoke(notify_arn, {"articleId.$": "$.articleId", "ownerId.$": "$.ownerId", "stage": stage})
    state.update({"ResultPath": None, "Next": next_state})
    if catch:
        state["Catch"] = CATCH_ALL
    return state


def article_workflow(functions: Mapping[str, pulumi.Input[str]], max_concurrency: int) -> dict[str, Any]:
    """The ASL of the article workflow; ``functions`` maps each of :data:`STEPS` to its ARN."""
    missing = [step for step in STEPS if step not in functions]
    if missing:
        raise ValueError(f"the article workflow needs the ARNs of {missing}")
    notify = functions["notify"]
    scrape_source = {
        **_invoke(functions["scrape"]),
        "End": True,
        # One failed source does not stop the article: it is recorded as failed and the rest go on.
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "SourceFailed"}],
    }
    return {
        "Comment": "Drafts an article: validate, scrape each source, write, store; the owner is notified "
        "at each stage and any failure ends in a stored, notified 'failed' status.",
        "StartAt": "Validate",
        "States": {
            "Validate": {
                **_invoke(functions["validate"]),
                "ResultPath": "$.request",
                "Next": "NotifyQueued",
                "Catch": CATCH_ALL,
            },
            "NotifyQueued": _notify(notify, "queued", "Scrape"),
            "Scrape": {
                "Type": "Map",
                "ItemsPath": "$.request.result.sources",
                "MaxConcurrency": max_concurrency,
                "ItemSelector": {
                    "articleId.$": "$.articleId",
                    "ownerId.$": "$.ownerId",
                    "index.$": "$$.Map.Item.Index",
                    "source.$": "$$.Map.Item.Value",
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "ScrapeSource",
                    "States": {
                        "ScrapeSource": scrape_source,
                        "SourceFailed": {
                            "Type": "Pass",
                            "Parameters": {"status": "failed", "failure.$": "$.failure"},
                            "End": True,
                        },
                    },
                },
                "ResultPath": "$.scraped",
                "Next": "NotifyWriting",
                "Catch": CATCH_ALL,
            },
            "NotifyWriting": _notify(notify, "writing", "Write"),
            "Write": {
                **_invoke(functions["write"]),
                "ResultPath": "$.draft",
                "Next": "Store",
                "Catch": CATCH_ALL,
            },
            "Store": {
                **_invoke(functions["store"]),
                "ResultPath": "$.stored",
                "Next": "NotifyReady",
                "Catch": CATCH_ALL,
            },
            "NotifyReady": _notify(notify, "ready", "Done"),
            "Done": {"Type": "Succeed"},
            "RecordFailure": {
                **_invoke(
                    functions["store"],
                    {
                        "articleId.$": "$.articleId",
                        "ownerId.$": "$.ownerId",
                        "status": "failed",
                        "failure.$": "$.failure",
                    },
                ),
                "ResultPath": None,
                "Next": "NotifyFailed",
            },
            "NotifyFailed": _notify(notify, "failed", "Failed", catch=False),
            "Failed": {
                "Type": "Fail",
                "Error": "ArticleFailed",
                "Cause": "a step failed; the reason is stored",
            },
        },
    }


def health_check(health_arn: pulumi.Input[str]) -> dict[str, Any]:
    """A one-Task state machine that invokes the health function (smoke test of Step Functions → Lambda)."""
    return {
        "Comment": "Invokes the health function and returns its document.",
        "StartAt": "CheckHealth",
        "States": {"CheckHealth": {**_invoke(health_arn, {}), "OutputPath": "$.result", "End": True}},
    }


def render(definition: dict[str, Any]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps(definition)
