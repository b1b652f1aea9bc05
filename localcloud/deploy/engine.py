"""Deploying a Pulumi program to the embedded cloud: lock the stack, run the program in a child
process (``localcloud.deploy.runner``) against the previous state, save the new state, unlock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml

from infra import stack_config
from infra.state_layout import state_bucket_name
from localcloud import endpoints as endpoints_mod
from localcloud.deploy.backend import StateBackend
from localcloud.deploy.handlers import UnsupportedResourceType
from localcloud.deploy.state import KeyProvider, StackState
from localcloud.endpoints import DUMMY_CREDENTIALS, Endpoints

INFRA_DIR = stack_config.INFRA_DIR
Progress = Callable[[str], None]

_SYMBOLS = {
    "create": "+",
    "update": "~",
    "replace": "+-",
    "delete": "-",
    "delete-replaced": "-",
    "same": "=",
}


# Errors whose message says it all: no traceback in the progress output.
_EXPECTED_ERRORS = frozenset(
    {
        "UnsupportedResourceType",
        "UnsupportedDataSource",
        "ResourceFailed",
        "ProtectedResource",
        "SettingsError",  # a stack setting missing or out of range: the message names the key and the fix
    }
)


class DeployError(RuntimeError):
    """The program or a resource failed; the state of what was done is saved."""


@dataclass
class DeployResult:
    stack: str
    outputs: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    resources: int = 0
    # Where the time went, seconds from spawning the runner: "start" (its imports done), "program"
    # (the program has run), "done" (deletes done), "exit".
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [
            f"{self.counts.get(op, 0)} {word}"
            for op, word in (
                ("create", "created"),
                ("update", "updated"),
                ("replace", "replaced"),
                ("delete", "deleted"),
                ("same", "unchanged"),
            )
        ]
        return f"stack {self.stack}: {', '.join(parts)} ({self.resources} resources) in {self.seconds:.1f}s"


def project_name(program_dir: Path) -> str:
    """The ``name`` in the program's ``Pulumi.yaml`` (a DeployError when there is none to read)."""
    path = Path(program_dir) / "Pulumi.yaml"
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise DeployError(
            f"{program_dir} is not a Pulumi program: {path} cannot be read ({err.strerror}); "
            "pass the folder holding Pulumi.yaml and __main__.py"
        ) from None
    except yaml.YAMLError as err:
        raise DeployError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise DeployError(f"{path} has no project name: it needs a line `name: <project>`")
    return data["name"]


def _s3(eps: Endpoints) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=eps.edge,
        region_name=eps.region,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _backend(stack: str, program_dir: Path, eps: Endpoints, state_bucket: str | None) -> StateBackend:
    backend = StateBackend(
        _s3(eps), state_bucket or state_bucket_name(stack), project_name(program_dir), stack
    )
    backend.ensure_bucket()
    return backend


def state_key(cfg: stack_config.StackConfig, passphrase: stack_config.Passphrase | None) -> KeyProvider:
    """The key that seals the secrets in the stack's state: the stack's own passphrase key, found (and,
    for a stack without secrets yet, its salt created and saved) only when a secret is met."""
    cached: list[bytes] = []

    def key() -> bytes:
        if not cached:
            phrase = passphrase or stack_config.Passphrase.from_env()
            if cfg.encryption_salt is None:
                cfg.key(phrase, create=True)
                cfg.save()
            cached.append(cfg.key(phrase))
        return cached[0]

    return key


def _print_progress(line: str) -> None:
    print(line, flush=True)


def deploy(
    stack: str = "local",
    program_dir: Path = INFRA_DIR,
    *,
    endpoints: Endpoints | None = None,
    passphrase: stack_config.Passphrase | None = None,
    state_bucket: str | None = None,
    progress: Progress | None = _print_progress,
    preview: bool = False,
) -> DeployResult:
    """Deploy ``program_dir`` as ``stack`` to the embedded cloud and return the stack outputs.

    ``endpoints`` default to the running embedded cloud's (``localcloud.endpoints.load()``); the
    passphrase to ``PULUMI_CONFIG_PASSPHRASE[_FILE]`` (always needed, as with the Pulumi CLI: secrets in
    the config and in the saved state are sealed with it; the local stack's is ``sesha-local``).
    ``preview`` runs the program without changing anything and reports what would change.
    """
    return _run(
        stack,
        Path(program_dir),
        endpoints,
        passphrase,
        state_bucket,
        progress,
        preview=preview,
        destroy=False,
    )


def destroy(
    stack: str = "local",
    program_dir: Path = INFRA_DIR,
    *,
    endpoints: Endpoints | None = None,
    passphrase: stack_config.Passphrase | None = None,
    state_bucket: str | None = None,
    progress: Progress | None = _print_progress,
) -> DeployResult:
    """Delete every resource of the stack (dependents first); the outputs become empty."""
    return _run(
        stack, Path(program_dir), endpoints, passphrase, state_bucket, progress, preview=False, destroy=True
    )


