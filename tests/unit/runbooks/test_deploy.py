"""05 deploy: hand the target to infra.deploy, show the outputs, check /health."""

from __future__ import annotations

import http.server
import json
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from runbooks import deploy
from runbooks.target import Target

TARGET = Target(
    "local", boto3.Session(region_name="eu-north-1"), "eu-north-1", env={"AWS_REGION": "eu-north-1"}
)


@pytest.fixture
def fake_infra_deploy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    calls: list[tuple[str, str, str]] = []
    module = types.ModuleType("infra.deploy")

    def fake_deploy(stack: str, target: str) -> dict[str, Any]:
        calls.append(("deploy", stack, target))
        print("stack local: 0 created, 0 updated, 0 replaced, 0 deleted, 3 unchanged (3 resources) in 0.1s")
        return {"httpApiUrl": "http://127.0.0.1:1"}

    module.deploy = fake_deploy  # type: ignore[attr-defined]
    module.preview = lambda stack, target: (
        calls.append(("preview", stack, target)) or {"same": 3, "create": 1}
    )  # type: ignore[attr-defined]
    module.outputs = lambda stack, target: calls.append(("outputs", stack, target)) or {"b": 2, "a": "x"}  # type: ignore[attr-defined]
    import infra

    monkeypatch.setitem(sys.modules, "infra.deploy", module)
    monkeypatch.setattr(infra, "deploy", module, raising=False)
    return calls


def test_run_deploys_the_stack_on_the_target_and_keeps_the_summary(
    fake_infra_deploy: list, capsys: pytest.CaptureFixture[str]
) -> None:
    result = deploy.run(TARGET, "local")
    assert fake_infra_deploy == [("deploy", "local", "local")]
    assert result.summary.startswith("stack local: 0 created") and result.outputs == {
        "httpApiUrl": "http://127.0.0.1:1"
    }
    assert "0 created" in capsys.readouterr().out  # progress shown live too


def test_preview_changes_nothing_and_reports_counts(fake_infra_deploy: list) -> None:
    result = deploy.run(TARGET, "local", preview=True)
    assert fake_infra_deploy == [("preview", "local", "local")]
    assert result.summary == "preview: 1 to create, 3 to same"


def test_outputs_table_is_sorted(fake_infra_deploy: list) -> None:
    assert deploy.outputs_table(deploy.outputs(TARGET, "local")) == "a  x\nb  2"
    assert "not been deployed" in deploy.outputs_table({})


@pytest.fixture
def health_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = 200 if self.path == "/health" else 404
            body = json.dumps({"status": "ok"} if status == 200 else {"message": "Not Found"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_health_is_read_through_the_http_api_url(health_server: str) -> None:
    health = deploy.check_health({"httpApiUrl": health_server + "/"})
    assert (health.url, health.status, health.body) == (f"{health_server}/health", 200, {"status": "ok"})


def test_health_reports_an_error_status(health_server: str) -> None:
    assert deploy.check_health({"httpApiUrl": health_server + "/v0"}).status == 404


def test_health_without_the_output_says_deploy_first() -> None:
    with pytest.raises(deploy.DeployCheckError, match="deploy it first"):
        deploy.check_health({})


def test_state_machine_run_waits_for_the_end() -> None:
    # moto runs the definition when execution is switched on, as the embedded cloud does
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        tgt = Target("aws", boto3.Session(region_name="eu-north-1"), "eu-north-1")
        sfn = tgt.client("stepfunctions")
        definition = {
            "StartAt": "Echo",
            "States": {"Echo": {"Type": "Pass", "Result": {"status": "ok"}, "End": True}},
        }
        arn = sfn.create_state_machine(
            name="health-check",
            definition=json.dumps(definition),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        execution = deploy.run_state_machine(tgt, arn, {"probe": 1}, timeout_s=10)
    assert execution == deploy.Execution("SUCCEEDED", {"status": "ok"})
