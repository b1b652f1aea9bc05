"""00 environment: which tools are here, where the target is, and which path a deploy will take."""

from __future__ import annotations

import platform
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata

from localcloud.config import CloudConfig
from runbooks import target as targets

# The packages a runbook or a deploy leans on; a missing one is reported, not fatal here.
KEY_PACKAGES = (
    "boto3",
    "moto",
    "pulumi",
    "pulumi-aws",
    "papermill",
    "nbval",
    "aws-lambda-powertools",
    "opensearch-py",
    "osmem-server",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@dataclass(frozen=True)
class Tool:
    name: str
    version: str | None  # None: not installed
    where: str = ""


def _command_version(path: str, *args: str) -> str:
    try:
        out = subprocess.run([path, *args], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "present (version unknown)"
    line = (out.stdout or out.stderr).strip().splitlines()
    return line[0] if line else "present (version unknown)"


def _command(label: str, names: tuple[str, ...], *version_args: str) -> Tool:
    for name in names:
        path = shutil.which(name)
        if path:
            return Tool(label, _command_version(path, *version_args), path)
    return Tool(label, None)


def tools() -> list[Tool]:
    """Python, the key packages, the Pulumi CLI and Chromium, each with its version or ``None``."""
    found = [Tool("python", platform.python_version())]
    for package in KEY_PACKAGES:
        try:
            found.append(Tool(package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            found.append(Tool(package, None))
    found.append(_command("pulumi CLI", ("pulumi",), "version"))
    found.append(_command("chromium", CHROMIUM_NAMES, "--version"))
    return found


def tools_table(found: list[Tool]) -> str:
    width = max(len(t.name) for t in found)
    return "\n".join(f"{t.name:<{width}}  {t.version or 'missing'}" for t in found)


@dataclass(frozen=True)
class Environment:
    target: str
    started: bool
    account_id: str
    region: str
    deploy_path: str

    def summary(self) -> str:
        state = "started now" if self.started else "reached"
        return (
            f"target:      {self.target} ({state})\n"
            f"account:     {self.account_id}\n"
            f"region:      {self.region}\n"
            f"deploy path: {self.deploy_path}"
        )


def reach(
    target: str = "local",
    profile: str | None = None,
    region: str = targets.DEFAULT_REGION,
    *,
    cloud: CloudConfig | None = None,
) -> Environment:
    """Start or reach the target and ask it who we are (STS ``GetCallerIdentity``).

    ``cloud``: which embedded cloud ``local`` means (default: the one ``LOCALCLOUD_HOME`` names)."""
    reached = targets.reach(target, profile, region, cloud=cloud)
    tgt = reached.target
    return Environment(tgt.name, reached.started, tgt.account_id(), tgt.region, tgt.deploy_path)