def outputs(
    stack: str = "local",
    program_dir: Path = INFRA_DIR,
    *,
    endpoints: Endpoints | None = None,
    passphrase: stack_config.Passphrase | None = None,
    state_bucket: str | None = None,
) -> dict[str, Any]:
    """The stack outputs saved by the last deploy (nothing is run). Secret outputs, if the program has
    any, are decrypted with the stack passphrase (argument, or PULUMI_CONFIG_PASSPHRASE[_FILE])."""
    eps = endpoints or endpoints_mod.load()
    backend = _backend(stack, Path(program_dir), eps, state_bucket)
    key = state_key(stack_config.load(stack, Path(program_dir)), passphrase)
    return StackState.outputs_in_checkpoint(backend.read_checkpoint(), key)


def _run(
    stack: str,
    program_dir: Path,
    endpoints: Endpoints | None,
    passphrase: stack_config.Passphrase | None,
    state_bucket: str | None,
    progress: Progress | None,
    *,
    preview: bool,
    destroy: bool,
) -> DeployResult:
    started = time.monotonic()
    # Like the Pulumi CLI with a passphrase-protected stack, every run needs the passphrase (the state's
    # secrets are sealed with it): a missing one fails here, before anything is locked or changed.
    phrase = passphrase or stack_config.Passphrase.from_env()
    eps = endpoints or endpoints_mod.load()
    cfg = stack_config.load(stack, program_dir)
    config = {} if destroy else cfg.decrypted(phrase)
    key = state_key(cfg, phrase)
    if cfg.secret_keys():
        key()  # a wrong passphrase is reported before the lock is taken (decrypted() checked it too)
    backend = _backend(stack, program_dir, eps, state_bucket)
    lock = backend.acquire_lock()
    try:
        state = StackState.from_checkpoint(backend.project, stack, backend.read_checkpoint(), key)
        request = {
            "program_dir": str(program_dir.resolve()),
            "project": backend.project,
            "stack": stack,
            "config": config,
            "secret_keys": cfg.secret_keys(),
            "prior": list(state.records.values()),
            "endpoint": eps.edge,
            "region": eps.region,
            "account_id": eps.account_id,
            "gateway_url": eps.gateway,
            "dry_run": preview,
            "destroy": destroy,
        }
        counts: Counter[str] = Counter()
        phases: dict[str, float] = {}
        error = None
        try:
            error = _run_child(request, state, counts, phases, progress, apply=not preview)
        finally:
            if not preview:
                backend.write_checkpoint(state.to_checkpoint(key))
    finally:
        backend.release_lock(lock)
    result = DeployResult(
        stack=stack,
        outputs=state.outputs,
        counts=dict(counts),
        seconds=time.monotonic() - started,
        resources=len(state.custom_records()),
        phases=phases,
    )
    if error:
        if error.get("token"):
            raise UnsupportedResourceType(error["token"])
        raise DeployError(
            f"deploy of stack {stack!r} failed: {error['kind']}: {error['message']} "
            "(what was done so far is saved in the stack's state: fix the cause and deploy again)"
        )
    if progress:
        progress(("preview: " if preview else "") + result.summary())
    return result


def _run_child(
    request: dict[str, Any],
    state: StackState,
    counts: Counter[str],
    phases: dict[str, float],
    progress: Progress | None,
    *,
    apply: bool,
) -> dict[str, Any] | None:
    """Run the runner, folding its events into ``state``; the error event if it failed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    spawned = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "localcloud.deploy.runner"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(request, default=str))
    proc.stdin.close()
    error = None
    seen_done = False
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "resource":
            _apply_event(event, state, counts, progress, apply=apply)
        elif event["event"] == "phase":
            phases[event["name"]] = round(time.monotonic() - spawned, 3)
        elif event["event"] == "done":
            seen_done = True
            if apply:
                state.outputs, state.secret_outputs = event["outputs"], event["secretOutputs"]
        elif event["event"] == "error":
            error = event
            if progress and event["kind"] not in _EXPECTED_ERRORS:
                progress(event["traceback"].rstrip())
    code = proc.wait()
    phases["exit"] = round(time.monotonic() - spawned, 3)
    if error is None and (code != 0 or not seen_done):
        error = {"kind": "ProcessError", "message": f"the deploy process exited with status {code}"}
    return error


def _apply_event(
    event: dict[str, Any], state: StackState, counts: Counter[str], progress: Progress | None, *, apply: bool
) -> None:
    op, urn = event["op"], event["urn"]
    if not event.get("quiet"):
        if op != "delete-replaced":  # the replacement was counted once, as "replace"
            counts[op] += 1
        # Unchanged resources only count, as `pulumi up` hides sames: a no-op deploy stays one line.
        if progress and op != "same":
            name = urn.rsplit("::", 1)[-1]
            record_id = (event.get("record") or {}).get("id", "")
            diff = f" [diff: {', '.join(event['changed'])}]" if event.get("changed") else ""
            progress(f"{_SYMBOLS[op]:>2} {op:<8} {event['type']:<50} {name} {record_id}{diff}".rstrip())
    if not apply:
        return
    if op == "delete":
        state.records.pop(urn, None)
    elif op != "delete-replaced":
        state.records.pop(urn, None)  # re-insert: the state keeps the order things were done in
        state.records[urn] = event["record"]
