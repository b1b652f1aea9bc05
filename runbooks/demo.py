"""``python -m runbooks.demo``: run the runbook notebooks in order with papermill on the running
embedded cloud, print a summary (notebook, pass/fail, seconds) and the stack outputs.

``make demo`` starts the embedded cloud first and calls this. Executed copies go to
``notebooks/output/``. Exits non-zero when a notebook fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill

from localcloud import testing

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"
OUTPUT_DIR = NOTEBOOKS_DIR / "output"
# In the order a newcomer meets them; 03 (state bucket) before 04/05/06.
NOTEBOOKS = (
    "00-environment",
    "01-aws-sso-profiles",
    "02-github-oidc",
    "03-pulumi-state-bucket",
    "04-pulumi-login-and-stack",
    "05-deploy",
    "06-cancel-stuck-lock",
)
# The local stack's passphrase: documented and not secret (the embedded cloud holds nothing of value).
LOCAL_PASSPHRASE = "sesha-local"


# The output line by which each notebook reports what it changed (a second run reports nothing).
CHANGE_MARKERS = {
    "01-aws-sso-profiles": "changed: ",
    "02-github-oidc": "trust policy changed: ",
    "03-pulumi-state-bucket": "settings changed: ",
    "04-pulumi-login-and-stack": "changed: ",
    "05-deploy": " created, ",
    "06-cancel-stuck-lock": "locks left: ",
}


@dataclass(frozen=True)
class Run:
    notebook: str
    ok: bool
    seconds: float
    error: str = ""
    changes: str = ""


def change_report(name: str, executed: Path) -> str:
    """The line of an executed notebook's outputs that says what it changed ("" when it has none)."""
    marker = CHANGE_MARKERS.get(name)
    if marker is None or not executed.exists():
        return ""
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if marker in line:
                    return line.strip()
    return ""


@contextlib.contextmanager
def kernel_stderr_to(log_file: Path) -> Iterator[None]:
    """Send this process's standard error, which the kernels inherit, to ``log_file`` for the block:
    a kernel's own chatter (transport warnings, its shutdown notice) belongs beside the executed copy,
    not in the summary. A failing cell is still reported, from papermill's exception."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(log_file, "ab") as log:
            os.dup2(log.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def run_notebook(
    name: str, parameters: dict | None = None, output_dir: Path = OUTPUT_DIR, suffix: str = ""
) -> Run:
    """Execute one notebook with papermill (kernel ``python3``, cwd ``notebooks/``)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    executed = output_dir / f"{name}{suffix}.ipynb"
    started = time.monotonic()
    try:
        with kernel_stderr_to(output_dir / f"{name}{suffix}.kernel.log"):
            papermill.execute_notebook(
                NOTEBOOKS_DIR / f"{name}.ipynb",
                executed,
                parameters=parameters or {},
                kernel_name="python3",
                cwd=str(NOTEBOOKS_DIR),
                progress_bar=False,
            )
    except papermill.PapermillExecutionError as exc:
        return Run(name, False, time.monotonic() - started, f"{exc.ename}: {exc.evalue}")
    return Run(name, True, time.monotonic() - started, changes=change_report(name, executed))


def local_environment(state_dir: Path, scratch: Path) -> dict[str, str]:
    """Variables the notebooks' kernels need for the local stack: where the embedded cloud is, the
    local passphrase, and a scratch AWS config file (notebook 01 must not edit the user's own)."""
    return {
        "LOCALCLOUD_HOME": str(state_dir),
        "AWS_CONFIG_FILE": str(scratch / "aws-config"),
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", LOCAL_PASSPHRASE),
        "SESHA_PROXY_URL": os.environ.get("SESHA_PROXY_URL", ""),
    }


# Variables that would point a kernel somewhere else than its target says.
FOREIGN_AWS = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@contextlib.contextmanager
def private_kernel_environment(tmp: Path) -> Iterator[Path]:
    """A private embedded cloud on free ports, with the kernel environment pointing at it."""
    with (
        testing.running_cloud(tmp / "localcloud") as (cfg, _),
        testing.patched_environ(local_environment(cfg.state_dir, tmp), remove=FOREIGN_AWS),
    ):
        yield cfg.state_dir


def summary(runs: list[Run]) -> str:
    width = max(len(r.notebook) for r in runs)
    lines = [f"{'notebook':<{width}}  result  seconds  changes"]
    for r in runs:
        lines.append(f"{r.notebook:<{width}}  {'pass' if r.ok else 'FAIL':<6}  {r.seconds:7.1f}  {r.changes}")
        if r.error:
            lines.append(f"{'':<{width}}    {r.error.splitlines()[0][:200]}")
    return "\n".join(lines)


def stack_outputs(stack: str) -> str:
    from runbooks import deploy, target

    try:
        return deploy.outputs_table(deploy.outputs(target.resolve("local"), stack))
    except Exception as exc:  # the summary must still print when the deploy failed
        return f"(no outputs: {exc})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "notebooks", nargs="*", default=list(NOTEBOOKS), help="names (default: all, in order)"
    )
    args = parser.parse_args(argv)
    from localcloud.config import CloudConfig

    scratch = OUTPUT_DIR / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    with testing.patched_environ(local_environment(CloudConfig().state_dir, scratch), remove=FOREIGN_AWS):
        for name in args.notebooks:
            run = run_notebook(name)
            runs.append(run)
            print(f"{name}: {'pass' if run.ok else 'FAIL'} ({run.seconds:.1f}s)", flush=True)
            if not run.ok:
                break  # later notebooks build on this one
        print()
        print(summary(runs))
        print()
        print("stack outputs (local):")
        print(stack_outputs("local"))
    print()
    print(f"executed notebooks: {OUTPUT_DIR}")
    print("the embedded cloud is still running: `make down` stops it")
    return 0 if runs and all(r.ok for r in runs) and len(runs) == len(args.notebooks) else 1


if __name__ == "__main__":
    sys.exit(main())
