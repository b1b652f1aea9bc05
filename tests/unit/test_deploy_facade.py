"""``python -m infra.deploy`` and the local engine with bad input: refused with a clear message before
anything is locked, run or written."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import deploy as facade
from localcloud.deploy import engine


@pytest.mark.parametrize("command", ["up", "outputs", "preview"])
def test_unknown_stack_is_refused_before_the_cloud_is_asked(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOCALCLOUD_HOME", "/nonexistent/localcloud")  # nothing to reach: never asked

    code = facade.main([command, "--stack", "nosuch", "--target", "local"])

    assert code == 1
    err = capsys.readouterr().err
    assert "no stack file" in err and "Pulumi.nosuch.yaml" in err and "notebook 04" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("stack", ["../../etc", "a/b", "has space"])
def test_a_malformed_stack_name_is_a_clear_error(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert facade.main(["up", "--stack", stack, "--target", "local"]) == 1

    assert "is not a stack name" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, "is not a Pulumi program"),
        ({"Pulumi.yaml": "name: ["}, "is not valid YAML"),
        ({"Pulumi.yaml": "runtime: python\n"}, "has no project name"),
    ],
)
def test_a_program_dir_without_a_readable_pulumi_yaml_is_a_deploy_error(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    with pytest.raises(engine.DeployError, match=expected):
        engine.project_name(tmp_path)
    with pytest.raises(engine.DeployError, match="is not a Pulumi program"):
        engine.project_name(tmp_path / "missing")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"checkpoint": 7}', b"[" * 100_000])
def test_a_damaged_checkpoint_is_refused_and_left_as_it_is(body: bytes) -> None:
    import boto3
    from moto import mock_aws

    from localcloud.deploy.backend import CheckpointUnreadable, StateBackend

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="state")
        backend = StateBackend(s3, "state", "sesha-pulumi", "local")
        s3.put_object(Bucket="state", Key=backend.checkpoint_key, Body=body)

        with pytest.raises(CheckpointUnreadable, match=r"Nothing was changed.*last good version"):
            backend.read_checkpoint()
        assert s3.get_object(Bucket="state", Key=backend.checkpoint_key)["Body"].read() == body
