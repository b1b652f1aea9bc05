"""Runs the Pulumi program under the SDK's mock runtime and records every resource it registers.

The mocks answer like the AWS provider would in shape (ARNs, names, endpoints), so the program's
Outputs resolve and each recorded resource holds its fully-resolved inputs (camelCase, as a provider
receives them).
"""

from __future__ import annotations

import inspect
import json
import runpy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

from infra import lambda_packaging

INFRA_DIR = Path(__file__).resolve().parents[3] / "infra"
PROGRAM = INFRA_DIR / "__main__.py"
PROJECT = "sesha-pulumi"
REGION = "eu-north-1"
ACCOUNT = "123456789012"
TEST_PROXY_URL = "http://proxy.test:3128"


@dataclass
class Recorded:
    type: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    custom: bool = True

    def __getitem__(self, key: str) -> Any:
        return self.inputs[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.inputs.get(key, default)


@dataclass(frozen=True)
class Options:
    """What the program passed as resource options (the mocks do not see these)."""

    parent: str | None
    depends_on: tuple[str, ...]
    taggable: bool


@dataclass
class Deployment:
    """What one run of the program registered."""

    stack: str
    resources: list[Recorded] = field(default_factory=list)
    exports: dict[str, Any] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    options: dict[str, Options] = field(default_factory=dict)

    def of_type(self, token: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == token]

    def named(self, name: str) -> Recorded:
        matches = [r for r in self.resources if r.name == name]
        assert len(matches) == 1, f"expected one resource named {name}, found {len(matches)}"
        return matches[0]

    def with_output(self, key: str, value: Any) -> Recorded:
        matches = [r for r in self.resources if r.outputs.get(key) == value]
        assert len(matches) == 1, f"expected one resource with {key}={value!r}, found {len(matches)}"
        return matches[0]

    def __iter__(self) -> Iterator[Recorded]:
        return iter(self.resources)


SECRET_SIGNATURE = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def unwrap_secrets(value: Any) -> Any:
    """Inputs holding a secret arrive wrapped in Pulumi's secret envelope: take the value out."""
    if isinstance(value, dict):
        if value.get(SECRET_SIGNATURE[0]) == SECRET_SIGNATURE[1]:
            return unwrap_secrets(value["value"])
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def _service(token: str) -> str:
    return token.split(":")[1].split("/")[0]


class RecordingMocks(pulumi.runtime.Mocks):
    """Provider-shaped answers for the resource types the program uses; records each registration."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self._lock = threading.Lock()
        self._apis: dict[str, str] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = unwrap_secrets(dict(args.inputs))
        physical = inputs.get("name") or f"{args.name}-mock"
        resource_id = f"{args.name}-id"
        outputs: dict[str, Any] = {
            **inputs,
            "name": physical,
            "arn": f"arn:aws:{_service(args.typ)}:{REGION}:{ACCOUNT}:{args.name}/{physical}",
        }
        if args.typ == "aws:s3/bucket:Bucket":
            outputs.update(bucket=physical, arn=f"arn:aws:s3:::{physical}")
        elif args.typ == "aws:dynamodb/table:Table":
            outputs["streamArn"] = f"{outputs['arn']}/stream/2026-12-03T00:00:00.000"
        elif args.typ == "aws:lambda/function:Function":
            outputs["invokeArn"] = (
                f"arn:aws:apigateway:{REGION}:lambda:path/functions/{outputs['arn']}/invocations"
            )
        elif args.typ == "aws:apigatewayv2/api:Api":
            outputs.update(
                executionArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{resource_id}",
                apiEndpoint=f"https://{resource_id}.execute-api.{REGION}.amazonaws.com",
            )
        elif args.typ == "aws:apigatewayv2/stage:Stage":
            host = f"{inputs['apiId']}.execute-api.{REGION}.amazonaws.com"
            stage = inputs["name"]
            outputs["invokeUrl"] = f"https://{host}/" if stage == "$default" else f"wss://{host}/{stage}"
        elif args.typ == "aws:cognito/userPool:UserPool":
            resource_id = f"{REGION}_mockpool"
            outputs["endpoint"] = f"cognito-idp.{REGION}.amazonaws.com/{resource_id}"
        elif args.typ == "aws:opensearch/domain:Domain":
            outputs["endpoint"] = f"vpc-{inputs['domainName']}-mock.{REGION}.es.amazonaws.com"
            outputs["arn"] = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/{inputs['domainName']}"
        with self._lock:
            self.deployment.resources.append(
                Recorded(args.typ, args.name, inputs, outputs, bool(args.custom))
            )
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        with self._lock:
            self.deployment.calls.append(args.token)
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/test",
                "userId": "test",
                "id": ACCOUNT,
            }
        raise NotImplementedError(f"the program called {args.token}, which the unit-test mocks do not answer")


def stack_config(stack: str, overrides: dict[str, Any] | None = None) -> tuple[dict[str, str], list[str]]:
    """The stack file's plain values as the Pulumi runtime holds them (strings), plus a test proxy URL.

    Secrets are not decrypted here (dev/prod passphrases are not in the repository; the local stack's
    secret is checked in test_stack_files.py): the proxy URL is supplied as a secret test value.
    """
    data = yaml.safe_load((INFRA_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
    values = {k: v for k, v in data.items() if not (isinstance(v, dict) and "secure" in v)}
    values[f"{PROJECT}:proxyUrl"] = TEST_PROXY_URL
    values.update(overrides or {})
    return {key: _as_config_string(value) for key, value in values.items()}, [f"{PROJECT}:proxyUrl"]


def _as_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def _record_options(deployment: Deployment) -> None:
    def record(args: pulumi.ResourceTransformationArgs) -> None:
        opts = args.opts or pulumi.ResourceOptions()
        depends_on = (
            opts.depends_on
            if isinstance(opts.depends_on, list)
            else [opts.depends_on]
            if opts.depends_on
            else []
        )
        # Taggable by the provider's own schema: the resource class declares a `tags` input.
        init = getattr(type(args.resource), "_internal_init", None)
        taggable = init is not None and "tags" in inspect.signature(init).parameters
        deployment.options[args.name] = Options(
            parent=opts.parent._name if opts.parent else None,
            depends_on=tuple(resource._name for resource in depends_on),
            taggable=taggable,
        )

    pulumi.runtime.register_stack_transformation(record)


def run_program(
    stack: str, layer: lambda_packaging.BuiltArchive, overrides: dict[str, Any] | None = None
) -> Deployment:
    """Run infra/__main__.py for ``stack`` under mocks; the dependencies layer is the given archive."""
    deployment = Deployment(stack)
    config, secret_keys = stack_config(stack, overrides)
    # A new root stack resource: stack transformations registered by a previous run live on the old one.
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(RecordingMocks(deployment), project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, secret_keys)
    original_layer, original_export = lambda_packaging.dependencies_layer, pulumi.export
    lambda_packaging.dependencies_layer = (
        lambda platform, runtime, requirements=lambda_packaging.REQUIREMENTS: layer
    )
    exported: dict[str, Any] = {}
    pulumi.export = exported.__setitem__  # the mock runtime has no stack resource to export on
    _record_options(deployment)
    try:
        _run(exported, deployment.exports)
    finally:
        lambda_packaging.dependencies_layer, pulumi.export = original_layer, original_export
    return deployment


@pulumi.runtime.test
def _run(exported: dict[str, Any], resolved: dict[str, Any]) -> pulumi.Output[None]:
    runpy.run_path(str(PROGRAM), run_name="__main__")
    return pulumi.Output.all(**exported).apply(resolved.update)
