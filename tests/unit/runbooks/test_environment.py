"""00 environment: tools and versions, the target reached, the deploy path."""

from __future__ import annotations

import platform

import pytest

from runbooks import environment
from runbooks import target as targets


def test_tools_report_versions_and_missing_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment.shutil, "which", lambda name: None)
    found = {t.name: t.version for t in environment.tools()}
    assert found["python"] == platform.python_version()
    assert found["boto3"] and found["papermill"]
    assert found["pulumi CLI"] is None and found["chromium"] is None
    table = environment.tools_table(environment.tools())
    assert "pulumi CLI" in table and "missing" in table


def test_a_present_command_reports_its_version_line() -> None:
    tool = environment._command("python", ("python3",), "--version")
    assert tool.version and tool.version.startswith("Python 3")


def test_reach_aws_shows_account_region_and_path(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets.shutil, "which", lambda name: None)
    env = environment.reach("aws", "", "eu-north-1")
    assert (env.target, env.account_id, env.region, env.started) == (
        "aws",
        "123456789012",
        "eu-north-1",
        False,
    )
    assert "deploy path: none: the Pulumi CLI is missing" in env.summary()
