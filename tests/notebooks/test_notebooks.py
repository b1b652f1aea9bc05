"""The runbook notebooks on the session's embedded cloud: each runs with papermill twice in order (the
second run proves it idempotent), then nbval re-runs them and compares with the committed outputs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import nbformat
import papermill
import pytest

from localcloud import testing
from localcloud.config import CloudConfig
from localcloud.endpoints import Endpoints
from runbooks import cancel_stuck_lock, demo

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
SANITIZE = HERE / "nbval-sanitize.cfg"
STACK = "local"
BUCKET = "sesha-backend-pulumi-local"
# What each notebook's second run must report: nothing left to change.
STEADY_STATE = {
    "01-aws-sso-profiles": "changed: nothing",
    "02-github-oidc": "trust policy changed: False",
    "03-pulumi-state-bucket": "settings changed: none",
    "04-pulumi-login-and-stack": "changed: nothing",
    "05-deploy": "0 created",
}
# Notebook 06 runs for real: remove a stale lock the test plants first.
PARAMETERS = {"06-cancel-stuck-lock": {"dry_run": False, "confirm": True}}


@pytest.fixture(scope="module")
def kernel_env(
    cloud: tuple[CloudConfig, Endpoints], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The kernels' environment: this session's embedded cloud, a scratch AWS config, the local passphrase."""
    cfg, _ = cloud
    scratch = tmp_path_factory.mktemp("notebooks")
    with testing.patched_environ(demo.local_environment(cfg.state_dir, scratch), remove=demo.FOREIGN_AWS):
        yield scratch


@pytest.fixture(scope="module")
def s3(cloud: tuple[CloudConfig, Endpoints]) -> object:
    _, eps = cloud
    env = eps.aws_environment()
    return boto3.client(
        "s3",
        endpoint_url=eps.edge,
        region_name=eps.region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def plant_stale_lock(s3: object) -> str:
    return cancel_stuck_lock.write_lock(
        s3,
        BUCKET,
        STACK,
        "0f0f0f0f-dead-4bad-beef-000000000001",
        username="ci",
        hostname="killed-runner",
        pid=31337,
        timestamp=datetime.now(UTC) - timedelta(hours=5),
    )


@pytest.fixture(scope="module")
def runs(kernel_env: Path, s3: object) -> dict[tuple[str, int], demo.Run]:
    """Every notebook, in order, twice; 06 each time after a stale lock was planted."""
    results: dict[tuple[str, int], demo.Run] = {}
    for round_ in (1, 2):
        for name in demo.NOTEBOOKS:
            planted = checkpoint = None
            if name == "06-cancel-stuck-lock":
                planted = plant_stale_lock(s3)
                checkpoint = cancel_stuck_lock.checkpoint_fingerprint(s3, BUCKET, STACK)
            run = demo.run_notebook(name, PARAMETERS.get(name), suffix=f".run{round_}")
            if planted and run.ok:
                locks = [lock.key for lock in cancel_stuck_lock.list_locks(s3, BUCKET, STACK)]
                still = cancel_stuck_lock.checkpoint_fingerprint(s3, BUCKET, STACK) == checkpoint
                if planted in locks or not still:
                    run = demo.Run(
                        name,
                        False,
                        run.seconds,
                        f"stale lock left={planted in locks}, checkpoint same={still}",
                    )
            results[(name, round_)] = run
            print(f"round {round_}: {name} {'pass' if run.ok else 'FAIL'} {run.seconds:.1f}s {run.error}")
    return results


def outputs_text(name: str, round_: int) -> str:
    nb = nbformat.read(demo.OUTPUT_DIR / f"{name}.run{round_}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("name", demo.NOTEBOOKS)
def test_first_run_passes(runs: dict[tuple[str, int], demo.Run], name: str) -> None:
    run = runs[(name, 1)]
    assert run.ok, run.error


@pytest.mark.parametrize("name", demo.NOTEBOOKS)
def test_second_run_passes_and_changes_nothing(runs: dict[tuple[str, int], demo.Run], name: str) -> None:
    run = runs[(name, 2)]
    assert run.ok, run.error
    if name in STEADY_STATE:
        assert STEADY_STATE[name] in outputs_text(name, 2)


def test_notebook_01_wrote_the_scratch_config_not_the_users(runs: dict, kernel_env: Path) -> None:
    text = (kernel_env / "aws-config").read_text()
    assert "[profile sesha-backend-dev]" in text and "[sso-session sesha]" in text


def test_notebook_02_made_the_role_in_the_emulator(runs: dict, cloud: tuple[CloudConfig, Endpoints]) -> None:
    _, eps = cloud
    env = eps.aws_environment()
    iam = boto3.client(
        "iam",
        endpoint_url=eps.edge,
        region_name=eps.region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    statement = iam.get_role(RoleName="github-actions")["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] == [
        "repo:sesha-news/sesha-backend:*"
    ]


def test_unknown_parameter_fails_the_run(runs: dict, kernel_env: Path) -> None:
    # the real case: papermill accepted `-p dryrun False` silently and the notebook ran with its default
    with pytest.raises(papermill.PapermillExecutionError, match=r"unknown parameter.*dryrun"):
        papermill.execute_notebook(
            demo.NOTEBOOKS_DIR / "03-pulumi-state-bucket.ipynb",
            kernel_env / "unknown-parameter.ipynb",
            parameters={"dryrun": False},
            kernel_name="python3",
            cwd=str(demo.NOTEBOOKS_DIR),
            progress_bar=False,
        )


def test_nbval_matches_the_committed_outputs(runs: dict, kernel_env: Path) -> None:
    notebooks = [str(demo.NOTEBOOKS_DIR / f"{name}.ipynb") for name in demo.NOTEBOOKS]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            *notebooks,
            "--nbval-sanitize-with",
            str(SANITIZE),
            "-q",
            "--rootdir",
            str(demo.ROOT),
        ],
        cwd=demo.ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
