"""A stack's resources between deploys, and their Pulumi-shaped checkpoint document."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from infra import stack_config

Record = dict[str, Any]
KeyProvider = Callable[[], bytes]

# Pulumi's checkpoint form of a secret: the value's JSON encrypted with the stack's secrets provider.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG and "ciphertext" in value


def seal(value: Any, key: bytes) -> dict[str, str]:
    return {SIG_KEY: SECRET_SIG, "ciphertext": stack_config.encrypt_value(key, json.dumps(value))}


def unseal(value: Any, key: KeyProvider) -> Any:
    """``value`` with every secret envelope in it decrypted (the key is asked for only if one exists)."""
    if is_envelope(value):
        return json.loads(stack_config.decrypt_value(key(), value["ciphertext"]))
    if isinstance(value, dict):
        return {k: unseal(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [unseal(v, key) for v in value]
    return value


def _seal_keys(values: dict[str, Any], keys: list[str], key: KeyProvider) -> dict[str, Any]:
    return {k: seal(v, key()) if k in keys else v for k, v in values.items()}


def _no_key() -> bytes:
    raise stack_config.PassphraseMissing(
        "the stack's state holds secrets: give the stack passphrase (PULUMI_CONFIG_PASSPHRASE or "
        "PULUMI_CONFIG_PASSPHRASE_FILE) to read it"
    )


STACK_TYPE = "pulumi:pulumi:Stack"
ENGINE_VERSION = f"localcloud-deploy (pulumi sdk {version('pulumi')})"


@dataclass
class StackState:
    project: str
    stack: str
    records: dict[str, Record] = field(default_factory=dict)  # by URN, in a valid creation order
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: list[str] = field(default_factory=list)

    @property
    def stack_urn(self) -> str:
        return f"urn:pulumi:{self.stack}::{self.project}::{STACK_TYPE}::{self.project}-{self.stack}"

    def custom_records(self) -> list[Record]:
        return [r for r in self.records.values() if r.get("custom")]

    @classmethod
    def from_checkpoint(
        cls, project: str, stack: str, document: dict[str, Any] | None, key: KeyProvider = _no_key
    ) -> StackState:
        """The state in a checkpoint, secrets decrypted with ``key`` (asked for only if there are any)."""
        state = cls(project, stack)
        if not document:
            return state
        latest = document.get("checkpoint", {}).get("latest") or {}
        for resource in unseal(latest.get("resources", []), key):
            if resource.get("type") == STACK_TYPE:
                state.outputs = dict(resource.get("outputs") or {})
                state.secret_outputs = list(resource.get("additionalSecretOutputs") or [])
            else:
                state.records[resource["urn"]] = resource
        return state

    @staticmethod
    def outputs_in_checkpoint(document: dict[str, Any] | None, key: KeyProvider = _no_key) -> dict[str, Any]:
        """Only the stack outputs (the key is needed only if one of them is secret)."""
        latest = (document or {}).get("checkpoint", {}).get("latest") or {}
        for resource in latest.get("resources", []):
            if resource.get("type") == STACK_TYPE:
                return dict(unseal(resource.get("outputs") or {}, key))
        return {}

    def to_checkpoint(self, key: KeyProvider = _no_key) -> dict[str, Any]:
        """The Pulumi-shaped checkpoint; secret inputs, outputs and stack outputs encrypted with ``key``."""
        root = {
            "urn": self.stack_urn,
            "custom": False,
            "type": STACK_TYPE,
            "outputs": _seal_keys(self.outputs, self.secret_outputs, key),
            "additionalSecretOutputs": self.secret_outputs,
        }
        resources = [root]
        for record in self.records.values():
            secret = record.get("secretKeys") or []
            if secret:
                record = {
                    **record,
                    "inputs": _seal_keys(record.get("inputs") or {}, secret, key),
                    "outputs": _seal_keys(record.get("outputs") or {}, secret, key),
                }
            resources.append(record)
        return {
            "version": 3,
            "checkpoint": {
                "stack": f"organization/{self.project}/{self.stack}",
                "latest": {
                    "manifest": {
                        "time": dt.datetime.now(dt.UTC).isoformat(),
                        "magic": "",
                        "version": ENGINE_VERSION,
                    },
                    "resources": resources,
                },
            },
        }


def deletion_order(records: list[Record]) -> list[Record]:
    """Dependents before what they depend on (children before parents), so each delete succeeds."""
    by_urn = {r["urn"]: r for r in records}
    blockers: dict[str, set[str]] = {urn: set() for urn in by_urn}  # urn -> dependents still present
    for record in records:
        for dep in [*record.get("dependencies", []), record.get("parent") or ""]:
            if dep in by_urn and dep != record["urn"]:
                blockers[dep].add(record["urn"])
    order: list[Record] = []
    remaining = list(reversed(records))  # later-created first when otherwise unordered
    while remaining:
        ready = [r for r in remaining if not blockers[r["urn"]]]
        if not ready:  # a cycle cannot come from Pulumi; do not loop forever on a corrupt state
            ready = remaining[:1]
        for record in ready:
            order.append(record)
            remaining.remove(record)
            for deps in blockers.values():
                deps.discard(record["urn"])
    return order
