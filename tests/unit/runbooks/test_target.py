"""Target resolution: the one place local and AWS differ (endpoint and credentials)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runbooks import target as targets


@pytest.fixture
def local_cloud_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state dir with the endpoints file a running embedded cloud writes."""
    endpoints = {
        "edge": "http://127.0.0.1:24566",
        "opensearch": "http://127.0.0.1:24567",
        "gateway": "http://127.0.0.1:24568",
        "region": "eu-north-1",
        "account_id": "123456789012",
        "pid": 1,
    }
    (tmp_path / "endpoints.json").write_text(json.dumps(endpoints))
    monkeypatch.setenv("LOCALCLOUD_HOME", str(tmp_path))
    return tmp_path


def test_local_uses_the_edge_and_dummy_credentials(local_cloud_home: Path) -> None:
    tgt = targets.resolve("local")
    assert tgt.endpoint_url == "http://127.0.0.1:24566" and tgt.region == "eu-north-1"
    assert tgt.session.get_credentials().access_key == "testing"
    assert tgt.client("s3").meta.endpoint_url == "http://127.0.0.1:24566"
    assert not tgt.uses_pulumi_cli and "local deploy engine" in tgt.deploy_path
    assert tgt.env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:24566"


def test_local_without_a_running_cloud_says_how_to_start_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCALCLOUD_HOME", str(tmp_path))
    with pytest.raises(targets.TargetError, match=r"make up.*notebook 00"):
        targets.resolve("local")


def test_local_refuses_another_region(local_cloud_home: Path) -> None:
    with pytest.raises(targets.TargetError, match="serves region eu-north-1"):
        targets.resolve("local", region="us-east-1")


def test_aws_uses_environment_credentials_and_the_real_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets.shutil, "which", lambda name: None)
    tgt = targets.resolve("aws", profile="", region="eu-north-1")
    assert tgt.endpoint_url is None and tgt.uses_pulumi_cli
    assert tgt.client("sts").meta.endpoint_url == "https://sts.eu-north-1.amazonaws.com"
    assert tgt.deploy_path.startswith("none: the Pulumi CLI is missing")
    assert "AWS_PROFILE" not in tgt.env


def test_aws_with_the_cli_names_the_automation_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets.shutil, "which", lambda name: "/usr/local/bin/pulumi")
    assert "Automation API" in targets.resolve("aws").deploy_path


def test_aws_with_an_unknown_profile_points_to_notebook_01(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(targets.TargetError, match="notebook 01"):
        targets.resolve("aws", profile="sesha-backend-dev")


def test_unknown_target() -> None:
    with pytest.raises(targets.TargetError, match="use one of local, aws"):
        targets.resolve("staging")


def test_aws_without_credentials_says_how_to_get_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    tgt = targets.resolve("aws")

    with pytest.raises(targets.TargetError, match=r"no usable AWS credentials.*notebook 01"):
        tgt.account_id()


def test_aws_with_refused_credentials_says_to_sign_in_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.stub import Stubber

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "expired")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "expired")
    tgt = targets.resolve("aws")
    sts = tgt.client("sts")
    stubber = Stubber(sts)
    stubber.add_client_error("get_caller_identity", "ExpiredToken", "The security token is expired")
    stubber.activate()
    monkeypatch.setattr(targets.Target, "client", lambda self, service, **kwargs: sts)

    with pytest.raises(targets.TargetError, match=r"refused \(ExpiredToken.*aws sso login"):
        tgt.account_id()
